using System.Text.RegularExpressions;
using LaunchNotify.Node.Reports;
using LaunchNotify.Node.Seeding;
using LaunchNotify.Presentation;
using LaunchNotify.Protocol.Agreements;
using LaunchNotify.Storage;
using LaunchNotify.Storage.Entities;
using LaunchNotify.Tests.Shared;
using LaunchNotify.Web.Report;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Testing;

namespace LaunchNotify.Reports.Tests;

/// <summary>
/// The report's time to acknowledge as a person reads it, in the HTML report and the CLI's table: the figures are
/// computed here from the seeded store's rows (inbox entries and deliveries), not through the report's calculator.
/// </summary>
public sealed class TimeToAcknowledgeRenderingTests : IDisposable
{
    private const string Agreement = "us-ru-bmlna-1988";
    private static readonly Duration Deadline = Duration.FromMinutes(60); // agreements/us-ru-bmlna-1988.json, acknowledgementMinutes

    private readonly string _root = Path.Combine(Path.GetTempPath(), "launchnotify-ack-" + Guid.NewGuid().ToString("N")[..8]);
    private static readonly string[] NotificationKinds = ["prenotification", "amendment", "cancellation", "postlaunch"];

    private sealed record Expected(string Direction, int Notices, int Acknowledged, int NotInTime, int Waiting, int Unmeasured, Duration? Median, Duration? Max);

    /// <summary>Nearest-rank median and max of (from, at) pairs, and the counts, by the report's definitions (docs/reports.md).</summary>
    private static Expected Figures(string direction, IReadOnlyList<(Instant? From, Instant? At)> items, Instant asOf)
    {
        var durations = items.Where(x => x.From is not null && x.At is not null).Select(x => x.At!.Value - x.From!.Value).Order().ToList();
        var median = durations.Count == 0 ? (Duration?)null : durations[(int)Math.Ceiling(durations.Count * 0.5) - 1];
        return new Expected(direction, items.Count, items.Count(x => x.At is not null),
            durations.Count(d => d > Deadline) + items.Count(x => x.At is null && x.From is { } f && f + Deadline <= asOf),
            items.Count(x => x.At is null && !(x.From is { } f && f + Deadline <= asOf)),
            items.Count(x => x.At is not null && x.From is null),
            median, durations.Count == 0 ? null : durations[^1]);
    }

    private static async Task<List<Expected>> ExpectedFromTheStoreAsync(SeedOptions options, Instant asOf)
    {
        await using var db = new NodeDbContext(StorageOptions.SqliteFile(options.StorePath("US")).ToDbContextOptions());
        bool InPeriod(Instant at) => at.InUtc().Date >= options.From && at.InUtc().Date <= options.From.PlusDays(options.Days - 1);
        var received = (await db.Inbox.AsNoTracking()
                .Where(m => m.AgreementId == Agreement && m.Sender == "RU" && NotificationKinds.Contains(m.Kind) && m.Outcome == InboxOutcome.Accepted).ToListAsync())
            .Where(m => InPeriod(m.ReceivedAt)).Select(m => ((Instant?)m.ReceivedAt, m.AcknowledgedAt)).ToList();
        var sent = (await db.OutboundMessages.AsNoTracking().Include(m => m.Deliveries)
                .Where(m => m.AgreementId == Agreement && NotificationKinds.Contains(m.Kind)).ToListAsync())
            .Where(m => InPeriod(m.IssuedAt))
            .SelectMany(m => m.Deliveries.Where(d => d.Recipient == "RU" && d.Status != DeliveryStatus.Rejected).Select(d => (d.RecipientReceivedAt, d.AcknowledgedAt)))
            .ToList();
        return [Figures("sent", sent, asOf), Figures("received", received, asOf)];
    }

    private SeedOptions Seeded() => new() { Directory = _root, Centres = ["US", "RU"], Days = 150, Seed = 3, Scale = 2 };

