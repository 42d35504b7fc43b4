using System.Text;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Broker;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace LaunchNotify.Integration.Tests;

/// <summary>The broker, not the nodes, enforces who may say what: identity, routing keys, inbox reads, parking.</summary>
[Collection(BrokerCollection.Name)]
public sealed class BrokerSecurityTests(BrokerFixture broker)
{
    private const ushort AccessRefused = 403;
    private const ushort PreconditionFailed = 406;
    private static readonly CentreCode Us = new("US"), Ru = new("RU"), Cn = new("CN");

    [Fact]
    public async Task Provision_RunTwice_ChangesNothingAndCentresStillConnect()
    {
        await broker.Provisioner.ProvisionAsync(broker.Credentials.Values);

        var bindings = await broker.GetJsonAsync($"api/queues/{BrokerTopology.VirtualHost}/{BrokerTopology.InboxQueue(Ru)}/bindings");
        var fromExchange = bindings.EnumerateArray().Where(b => b.GetProperty("source").GetString() == BrokerTopology.Exchange).ToList();
        Assert.Single(fromExchange);
        Assert.Equal("RU.#", fromExchange[0].GetProperty("routing_key").GetString());

        var inbox = await broker.GetJsonAsync($"api/queues/{BrokerTopology.VirtualHost}/{BrokerTopology.InboxQueue(Ru)}");
        var arguments = inbox.GetProperty("arguments");
        Assert.Equal("quorum", arguments.GetProperty("x-queue-type").GetString());
        Assert.Equal(BrokerTopology.ParkingExchange, arguments.GetProperty("x-dead-letter-exchange").GetString());
        Assert.Equal("RU.dead", arguments.GetProperty("x-dead-letter-routing-key").GetString());
        Assert.Equal(BrokerTopology.DeliveryLimit, arguments.GetProperty("x-delivery-limit").GetInt32());

        await using var connection = await broker.ConnectAsync(Us);
        Assert.True(connection.IsOpen);
    }

