using System.CommandLine;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LaunchNotify.Domain.Validation;
using LaunchNotify.Presentation;
using LaunchNotify.Protocol.Json;
using Spectre.Console;

namespace LaunchNotify.Cli.Commands;

/// <summary>
/// <c>launchnotify alarms [--open] [--state S] [--kind K] [--since I] [--limit N] [--follow] [--json]</c>, and
/// <c>alarms show ID</c>, <c>alarms ack ID [--comment]</c>, <c>alarms resolve ID [--comment]</c> (as the signed-in account).
/// </summary>
public static class AlarmsCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <param name="console">Where to write (tests pass their own); the terminal by default.</param>
    public static Command Create(IAnsiConsole? console = null)
    {
        var url = CommonOptions.Url();
        var tokenFile = CommonOptions.TokenFile();
        var open = new Option<bool>("--open") { Description = "Only alarms not yet resolved (open or acknowledged)." };
        var state = new Option<string?>("--state") { Description = "Only alarms in this state: open, acknowledged or resolved." };
        var kind = new Option<string?>("--kind") { Description = "Only this kind, e.g. LAUNCH_WITHOUT_NOTIFICATION, RECEIPT_OVERDUE." };
        var since = new Option<string?>("--since") { Description = "Only alarms raised at or after this instant (UTC, e.g. 2026-03-10T08:00:00Z)." };
        var limit = new Option<int>("--limit") { Description = "At most this many, newest first.", DefaultValueFactory = _ => 50 };
        var follow = new Option<bool>("--follow", "-f") { Description = "After the list, keep printing alarms as they are raised, acknowledged or resolved (Ctrl+C stops)." };
        var json = new Option<bool>("--json") { Description = "Print JSON (with --follow: one alarm per line)." };
        var lang = CommonOptions.Lang();
        var timeZone = CommonOptions.TimeZone();
        var command = new Command("alarms", "List this centre's alarms, newest first; acknowledge and resolve them.")
        {
            url, tokenFile, open, state, kind, since, limit, follow, json, lang, timeZone,
        };
        command.Subcommands.Add(ShowCommand(console));
        command.Subcommands.Add(ActionCommand("ack", "acknowledge", "Acknowledge an alarm: an operator has seen it and is on it.", console));
        command.Subcommands.Add(ActionCommand("resolve", "resolve", "Resolve an alarm: the condition is dealt with.", console));
        command.SetAction((parse, ct) => CommonOptions.Guard(async () =>
        {
            var rendering = CommonOptions.Rendering(parse, lang, timeZone);
            using var client = CommonOptions.Client(parse, url, tokenFile);
            var query = Query(parse.GetValue(open), parse.GetValue(state), parse.GetValue(kind), parse.GetValue(since), parse.GetValue(limit));
            var output = console ?? AnsiConsole.Console;
            return parse.GetValue(follow)
                ? await FollowAsync(client, output, rendering, query, parse.GetValue(kind), parse.GetValue(json), ct)
                : await ListAsync(client, output, rendering, query, parse.GetValue(json), ct);
        }, console));
        return command;
    }

    /// <summary>The query string of <c>GET /v1/alarms</c> for the options given (the publisher checks the values).</summary>
    public static string Query(bool open, string? state, string? kind, string? since, int limit)
    {
        var parts = new List<string> { $"limit={limit}" };
        if (open)
            parts.Add("open=true");
        if (!string.IsNullOrWhiteSpace(state))
            parts.Add("state=" + Uri.EscapeDataString(state));
        if (!string.IsNullOrWhiteSpace(kind))
            parts.Add("kind=" + Uri.EscapeDataString(kind));
        if (!string.IsNullOrWhiteSpace(since))
            parts.Add("since=" + Uri.EscapeDataString(since));
        return "?" + string.Join("&", parts);
    }

    /// <param name="rendering">The reader's language and zone; English and UTC when not given.</param>
    public static void RenderTable(IAnsiConsole console, JsonArray alarms, Rendering? rendering = null)
    {
        var r = rendering ?? Rendering.EnglishUtc;
        if (alarms.Count == 0)
        {
            console.MarkupLine($"[green]{Markup.Escape(r.Text("alarms.none"))}[/]");
            return;
        }
        string T(string key) => Markup.Escape(r.Text(key));
        // Ids and instants are copied and pasted: they never wrap; the summary takes what width is left.
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn(new TableColumn(T("alarms.col.raised")).NoWrap()).AddColumn(T("alarms.col.severity")).AddColumn(T("alarms.col.state"))
            .AddColumn(T("alarms.col.kind")).AddColumn(T("alarms.col.centre")).AddColumn(T("alarms.col.summary")).AddColumn(new TableColumn(T("alarms.col.id")).NoWrap());
        foreach (var a in alarms)
        {
            table.AddRow(new Text(When(r, Str(a, "raisedAt"))), new Markup(Severity(r, Str(a, "severity"))), new Markup(State(r, a!)),
                new Text(r.Code(GlossaryCategories.AlarmKind, Str(a, "kind"))), new Text(a!["counterpart"]?.ToString() ?? "-"), new Text(Summary(r, a)), new Text(Str(a, "id")));
        }
        console.Write(table);
    }

    /// <summary>
    /// The alarm's summary in the reader's language: the glossary's sentence for its kind with the alarm's fields. The
    /// node's own summary (English, with its figures) is on <c>alarms show</c>; a kind this CLI does not know shows it.
    /// </summary>
    public static string Summary(Rendering r, JsonNode alarm)
    {
        if (!LaunchNotify.Domain.Alarms.AlarmKinds.TryParse(Str(alarm, "kind"), out var kind))
            return Str(alarm, "summary");
        var due = alarm["dueAt"]?.ToString() is { } text && NodaTime.Text.InstantPattern.ExtendedIso.Parse(text) is { Success: true } parsed ? parsed.Value : (NodaTime.Instant?)null;
        return r.AlarmSummary(kind, alarm["counterpart"]?.ToString(), alarm["agreementId"]?.ToString(),
            Guid.TryParse(alarm["messageId"]?.ToString(), out var id) ? id : null, alarm["sequences"]?.ToString(), due);
    }

    /// <summary>One line per change when following: when, what happened, severity, kind, centre, summary, id.</summary>
    /// <param name="rendering">The reader's language and zone; English and UTC when not given.</param>
    public static string ChangeLine(JsonNode alarm, Rendering? rendering = null)
    {
        var r = rendering ?? Rendering.EnglishUtc;
        var happened = Str(alarm, "state") switch
        {
            "acknowledged" => r.Text("alarms.change.acknowledged", Str(alarm, "acknowledgedBy")),
            "resolved" => r.Text("alarms.change.resolved", Str(alarm, "resolvedBy")),
            _ => r.Text("alarms.change.raised"),
        };
        var comment = Str(alarm, "state") switch
        {
            "acknowledged" => alarm["acknowledgeComment"]?.ToString(),
            "resolved" => alarm["resolveComment"]?.ToString(),
            _ => null,
        };
        return $"{When(r, Str(alarm, "changedAt"))}  {happened}  {r.Code(GlossaryCategories.AlarmSeverity, Str(alarm, "severity"))}  " +
               $"{r.Code(GlossaryCategories.AlarmKind, Str(alarm, "kind"))}  {alarm["counterpart"]?.ToString() ?? "-"}  " +
               $"{Summary(r, alarm)}{(comment is null ? "" : $" — \"{comment}\"")}  ({Str(alarm, "id")})";
    }

    /// <param name="rendering">The reader's language and zone; English and UTC when not given.</param>
    public static void RenderOne(IAnsiConsole console, JsonNode alarm, Rendering? rendering = null)
    {
        var r = rendering ?? Rendering.EnglishUtc;
        var grid = new Grid().AddColumn().AddColumn();
        void Row(string key, string? value)
        {
            if (!string.IsNullOrEmpty(value))
                grid.AddRow(new Markup($"[bold]{Markup.Escape(r.Text(key))}[/]"), new Text(value));
        }
        void MarkupRow(string key, string markup) => grid.AddRow(new Markup($"[bold]{Markup.Escape(r.Text(key))}[/]"), new Markup(markup));
        Row("alarms.field.id", Str(alarm, "id"));
        MarkupRow("alarms.field.kind", $"{Markup.Escape(r.Code(GlossaryCategories.AlarmKind, Str(alarm, "kind")))} ({Markup.Escape(Str(alarm, "kind"))}, {Severity(r, Str(alarm, "severity"))})");
        MarkupRow("alarms.field.state", State(r, alarm));
        Row("alarms.field.summary", Summary(r, alarm));
        Row("alarms.field.nodeWords", Str(alarm, "summary"));
        Row("alarms.field.centre", alarm["counterpart"]?.ToString());
        Row("alarms.field.agreement", alarm["agreementId"]?.ToString());
        Row("alarms.field.message", alarm["messageId"]?.ToString());
        Row("alarms.field.sequences", alarm["sequences"]?.ToString());
        Row("alarms.field.raised", When(r, Str(alarm, "raisedAt")) + (alarm["firedAfterRestart"]?.GetValue<bool>() == true ? " " + r.Text("alarms.firedAfterRestart") : ""));
        Row("alarms.field.due", alarm["dueAt"] is { } due ? When(r, due.ToString()) : null);
        Row("alarms.field.acknowledged", Acted(r, alarm, "acknowledgedAt", "acknowledgedBy", "acknowledgeComment"));
        Row("alarms.field.resolved", Acted(r, alarm, "resolvedAt", "resolvedBy", "resolveComment"));
        Row("alarms.field.finding", QuotedFinding(alarm["details"]) is { } finding ? r.Finding(finding) : null);
        Row("alarms.field.details", alarm["details"]?.ToJsonString(Indented));
        console.Write(grid);
    }

    /// <summary>The rule failure an alarm quotes in its details (<c>details.finding</c>, e.g. a late notification's), if any.</summary>
    private static ValidationError? QuotedFinding(JsonNode? details)
    {
        if (details?["finding"] is not JsonObject finding)
            return null;
        try
        {
            return finding.Deserialize<ValidationError>(WireJson.Options) is { Code: not null, Message: not null } e ? e : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task<int> ListAsync(PublisherClient client, IAnsiConsole console, Rendering rendering, string query, bool json, CancellationToken ct)
    {
        var (status, body) = await client.GetAsync("/v1/alarms" + query, ct);
        if (status != 200)
            throw PublisherClient.Refusal(status, body, rendering);
        if (json)
            RawOutput.Line(console, body!.ToJsonString(Indented));
        else
            RenderTable(console, body!.AsArray(), rendering);
        return ExitCodes.Ok;
    }

    /// <summary>
    /// Opens the change stream first (it counts from the moment it opens), then lists, then prints each change not
    /// already listed. If the publisher goes away it reconnects and catches up on the changes made meanwhile.
    /// </summary>
    private static async Task<int> FollowAsync(PublisherClient client, IAnsiConsole console, Rendering rendering, string query, string? kind, bool json, CancellationToken ct)
    {
        var streamPath = "/v1/alarms/stream" + (string.IsNullOrWhiteSpace(kind) ? "" : "?kind=" + Uri.EscapeDataString(kind));
        var shown = new HashSet<string>();
        string? catchUpFrom = null;
        try
        {
            while (true)
            {
                Stream stream;
                try
                {
                    stream = await client.OpenStreamAsync(streamPath, ct);
                }
                catch (CliException) when (catchUpFrom is not null)
                {
                    // The publisher is restarting: try again shortly, as a follower would want.
                    await Task.Delay(TimeSpan.FromSeconds(2), ct);
                    continue;
                }
                try
                {
                    await using var owned = stream;
                    await using var events = SseParser.Create(stream).EnumerateAsync(ct).GetAsyncEnumerator(ct);
                    if (!await events.MoveNextAsync() || events.Current.EventType != "following")
                        throw new CliException($"{client.BaseUrl}{streamPath.TrimStart('/')} is not an alarm stream; is this a LaunchNotify publisher?");
                    var since = JsonNode.Parse(events.Current.Data)?["since"]?.ToString();

                    if (catchUpFrom is null)
                    {
                        var (status, body) = await client.GetAsync("/v1/alarms" + query, ct);
                        if (status != 200)
                            throw PublisherClient.Refusal(status, body, rendering);
                        foreach (var a in body!.AsArray())
                            shown.Add(Version(a!));
                        if (json)
                            foreach (var a in body.AsArray())
                                RawOutput.Line(console, a!.ToJsonString());
                        else
                        {
                            RenderTable(console, body.AsArray(), rendering);
                            console.MarkupLine($"[grey]{Markup.Escape(rendering.Text("alarms.following"))}[/]");
                        }
                    }
                    else
                    {
                        var kindFilter = string.IsNullOrWhiteSpace(kind) ? "" : "&kind=" + Uri.EscapeDataString(kind);
                        var (status, body) = await client.GetAsync($"/v1/alarms?limit=1000&changedSince={Uri.EscapeDataString(catchUpFrom)}{kindFilter}", ct);
                        if (status == 200)
                            foreach (var a in body!.AsArray())
                                Print(a!);
                    }
                    catchUpFrom = since;

                    while (await events.MoveNextAsync())
                    {
                        if (events.Current.EventType != "alarm" || JsonNode.Parse(events.Current.Data) is not { } alarm)
                            continue;
                        Print(alarm);
                        catchUpFrom = alarm["changedAt"]?.ToString() ?? catchUpFrom;
                    }
                }
                catch (Exception e) when (e is IOException or HttpRequestException && !ct.IsCancellationRequested && catchUpFrom is not null)
                {
                    // The publisher went away mid-stream; reconnect below and catch up.
                }
                if (!json)
                    console.MarkupLine($"[yellow]{Markup.Escape(rendering.Text("alarms.reconnecting"))}[/]");
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return ExitCodes.Ok;
        }

        void Print(JsonNode alarm)
        {
            if (!shown.Add(Version(alarm)))
                return;
            if (json)
                RawOutput.Line(console, alarm.ToJsonString());
            else
                console.MarkupLine(Colour(Str(alarm, "severity"), Markup.Escape(ChangeLine(alarm, rendering))));
        }
    }

    private static Command ShowCommand(IAnsiConsole? console)
    {
        var id = new Argument<Guid>("id") { Description = "The alarm id (from 'launchnotify alarms')." };
        var url = CommonOptions.Url();
        var tokenFile = CommonOptions.TokenFile();
        var json = new Option<bool>("--json") { Description = "Print the alarm as JSON." };
        var lang = CommonOptions.Lang();
        var timeZone = CommonOptions.TimeZone();
        var command = new Command("show", "Show one alarm in full: details, who acknowledged and resolved it, when and why.") { id, url, tokenFile, json, lang, timeZone };
        command.SetAction((parse, ct) => CommonOptions.Guard(async () =>
        {
            var rendering = CommonOptions.Rendering(parse, lang, timeZone);
            using var client = CommonOptions.Client(parse, url, tokenFile);
            var (status, body) = await client.GetAsync($"/v1/alarms/{parse.GetValue(id)}", ct);
            if (status != 200)
                throw PublisherClient.Refusal(status, body, rendering);
            var output = console ?? AnsiConsole.Console;
            if (parse.GetValue(json))
                RawOutput.Line(output, body!.ToJsonString(Indented));
            else
                RenderOne(output, body!, rendering);
            return ExitCodes.Ok;
        }, console));
        return command;
    }

    private static Command ActionCommand(string name, string action, string description, IAnsiConsole? console)
    {
        var id = new Argument<Guid>("id") { Description = "The alarm id (from 'launchnotify alarms')." };
        // Who acted is the signed-in account; a typed name is no longer taken (kept only to warn old scripts).
        var by = new Option<string?>("--by") { Description = "Ignored: the record names the signed-in account (launchnotify login).", Hidden = true };
        var comment = new Option<string?>("--comment") { Description = "Why, or what was done (recorded with the alarm)." };
        var url = CommonOptions.Url();
        var tokenFile = CommonOptions.TokenFile();
        var lang = CommonOptions.Lang();
        var timeZone = CommonOptions.TimeZone();
        var command = new Command(name, description) { id, by, comment, url, tokenFile, lang, timeZone };
        command.SetAction((parse, ct) => CommonOptions.Guard(async () =>
        {
            var rendering = CommonOptions.Rendering(parse, lang, timeZone);
            using var client = CommonOptions.Client(parse, url, tokenFile);
            var output = console ?? AnsiConsole.Console;
            if (parse.GetValue(by) is not null)
                output.MarkupLine("[yellow]warning:[/] --by is ignored: the record names the account you signed in with (launchnotify login).");
            var request = new JsonObject { ["comment"] = parse.GetValue(comment) };
            var (status, body) = await client.PostAsync($"/v1/alarms/{parse.GetValue(id)}/{action}", Encoding.UTF8.GetBytes(request.ToJsonString()), ct);
            if (status == 409)
            {
                output.MarkupLine($"[yellow]{Markup.Escape(PublisherClient.Describe(status, body, rendering))}[/]");
                return ExitCodes.Invalid;
            }
            if (status != 200)
                throw PublisherClient.Refusal(status, body, rendering);
            output.MarkupLine(Colour(Str(body, "severity"), Markup.Escape(ChangeLine(body!, rendering))));
            return ExitCodes.Ok;
        }, console));
        return command;
    }

    private static string Version(JsonNode alarm) => $"{Str(alarm, "id")}.v{Str(alarm, "version")}";

    private static string Str(JsonNode? node, string name) => node?[name]?.ToString() ?? "";

    private static string When(Rendering r, string text) => CommonOptions.When(r, text);

    private static string? Acted(Rendering r, JsonNode alarm, string at, string by, string comment) =>
        alarm[at] is null ? null
        : alarm[comment] is { } c ? r.Text("alarms.actedByWithComment", When(r, alarm[at]!.ToString()), alarm[by]?.ToString(), c.ToString())
        : r.Text("alarms.actedBy", When(r, alarm[at]!.ToString()), alarm[by]?.ToString());

    private static string State(Rendering r, JsonNode alarm) => Str(alarm, "state") switch
    {
        "open" => $"[red]{Markup.Escape(r.Code(GlossaryCategories.AlarmState, "open"))}[/]",
        "acknowledged" => $"[yellow]{Markup.Escape(r.Text("alarms.acknowledgedBy", Str(alarm, "acknowledgedBy")))}[/]",
        "resolved" => $"[green]{Markup.Escape(r.Text("alarms.resolvedBy", Str(alarm, "resolvedBy")))}[/]",
        var other => Markup.Escape(other),
    };

    private static string Severity(Rendering r, string severity) => Colour(severity, Markup.Escape(r.Code(GlossaryCategories.AlarmSeverity, severity)));

    private static string Colour(string severity, string escapedText) => severity switch
    {
        "critical" => $"[bold red]{escapedText}[/]",
        "warning" => $"[yellow]{escapedText}[/]",
        _ => escapedText,
    };
}
