using LaunchNotify.Domain.Alarms;
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
        var delivered = await us.Inbox.CountAsync(m => m.Kind != "receipt") + await ru.Inbox.CountAsync(m => m.Kind != "receipt");
        Assert.Equal(summary.Delivered, delivered);
        Assert.Equal(summary.Submitted - summary.Dropped, delivered);
        // Late notices were submitted with allowLate and carry the receiver's LATE_NOTIFICATION finding and alarm.
        var lateFindings = await us.Inbox.CountAsync(m => m.DetailsJson!.Contains("LATE_NOTIFICATION")) + await ru.Inbox.CountAsync(m => m.DetailsJson!.Contains("LATE_NOTIFICATION"));
        var lateAlarms = await us.Alarms.CountAsync(a => a.Kind == AlarmKind.LateNotification) + await ru.Alarms.CountAsync(a => a.Kind == AlarmKind.LateNotification);
        Assert.True(lateFindings > 0);
        Assert.Equal(lateFindings, lateAlarms);
        // Lost receipts leave deliveries unconfirmed; the report counts them.
        var unconfirmed = await us.Deliveries.CountAsync(d => d.ReceiptAt == null) + await ru.Deliveries.CountAsync(d => d.ReceiptAt == null);
        Assert.True(unconfirmed > 0);
        Assert.True(report.ReceiptLatency.Deliveries > 0 && report.Received.Measured > 0);
        // Gaps the report finds on RU's links into US are the ones US raised MISSING_NOTIFICATION for (or still within grace at the end).
        Assert.True(report.Missing.MissingCount >= report.Missing.AlarmsRaised);
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
        var report = await new TimelinessQueries(new Factory(store), AgreementCatalog.Default, clock)
            .ReportAsync("us-ru-bmlna-1988", null, new ReportPeriod(options.From, options.From.PlusDays(options.Days - 1)), default);
        return (summary, ReportFormats.Json(report), report);
    }

    private sealed class Factory(StorageOptions options) : IDbContextFactory<NodeDbContext>
    {
        public NodeDbContext CreateDbContext() => new(options.ToDbContextOptions());
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