    [Fact]
    public async Task DeleteCentre_WithQueues_RemovesUserAndQueuesAndIsRepeatable()
    {
        var zz = new CentreCode("ZZ");
        await broker.Provisioner.ProvisionCentreAsync(new CentreCredential(zz, "temporary-password"));
        Assert.Equal("ZZ", (await broker.GetJsonAsync("api/users/ZZ")).GetProperty("name").GetString());

        await broker.Provisioner.DeleteCentreAsync(zz, deleteQueues: true);
        await broker.Provisioner.DeleteCentreAsync(zz, deleteQueues: true);

        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await broker.Management.GetAsync("api/users/ZZ")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound,
            (await broker.Management.GetAsync($"api/queues/{BrokerTopology.VirtualHost}/{BrokerTopology.InboxQueue(zz)}")).StatusCode);
    }

    [Fact]
    public async Task Publish_AsSenderWithOwnUserId_LandsInRecipientInbox()
    {
        await broker.PurgeAsync(BrokerTopology.InboxQueue(Ru));
        var messageId = await PublishAsync(Us, "RU.US.prenotification", userId: "US");

        var received = await GetAsync(BrokerTopology.InboxQueue(Ru));
        Assert.NotNull(received);
        Assert.Equal(messageId, received.BasicProperties.MessageId);
        Assert.Equal("US", received.BasicProperties.UserId);
        Assert.Equal("RU.US.prenotification", received.RoutingKey);
    }

    [Fact]
    public async Task Publish_WithAnotherCentreAsSenderInRoutingKey_IsRefusedByTheBroker()
    {
        await using var connection = await broker.ConnectAsync(Us);
        var channel = await ConfirmingChannelAsync(connection);

        await ExpectChannelClosedAsync(channel, AccessRefused, () => Publish(channel, "RU.CN.prenotification", "US"));
    }

    [Fact]
    public async Task Publish_WithAnotherCentresUserId_IsRefusedByTheBroker()
    {
        await using var connection = await broker.ConnectAsync(Us);
        var channel = await ConfirmingChannelAsync(connection);

        await ExpectChannelClosedAsync(channel, PreconditionFailed, () => Publish(channel, "RU.US.prenotification", "CN"));
    }

    [Fact]
    public async Task Consume_AnotherCentresInbox_IsRefused()
    {
        await using var connection = await broker.ConnectAsync(Us);
        var channel = await connection.CreateChannelAsync();

        await ExpectChannelClosedAsync(channel, AccessRefused,
            () => channel.BasicConsumeAsync(BrokerTopology.InboxQueue(Ru), autoAck: false, new AsyncEventingBasicConsumer(channel)));
    }

    [Fact]
    public async Task Bind_OwnInboxToTheSharedExchangeForEveryKey_IsRefused()
    {
        await using var connection = await broker.ConnectAsync(Us);
        var channel = await connection.CreateChannelAsync();

        await ExpectChannelClosedAsync(channel, AccessRefused,
            () => channel.QueueBindAsync(BrokerTopology.InboxQueue(Us), BrokerTopology.Exchange, "#"));
    }

    [Fact]
    public async Task Declare_OwnInboxWithTheAgreedArguments_IsAllowedButAnotherCentresIsRefused()
    {
        await using var connection = await broker.ConnectAsync(Us);
        var channel = await connection.CreateChannelAsync();
        var own = await channel.QueueDeclareAsync(BrokerTopology.InboxQueue(Us), durable: true, exclusive: false, autoDelete: false,
            arguments: BrokerTopology.InboxQueueArguments(Us).ToDictionary(a => a.Key, a => (object?)a.Value));
        Assert.Equal(BrokerTopology.InboxQueue(Us), own.QueueName);

        await ExpectChannelClosedAsync(channel, AccessRefused, () => channel.QueueDeclareAsync(BrokerTopology.InboxQueue(Cn), durable: true,
            exclusive: false, autoDelete: false, arguments: BrokerTopology.InboxQueueArguments(Cn).ToDictionary(a => a.Key, a => (object?)a.Value)));
    }

    [Fact]
    public async Task Park_OwnMessageWithOwnPrefix_LandsInParkedQueue()
    {
        await broker.PurgeAsync(BrokerTopology.ParkedQueue(Ru));
        await using var connection = await broker.ConnectAsync(Ru);
        var channel = await ConfirmingChannelAsync(connection);
        var messageId = Guid.NewGuid().ToString("D");
        await channel.BasicPublishAsync(BrokerTopology.ParkingExchange, BrokerTopology.ParkingRoutingKey(Ru, "bad-signature"), mandatory: true,
            new BasicProperties { MessageId = messageId, UserId = "RU", DeliveryMode = DeliveryModes.Persistent }, Encoding.UTF8.GetBytes("{}"));

        var parked = await GetAsync(BrokerTopology.ParkedQueue(Ru));
        Assert.Equal(messageId, parked?.BasicProperties.MessageId);
        await ExpectChannelClosedAsync(channel, AccessRefused, () => Publish(channel, "US.bad-signature", "RU", BrokerTopology.ParkingExchange));
    }

    [Fact]
    public async Task Reject_WithoutRequeue_ParksTheMessage()
    {
        await broker.PurgeAsync(BrokerTopology.InboxQueue(Ru), BrokerTopology.ParkedQueue(Ru));
        var messageId = await PublishAsync(Us, "RU.US.prenotification", userId: "US");

        await using var connection = await broker.ConnectAsync(Ru);
        await using var channel = await connection.CreateChannelAsync();
        var delivery = await channel.BasicGetAsync(BrokerTopology.InboxQueue(Ru), autoAck: false);
        Assert.Equal(messageId, delivery?.BasicProperties.MessageId);
        await channel.BasicNackAsync(delivery!.DeliveryTag, multiple: false, requeue: false);

        var parked = await GetAsync(BrokerTopology.ParkedQueue(Ru));
        Assert.Equal(messageId, parked?.BasicProperties.MessageId);
        Assert.Equal("RU.dead", parked?.RoutingKey);
    }

    [Fact]
    public async Task Redeliver_PastTheDeliveryLimit_ParksTheMessage()
    {
        await broker.PurgeAsync(BrokerTopology.InboxQueue(Ru), BrokerTopology.ParkedQueue(Ru));
        var messageId = await PublishAsync(Us, "RU.US.prenotification", userId: "US");

        await using var connection = await broker.ConnectAsync(Ru);
        await using var channel = await connection.CreateChannelAsync();
        var deliveries = 0;
        while (deliveries <= BrokerTopology.DeliveryLimit + 5)
        {
            var delivery = await PollAsync(() => channel.BasicGetAsync(BrokerTopology.InboxQueue(Ru), autoAck: false), TimeSpan.FromSeconds(1));
            if (delivery is null) break;
            Assert.Equal(messageId, delivery.BasicProperties.MessageId);
            deliveries++;
            await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: true);
        }

        Assert.InRange(deliveries, BrokerTopology.DeliveryLimit, BrokerTopology.DeliveryLimit + 1);
        var parked = await GetAsync(BrokerTopology.ParkedQueue(Ru));
        Assert.Equal(messageId, parked?.BasicProperties.MessageId);
    }

    private async Task<string> PublishAsync(CentreCode sender, string routingKey, string userId)
    {
        await using var connection = await broker.ConnectAsync(sender);
        await using var channel = await ConfirmingChannelAsync(connection);
        var messageId = Guid.NewGuid().ToString("D");
        await channel.BasicPublishAsync(BrokerTopology.Exchange, routingKey, mandatory: true,
            new BasicProperties { MessageId = messageId, UserId = userId, DeliveryMode = DeliveryModes.Persistent }, Encoding.UTF8.GetBytes("{}"));
        return messageId;
    }

    private static Task<IChannel> ConfirmingChannelAsync(IConnection connection) =>
        connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));

    private static async Task Publish(IChannel channel, string routingKey, string userId, string exchange = BrokerTopology.Exchange) =>
        await channel.BasicPublishAsync(exchange, routingKey, mandatory: true,
            new BasicProperties { MessageId = Guid.NewGuid().ToString("D"), UserId = userId }, Encoding.UTF8.GetBytes("{}"));

    /// <summary>Reads one message as the administrator, waiting a little for dead-lettering to happen.</summary>
    private async Task<BasicGetResult?> GetAsync(string queue)
    {
        await using var connection = await broker.ConnectAsAdminAsync();
        await using var channel = await connection.CreateChannelAsync();
        return await PollAsync(() => channel.BasicGetAsync(queue, autoAck: true), TimeSpan.FromSeconds(5));
    }

    private static async Task<BasicGetResult?> PollAsync(Func<Task<BasicGetResult?>> get, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            var result = await get();
            if (result is not null || DateTime.UtcNow > until) return result;
            await Task.Delay(50);
        }
    }

    /// <summary>The broker answers a forbidden operation by closing the channel with a reply code; the client may
    /// see that as an exception from the call or only in the channel's close reason.</summary>
    internal static async Task ExpectChannelClosedAsync(IChannel channel, ushort replyCode, Func<Task> forbidden)
    {
        try
        {
            await forbidden();
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            // Inspected through the channel below.
        }
        var until = DateTime.UtcNow.AddSeconds(5);
        while (channel.IsOpen && DateTime.UtcNow < until)
            await Task.Delay(20);
        Assert.False(channel.IsOpen, "the broker did not close the channel");
        Assert.Equal(replyCode, channel.CloseReason?.ReplyCode);
    }
}
