using System.CommandLine;
using System.Diagnostics;
using LaunchNotify.Domain.Alarms;
using LaunchNotify.Node.Maps;
using LaunchNotify.Node.Reports;
using LaunchNotify.Presentation;
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
        var lang = CommonOptions.Lang();
        var timeZone = CommonOptions.TimeZone();
        var command = new Command("report", "Timeliness report for an agreement, a period and optionally one counterpart, from a node's store.")
            { agreement, centre, from, to, format, output, store, lang, timeZone };
        command.SetAction((parse, ct) => CommonOptions.Guard(async () =>
        {
            var rendering = CommonOptions.Rendering(parse, lang, timeZone);
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
                throw new CliException(rendering.Text($"problem.report.{e.Code}", [.. e.Args]));
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
                    .PeriodAsync(report.AgreementId, report.Counterpart, period.Start, period.End, ct), rendering),
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
                Show(report, rendering);
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


    private static void Show(TimelinessReport r, Rendering g)
    {
        string T(string key, params object?[] args) => Markup.Escape(g.Text(key, args));
        Table Columns(Table table, params string[] keys)
        {
            foreach (var key in keys)
                table.AddColumn(key.Length == 0 ? "" : T(key));
            return table;
        }

        AnsiConsole.Write(new Rule($"[bold]{T("report.heading", r.AgreementId, r.Centre, r.Counterpart ?? g.Text("report.allParties"), r.Period.ToString())}[/]").LeftJustified());
        AnsiConsole.MarkupLine($"[grey]{Markup.Escape(r.AgreementTitle)}[/]");
        AnsiConsole.MarkupLine(T("report.terms", g.Duration(r.RequiredLeadTime), g.Duration(r.ReceiptDeadline), g.Duration(r.PostLaunchDeadline)) + " " +
                               T("report.scope", r.Centre, r.Counterpart ?? g.Text("report.allParties"), r.Period.ToString(), g.Instant(r.AsOf)) + " " +
                               T("report.timesIn", g.ZoneName));

        var lead = Columns(new Table().Border(TableBorder.Rounded).Title(T("report.lead.heading")),
            "", "report.lead.notices", "report.lead.measured", "report.lead.onTime", "report.lead.late", "report.lead.rejected", "report.lead.unmeasured",
            "report.lead.onTimeRate", "report.lead.minMargin", "report.lead.medianMargin", "report.lead.worst");
        foreach (var (label, s) in new[] { (g.Text("report.lead.sentRow"), r.Sent), (g.Text("report.lead.receivedRow"), r.Received) })
            lead.AddRow(new Text(label), N(g, s.Notifications), N(g, s.Measured), N(g, s.OnTime), Late(g, s.Late), N(g, s.Rejected), N(g, s.Unmeasured),
                new Text(g.Percent(s.OnTimeRate)), Margin(g, s.MinMargin), Margin(g, s.MedianMargin),
                new Text(s.Worst is { } w ? $"{w.Counterpart} {w.MessageId.ToString()[..8]} {g.Duration(w.LeadTime)}" : Rendering.Nothing));
        AnsiConsole.Write(lead);

        var m = r.Missing;
        AnsiConsole.MarkupLine($"[bold]{T("report.fig.missing")}[/]: " + T("report.missing.summary", g.Number(m.MissingCount), g.Number(m.AlarmsRaised),
            g.AlarmKind(AlarmKind.MissingNotification), g.Number(m.AlarmsOpen)) + (m.Gaps.Count > 0 ? $" ({Markup.Escape(string.Join(", ", m.Gaps))})" : ""));

        var l = r.ReceiptLatency;
        var latency = Columns(new Table().Border(TableBorder.Rounded).Title(T("report.latency.heading")),
            "report.latency.deliveries", "report.latency.confirmed", "report.latency.rejected", "report.latency.unconfirmed", "report.latency.overdue",
            "report.latency.answeredLate", "report.latency.p50", "report.latency.p95", "report.latency.max");
        latency.AddRow(N(g, l.Deliveries), N(g, l.Confirmed), N(g, l.Rejected), N(g, l.Unconfirmed), Late(g, l.UnconfirmedOverdue), Late(g, l.AnsweredAfterDeadline),
            new Text(g.Duration(l.P50)), new Text(g.Duration(l.P95)), new Text(g.Duration(l.Max)));
        AnsiConsole.Write(latency);

        var post = Columns(new Table().Border(TableBorder.Rounded).Title(T("report.post.heading")),
            "", "report.post.owed", "report.post.onTime", "report.post.late", "report.post.missing", "report.post.pending", "report.post.unconfirmed", "report.post.onTimeRate");
        foreach (var (label, p) in new[] { (g.Text("report.post.sentBy", r.Centre), r.PostLaunchSent), (g.Text("report.post.received"), r.PostLaunchReceived) })
            post.AddRow(new Text(label), N(g, p.Expected), N(g, p.OnTime), Late(g, p.Late), Late(g, p.Missing), N(g, p.Pending), N(g, p.Unconfirmed), new Text(g.Percent(p.OnTimeRate)));
        AnsiConsole.Write(post);

        var acks = Columns(new Table().Border(TableBorder.Rounded).Title(T("report.ack.heading"))
                .Caption(r.AcknowledgementDeadline is { } ackDeadline ? T("report.ack.deadline", g.Duration(ackDeadline)) : T("report.ack.noDeadline")),
            "report.ack.direction", "report.ack.counterpart", "report.ack.notices", "report.ack.acknowledged", "report.ack.notInTime", "report.ack.waiting",
            "report.ack.unmeasured", "report.ack.median", "report.ack.max");
        foreach (var a in r.Acknowledgements)
            acks.AddRow(new Text(g.Code(GlossaryCategories.Direction, a.Direction == Direction.Sent ? "sent" : "received")), new Text(a.Counterpart),
                N(g, a.Notices), N(g, a.Acknowledged), Late(g, a.NotInTime), N(g, a.Waiting), N(g, a.Unmeasured), new Text(g.Duration(a.Median)), new Text(g.Duration(a.Max)));
        AnsiConsole.Write(acks);

        var alarms = Columns(new Table().Border(TableBorder.Rounded).Title(T("report.alarms.heading")),
            "report.alarms.kind", "report.alarms.raised", "report.alarms.acknowledged", "report.alarms.resolved", "report.alarms.open", "report.alarms.ackMedian", "report.alarms.ackMax");
        foreach (var a in r.Alarms)
            alarms.AddRow(new Text(g.AlarmKind(a.Kind)), N(g, a.Raised), N(g, a.Acknowledged), N(g, a.Resolved), Late(g, a.Open),
                new Text(g.Duration(a.AckMedian)), new Text(g.Duration(a.AckMax)));
        AnsiConsole.Write(alarms);

        var monthly = Columns(new Table().Border(TableBorder.Rounded).Title(T("report.monthly.heading")), "report.monthly.month", "report.monthly.sent", "report.monthly.received");
        foreach (var month in r.Monthly)
            monthly.AddRow(ReportFormats.Month(month.Month),
                month.SentMeasured == 0 ? Rendering.Nothing : $"{g.Percent(month.SentRate)} ({g.Number(month.SentOnTime)}/{g.Number(month.SentMeasured)})",
                month.ReceivedMeasured == 0 ? Rendering.Nothing : $"{g.Percent(month.ReceivedRate)} ({g.Number(month.ReceivedOnTime)}/{g.Number(month.ReceivedMeasured)})");
        AnsiConsole.Write(monthly);
        AnsiConsole.MarkupLine($"[grey]{T("report.htmlHint")}[/]");
    }

    private static Text N(Rendering g, long n) => new(g.Number(n));

    private static Markup Late(Rendering g, long n) => new(n > 0 ? $"[red]{Markup.Escape(g.Number(n))}[/]" : Markup.Escape(g.Number(0)));

    private static Markup Margin(Rendering g, Duration? d) =>
        new(d is { } v && v < Duration.Zero ? $"[red]{Markup.Escape(g.Duration(v))}[/]" : Markup.Escape(g.Duration(d)));
}
