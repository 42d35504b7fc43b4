using System.CommandLine;
using LaunchNotify.Node.Seeding;
using NodaTime;
using NodaTime.Text;
using Spectre.Console;

namespace LaunchNotify.Cli.Commands;

/// <summary>
/// <c>launchnotify seed [--dir DIR] [--centres US,RU,...] [--from DATE] [--days N] [--seed N]</c>: a year of signed
/// exchanges among the reference agreements' centres, made by the nodes' own code on a simulated clock.
/// </summary>
public static class SeedCommand
{
    public static Command Create()
    {
        var dir = new Option<string>("--dir") { Description = "Folder for the centres' stores (DIR/CC/node.db) and keys (DIR/keys).", DefaultValueFactory = _ => Path.Combine(".local", "history") };
        var centres = new Option<string>("--centres") { Description = "Centres, comma-separated.", DefaultValueFactory = _ => "US,RU,CN,IN,PK" };
        var from = new Option<string>("--from") { Description = "First day of the history (UTC).", DefaultValueFactory = _ => "2025-01-01" };
        var days = new Option<int>("--days") { Description = "How many days of history.", DefaultValueFactory = _ => 365 };
        var seed = new Option<int>("--seed") { Description = "Random seed: the same seed gives the same history.", DefaultValueFactory = _ => 1 };
        var scale = new Option<double>("--scale") { Description = "Multiplies the yearly launch rates.", DefaultValueFactory = _ => 1.0 };
        var heartbeat = new Option<double>("--heartbeat-hours")
        {
            Description = "Hours between the centres' heartbeats on bilateral links, at most 24 (0: none, and no link outage). Coarser than the agreements' 5-60 min, which would cost most of the seed's time.",
            DefaultValueFactory = _ => 24,
        };
        var force = new Option<bool>("--force") { Description = "Replace stores already in the folder." };
        var lang = CommonOptions.Lang();
        var timeZone = CommonOptions.TimeZone();
        var command = new Command("seed",
            "Fill a history of exchanges (late, missing and unconfirmed cases included) into one store per centre, through the nodes' own code, without a broker.")
            { dir, centres, from, days, seed, scale, heartbeat, force, lang, timeZone };
        command.SetAction((parse, ct) => CommonOptions.Guard(async () =>
        {
            var rendering = CommonOptions.Rendering(parse, lang, timeZone);
            var start = LocalDatePattern.Iso.Parse(parse.GetValue(from)!);
            if (!start.Success)
                throw new CliException($"--from '{parse.GetValue(from)}' is not a date; write it as YYYY-MM-DD.");
            var options = new SeedOptions
            {
                Directory = Path.GetFullPath(parse.GetValue(dir)!),
                Centres = parse.GetValue(centres)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                From = start.Value,
                Days = parse.GetValue(days),
                Seed = parse.GetValue(seed),
                Scale = parse.GetValue(scale),
                HeartbeatInterval = parse.GetValue(heartbeat) switch
                {
                    < 0 => throw new CliException("--heartbeat-hours cannot be negative."),
                    0 => null,
                    var h => Duration.FromSeconds(Math.Round(h * 3600)),
                },
                Force = parse.GetValue(force),
            };
            return await RunAsync(options, rendering, ct);
        }));
        return command;
    }

    private static async Task<int> RunAsync(SeedOptions options, Presentation.Rendering r, CancellationToken ct)
    {
        SeedSummary summary;
        try
        {
            summary = await AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .StartAsync(async progress =>
                {
                    var task = progress.AddTask($"Seeding {options.Days} days from {options.From:uuuu-MM-dd}", maxValue: options.Days);
                    var reporter = new SyncProgress(p =>
                    {
                        task.Value = p.DaysDone;
                        task.Description = $"{p.Day:uuuu-MM-dd}: {p.Submitted} submitted, {p.Delivered} delivered, {p.AlarmsRaised} alarms";
                    });
                    return await HistorySeeder.RunAsync(options, reporter, ct);
                });
        }
        catch (SeedException e)
        {
            throw new CliException(e.Message);
        }

        AnsiConsole.Write(SummaryTable(options, summary, r));
        if (summary.Outage is { } outage)
            AnsiConsole.MarkupLine($"Link outage: {Markup.Escape(outage)}");
        AnsiConsole.MarkupLine($"Links: {Markup.Escape(string.Join("; ", summary.Links))}");
        foreach (var (centre, store) in summary.Stores)
            AnsiConsole.MarkupLine($"  {centre}: [blue]{Markup.Escape(store)}[/]");
        AnsiConsole.MarkupLine($"[green]Seeded in {summary.Elapsed.TotalSeconds:0.0} s[/] (no broker: signed bodies went straight from each sender's outbox to the recipient's inbox processor).");
        var first = summary.Stores.First();
        AnsiConsole.MarkupLine($"Next: [bold]launchnotify report --store {Markup.Escape(first.Value)} --agreement us-ru-bmlna-1988 --from {options.From:uuuu-MM-dd} --to {options.From.PlusDays(options.Days - 1):uuuu-MM-dd}[/]");
        return ExitCodes.Ok;
    }

    /// <summary>What the seed made, counted, with the labels in the reader's language (<c>cli.seed.*</c>).</summary>
    public static Table SummaryTable(SeedOptions options, SeedSummary summary, Presentation.Rendering r)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .Title(Markup.Escape(r.Text("cli.seed.title", r.Date(options.From), r.Number(options.Days), options.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture))))
            .AddColumn(r.Text("cli.seed.col.what")).AddColumn(new TableColumn(r.Text("cli.seed.col.count")).RightAligned());
        void Row(string key, int n, string indent = "") => table.AddRow(Markup.Escape(indent + r.Text($"cli.seed.row.{key}")), r.Number(n));
        const string Sub = "  ";
        Row("launches", summary.Launches);
        Row("submitted", summary.Submitted);
        Row("submittedLate", summary.SubmittedLate, Sub);
        Row("amendmentsCancellations", summary.Amendments + summary.Cancellations, Sub);
        Row("postLaunch", summary.PostLaunchReports, Sub);
        Row("postLaunchLate", summary.PostLaunchLate, Sub);
        Row("postLaunchWithheld", summary.PostLaunchWithheld, Sub);
        Row("delivered", summary.Delivered);
        Row("dropped", summary.Dropped);
        Row("rejected", summary.ReceiverRejections);
        Row("receiptsDelayed", summary.ReceiptsDelayed);
        Row("receiptsLost", summary.ReceiptsLost);
        Row("heartbeats", summary.Heartbeats);
        Row("heartbeatsLost", summary.HeartbeatsLost);
        Row("alarms", summary.AlarmsRaised);
        foreach (var (kind, n) in summary.AlarmsByKind.OrderBy(k => k.Key, StringComparer.Ordinal))
            table.AddRow(Markup.Escape(Sub + r.Code(Presentation.GlossaryCategories.AlarmKind, kind)), r.Number(n));
        Row("acknowledged", summary.AlarmsAcknowledged, Sub);
        Row("resolvedByOfficers", summary.AlarmsResolvedByOfficers, Sub);
        Row("resolvedBySystem", summary.AlarmsResolvedBySystem, Sub);
        Row("deadlinesPending", summary.DeadlinesPending);
        return table;
    }

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; would post to the thread pool and fall behind).</summary>
    private sealed class SyncProgress(Action<SeedProgress> report) : IProgress<SeedProgress>
    {
        public void Report(SeedProgress value) => report(value);
    }
}
