using LaunchNotify.Tests.Shared;
using System.Text;
using System.Text.Json.Nodes;
using LaunchNotify.Domain.Alarms;
using LaunchNotify.Domain.Validation;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Inbox;
using LaunchNotify.Node.Outbox;
using LaunchNotify.Protocol.Json;
using LaunchNotify.Protocol.Signing;
using LaunchNotify.Storage;
using LaunchNotify.Storage.Entities;
using LaunchNotify.Tests.Shared;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace LaunchNotify.Node.Tests;

/// <summary>
/// The inbox: a message is (sender, id); a delivery processed twice at once is stored once, without a failed insert;
/// signed content that is of its schema but no message is rejected with a receipt naming the code, and its number counts.
/// </summary>
public sealed class InboxIdentityTests(PostgresSchemaFixture postgres) : IClassFixture<PostgresSchemaFixture>, IAsyncLifetime
{
    private readonly TestWorld _world = new("US", "RU", "CN");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task SameMessageIdFromTwoCentres_IsTwoMessages_BothStoredAndBothConfirmed()
    {
        var us = await _world.StartAsync("US");
        var ru = await _world.StartAsync("RU");
        var cn = await _world.StartAsync("CN");
        var id = Guid.NewGuid();
        var start = _world.Clock.GetCurrentInstant() + Duration.FromHours(3);
        var fromCn = Drafts.PreNotification("p5-demo", "RU", start, Duration.FromHours(2));
        fromCn["messageId"] = id.ToString();
        var fromUs = Drafts.PreNotification("p5-demo", "RU", start, Duration.FromHours(2));
        fromUs["messageId"] = id.ToString();
        await cn.SubmitAsync(fromCn, "prenotification");
        await us.SubmitAsync(fromUs, "prenotification");

        var first = Assert.Single(await _world.DeliverAsync(cn, ru));
        var second = Assert.Single(await _world.DeliverAsync(us, ru));
        await _world.DeliverAsync(ru, cn);
        await _world.DeliverAsync(ru, us);

        Assert.Equal(InboxDisposition.Accepted, first.Disposition);
        Assert.Equal(InboxDisposition.Accepted, second.Disposition);
        await using (var db = ru.NewDb())
            Assert.Equal(["CN", "US"], await db.Inbox.Where(m => m.MessageId == id).Select(m => m.Sender).OrderBy(s => s).ToListAsync());
        foreach (var sender in new[] { us, cn })
        {
            await using var db = sender.NewDb();
            Assert.Equal(DeliveryStatus.Confirmed, (await db.Deliveries.SingleAsync(d => d.MessageId == id && d.Recipient == "RU")).Status);
        }
    }

    [Fact]
    public Task SameDeliveryProcessedConcurrently_OnSqlite_IsStoredOnceAndTheOthersAreDuplicates() => ConcurrentDuplicatesAsync(store: null);

    [Fact]
    public Task SameDeliveryProcessedConcurrently_OnPostgres_IsStoredOnceAndTheOthersAreDuplicates() => ConcurrentDuplicatesAsync(postgres.Store);

    private async Task ConcurrentDuplicatesAsync(StorageOptions? store)
    {
        var us = await _world.StartAsync("US");
        var ru = await _world.StartAsync("RU", store);
        const int rounds = 6, copies = 4;
        for (var round = 0; round < rounds; round++)
            await us.NotifyAsync("RU", Duration.FromHours(3));
        await using var db = us.NewDb();
        var entries = await db.Outbox.Where(o => o.Recipient == "RU").OrderBy(o => o.Id).ToListAsync();

        foreach (var entry in entries)
        {
            var delivery = new InboundDelivery(entry.Body, "US", entry.RoutingKey, entry.MessageId.ToString("D"), entry.Kind, AmqpPublisher.ContentType);
            var results = await Task.WhenAll(Enumerable.Range(0, copies).Select(_ => Task.Run(() => ru.Inbox.ProcessAsync(delivery, CancellationToken.None))));

            Assert.Single(results, r => r.Disposition == InboxDisposition.Accepted);
            Assert.Equal(copies - 1, results.Count(r => r.Disposition == InboxDisposition.Duplicate));
            Assert.All(results, r => Assert.Equal(results[0].ReceiptMessageId, r.ReceiptMessageId));
        }

        await using var ruDb = ru.NewDb();
        Assert.Equal(rounds, await ruDb.Inbox.CountAsync(m => m.Sender == "US" && m.Kind == "prenotification"));
        Assert.Empty(ru.Errors);
    }

    [Fact]
    public Task AReceivedNotification_OnSqlite_IsStoredWhole() => StoredWholeAsync(store: null);

