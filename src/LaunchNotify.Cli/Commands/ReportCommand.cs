using System.CommandLine;
using System.Diagnostics;
using LaunchNotify.Domain.Alarms;
using LaunchNotify.Node.Maps;
using LaunchNotify.Node.Reports;
using LaunchNotify.Protocol.Agreements;
using LaunchNotify.Storage;
using LaunchNotify.Web.Report;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Text;
using Spectre.Console;

namespace LaunchNotify.Cli.Commands;

/// <summary>
/// <c>launchnotify report --agreement ID [--centre XX] --from DATE --to DATE [--format table|csv|json|html] [-o FILE] [--store STORE]</c>.
/// Reads the node's store directly (read-only), not the publisher API: a compliance officer can audit a copy of the
/// store offline, with the node stopped, and needs no API credentials.
/// </summary>
public static class ReportCommand
{
    public const string StoreEnvironmentVariable = "LaunchNotify__Store";

    public static Command Create()
    {
        var agreement = new Option<string>("--agreement") { Description = "Agreement id, e.g. us-ru-bmlna-1988.", Required = true };
        var centre = new Option<string?>("--centre") { Description = "Only the link with this counterpart centre (default: every party)." };
        var from = new Option<string>("--from") { Description = "First day (UTC), YYYY-MM-DD.", Required = true };
        var to = new Option<string>("--to") { Description = "Last day (UTC, included), YYYY-MM-DD.", Required = true };
        var format = new Option<string>("--format") { Description = "table, csv, json or html.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "csv", "json", "html");
        var output = new Option<string?>("--output", "-o") { Description = "Write to this file instead of the terminal." };
        var store = new Option<string?>("--store")
        {
            Description = $"The node's store: sqlite:PATH or postgres:CONNECTION-STRING (default ${StoreEnvironmentVariable}).",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable(StoreEnvironmentVariable),
        };
        var command = new Command("report", "Timeliness report for an agreement, a period and optionally one counterpart, from a node's store.")
            { agreement, centre, from, to, format, output, store };
        command.SetAction((parse, ct) => CommonOptions.Guard(async () =>
        {
            var (first, last) = (Date(parse.GetValue(from)!, "--from"), Date(parse.GetValue(to)!, "--to"));
            if (last < first)
                throw new CliException($"--to {parse.GetValue(to)} is before --from {parse.GetValue(from)}; swap them.");
            var period = new ReportPeriod(first, last);
            var options = OpenReadOnly(parse.GetValue(store));
            var started = Stopwatch.StartNew();
            TimelinessReport report;
            try
            {
                var queries = new TimelinessQueries(new StoreContextFactory(options), AgreementCatalog.Default, SystemClock.Instance);
                var query = () => queries.ReportAsync(parse.GetValue(agreement)!, parse.GetValue(centre)?.ToUpperInvariant(), period, ct);
                // The progress spinner only where a person reads a table: CSV and JSON on stdout are data, nothing else.
                var interactive = parse.GetValue(format) == "table" && parse.GetValue(output) is null;
                report = interactive ? await AnsiConsole.Status().StartAsync($"Reading {options} …", _ => query()) : await query();
            }
            catch (ReportException e)
            {
                throw new CliException(e.Message);
            }
            catch (Exception e) when (e is SqliteException or Npgsql.NpgsqlException or InvalidOperationException)
            {
                throw new CliException($"Could not read the store {options}: {e.Message}. Check --store points at a node's store (its LaunchNotify:Store setting).");
            }

            NotAParty(report);
            var text = parse.GetValue(format) switch
            {
                "csv" => ReportFormats.Csv(report),
                "json" => ReportFormats.Json(report),
                "html" => await ReportHtml.PageAsync(report, await new MapQueries(new StoreContextFactory(options), AgreementCatalog.Default)
                    .PeriodAsync(report.AgreementId, report.Counterpart, period.Start, period.End, ct)),
                _ => null,
            };
            if (parse.GetValue(output) is { } file)
            {
                await File.WriteAllTextAsync(file, text ?? ReportFormats.Csv(report), ct);
                AnsiConsole.MarkupLine($"[green]✓[/] wrote {Markup.Escape(file)} ({parse.GetValue(format)}, {started.ElapsedMilliseconds} ms)");
            }
            else if (text is not null)
                Console.Out.Write(text);
            else
                Show(report);
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>A store whose centre is not a party to the agreement can only give zeros: say so instead of printing them.</summary>
    private static void NotAParty(TimelinessReport report)
    {
        if (!AgreementCatalog.Default.TryGet(new Domain.Values.AgreementId(report.AgreementId), out var agreement) ||
            !Domain.Values.CentreCode.TryParse(report.Centre, out var centre) || agreement.IsParty(centre))
            return;
        var theirs = AgreementCatalog.Default.All.Where(a => a.IsParty(centre)).Select(a => a.Id.Value).ToList();
        throw new CliException(
            $"This store belongs to centre {centre}, which is not a party to {agreement.Id} (parties: {string.Join(", ", agreement.Parties)}): " +
            $"the report would be all zeros. {(theirs.Count > 0 ? $"{centre} is a party to: {string.Join(", ", theirs)}." : "")} " +
            "Give one of those with --agreement, or the store of a party's node with --store.");
    }

    private static LocalDate Date(string text, string option) =>
        LocalDatePattern.Iso.Parse(text) is { Success: true } r ? r.Value : throw new CliException($"{option} '{text}' is not a date; write it as YYYY-MM-DD.");

    private static StorageOptions OpenReadOnly(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            throw new CliException($"Which store? Give --store sqlite:PATH (or postgres:…), the node's LaunchNotify:Store setting, or set ${StoreEnvironmentVariable}.");
        StorageOptions options;
        try
        {
            options = StorageOptions.Parse(text);
        }
        catch (FormatException e)
        {
            throw new CliException(e.Message);
        }
        if (options.Provider != StorageProvider.Sqlite)
            return options;
        var builder = new SqliteConnectionStringBuilder(options.ConnectionString);
        if (!File.Exists(builder.DataSource))
            throw new CliException($"There is no store at {builder.DataSource}; give the node's store with --store sqlite:PATH (seed one with 'launchnotify seed').");
        // An audit never writes: opened read-only, a report cannot change the evidence.
        builder.Mode = SqliteOpenMode.ReadOnly;
        return options with { ConnectionString = builder.ToString() };
    }


    private static void Show(TimelinessReport r)
    {
        AnsiConsole.Write(new Rule($"[bold]Timeliness {Markup.Escape(r.AgreementId)}[/], centre {r.Centre}, counterpart {Markup.Escape(r.Counterpart ?? "all")}, {r.Period} (UTC)").LeftJustified());
        AnsiConsole.MarkupLine($"[grey]{Markup.Escape(r.AgreementTitle)}[/]");
        AnsiConsole.MarkupLine($"Minimum lead time {ReportFormats.Human(r.RequiredLeadTime)}, receipt deadline {ReportFormats.Human(r.ReceiptDeadline)}, " +
                               $"post-launch report within {ReportFormats.Human(r.PostLaunchDeadline)} of the window closing. As of {ReportFormats.Text(r.AsOf)}.");

        var lead = new Table().Border(TableBorder.Rounded).Title("Lead time of pre-notifications")
            .AddColumn("").AddColumn("notices").AddColumn("measured").AddColumn("on time").AddColumn("late").AddColumn("rejected")
            .AddColumn("not measured").AddColumn("on-time rate").AddColumn("min margin").AddColumn("median margin").AddColumn("worst");
        foreach (var (label, s) in new[] { ("sent", r.Sent), ("received", r.Received) })
            lead.AddRow(new Text(label), N(s.Notifications), N(s.Measured), N(s.OnTime), Late(s.Late), N(s.Rejected), N(s.Unmeasured),
                new Text(ReportFormats.Percent(s.OnTimeRate)), Margin(s.MinMargin), Margin(s.MedianMargin),
                new Text(s.Worst is { } w ? $"{w.Counterpart} {w.MessageId.ToString()[..8]} {ReportFormats.Human(w.LeadTime)}" : "–"));
        AnsiConsole.Write(lead);

        var m = r.Missing;
        AnsiConsole.MarkupLine($"[bold]Missing[/]: {m.MissingCount} sequence number(s) never received" +
            (m.Gaps.Count > 0 ? $" ({Markup.Escape(string.Join(", ", m.Gaps))})" : "") + $"; {m.AlarmsRaised} MISSING_NOTIFICATION alarm(s), {m.AlarmsOpen} open.");

        var l = r.ReceiptLatency;
        var latency = new Table().Border(TableBorder.Rounded).Title("Receipt latency (sent: published → signed receipt)")
            .AddColumn("deliveries").AddColumn("confirmed").AddColumn("rejected").AddColumn("unconfirmed").AddColumn("overdue").AddColumn("answered late")
            .AddColumn("p50").AddColumn("p95").AddColumn("max");
        latency.AddRow(N(l.Deliveries), N(l.Confirmed), N(l.Rejected), N(l.Unconfirmed), Late(l.UnconfirmedOverdue), Late(l.AnsweredAfterDeadline),
            new Text(ReportFormats.Human(l.P50)), new Text(ReportFormats.Human(l.P95)), new Text(ReportFormats.Human(l.Max)));
        AnsiConsole.Write(latency);

        var post = new Table().Border(TableBorder.Rounded).Title("Post-launch reports (windows closed in the period)")
            .AddColumn("").AddColumn("owed").AddColumn("on time").AddColumn("late").AddColumn("missing").AddColumn("not yet due").AddColumn("unconfirmed").AddColumn("on-time rate");
        foreach (var (label, p) in new[] { ($"sent by {r.Centre}", r.PostLaunchSent), ("received", r.PostLaunchReceived) })
            post.AddRow(new Text(label), N(p.Expected), N(p.OnTime), Late(p.Late), Late(p.Missing), N(p.Pending), N(p.Unconfirmed), new Text(ReportFormats.Percent(p.OnTimeRate)));
        AnsiConsole.Write(post);

        var alarms = new Table().Border(TableBorder.Rounded).Title("Alarms raised in the period")
            .AddColumn("kind").AddColumn("raised").AddColumn("acknowledged").AddColumn("resolved").AddColumn("open").AddColumn("ack median").AddColumn("ack max");
        foreach (var a in r.Alarms)
            alarms.AddRow(new Text(a.Kind.Code()), N(a.Raised), N(a.Acknowledged), N(a.Resolved), Late(a.Open),
                new Text(ReportFormats.Human(a.AckMedian)), new Text(ReportFormats.Human(a.AckMax)));
        AnsiConsole.Write(alarms);

        var monthly = new Table().Border(TableBorder.Rounded).Title("On-time rate per month (UTC)").AddColumn("month").AddColumn("sent").AddColumn("received");
        foreach (var month in r.Monthly)
            monthly.AddRow(ReportFormats.Month(month.Month),
                month.SentMeasured == 0 ? "–" : $"{ReportFormats.Percent(month.SentRate)} ({month.SentOnTime}/{month.SentMeasured})",
                month.ReceivedMeasured == 0 ? "–" : $"{ReportFormats.Percent(month.ReceivedRate)} ({month.ReceivedOnTime}/{month.ReceivedMeasured})");
        AnsiConsole.Write(monthly);
        AnsiConsole.MarkupLine("[grey]--format html -o report.html gives the same with charts, for offline reading.[/]");
    }

    private static Text N(long n) => new(n.ToString());

    private static Markup Late(long n) => new(n > 0 ? $"[red]{n}[/]" : "0");

    private static Markup Margin(Duration? d) => new(d is { } v && v < Duration.Zero ? $"[red]{Markup.Escape(ReportFormats.Human(v))}[/]" : Markup.Escape(ReportFormats.Human(d)));
}
