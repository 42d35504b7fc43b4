using System.Text;
using System.Text.Json;
using Jose;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Broker;
using LaunchNotify.Protocol.Schemas;
using LaunchNotify.Protocol.Signing;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using RabbitMQ.Client;
using Xunit.Abstractions;

namespace LaunchNotify.Integration.Tests.Exchange;

/// <summary>
/// A counterpart that has only docs/protocol.md, an AMQP client and a JOSE library (here RabbitMQ.Client and jose-jwt,
/// no LaunchNotify signing code) sends a notification to RU and gets RU's signed receipt back in its own inbox.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class PlainClientProtocolTests(BrokerFixture broker, ITestOutputHelper output)
{
    private static readonly CentreCode Us = new("US"), Ru = new("RU");

    [Fact]
    public async Task PlainClient_PublishingAsTheProtocolSays_IsAcceptedAndGetsASignedReceipt()
    {
        await using var network = await CentreNetwork.CreateAsync(broker, output);
        var ru = (await network.StartAsync(Ru))[0];
        var now = ru.Clock.GetCurrentInstant();
        var messageId = Guid.NewGuid();

        // §3: the payload is the JSON message; the body is its flattened ES256 JWS with kid and typ in the protected header.
        var payload = WireMessages.UsToRuPreNotification(messageId, sequence: 1, now);
        var privateJwk = Jose.Jwk.FromJson(await File.ReadAllTextAsync(KeyStore.PrivateKeyPath(network.KeysDirectory, Us)), JWT.DefaultSettings.JsonMapper);
        var compact = JWT.EncodeBytes(payload, privateJwk, JwsAlgorithm.ES256,
            new Dictionary<string, object> { ["kid"] = privateJwk.KeyId, ["typ"] = "launchnotify+jws" }).Split('.');
        var body = Encoding.UTF8.GetBytes($$"""{"protected":"{{compact[0]}}","payload":"{{compact[1]}}","signature":"{{compact[2]}}"}""");

        // §2 and §7: one publish per recipient, mandatory, persistent, with publisher confirms and the sender's own user_id.
        var factory = new ConnectionFactory
        {
            HostName = BrokerFixture.Host, Port = broker.AmqpPort, VirtualHost = "launchnotify", UserName = "US", Password = broker.Credentials[Us].Password,
        };
        await using (var connection = await factory.CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true)))
        {
            var props = new BasicProperties
            {
                MessageId = messageId.ToString("D"), Type = "prenotification", ContentType = "application/jose+json",
                DeliveryMode = DeliveryModes.Persistent, UserId = "US", Timestamp = new AmqpTimestamp(now.ToUnixTimeSeconds()),
            };
            await channel.BasicPublishAsync("launchnotify.exchange", "RU.US.prenotification", mandatory: true, props, body);
        }

        // §5: the receipt comes back to the sender's inbox, from RU's broker user, signed with RU's published key.
        var delivery = await network.GetAsync("launchnotify.inbox.US", TimeSpan.FromSeconds(15));
        Assert.NotNull(delivery);
        Assert.Equal("US.RU.receipt", delivery.RoutingKey);
        Assert.Equal("RU", delivery.BasicProperties.UserId);
        Assert.Equal("receipt", delivery.BasicProperties.Type);
        Assert.Equal("application/jose+json", delivery.BasicProperties.ContentType);
        Assert.Equal(DeliveryModes.Persistent, delivery.BasicProperties.DeliveryMode);

        using var receiptBody = JsonDocument.Parse(delivery.Body.ToArray());
        var part = (string name) => receiptBody.RootElement.GetProperty(name).GetString()!;
        var published = Jose.JwkSet.FromJson(await File.ReadAllTextAsync(KeyStore.TrustStorePath(network.KeysDirectory)), JWT.DefaultSettings.JsonMapper);
        var ruKey = published.Keys.Single(k => k.KeyId.StartsWith("RU-", StringComparison.Ordinal));
        var receiptCompact = $"{part("protected")}.{part("payload")}.{part("signature")}";
        Assert.Equal(ruKey.KeyId, JWT.Headers(receiptCompact)["kid"]);
        var receiptPayload = JWT.DecodeBytes(receiptCompact, ruKey, JwsAlgorithm.ES256); // throws if the signature does not verify

        Assert.True(SchemaCatalog.Default.ValidateMessage(receiptPayload).IsValid, "the receipt is not valid against receipt.schema.json");
        var receipt = JsonDocument.Parse(receiptPayload).RootElement;
        Assert.Equal("receipt", receipt.GetProperty("kind").GetString());
        Assert.Equal(delivery.BasicProperties.MessageId, receipt.GetProperty("messageId").GetString());
        Assert.Equal("RU", receipt.GetProperty("sender").GetString());
        Assert.Equal("US", receipt.GetProperty("recipients")[0].GetProperty("centre").GetString());
        Assert.Equal(messageId.ToString("D"), receipt.GetProperty("receiptFor").GetString());
        Assert.Equal("prenotification", receipt.GetProperty("receivedKind").GetString());
        Assert.Equal("accepted", receipt.GetProperty("outcome").GetString());

        await using var store = await ru.OpenStoreAsync();
        var stored = await store.Inbox.SingleAsync(m => m.MessageId == messageId);
        Assert.Equal(InboxOutcome.Accepted, stored.Outcome);
        Assert.Equal(body, stored.Jws);
    }
}
