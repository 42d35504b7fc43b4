using LaunchNotify.Domain.Alarms;
using LaunchNotify.Domain.Timeliness;
using LaunchNotify.Node.Alarms;
using LaunchNotify.Node.Audit;
using LaunchNotify.Node.Reports;
using LaunchNotify.Node.Seeding;
using LaunchNotify.Protocol.Agreements;
using LaunchNotify.Storage;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Testing;

namespace LaunchNotify.Reports.Tests;

/// <summary>The seeder runs the nodes' own code; what it did by design must show in the stores and in the report.</summary>
public sealed class HistorySeederTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "launchnotify-seed-" + Guid.NewGuid().ToString("N")[..8]);

    private SeedOptions Options(string name, int seed) => new() { Directory = Path.Combine(_root, name), Centres = ["US", "RU"], Days = 150, Seed = seed, Scale = 2 };

    [Fact]
    public async Task Seed_SameSeed_GivesTheSameReport()
    {
        var first = await SeedAndReportAsync(Options("a", 11));
        var second = await SeedAndReportAsync(Options("b", 11));
        Assert.Equal(first.Json, second.Json);
        var other = await SeedAndReportAsync(Options("c", 12));
        Assert.NotEqual(first.Json, other.Json);
    }

    [Fact]
    public async Task Seed_StoresShowWhatTheSeederDid()
    {
        var options = Options("d", 3);
        var (summary, _, report) = await SeedAndReportAsync(options);
        Assert.True(summary.Submitted > 20, $"only {summary.Submitted} messages");

        await using var us = new NodeDbContext(StorageOptions.SqliteFile(options.StorePath("US")).ToDbContextOptions());
        await using var ru = new NodeDbContext(StorageOptions.SqliteFile(options.StorePath("RU")).ToDbContextOptions());
        // Everything US sent is signed evidence in its store, and RU's inbox holds exactly what was not dropped.
        var usSent = await us.OutboundMessages.CountAsync();
        var ruSent = await ru.OutboundMessages.CountAsync();
        Assert.Equal(summary.Submitted, usSent + ruSent);
        string[] answers = ["receipt", "heartbeat", "acknowledgement"];
        var delivered = await us.Inbox.CountAsync(m => !answers.Contains(m.Kind)) + await ru.Inbox.CountAsync(m => !answers.Contains(m.Kind));
        Assert.Equal(summary.Delivered, delivered);
        Assert.Equal(summary.Submitted - summary.Dropped, delivered);
        // Heartbeats went both ways through the ordinary path and were accepted (with the seed's interval noted).
        var beats = await us.Inbox.CountAsync(m => m.Kind == "heartbeat" && m.Outcome == InboxOutcome.Accepted)
                    + await ru.Inbox.CountAsync(m => m.Kind == "heartbeat" && m.Outcome == InboxOutcome.Accepted);
        Assert.Equal(summary.Heartbeats, beats);
        Assert.True(beats >= 2 * (options.Days - 20), $"{beats} heartbeats in {options.Days} days");

        // Every alarm comes from the nodes' detectors; late, missing, unconfirmed, overdue reports and a silent link all show.
        var alarms = (await us.Alarms.AsNoTracking().ToListAsync()).Select(a => (Store: us, Alarm: a))
            .Concat((await ru.Alarms.AsNoTracking().ToListAsync()).Select(a => (Store: ru, Alarm: a))).ToList();
        var kinds = alarms.Select(a => a.Alarm.Kind).ToHashSet();
        foreach (var kind in new[] { AlarmKind.LateNotification, AlarmKind.MissingNotification, AlarmKind.ReceiptOverdue, AlarmKind.PostLaunchOverdue, AlarmKind.LinkSilent,
                     AlarmKind.NotAcknowledged })
            Assert.True(kinds.Contains(kind), $"no {kind.Code()} alarm; kinds: {string.Join(", ", kinds.Select(k => k.Code()))}");
        Assert.Equal(summary.AlarmsRaised, alarms.Count);

        // LATE_NOTIFICATION: raised by the receiving inbox, one per stored message carrying the rule's finding.
        var lateFindings = await us.Inbox.CountAsync(m => m.DetailsJson!.Contains("LATE_NOTIFICATION")) + await ru.Inbox.CountAsync(m => m.DetailsJson!.Contains("LATE_NOTIFICATION"));
        var late = alarms.Where(a => a.Alarm.Kind == AlarmKind.LateNotification).ToList();
        Assert.True(lateFindings > 0);
        Assert.Equal(lateFindings, late.Count);
        foreach (var (store, alarm) in late)
        {
            var message = await store.Inbox.SingleAsync(m => m.MessageId == alarm.MessageId && m.Sender == alarm.Centre);
            Assert.Contains("LATE_NOTIFICATION", message.DetailsJson);
            Assert.Equal(message.ReceivedAt, alarm.RaisedAt);
            // A message is (sender, id): the alarm's key names both.
            Assert.Equal($"LATE_NOTIFICATION:{message.Sender}:{alarm.MessageId}", alarm.DedupeKey);
        }

        // MISSING_NOTIFICATION: every number it names was really sent on that link and never arrived.
        foreach (var (store, alarm) in alarms.Where(a => a.Alarm.Kind == AlarmKind.MissingNotification))
        {
            var (sender, receiver) = store == ru ? (us, ru) : (ru, us);
            foreach (var number in SequenceRangeText.Parse(alarm.Sequences).SelectMany(r => r.Numbers()))
            {
                var sent = await sender.Deliveries.Where(d => d.Recipient == (store == ru ? "RU" : "US") && d.Sequence == number && d.Message!.AgreementId == alarm.AgreementId)
                    .Select(d => d.MessageId).SingleAsync();
                Assert.False(await receiver.Inbox.AnyAsync(m => m.MessageId == sent), $"#{number} ({sent}) arrived, yet {alarm.Summary}");
            }
            Assert.Equal(alarm.DueAt, alarm.RaisedAt); // fired when the grace ended, as a running watcher fires it
        }

        // NOT_ACKNOWLEDGED: the receiver's deadline fired because no officer had read the notice by then; reading it later resolved it.
        foreach (var (store, alarm) in alarms.Where(a => a.Alarm.Kind == AlarmKind.NotAcknowledged))
        {
            var notice = await store.Inbox.SingleAsync(m => m.MessageId == alarm.MessageId && m.Sender == alarm.Centre);
            Assert.Equal(notice.AcknowledgeDueAt, alarm.DueAt);
            Assert.True(notice.AcknowledgedAt is null || notice.AcknowledgedAt > alarm.DueAt, $"read at {notice.AcknowledgedAt}, yet {alarm.Summary}");
            if (notice.AcknowledgedAt is { } read)
                Assert.Equal((AlarmState.Resolved, read), (alarm.State, alarm.ResolvedAt!.Value));
        }
        // Read by a person at the other end, as the sender learns it from the signed acknowledgements; the report counts it.
        Assert.True(await us.Deliveries.AnyAsync(d => d.AcknowledgedAt != null) && await ru.Deliveries.AnyAsync(d => d.AcknowledgedAt != null));
        Assert.Contains(report.Acknowledgements, a => a.Acknowledged > 0 && a.Median is not null);

        // RECEIPT_OVERDUE: the sender's deadline fired because that recipient's receipt had not come by then (or never did).
        foreach (var (store, alarm) in alarms.Where(a => a.Alarm.Kind == AlarmKind.ReceiptOverdue))
        {
            var delivery = await store.Deliveries.Include(d => d.Message).SingleAsync(d => d.MessageId == alarm.MessageId && d.Recipient == alarm.Centre);
            Assert.True(delivery.ReceiptAt is null || delivery.ReceiptAt > alarm.DueAt, $"confirmed at {delivery.ReceiptAt}, yet {alarm.Summary}");
            Assert.Equal(delivery.Message!.SubmittedAt + AgreementCatalog.Default.Get(new(alarm.AgreementId!)).Deadlines.Receipt, alarm.DueAt);
            Assert.Equal(alarm.DueAt, alarm.RaisedAt);
            // Only a receipt that came after all lets the system resolve it (officers may close it either way).
            if (alarm.ResolvedBy == AlarmBook.SystemActor)
                Assert.Equal(delivery.ReceiptAt, alarm.ResolvedAt);
            else if (delivery.ReceiptAt is not null)
                Assert.True(alarm.ResolvedAt < delivery.ReceiptAt, $"receipt at {delivery.ReceiptAt}, yet {alarm.DedupeKey} was left to the officers");
        }
        var unconfirmed = await us.Deliveries.CountAsync(d => d.ReceiptAt == null) + await ru.Deliveries.CountAsync(d => d.ReceiptAt == null);
        Assert.True(unconfirmed > 0);
        Assert.True(report.ReceiptLatency.Deliveries > 0 && report.Received.Measured > 0);

        // The link that went down fell silent, and its first heartbeat afterwards resolved the alarm.
        var silent = Assert.Single(alarms, a => a.Alarm.Kind == AlarmKind.LinkSilent).Alarm;
        Assert.Equal(AlarmBook.SystemActor, silent.ResolvedBy);
        Assert.NotNull(summary.Outage);

        // Officers acknowledged and closed some of the detectors' alarms; the detectors closed others.
        Assert.Contains(alarms, a => a.Alarm.AcknowledgedBy?.StartsWith("officer.") == true);
        Assert.Contains(alarms, a => a.Alarm.ResolvedBy?.StartsWith("officer.") == true);
        Assert.Equal(summary.AlarmsResolvedBySystem, alarms.Count(a => a.Alarm.ResolvedBy == AlarmBook.SystemActor));
        // Deadlines were fired by the seeded nodes' own watchers.
        Assert.True(await us.Deadlines.AnyAsync(d => d.FiredBy == "US-seed") && await ru.Deadlines.AnyAsync(d => d.FiredBy == "RU-seed"));

        // Every gap the report finds on RU's link into US was alarmed by US's detector, unless its grace outlasted the history.
        // (The detector also alarms a lost last message a heartbeat revealed; the report counts only gaps a later number shows.)
        var grace = AgreementCatalog.Default.Get(new("us-ru-bmlna-1988")).Deadlines.MissingGrace;
        var alarmed = alarms.Where(a => a.Store == us && a.Alarm.Kind == AlarmKind.MissingNotification && a.Alarm.AgreementId == "us-ru-bmlna-1988")
            .SelectMany(a => SequenceRangeText.Parse(a.Alarm.Sequences).SelectMany(r => r.Numbers())).ToHashSet();
        Assert.NotEmpty(report.Missing.Gaps);
        foreach (var gap in report.Missing.Gaps.Where(g => g.RevealedAt + grace < options.End))
            Assert.All(new SequenceRange(gap.From, gap.To).Numbers(), n => Assert.Contains(n, alarmed));
    }

    [Fact]
    public async Task Seed_EveryCentresAuditChainVerifies()
    {
        // The seeder's clock stops at instants finer than the store's 100 ns ticks; the chain broke at the first of them.
        var options = Options("h", 7) with { Days = 30 };
        await HistorySeeder.RunAsync(options, null, default);
        foreach (var centre in options.Centres)
        {
            await using var db = new NodeDbContext(StorageOptions.SqliteFile(options.StorePath(centre)).ToDbContextOptions());
            var result = await AuditVerifier.VerifyAsync(db);
            Assert.True(result.Intact, $"{centre}: {string.Join("; ", result.Breaks)}");
            Assert.True(result.Checked > 25, $"{centre}: only {result.Checked} audit entries");
        }
    }

    [Fact]
    public async Task Seed_WithoutHeartbeats_SendsNone_AndRefusesAnIntervalTheSchemaDoesNot()
    {
        var options = Options("f", 5) with { Days = 40, HeartbeatInterval = null };
        var summary = await HistorySeeder.RunAsync(options, null, default);
        Assert.Equal(0, summary.Heartbeats);
        Assert.Null(summary.Outage);
        await using (var us = new NodeDbContext(StorageOptions.SqliteFile(options.StorePath("US")).ToDbContextOptions()))
        {
            Assert.False(await us.Inbox.AnyAsync(m => m.Kind == "heartbeat"));
            Assert.False(await us.Alarms.AnyAsync(a => a.Kind == AlarmKind.LinkSilent));
        }
        var e = await Assert.ThrowsAsync<SeedException>(() =>
            HistorySeeder.RunAsync(Options("g", 5) with { Days = 5, HeartbeatInterval = Duration.FromHours(25) }, null, default));
        Assert.Contains("heartbeat", e.Message);
    }

    [Fact]
    public async Task Seed_IntoAnExistingStore_RefusesWithoutForce()
    {
        var options = Options("e", 1) with { Days = 20 };
        await HistorySeeder.RunAsync(options, null, default);
        var e = await Assert.ThrowsAsync<SeedException>(() => HistorySeeder.RunAsync(options, null, default));
        Assert.Contains("--force", e.Message);
        await HistorySeeder.RunAsync(options with { Force = true }, null, default);
    }

    private static async Task<(SeedSummary Summary, string Json, TimelinessReport Report)> SeedAndReportAsync(SeedOptions options)
    {
        var summary = await HistorySeeder.RunAsync(options, null, default);
        var store = StorageOptions.SqliteFile(options.StorePath("US"));
        var clock = new FakeClock(options.End + Duration.FromDays(30));
        var report = await new TimelinessQueries(new StoreContextFactory(store), AgreementCatalog.Default, clock)
            .ReportAsync("us-ru-bmlna-1988", null, new ReportPeriod(options.From, options.From.PlusDays(options.Days - 1)), default);
        return (summary, ReportFormats.Json(report), report);
    }


    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
