using System.Text;
using System.Text.Json.Nodes;
using LaunchNotify.Domain.Alarms;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Alarms;
using LaunchNotify.Node.Audit;
using LaunchNotify.Node.Inbox;
using LaunchNotify.Protocol.Signing;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace LaunchNotify.Compliance.Tests;

/// <summary>The audit hooks in submission, inbox, dispatch and alarms, exercised by the real services.</summary>
public sealed class PipelineAuditTests
{
    [Fact]
    public async Task Exchange_RecordsEachStepInBothCentresLogs_InTheOrderTheyHappened()
    {
        await using var centres = await TwoCentres.CreateAsync();
        var id = await centres.ExchangeAsync();

        var us = await EntriesAsync(centres.Us);
        Assert.Equal(["submitted", "published", "received", "verified", "confirmed"], us.Select(e => e.Type));
        Assert.All(us.Where(e => e.Type is "submitted" or "published" or "confirmed"), e => Assert.Equal(id, e.MessageId));
        Assert.Equal("RU", us.Single(e => e.Type == "confirmed").Centre);
        var ru = await EntriesAsync(centres.Ru);
        Assert.Equal(["received", "verified", "published"], ru.Select(e => e.Type));
        Assert.Equal((id, "US"), (ru[0].MessageId!.Value, ru[0].Centre!));

        // The same signed payload, recorded independently by sender and recipient.
        var sent = JsonNode.Parse(us[0].DetailsJson)!;
        var received = JsonNode.Parse(ru[0].DetailsJson)!;
        Assert.Equal((string?)sent["payloadSha256"], (string?)received["payloadSha256"]);
        Assert.StartsWith("US-", (string?)received["kid"]);
        // The receipt RU published is the one US received.
        Assert.Equal(ru[2].MessageId, us[2].MessageId);
        Assert.Equal((string?)JsonNode.Parse(ru[1].DetailsJson)!["receipt"], ru[2].MessageId!.Value.ToString("D"));

        foreach (var centre in new[] { centres.Us, centres.Ru })
        {
            await using var db = centre.Store.NewContext();
            var result = await AuditVerifier.VerifyAsync(db);
            Assert.True(result.Intact, string.Join("; ", result.Breaks));
        }
    }

    [Fact]
    public async Task Exchange_OnAClockWithNanosecondInstants_LeavesChainsThatVerify()
    {
        await using var centres = await TwoCentres.CreateAsync();
        // Every reading of the clock lands between two of the store's 100 ns ticks.
        centres.Clock.Advance(NodaTime.Duration.FromNanoseconds(123_456_789));
        centres.Clock.AutoAdvance = NodaTime.Duration.FromNanoseconds(1_000_001);
        await centres.ExchangeAsync();

        foreach (var centre in new[] { centres.Us, centres.Ru })
        {
            await using var db = centre.Store.NewContext();
            var result = await AuditVerifier.VerifyAsync(db);
            Assert.True(result.Intact, string.Join("; ", result.Breaks));
            Assert.True(result.Checked >= 3);
        }
    }

    [Fact]
    public async Task AlarmBook_RaiseAcknowledgeResolve_EachAppendsAnEntryAboutTheAlarm()
    {
        await using var centres = await TwoCentres.CreateAsync();
        var message = Guid.NewGuid();
        Alarm raised;
        await using (var db = centres.Us.Store.NewContext())
        {
            raised = (await centres.Us.Alarms.RaiseAsync(db, new AlarmRequest(AlarmKind.ReceiptOverdue, $"RECEIPT_OVERDUE:{message}:RU",
                "RU has not confirmed within 1 h", Centre: "RU", AgreementId: "us-ru-bmlna-1988", MessageId: message), default))!;
            // Raised again in the same unit of work: deduplicated, so no second entry either.
            Assert.Null(await centres.Us.Alarms.RaiseAsync(db, new AlarmRequest(AlarmKind.ReceiptOverdue, $"RECEIPT_OVERDUE:{message}:RU", "again"), default));
            await db.SaveChangesAsync();
        }
        centres.Clock.AdvanceMinutes(5);
        await centres.Us.Alarms.AcknowledgeAsync(raised.Id, new LaunchNotify.Storage.Audit.Actor("test:duty-officer", "duty officer", ["duty-officer"]), "calling RU", default);
        centres.Clock.AdvanceMinutes(5);
        await centres.Us.Alarms.ResolveAsync(raised.Id, new LaunchNotify.Storage.Audit.Actor("test:duty-officer", "duty officer", ["duty-officer"]), "RU confirmed by phone", default);

        var entries = await EntriesAsync(centres.Us);
        Assert.Equal(["alarm-raised", "alarm-acknowledged", "alarm-resolved"], entries.Select(e => e.Type));
        Assert.All(entries, e => Assert.Equal((raised.Id, message, "RU"), (e.AlarmId!.Value, e.MessageId!.Value, e.Centre!)));
        Assert.Equal(TwoCentres.Start + NodaTime.Duration.FromMinutes(10), entries[2].At);
        Assert.Contains("\"by\":\"duty officer\"", entries[1].DetailsJson);
        Assert.Contains("\"kind\":\"RECEIPT_OVERDUE\"", entries[0].DetailsJson);
    }

