using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Broker;
using LaunchNotify.Protocol.Json;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Xunit.Abstractions;

namespace LaunchNotify.Integration.Tests.Exchange;

/// <summary>
/// Correctly signed poison on a real broker (docs/protocol.md §4): each kind is stored as rejected with a signed receipt
/// naming its code, at once, and a valid message and heartbeats behind any number of them go through without waiting.
/// No US host runs, so RU's receipts stay in US's inbox queue for the test to read.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class PoisonInboxTests(BrokerFixture broker, ITestOutputHelper output)
{
    private static readonly CentreCode Us = new("US"), Ru = new("RU");

    /// <summary>Bounded generously for a loaded CI machine; the figure measured is in the test output and docs/protocol.md.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    /// <summary>Each poison: how to spoil a valid US → RU payload, and the code RU's receipt must name.</summary>
    private static readonly (string Name, Func<JsonObject, string> Spoil, string Code)[] Poisons =
    [
        ("window ends before it starts", p => Set(p, o => { var w = o["launchWindow"]!.AsObject(); (w["start"], w["end"]) = (w["end"]!.DeepClone(), w["start"]!.DeepClone()); }), ContentCodes.WindowNotAfterStart),
        ("window ends as it starts", p => Set(p, o => o["launchWindow"]!["end"] = o["launchWindow"]!["start"]!.DeepClone()), ContentCodes.WindowNotAfterStart),
        ("leap second", p => Set(p, o => o["issuedAt"] = "2026-12-31T23:59:60Z"), ContentCodes.InstantLeapSecond),
        ("year 9999", p => Set(p, o => o["issuedAt"] = "9999-12-31T23:59:59Z"), ContentCodes.InstantOutOfRange),
        ("radius 1e-400", p => Set(p, o => o["launchArea"]!["radiusKm"] = 424242).Replace("424242", "1e-400", StringComparison.Ordinal), ContentCodes.NumberOutOfRange),
        ("lone surrogate", p => Set(p, o => o["remarks"] = "ESCAPE").Replace("ESCAPE", "\\ud800", StringComparison.Ordinal), JsonText.InvalidUnicodeCode),
        ("duplicate member", p => Set(p, _ => { }).Replace("\"kind\":", "\"remarks\":\"twice\",\"remarks\":\"again\",\"kind\":", StringComparison.Ordinal), JsonText.MalformedCode),
        ("agreement id of 65 characters", p => Set(p, o => o["agreementId"] = "us-ru-" + new string('x', 59)), "SCHEMA_LENGTH"),
    ];

    [Fact]
    public async Task FortyPoisonMessagesThenAValidOne_EachPoisonRejectedWithItsCode_TheValidOneAndAHeartbeatGoThroughAtOnce()
    {
        await using var network = await CentreNetwork.CreateAsync(broker, output);
        var ru = (await network.StartAsync(Ru))[0];
        using var usKey = network.PrivateKey(Us);
        var now = ru.Clock.GetCurrentInstant();
        var sequence = 0L;
        var poisonIds = new Dictionary<Guid, string>();
        var clock = Stopwatch.StartNew();

        for (var i = 0; i < 40; i++)
        {
            var (name, spoil, code) = Poisons[i % Poisons.Length];
            var id = Guid.NewGuid();
            var payload = JsonNode.Parse(WireMessages.UsToRuPreNotification(id, ++sequence, now))!.AsObject();
            await network.PublishAsync(Us, "RU.US.prenotification", WireMessages.Sign(Encoding.UTF8.GetBytes(spoil(payload)), usKey), id, "prenotification");
            poisonIds[id] = code;
        }
        var validId = Guid.NewGuid();
        await network.PublishAsync(Us, "RU.US.prenotification", WireMessages.Sign(WireMessages.UsToRuPreNotification(validId, ++sequence, now), usKey), validId, "prenotification");
        var heartbeatId = Guid.NewGuid();
        await network.PublishAsync(Us, "RU.US.heartbeat", WireMessages.Sign(Heartbeat(heartbeatId, sequence, now), usKey), heartbeatId, "heartbeat");

        await Eventually.UntilAsync(() => Task.FromResult(ru.Consumed.CountOf(validId) + ru.Consumed.CountOf(heartbeatId)), n => n == 2, Deadline, "the valid message and the heartbeat behind 40 poison ones");
        var elapsed = clock.Elapsed;
        // Consumers work side by side: the last poison ones may still be finishing; each ends in one outcome, none is retried.
        await Eventually.UntilAsync(() => Task.FromResult(ru.Consumed.Count), n => n >= poisonIds.Count + 2, Deadline, "every delivery consumed");
        output.WriteLine($"valid + heartbeat behind 40 poison consumed {elapsed.TotalMilliseconds:0} ms after the first publish; all 42 after {clock.Elapsed.TotalMilliseconds:0} ms");
        Assert.Equal(poisonIds.Count + 2, ru.Consumed.Count);

        await using var db = await ru.OpenStoreAsync();
        var stored = await db.Inbox.AsNoTracking().Where(m => m.Sender == "US").ToListAsync();
        Assert.Equal(InboxOutcome.Accepted, stored.Single(m => m.MessageId == validId).Outcome);
        Assert.Equal(InboxOutcome.Accepted, stored.Single(m => m.MessageId == heartbeatId).Outcome);
        foreach (var (id, code) in poisonIds)
        {
            var entry = stored.SingleOrDefault(m => m.MessageId == id);
            Assert.True(entry is not null, $"poison {id} ({code}) was not stored");
            Assert.Equal(InboxOutcome.Rejected, entry.Outcome);
            Assert.Contains(code, entry.DetailsJson);
            Assert.NotNull(entry.ReceiptJws);
        }
        // Every number arrived on the link, rejected or not, except where even the agreement (so the link) is unreadable.
        var unreadableLink = Enumerable.Range(0, 40).Where(i => Poisons[i % Poisons.Length].Code == "SCHEMA_LENGTH").Select(i => (long?)(i + 1)).ToHashSet();
        Assert.Equal(Enumerable.Range(1, 41).Select(n => (long?)n).Where(n => !unreadableLink.Contains(n)),
            stored.Where(m => m.Kind == "prenotification" && m.AgreementId == "us-ru-bmlna-1988").Select(m => m.Sequence).Order());

        // The signed receipts came back to US, each naming its poison's code.
        var receipts = new Dictionary<Guid, string>();
        while (receipts.Count < poisonIds.Count + 1 && await network.GetAsync(BrokerTopology.InboxQueue(Us), TimeSpan.FromSeconds(10)) is { } message)
        {
            var receipt = WireMessages.PayloadOf(message.Body.ToArray());
            receipts[Guid.Parse(receipt.GetProperty("receiptFor").GetString()!)] = receipt.GetRawText();
        }
        Assert.Contains("\"accepted\"", receipts[validId]);
        Assert.All(poisonIds, p => Assert.Contains($"\"{p.Value}\"", receipts[p.Key]));
    }

    private static string Set(JsonObject payload, Action<JsonObject> change)
    {
        change(payload);
        return payload.ToJsonString();
    }

    private static byte[] Heartbeat(Guid id, long lastSequence, Instant now) => Encoding.UTF8.GetBytes($$"""
        {"kind":"heartbeat","messageId":"{{id:D}}","schemaVersion":"1.0","agreementId":"us-ru-bmlna-1988","sender":"US",
         "recipients":[{"centre":"RU","sequence":1}],"issuedAt":"{{Drafts.At(now)}}","lastNotificationSequence":{{lastSequence}},"intervalSeconds":60}
        """);
}