    [Fact]
    public Task AReceivedNotification_OnPostgres_IsStoredWhole() => StoredWholeAsync(postgres.Store);

    private async Task StoredWholeAsync(StorageOptions? store)
    {
        var us = await _world.StartAsync("US");
        var ru = await _world.StartAsync("RU", store);
        await us.NotifyAsync("RU", Duration.FromHours(3));
        byte[] sent;
        await using (var usDb = us.NewDb())
            sent = (await usDb.Outbox.SingleAsync(o => o.Recipient == "RU")).Body;

        var result = Assert.Single(await _world.DeliverAsync(us, ru));

        Assert.Equal(InboxDisposition.Accepted, result.Disposition);
        await using var db = ru.NewDb();
        var row = await db.Inbox.SingleAsync(m => m.Sender == "US" && m.MessageId == result.MessageId);
        Assert.Equal(sent, row.Jws);
        Assert.Equal(("prenotification", InboxOutcome.Accepted, 1L), (row.Kind, row.Outcome, row.Sequence));
        Assert.NotNull(row.AgreementId);
        Assert.Equal(_world.Clock.GetCurrentInstant(), row.ReceivedAt);
        Assert.NotNull(row.IssuedAt);
        Assert.True(row.WindowStart < row.WindowEnd);
        Assert.Equal(result.MessageId, JsonNode.Parse(row.PayloadJson!)!["messageId"]!.GetValue<Guid>());
        Assert.Equal("[]", row.DetailsJson);
        Assert.Equal(result.ReceiptMessageId, row.ReceiptMessageId);
        Assert.True(Jws.TryParseFlattened(row.ReceiptJws!, out _, out _));
        Assert.Null(row.AcknowledgedAt);
    }

    [Theory]
    [InlineData("window-ends-before-start", ContentCodes.WindowNotAfterStart)]
    [InlineData("issued-in-a-leap-second", ContentCodes.InstantLeapSecond)]
    [InlineData("issued-in-year-9999", ContentCodes.InstantOutOfRange)]
    [InlineData("radius-1e-400", ContentCodes.NumberOutOfRange)]
    public async Task SignedButUnreadableNotification_IsRejectedWithAReceiptNamingTheCode_AndItsNumberIsNotMissing(string poison, string code)
    {
        var (us, ru) = await PoisonSecondOfThreeAsync(poison);

        var results = await _world.DeliverAsync(us, ru);

        Assert.Equal([InboxDisposition.Accepted, InboxDisposition.Rejected, InboxDisposition.Accepted], results.Select(r => r.Disposition));
        Assert.Contains(code, results[1].Details.Select(d => d.Code));
        Assert.NotNull(results[1].ReceiptMessageId);
        await _world.DeliverAsync(ru, us);
        await using (var db = us.NewDb())
        {
            var delivery = await db.Deliveries.SingleAsync(d => d.MessageId == results[1].MessageId && d.Recipient == "RU");
            Assert.Equal(DeliveryStatus.Rejected, delivery.Status);
            Assert.Contains(code, delivery.ReceiptDetailsJson);
        }

        _world.Advance(Duration.FromHours(1));
        await ru.FireDueAsync();
        Assert.Empty(await ru.AlarmsAsync(AlarmKind.MissingNotification));
        Assert.Empty(ru.Errors);
    }

    [Fact]
    public async Task SignedNotificationWithAnUnreadableAgreementId_IsRejectedWithAReceiptUnderUnknown()
    {
        var (us, ru) = await PoisonSecondOfThreeAsync("agreement-id-65-characters");

        var results = await _world.DeliverAsync(us, ru);

        Assert.Equal(InboxDisposition.Rejected, results[1].Disposition);
        Assert.Contains("SCHEMA_LENGTH", results[1].Details.Select(d => d.Code));
        await using var db = ru.NewDb();
        var stored = await db.Inbox.SingleAsync(m => m.Sender == "US" && m.MessageId == results[1].MessageId);
        Assert.Null(stored.AgreementId);
        Assert.True(Jws.TryParseFlattened(stored.ReceiptJws!, out var receipt, out _));
        var parse = MessageParser.Parse(receipt!.Payload);
        var answer = Assert.IsType<LaunchNotify.Domain.Messages.Receipt>(parse.Message);
        Assert.Equal("unknown", answer.AgreementId.Value);
        Assert.Equal(results[1].MessageId, answer.ReceiptFor.Value);
        Assert.Contains("SCHEMA_LENGTH", answer.Reasons.Select(r => r.Code));
    }