    [Fact]
    public async Task Inbox_WhenASignedNotificationBreaksTheSchema_RecordsReceivedThenRejectedWithTheReasons()
    {
        await using var centres = await TwoCentres.CreateAsync();
        var document = JsonNode.Parse(TwoCentres.UsNotificationDraft())!.AsObject();
        document.Remove("launchArea");
        document["recipients"] = new JsonArray(new JsonObject { ["centre"] = "RU", ["sequence"] = 1 });
        using var usKey = KeyStore.LoadPrivate(centres.KeysDirectory, new CentreCode("US"));
        var body = new JwsPayloadSigner(usKey).Sign(Encoding.UTF8.GetBytes(document.ToJsonString()));

        var result = await centres.Ru.Inbox.ProcessAsync(new InboundDelivery(body, "US", "RU.US.prenotification", null, "prenotification", null), default);

        Assert.Equal(InboxDisposition.Rejected, result.Disposition);
        var entries = await EntriesAsync(centres.Ru);
        Assert.Equal(["received", "rejected"], entries.Select(e => e.Type));
        var details = JsonNode.Parse(entries[1].DetailsJson)!;
        Assert.Equal("inbound", (string?)details["direction"]);
        Assert.StartsWith("SCHEMA_", (string?)details["reasons"]![0]!["code"]);
        Assert.Equal(result.ReceiptMessageId?.ToString("D"), (string?)details["receipt"]);
    }

    [Fact]
    public async Task Inbox_WhenTheSignatureFails_RecordsTheParkedDeliveryAndNothingAsReceived()
    {
        await using var centres = await TwoCentres.CreateAsync();
        var submitted = await centres.Us.Submissions.SubmitAsync(TwoCentres.UsNotificationDraft(), "prenotification", false, default);
        await using var db = centres.Us.Store.NewContext();
        var genuine = await db.Outbox.SingleAsync();
        // A different key under US's name: a forgery the trust store does not know.
        using var forger = CentreKey.Generate(new CentreCode("US"));
        Assert.True(Jws.TryParseFlattened(genuine.Body, out var parsed, out _));
        var forged = new JwsPayloadSigner(forger).Sign(parsed.Payload);

        var result = await centres.Ru.Inbox.ProcessAsync(new InboundDelivery(forged, "US", genuine.RoutingKey, null, "prenotification", null), default);

        Assert.Equal(InboxDisposition.Parked, result.Disposition);
        var entry = Assert.Single(await EntriesAsync(centres.Ru));
        Assert.Equal(("parked", submitted.MessageId, "US"), (entry.Type, entry.MessageId, entry.Centre));
        var details = JsonNode.Parse(entry.DetailsJson)!;
        Assert.Equal(SigningErrorCodes.UnknownKey, (string?)details["code"]);
        Assert.Equal(result.ReceiptMessageId?.ToString("D"), (string?)details["receipt"]);
    }

    private static async Task<List<AuditEntry>> EntriesAsync(CentreNode centre)
    {
        await using var db = centre.Store.NewContext();
        return await db.Set<AuditEntry>().OrderBy(e => e.Seq).ToListAsync();
    }
}
