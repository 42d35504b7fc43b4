using System.CommandLine;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
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
        var command = new Command("alarms", "List this centre's alarms, newest first; acknowledge and resolve them.")
        {
            url, tokenFile, open, state, kind, since, limit, follow, json,
        };
        command.Subcommands.Add(ShowCommand(console));
        command.Subcommands.Add(ActionCommand("ack", "acknowledge", "Acknowledge an alarm: an operator has seen it and is on it.", console));
        command.Subcommands.Add(ActionCommand("resolve", "resolve", "Resolve an alarm: the condition is dealt with.", console));
        command.SetAction((parse, ct) => CommonOptions.Guard(async () =>
        {
            using var client = CommonOptions.Client(parse, url, tokenFile);
            var query = Query(parse.GetValue(open), parse.GetValue(state), parse.GetValue(kind), parse.GetValue(since), parse.GetValue(limit));
            var output = console ?? AnsiConsole.Console;
            return parse.GetValue(follow)
                ? await FollowAsync(client, output, query, parse.GetValue(kind), parse.GetValue(json), ct)
                : await ListAsync(client, output, query, parse.GetValue(json), ct);
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

    public static void RenderTable(IAnsiConsole console, JsonArray alarms)
    {
        if (alarms.Count == 0)
        {
            console.MarkupLine("[green]No alarms.[/]");
            return;
        }
        // Ids, instants and kinds are copied and pasted: they never wrap; the summary takes what width is left.
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn(new TableColumn("raised").NoWrap()).AddColumn("severity").AddColumn("state").AddColumn(new TableColumn("kind").NoWrap())
            .AddColumn("centre").AddColumn("summary").AddColumn(new TableColumn("id").NoWrap());
        foreach (var a in alarms)
        {
            table.AddRow(new Text(Views.When(a!["raisedAt"])), new Markup(Severity(Str(a, "severity"))), new Markup(State(a!)), new Text(Str(a, "kind")),
                new Text(a!["counterpart"]?.ToString() ?? "-"), new Text(Str(a, "summary")), new Text(Str(a, "id")));
        }
        console.Write(table);
    }

    /// <summary>One line per change when following: when, what happened, severity, kind, centre, summary, id.</summary>
    public static string ChangeLine(JsonNode alarm)
    {
        var happened = Str(alarm, "state") switch
        {
            "acknowledged" => $"ACKNOWLEDGED by {Str(alarm, "acknowledgedBy")}",
            "resolved" => $"RESOLVED by {Str(alarm, "resolvedBy")}",
            _ => "RAISED",
        };
        var comment = Str(alarm, "state") switch
        {
            "acknowledged" => alarm["acknowledgeComment"]?.ToString(),
            "resolved" => alarm["resolveComment"]?.ToString(),
            _ => null,
        };
        return $"{Views.When(alarm["changedAt"])}  {happened}  {Str(alarm, "severity")}  {Str(alarm, "kind")}  {alarm["counterpart"]?.ToString() ?? "-"}  " +
               $"{Str(alarm, "summary")}{(comment is null ? "" : $" — \"{comment}\"")}  ({Str(alarm, "id")})";
    }

    public static void RenderOne(IAnsiConsole console, JsonNode alarm)
    {
        var grid = new Grid().AddColumn().AddColumn();
        void Row(string label, string? value)
        {
            if (!string.IsNullOrEmpty(value))
                grid.AddRow(new Markup($"[bold]{label}[/]"), new Text(value));
        }
        Row("id", Str(alarm, "id"));
        grid.AddRow(new Markup("[bold]kind[/]"), new Markup($"{Markup.Escape(Str(alarm, "kind"))} ({Severity(Str(alarm, "severity"))})"));
        grid.AddRow(new Markup("[bold]state[/]"), new Markup(State(alarm)));
        Row("summary", Str(alarm, "summary"));
        Row("centre", alarm["counterpart"]?.ToString());
        Row("agreement", alarm["agreementId"]?.ToString());
        Row("message", alarm["messageId"]?.ToString());
        Row("sequences", alarm["sequences"]?.ToString());
        Row("raised", Views.When(alarm["raisedAt"]) + (alarm["firedAfterRestart"]?.GetValue<bool>() == true ? " (fell due while the node was down)" : ""));
        Row("due", alarm["dueAt"] is null ? null : Views.When(alarm["dueAt"]));
        Row("acknowledged", Acted(alarm, "acknowledgedAt", "acknowledgedBy", "acknowledgeComment"));
        Row("resolved", Acted(alarm, "resolvedAt", "resolvedBy", "resolveComment"));
        Row("details", alarm["details"]?.ToJsonString(Indented));
        console.Write(grid);
    }

    private static async Task<int> ListAsync(PublisherClient client, IAnsiConsole console, string query, bool json, CancellationToken ct)
    {
        var (status, body) = await client.GetAsync("/v1/alarms" + query, ct);
        if (status != 200)
            throw Refusal(status, body);
        if (json)
            RawOutput.Line(console, body!.ToJsonString(Indented));
        else
            RenderTable(console, body!.AsArray());
        return ExitCodes.Ok;
    }

    /// <summary>
    /// Opens the change stream first (it counts from the moment it opens), then lists, then prints each change not
    /// already listed. If the publisher goes away it reconnects and catches up on the changes made meanwhile.
    /// </summary>
    private static async Task<int> FollowAsync(PublisherClient client, IAnsiConsole console, string query, string? kind, bool json, CancellationToken ct)
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
                            throw Refusal(status, body);
                        foreach (var a in body!.AsArray())
                            shown.Add(Version(a!));
                        if (json)
                            foreach (var a in body.AsArray())
                                RawOutput.Line(console, a!.ToJsonString());
                        else
                        {
                            RenderTable(console, body.AsArray());
                            console.MarkupLine("[grey]Following new and changed alarms (Ctrl+C stops)…[/]");
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
                    console.MarkupLine("[yellow]The alarm stream closed; reconnecting…[/]");
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
                console.MarkupLine(Colour(Str(alarm, "severity"), Markup.Escape(ChangeLine(alarm))));
        }
    }

    private static Command ShowCommand(IAnsiConsole? console)
    {
        var id = new Argument<Guid>("id") { Description = "The alarm id (from 'launchnotify alarms')." };
        var url = CommonOptions.Url();
        var tokenFile = CommonOptions.TokenFile();
        var json = new Option<bool>("--json") { Description = "Print the alarm as JSON." };
        var command = new Command("show", "Show one alarm in full: details, who acknowledged and resolved it, when and why.") { id, url, tokenFile, json };
        command.SetAction((parse, ct) => CommonOptions.Guard(async () =>
        {
            using var client = CommonOptions.Client(parse, url, tokenFile);
            var (status, body) = await client.GetAsync($"/v1/alarms/{parse.GetValue(id)}", ct);
            if (status != 200)
                throw Refusal(status, body);
            var output = console ?? AnsiConsole.Console;
            if (parse.GetValue(json))
                RawOutput.Line(output, body!.ToJsonString(Indented));
            else
                RenderOne(output, body!);
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
        var command = new Command(name, description) { id, by, comment, url, tokenFile };
        command.SetAction((parse, ct) => CommonOptions.Guard(async () =>
        {
            using var client = CommonOptions.Client(parse, url, tokenFile);
            var output = console ?? AnsiConsole.Console;
            if (parse.GetValue(by) is not null)
                output.MarkupLine("[yellow]warning:[/] --by is ignored: the record names the account you signed in with (launchnotify login).");
            var request = new JsonObject { ["comment"] = parse.GetValue(comment) };
            var (status, body) = await client.PostAsync($"/v1/alarms/{parse.GetValue(id)}/{action}", Encoding.UTF8.GetBytes(request.ToJsonString()), ct);
            if (status == 409)
            {
                output.MarkupLine($"[yellow]{Markup.Escape(PublisherClient.Describe(status, body))}[/]");
                return ExitCodes.Invalid;
            }
            if (status != 200)
                throw Refusal(status, body);
            output.MarkupLine(Colour(Str(body, "severity"), Markup.Escape(ChangeLine(body!))));
            return ExitCodes.Ok;
        }, console));
        return command;
    }

    private static CliException Refusal(int status, JsonNode? body) => PublisherClient.Refusal(status, body);

    private static string Version(JsonNode alarm) => $"{Str(alarm, "id")}.v{Str(alarm, "version")}";

    private static string Str(JsonNode? node, string name) => node?[name]?.ToString() ?? "";

    private static string Acted(JsonNode alarm, string at, string by, string comment) =>
        alarm[at] is null ? "" : $"{Views.When(alarm[at])} by {alarm[by]}{(alarm[comment] is { } c ? $": {c}" : "")}";

    private static string State(JsonNode alarm) => Str(alarm, "state") switch
    {
        "open" => "[red]open[/]",
        "acknowledged" => $"[yellow]acknowledged[/] by {Markup.Escape(Str(alarm, "acknowledgedBy"))}",
        "resolved" => $"[green]resolved[/] by {Markup.Escape(Str(alarm, "resolvedBy"))}",
        var other => Markup.Escape(other),
    };

    private static string Severity(string severity) => Colour(severity, Markup.Escape(severity));

    private static string Colour(string severity, string escapedText) => severity switch
    {
        "critical" => $"[bold red]{escapedText}[/]",
        "warning" => $"[yellow]{escapedText}[/]",
        _ => escapedText,
    };
}