    private async Task<(TestCentre Us, TestCentre Ru)> PoisonSecondOfThreeAsync(string poison)
    {
        var us = await _world.StartAsync("US");
        var ru = await _world.StartAsync("RU");
        for (var i = 0; i < 3; i++)
            await us.NotifyAsync("RU", Duration.FromHours(3));
        var signer = new JwsPayloadSigner(KeyStore.LoadPrivate(_world.KeysDirectory, new CentreCode("US")));
        await using var db = us.NewDb();
        // The second of three, altered and signed again by US: authentic, and no message.
        var entry = (await db.Outbox.Where(o => o.Recipient == "RU").OrderBy(o => o.Id).ToListAsync())[1];
        Assert.True(Jws.TryParseFlattened(entry.Body, out var jws, out _));
        entry.Body = signer.Sign(Encoding.UTF8.GetBytes(Poison(poison, JsonNode.Parse(jws!.Payload)!.AsObject())));
        await db.SaveChangesAsync();
        return (us, ru);
    }

    private static string Poison(string poison, JsonObject payload)
    {
        switch (poison)
        {
            case "window-ends-before-start":
                var window = payload["launchWindow"]!.AsObject();
                (window["start"], window["end"]) = (window["end"]!.DeepClone(), window["start"]!.DeepClone());
                return payload.ToJsonString();
            case "issued-in-a-leap-second":
                payload["issuedAt"] = "2026-12-31T23:59:60Z";
                return payload.ToJsonString();
            case "issued-in-year-9999":
                payload["issuedAt"] = "9999-12-31T23:59:59Z";
                return payload.ToJsonString();
            case "agreement-id-65-characters":
                payload["agreementId"] = "p5-" + new string('d', 62);
                return payload.ToJsonString();
            default:
                payload["launchArea"]!["radiusKm"] = 424242;
                return payload.ToJsonString().Replace("424242", "1e-400", StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// A parked delivery's reason (also what the sender's rejection receipt says) carries language-free arguments, so that
    /// the counterpart's duty officer reads it in their language (docs/glossary.md, "Other errors").
    /// </summary>
    [Fact]
    public async Task ForgedMisroutedAndBrokenDeliveries_AreParkedWithTheirCodeAndLanguageFreeArguments()
    {
        var us = await _world.StartAsync("US");
        var ru = await _world.StartAsync("RU");
        var cn = await _world.StartAsync("CN");
        await us.NotifyAsync("RU", Duration.FromHours(3));
        await using var db = us.NewDb();
        var entry = await db.Outbox.Where(o => o.Recipient == "RU").SingleAsync();
        var body = entry.Body;
        var forged = (byte[])body.Clone();
        // A character in the middle of the signature (the last segment) changed: still base64url, no longer the signature.
        var at = Encoding.ASCII.GetString(body).LastIndexOf("\"signature\":\"", StringComparison.Ordinal) + 20;
        forged[at] = (byte)(forged[at] == 'A' ? 'B' : 'A');

        InboundDelivery Delivery(byte[] b, string? userId) => new(b, userId, entry.RoutingKey, entry.MessageId.ToString("D"), entry.Kind, AmqpPublisher.ContentType);
        var cases = new (TestCentre To, InboundDelivery Delivery, string Code, string[] Args)[]
        {
            (ru, Delivery(body, "CN"), "BROKER_IDENTITY_MISMATCH", ["sender", "value"]),
            (ru, Delivery(body, null), "BROKER_IDENTITY_MISSING", []),
            (ru, Delivery("not a JWS"u8.ToArray(), "US"), "JWS_MALFORMED", []),
            (ru, Delivery(forged, "US"), "SIGNATURE_INVALID", []),
            (cn, Delivery(body, "US"), "NOT_ADDRESSED_HERE", ["centre", "parties"]),
        };
        foreach (var (to, delivery, code, args) in cases)
        {
            var result = await to.Inbox.ProcessAsync(delivery, CancellationToken.None);

            Assert.Equal(InboxDisposition.Parked, result.Disposition);
            var reason = Assert.Single(result.Details);
            Assert.Equal(code, reason.Code);
            Assert.True(reason.Args is not null, $"{code}: no arguments");
            Assert.Equal(args, reason.Args.Keys.Where(k => k != RuleArgs.Form).Order());
            Assert.All(reason.Args.Keys.Where(k => k != RuleArgs.Form), k => Assert.True(RuleArgs.Kinds.ContainsKey(k), $"{code}: '{k}' has no kind"));
            if (code == "BROKER_IDENTITY_MISMATCH")
                Assert.Equal(("CN", "US"), (reason.Args["value"], reason.Args["sender"]));
        }
    }
}