    [Fact]
    public async Task HtmlReport_And_CliTable_ShowTheTimeToAcknowledgeTheStoresRowsGive()
    {
        var options = Seeded();
        await HistorySeeder.RunAsync(options, null, default);
        var asOf = options.End + Duration.FromDays(30);
        var expected = await ExpectedFromTheStoreAsync(options, asOf);
        Assert.All(expected, e => Assert.True(e.Acknowledged > 0, $"{e.Direction}: the seed acknowledged nothing"));
        Assert.Contains(expected, e => e.NotInTime > 0);

        // The HTML report.
        var report = await new TimelinessQueries(new StoreContextFactory(StorageOptions.SqliteFile(options.StorePath("US"))), AgreementCatalog.Default, new FakeClock(asOf))
            .ReportAsync(Agreement, null, new ReportPeriod(options.From, options.From.PlusDays(options.Days - 1)), default);
        var html = await ReportHtml.PageAsync(report);
        var en = Rendering.EnglishUtc;
        Assert.Contains(en.Text("report.ack.deadline", en.Duration(Deadline)), html);
        foreach (var e in expected)
        {
            var row = Regex.Match(html, $"<tr data-direction=\"{e.Direction}\" data-counterpart=\"RU\">(.*?)</tr>", RegexOptions.Singleline);
            Assert.True(row.Success, $"no {e.Direction} row in the report's time-to-acknowledge table");
            var cells = Regex.Matches(row.Groups[1].Value, "<td[^>]*>(.*?)</td>", RegexOptions.Singleline).Select(m => m.Groups[1].Value).ToList();
            Assert.Equal(
                [e.Direction, "RU", e.Notices.ToString(), e.Acknowledged.ToString(), e.NotInTime.ToString(), e.Waiting.ToString(), e.Unmeasured.ToString(),
                    en.Duration(e.Median), en.Duration(e.Max)],
                cells);
            Assert.Contains($"data-seconds=\"{e.Median!.Value.TotalSeconds}\"", row.Value);
        }

        // The CLI's table (default rendering: English, UTC; its clock is now, long after every deadline of the history).
        var expectedNow = await ExpectedFromTheStoreAsync(options, SystemClock.Instance.GetCurrentInstant());
        var cli = await CliProcess.RunAsync(["report", "--agreement", Agreement, "--from", options.From.ToString("uuuu-MM-dd", null),
            "--to", options.From.PlusDays(options.Days - 1).ToString("uuuu-MM-dd", null), "--store", "sqlite:" + options.StorePath("US")], TimeSpan.FromSeconds(120),
            new Dictionary<string, string?> { ["COLUMNS"] = "250" });
        Assert.True(cli.ExitCode == 0, cli.ToString());
        Assert.Contains(en.Text("report.ack.heading"), cli.Output);
        Assert.Contains(en.Text("report.ack.deadline", en.Duration(Deadline)), cli.Flat);
        var lines = cli.Output.Split('\n');
        foreach (var e in expectedNow)
        {
            var at = Array.FindIndex(lines, l => l.Split('│').Select(c => c.Trim()).Take(3).SequenceEqual(["", e.Direction, "RU"]));
            Assert.True(at >= 0, $"no '{e.Direction} │ RU' row in:\n{cli.Output}");
            var cells = Cells(lines[at]);
            // A cell too wide for the console goes on under it: lines whose first cell is empty continue the row.
            for (var next = at + 1; next < lines.Length && lines[next].TrimStart().StartsWith('│') && Cells(lines[next])[0].Length == 0; next++)
                cells = cells.Zip(Cells(lines[next]), (a, b) => b.Length == 0 ? a : $"{a} {b}").ToList();
            Assert.Equal(
                [e.Direction, "RU", e.Notices.ToString(), e.Acknowledged.ToString(), e.NotInTime.ToString(), e.Waiting.ToString(), e.Unmeasured.ToString(),
                    en.Duration(e.Median), en.Duration(e.Max)],
                cells);
        }
    }

    private static List<string> Cells(string line) => line.Split('│').Select(c => c.Trim()).Skip(1).Take(9).ToList();

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
