using System.Text;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Broker;
using MassTransit;
using RabbitMQ.Client;

namespace LaunchNotify.Integration.Tests;

/// <summary>
/// A MassTransit 8.5 receive endpoint, configured as the subscriber will be, works within the centre's broker
/// permissions: it redeclares the inbox with the same arguments, adds its own exchanges, consumes raw JWS JSON.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class MassTransitInboxTests(BrokerFixture broker)
{
    private static readonly CentreCode Us = new("US"), Ru = new("RU");

    public sealed record SignedEnvelope(string? Protected, string? Payload, string? Signature);

    [Fact]
    public async Task ReceiveEndpoint_AsTheCentreUser_ConsumesItsInbox()
    {
        await broker.PurgeAsync(BrokerTopology.InboxQueue(Us));
        var received = new TaskCompletionSource<SignedEnvelope>(TaskCreationOptions.RunContinuationsAsynchronously);
        var bus = CreateInboxBus(Us, context =>
        {
            received.TrySetResult(context.Message);
            return Task.CompletedTask;
        });

        await bus.StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        try
        {
            await PublishAsRuAsync("""{"protected":"eyJhbGciOiJFUzI1NiJ9","payload":"e30","signature":"c2ln"}""");
            var message = await received.Task.WaitAsync(TimeSpan.FromSeconds(15));
            Assert.Equal("e30", message.Payload);
        }
        finally
        {
            await bus.StopAsync();
        }
    }

    /// <remarks>
    /// MassTransit's default error transport cannot work here: it republishes the message to <c>…_error</c> with the
    /// original <c>user_id</c> (the sender's), which the broker refuses (PRECONDITION_FAILED), forever. Rethrowing
    /// makes MassTransit nack with requeue instead, and the broker parks the message after the delivery limit.
    /// </remarks>
    [Fact]
    public async Task ReceiveEndpoint_WhenTheHandlerKeepsFailing_TheBrokerParksTheMessage()
    {
        await broker.PurgeAsync(BrokerTopology.InboxQueue(Us), BrokerTopology.ParkedQueue(Us));
        var attempts = 0;
        var bus = CreateInboxBus(Us, _ =>
        {
            Interlocked.Increment(ref attempts);
            throw new InvalidOperationException("refused by the test");
        }, rethrowFaults: true);

        await bus.StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        try
        {
            var messageId = await PublishAsRuAsync("""{"payload":"e30"}""");
            await using var connection = await broker.ConnectAsAdminAsync();
            await using var channel = await connection.CreateChannelAsync();
            BasicGetResult? parked = null;
            for (var i = 0; i < 150 && parked is null; i++)
            {
                await Task.Delay(100);
                parked = await channel.BasicGetAsync(BrokerTopology.ParkedQueue(Us), autoAck: true);
            }
            Assert.Equal(messageId, parked?.BasicProperties.MessageId);
            Assert.Equal("RU", parked?.BasicProperties.UserId);
            Assert.InRange(attempts, BrokerTopology.DeliveryLimit, BrokerTopology.DeliveryLimit + 1);
        }
        finally
        {
            await bus.StopAsync();
        }
    }

    private IBusControl CreateInboxBus(CentreCode centre, MessageHandler<SignedEnvelope> handler, bool rethrowFaults = false) =>
        Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(BrokerFixture.Host, (ushort)broker.AmqpPort, BrokerTopology.VirtualHost, h =>
            {
                h.Username(centre);
                h.Password(broker.Credentials[centre].Password);
            });
            cfg.ReceiveEndpoint(BrokerTopology.InboxQueue(centre), e =>
            {
                e.ConfigureConsumeTopology = false;
                e.PublishFaults = false;
                e.SetQuorumQueue();
                foreach (var (key, value) in BrokerTopology.InboxQueueArguments(centre).Where(a => a.Key != "x-queue-type"))
                    e.SetQueueArgument(key, value);
                e.ClearSerialization();
                e.UseRawJsonDeserializer(RawSerializerOptions.AnyMessageType, isDefault: true);
                e.UseRawJsonSerializer(RawSerializerOptions.AnyMessageType, isDefault: true);
                if (rethrowFaults)
                    e.RethrowFaultedMessages();
                e.Handler(handler);
            });
        });

    private async Task<string> PublishAsRuAsync(string body)
    {
        await using var connection = await broker.ConnectAsync(Ru);
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true));
        var messageId = Guid.NewGuid().ToString("D");
        await channel.BasicPublishAsync(BrokerTopology.Exchange, $"US.RU.prenotification", mandatory: true,
            new BasicProperties { MessageId = messageId, UserId = "RU", ContentType = "application/jose+json", DeliveryMode = DeliveryModes.Persistent },
            Encoding.UTF8.GetBytes(body));
        return messageId;
    }
}
