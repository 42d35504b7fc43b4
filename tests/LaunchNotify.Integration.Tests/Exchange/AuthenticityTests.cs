using System.Text;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Broker;
using LaunchNotify.Node.Inbox;
using LaunchNotify.Protocol.Signing;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace LaunchNotify.Integration.Tests.Exchange;

/// <summary>
/// What a receiving centre does with bodies it cannot trust or read (docs/protocol.md §4 and §6): parks them with their
/// reason, stores nothing as received, tells the publisher when the broker vouched for it, and goes on with the next.
/// No US host runs here, so what RU sends back to US stays in US's inbox queue for the test to read.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class AuthenticityTests(BrokerFixture broker, ITestOutputHelper output)
{
    private static readonly CentreCode Us = new("US"), Ru = new("RU"), Cn = new("CN");
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    public enum Forgery { PayloadAltered, SignedWithAnotherCentresKey, SignedWithAnUnregisteredKey }

    [Theory]
    [InlineData(Forgery.PayloadAltered, SigningErrorCodes.Invalid)]
    [InlineData(Forgery.SignedWithAnotherCentresKey, SigningErrorCodes.KeyNotSenders)]
    [InlineData(Forgery.SignedWithAnUnregisteredKey, SigningErrorCodes.UnknownKey)]
    public async Task Forged_IsParkedWithItsReason_RejectedToThePublisher_AndDoesNotPreemptTheGenuineMessage(Forgery forgery, string expectedCode)
    {
        await using var network = await CentreNetwork.CreateAsync(broker, output);
        var ru = (await network.StartAsync(Ru))[0];
        var id = Guid.NewGuid();
        var now = ru.Clock.GetCurrentInstant();
        var genuinePayload = WireMessages.UsToRuPreNotification(id, 1, now);
        using var usKey = network.PrivateKey(Us);
        using var cnKey = network.PrivateKey(Cn);
        using var unregistered = CentreKey.Generate(Us); // a key pair of "US" that US never published
        var forged = forgery switch
        {
            Forgery.PayloadAltered => WireMessages.WithPayloadSwapped(WireMessages.Sign(genuinePayload, usKey),
                WireMessages.UsToRuPreNotification(id, 1, now, remarks: "Launch cancelled; disregard.")),
            Forgery.SignedWithAnotherCentresKey => WireMessages.Sign(genuinePayload, cnKey),
            _ => WireMessages.Sign(genuinePayload, unregistered),
        };

        await network.PublishAsync(Us, "RU.US.prenotification", forged, id, "prenotification");

        var parked = await network.GetAsync(BrokerTopology.ParkedQueue(Ru), Deadline);
        Assert.NotNull(parked);
        Assert.Equal(expectedCode, WireMessages.Header(parked, AmqpParkingLot.CodeHeader));
        Assert.False(string.IsNullOrWhiteSpace(WireMessages.Header(parked, AmqpParkingLot.ReasonHeader)));
        Assert.Equal(id.ToString("D"), WireMessages.Header(parked, "x-original-message-id"));
        Assert.Equal("US", WireMessages.Header(parked, "x-original-user-id"));
        Assert.Equal("RU.US.prenotification", WireMessages.Header(parked, "x-original-routing-key"));
        Assert.Equal($"RU.{expectedCode.ToLowerInvariant()}", parked.RoutingKey);
        Assert.Equal(forged, parked.Body.ToArray()); // parked as it came: the evidence of the attempt

        // The broker vouched that US published it, so US learns it was refused, and why, in a receipt RU signed.
        var rejection = await network.GetAsync(BrokerTopology.InboxQueue(Us), Deadline);
        Assert.NotNull(rejection);
        Assert.Equal("RU", rejection.BasicProperties.UserId);
        var receipt = VerifiedPayload(rejection.Body.ToArray(), network.PublicKey(Ru));
        Assert.Equal(id.ToString("D"), receipt.GetProperty("receiptFor").GetString());
        Assert.Equal("rejected", receipt.GetProperty("outcome").GetString());
        Assert.Equal(expectedCode, receipt.GetProperty("reasons")[0].GetProperty("code").GetString());
        await using (var store = await ru.OpenStoreAsync())
            Assert.Empty(await store.Inbox.ToListAsync());

        // The genuine message with the same id is still accepted: a forgery must not occupy its place.
        await network.PublishAsync(Us, "RU.US.prenotification", WireMessages.Sign(genuinePayload, usKey), id, "prenotification");
        var accepted = await Eventually.UntilAsync(async () =>
        {
            await using var store = await ru.OpenStoreAsync();
            return await store.Inbox.SingleOrDefaultAsync(m => m.MessageId == id);
        }, m => m is not null, Deadline, "RU to store the genuine message");
        Assert.Equal(InboxOutcome.Accepted, accepted!.Outcome);
        Assert.Equal("accepted", VerifiedPayload((await network.GetAsync(BrokerTopology.InboxQueue(Us), Deadline))!.Body.ToArray(), network.PublicKey(Ru))
            .GetProperty("outcome").GetString());
    }

    [Theory]
    [InlineData("not JSON at all", SigningErrorCodes.Malformed)]
    [InlineData("""{"messageId":"1f0c9a8e-2b3d-4e5f-8a7b-6c5d4e3f2a1b","sender":"US"}""", SigningErrorCodes.Malformed)]
    [InlineData(null, "PAYLOAD_MALFORMED")]
    public async Task Malformed_IsParkedWithItsReason_AndTheNextValidMessageIsProcessed(string? body, string expectedCode)
    {
        await using var network = await CentreNetwork.CreateAsync(broker, output);
        var ru = (await network.StartAsync(Ru))[0];
        using var usKey = network.PrivateKey(Us);
        // null: a well-formed JWS, properly signed, whose payload is not a JSON message.
        var malformed = body is null ? WireMessages.Sign("[\"a signed array, not a message\"]"u8.ToArray(), usKey) : Encoding.UTF8.GetBytes(body);
        var badId = Guid.NewGuid();
        var goodId = Guid.NewGuid();

        await network.PublishAsync(Us, "RU.US.prenotification", malformed, badId, "prenotification");
        await network.PublishAsync(Us, "RU.US.prenotification",
            WireMessages.Sign(WireMessages.UsToRuPreNotification(goodId, 1, ru.Clock.GetCurrentInstant()), usKey), goodId, "prenotification");

        var parked = await network.GetAsync(BrokerTopology.ParkedQueue(Ru), Deadline);
        Assert.NotNull(parked);
        Assert.Equal(expectedCode, WireMessages.Header(parked, AmqpParkingLot.CodeHeader));
        Assert.Equal(badId.ToString("D"), WireMessages.Header(parked, "x-original-message-id"));
        Assert.Equal(malformed, parked.Body.ToArray());

        await Eventually.UntilAsync(() => Task.FromResult(ru.Consumed.Count), n => n >= 2, Deadline, "RU to handle both deliveries");
        var stored = await Eventually.UntilAsync(async () =>
        {
            await using var store = await ru.OpenStoreAsync();
            return await store.Inbox.ToListAsync();
        }, rows => rows.Count > 0, Deadline, "RU to store the valid message after the malformed one");
        Assert.Equal(2, ru.Consumed.Count);
        var row = Assert.Single(stored);
        Assert.Equal(goodId, row.MessageId);
        Assert.Equal(InboxOutcome.Accepted, row.Outcome);
        // Nothing could be read from the malformed body, so there was nobody to answer: one receipt, for the valid one.
        await using (var store = await ru.OpenStoreAsync())
            Assert.Single(await store.Outbox.Where(o => o.Kind == "receipt").ToListAsync());
    }

    private static System.Text.Json.JsonElement VerifiedPayload(byte[] body, Jwk signer)
    {
        Assert.True(Jws.TryParseFlattened(body, out var jws, out var error), error?.ToString());
        using var key = signer.ToECDsa();
        Assert.True(Jws.Verify(jws, key), "the receipt's signature does not verify under RU's published key");
        return WireMessages.PayloadOf(body);
    }
}
