using System.Text;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Broker;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace LaunchNotify.Integration.Tests.Exchange;

/// <summary>
/// The gaps BrokerSecurityTests leaves in "one centre can neither publish as another nor read another's messages":
/// another centre's login, the default exchange as a side door into an inbox, and the other read paths (get, purge,
/// the parked queue).
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class CentreCredentialTests(BrokerFixture broker)
{
    private const ushort AccessRefused = 403;
    private static readonly CentreCode Us = new("US"), Ru = new("RU");

    [Fact]
    public async Task Connect_AsAnotherCentreWithOwnPassword_IsRefused()
    {
        var factory = new ConnectionFactory
        {
            HostName = BrokerFixture.Host, Port = broker.AmqpPort, VirtualHost = BrokerTopology.VirtualHost,
            UserName = Ru.Value, Password = broker.Credentials[Us].Password, AutomaticRecoveryEnabled = false,
        };

        var e = await Assert.ThrowsAnyAsync<Exception>(() => factory.CreateConnectionAsync());

        Assert.Contains(Chain(e), inner => inner is AuthenticationFailureException);
    }

    [Fact]
    public async Task Publish_StraightIntoAnotherCentresInboxThroughTheDefaultExchange_IsRefused()
    {
        await broker.PurgeAsync(BrokerTopology.InboxQueue(Ru));
        await using var connection = await broker.ConnectAsync(Us);
        var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));

        // The default exchange routes by queue name: it would bypass the topic permissions that fix the sender.
        await BrokerSecurityTests.ExpectChannelClosedAsync(channel, AccessRefused, () => channel.BasicPublishAsync("", BrokerTopology.InboxQueue(Ru), mandatory: true,
            new BasicProperties { MessageId = Guid.NewGuid().ToString("D"), UserId = Us.Value }, Encoding.UTF8.GetBytes("{}")).AsTask());

        await using var admin = await broker.ConnectAsAdminAsync();
        await using var adminChannel = await admin.CreateChannelAsync();
        Assert.Equal(0u, await adminChannel.MessageCountAsync(BrokerTopology.InboxQueue(Ru)));
    }

    [Theory]
    [InlineData("get-inbox")]
    [InlineData("get-parked")]
    [InlineData("purge-inbox")]
    [InlineData("delete-inbox")]
    public async Task ReadOrRemove_AnotherCentresQueue_IsRefused(string operation)
    {
        await using var connection = await broker.ConnectAsync(Us);
        var channel = await connection.CreateChannelAsync();

        await BrokerSecurityTests.ExpectChannelClosedAsync(channel, AccessRefused, operation switch
        {
            "get-inbox" => () => channel.BasicGetAsync(BrokerTopology.InboxQueue(Ru), autoAck: true),
            "get-parked" => () => channel.BasicGetAsync(BrokerTopology.ParkedQueue(Ru), autoAck: true),
            "purge-inbox" => () => channel.QueuePurgeAsync(BrokerTopology.InboxQueue(Ru)),
            _ => () => channel.QueueDeleteAsync(BrokerTopology.InboxQueue(Ru)),
        });

        // Still there for its owner.
        await using var owner = await broker.ConnectAsync(Ru);
        await using var ownerChannel = await owner.CreateChannelAsync();
        await ownerChannel.QueueDeclarePassiveAsync(BrokerTopology.InboxQueue(Ru));
    }

    private static IEnumerable<Exception> Chain(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
            yield return x;
    }
}
