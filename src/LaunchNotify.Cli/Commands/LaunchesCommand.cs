using System.CommandLine;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace LaunchNotify.Cli.Commands;

/// <summary>
/// <c>launchnotify launches record --at INSTANT --lat --lon [--impact-lat --impact-lon] --attributed XX [--class] [--source] [--comment]</c>
/// and <c>launchnotify launches list</c>: observed launches and whether a notification covered each.
/// </summary>
public static class LaunchesCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Create(IAnsiConsole? console = null)
    {
        var command = new Command("launches", "Record observed launches and see whether a notification covered each.");
        command.Subcommands.Add(RecordCommand(console));
        command.Subcommands.Add(ListCommand(console));
        return command;
    }

    private static Command RecordCommand(IAnsiConsole? console)
    {
        var at = new Option<string>("--at") { Description = "When it was launched, UTC, e.g. 2026-03-10T08:00:00Z.", Required = true };
        var lat = new Option<double>("--lat") { Description = "Approximate launch point: latitude in decimal degrees (north positive).", Required = true };
        var lon = new Option<double>("--lon") { Description = "Approximate launch point: longitude in decimal degrees (east positive).", Required = true };
        var impactLat = new Option<double?>("--impact-lat") { Description = "Impact point latitude, if known (with --impact-lon)." };
        var impactLon = new Option<double?>("--impact-lon") { Description = "Impact point longitude, if known (with --impact-lat)." };
        var attributed = new Option<string>("--attributed") { Description = "The centre the launch is attributed to, e.g. RU.", Required = true };
        var launchClass = new Option<string?>("--class")
        {
            Description = "What flew, as sensors judge it: unknown (the default, weighed like a ballistic missile), ballistic, slv, soundingRocket " +
                          "or cruise. An unnotified cruise missile raises no alarm unless it came down across a boundary.",
        };
        launchClass.AcceptOnlyFromAmong(ClassNames);
        var source = new Option<string?>("--source") { Description = "Who or what saw it (operator name, detection feed)." };
        var comment = new Option<string?>("--comment") { Description = "Anything else worth keeping with the record." };
        var id = new Option<Guid?>("--id") { Description = "An id of your own, so that sending the same launch again records it once." };
        var url = CommonOptions.Url();
        var tokenFile = CommonOptions.TokenFile();
        var json = new Option<bool>("--json") { Description = "Print the verdict as JSON." };
        var lang = CommonOptions.Lang();
        var timeZone = CommonOptions.TimeZone();
        var command = new Command("record", "Record an observed launch; raises LAUNCH_WITHOUT_NOTIFICATION (critical) if no notification covers it.")
        {
            at, lat, lon, impactLat, impactLon, attributed, launchClass, source, comment, id, url, tokenFile, json, lang, timeZone,
        };
        command.Validators.Add(result =>
        {
            if ((result.GetValue(impactLat) is null) != (result.GetValue(impactLon) is null))
                result.AddError("Give both --impact-lat and --impact-lon, or neither.");
        });
        command.SetAction((parse, ct) => CommonOptions.Guard(async () =>
        {
            var rendering = CommonOptions.Rendering(parse, lang, timeZone);
            GeoArg? impact = parse.GetValue(impactLat) is { } ilat && parse.GetValue(impactLon) is { } ilon ? new GeoArg(ilat, ilon) : null;
            var request = RecordRequest(parse.GetValue(at)!, new GeoArg(parse.GetValue(lat), parse.GetValue(lon)), impact,
                parse.GetValue(attributed)!, parse.GetValue(source), parse.GetValue(comment), parse.GetValue(id), parse.GetValue(launchClass));
            using var client = CommonOptions.Client(parse, url, tokenFile);
            var (status, body) = await client.PostAsync("/v1/observed-launches", Encoding.UTF8.GetBytes(request.ToJsonString()), ct);
            var output = console ?? AnsiConsole.Console;
            if (status == 400)
            {
                output.MarkupLine($"[red]NOT RECORDED[/] {Markup.Escape(PublisherClient.Describe(status, body))}");
                ErrorTable.Write(output, ErrorTable.Errors, Views.Errors(body?["errors"]), Color.Red, rendering);
                return ExitCodes.Invalid;
            }
            if (status is not (200 or 201))
                throw PublisherClient.Refusal(status, body, rendering);
            if (parse.GetValue(json))
                RawOutput.Line(output, body!.ToJsonString(Indented));
            else
                RenderVerdict(output, body!, alreadyRecorded: status == 200, rendering);
            return ExitCodes.Ok;
        }, console));
        return command;
    }

    private static Command ListCommand(IAnsiConsole? console)
    {
        var limit = new Option<int>("--limit") { Description = "How many of the most recently recorded.", DefaultValueFactory = _ => 20 };
        var url = CommonOptions.Url();
        var tokenFile = CommonOptions.TokenFile();
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var lang = CommonOptions.Lang();
        var timeZone = CommonOptions.TimeZone();
        var command = new Command("list", "List recorded launches, newest first, with their verdicts.") { limit, url, tokenFile, json, lang, timeZone };
        command.SetAction((parse, ct) => CommonOptions.Guard(async () =>
        {
            var rendering = CommonOptions.Rendering(parse, lang, timeZone);
            using var client = CommonOptions.Client(parse, url, tokenFile);
            var (status, body) = await client.GetAsync($"/v1/observed-launches?limit={parse.GetValue(limit)}", ct);
            if (status != 200)
                throw PublisherClient.Refusal(status, body, rendering);
            var output = console ?? AnsiConsole.Console;
            if (parse.GetValue(json))
                RawOutput.Line(output, body!.ToJsonString(Indented));
            else
                RenderList(output, body!.AsArray(), rendering);
            return ExitCodes.Ok;
        }, console));
        return command;
    }

    public sealed record GeoArg(double Lat, double Lon);

    /// <summary>The classes <c>POST /v1/observed-launches</c> takes in <c>"class"</c>.</summary>
    public static readonly string[] ClassNames = ["unknown", "ballistic", "slv", "soundingRocket", "cruise"];

    /// <summary>The body of <c>POST /v1/observed-launches</c>; the publisher checks every value and says what is wrong.</summary>
    public static JsonObject RecordRequest(string at, GeoArg launch, GeoArg? impact, string attributed, string? source, string? comment, Guid? id,
        string? launchClass = null)
    {
        var request = new JsonObject
        {
            ["at"] = at,
            ["launchPoint"] = new JsonObject { ["lat"] = launch.Lat, ["lon"] = launch.Lon },
            ["attributedCentre"] = attributed.Trim().ToUpperInvariant(),
        };
        if (impact is not null)
            request["impactPoint"] = new JsonObject { ["lat"] = impact.Lat, ["lon"] = impact.Lon };
        if (launchClass is not null)
            request["class"] = launchClass;
        if (source is not null)
            request["source"] = source;
        if (comment is not null)
            request["comment"] = comment;
        if (id is not null)
            request["id"] = id.Value.ToString("D");
        return request;
    }

    /// <summary>A recorded launch's verdict for a person, in the reader's language (<c>cli.launches.*</c>) and zone.</summary>
    public static void RenderVerdict(IAnsiConsole console, JsonNode view, bool alreadyRecorded = false, Presentation.Rendering? rendering = null)
    {
        var r = rendering ?? Presentation.Rendering.EnglishUtc;
        var code = view["class"]?.ToString() is { Length: > 0 } c ? c : "unknown";
        var kind = r.Glossary.TryText($"cli.launches.kind.{code}", r.Language, out var k) ? k : $"{code} {r.Text("cli.launches.kind.unknown")}";
        var what = r.Text("cli.launches.what", kind, view["id"]?.ToString() ?? "-",
            view["attributedCentre"]?.ToString() ?? "-", CommonOptions.When(r, view["at"]?.ToString()));
        if (alreadyRecorded)
            console.MarkupLine($"[grey]{Markup.Escape(r.Text("cli.launches.alreadyRecorded"))}[/]");
        if (view["covered"]?.GetValue<bool>() == true)
        {
            console.MarkupLine($"[green]{Markup.Escape(r.Text("cli.launches.verdict.covered"))}[/] {Markup.Escape(what)}");
            Notices(console, r, "coveredBy", view["coveredBy"]);
        }
        else if (view["alarmId"] is null)
        {
            console.MarkupLine($"[yellow]{Markup.Escape(r.Text("cli.launches.verdict.noAlarm"))}[/] {Markup.Escape(what)}");
            if (view["note"]?.ToString() is { Length: > 0 } note)
                console.MarkupLine(Markup.Escape(note));
        }
        else
        {
            console.MarkupLine($"[bold red]{Markup.Escape(r.Text("cli.launches.verdict.withoutNotification"))}[/] {Markup.Escape(what)}: " +
                Markup.Escape(r.Text("cli.launches.alarm", view["alarmId"]?.ToString() ?? "-")));
            Notices(console, r, "nearest", view["nearMisses"]);
            Notices(console, r, "afterLaunch", view["notifiedAfterLaunch"]);
            if (view["note"]?.ToString() is { Length: > 0 } note)
                console.MarkupLine($"[yellow]{Markup.Escape(note)}[/]");
        }
        if (view["impactNote"]?.ToString() is { Length: > 0 } impactNote)
            console.MarkupLine($"[bold red]{Markup.Escape(impactNote)}[/]");
    }

    /// <summary>Recorded launches as a table, headings and verdicts in the reader's language, times in the reader's zone.</summary>
    public static void RenderList(IAnsiConsole console, JsonArray launches, Presentation.Rendering? rendering = null)
    {
        var r = rendering ?? Presentation.Rendering.EnglishUtc;
        if (launches.Count == 0)
        {
            console.MarkupLine(Markup.Escape(r.Text("cli.launches.none")));
            return;
        }
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn(new TableColumn(r.Text("cli.launches.col.launched")).NoWrap()).AddColumn(r.Text("cli.launches.col.centre"))
            .AddColumn(r.Text("cli.launches.col.class")).AddColumn(r.Text("cli.launches.col.from")).AddColumn(r.Text("cli.launches.col.to"))
            .AddColumn(r.Text("cli.launches.col.verdict")).AddColumn(r.Text("cli.launches.col.source"))
            .AddColumn(new TableColumn(r.Text("cli.launches.col.id")).NoWrap());
        foreach (var l in launches)
        {
            var verdict = l!["covered"]?.GetValue<bool>() == true
                ? $"[green]{Markup.Escape(r.Text("cli.launches.list.coveredBy", string.Join(", ", l["coveredBy"]!.AsArray().Select(n => n!["messageId"]!.ToString()))))}[/]"
                : l["alarmId"] is null
                ? $"[yellow]{Markup.Escape(r.Text("cli.launches.list.noAlarm"))}[/]"
                : $"[bold red]{Markup.Escape(r.Text("cli.launches.list.notNotified", l["alarmId"]!.ToString()))}[/]" +
                  (l["impactNote"] is null ? "" : $" [bold red]{Markup.Escape(r.Text("cli.launches.list.impactAcross"))}[/]") +
                  (l["notifiedAfterLaunch"]?.AsArray().Count > 0 ? $" [yellow]{Markup.Escape(r.Text("cli.launches.list.notifiedAfter"))}[/]" : "");
            table.AddRow(new Text(CommonOptions.When(r, l["at"]?.ToString())), new Text(l["attributedCentre"]!.ToString()),
                new Text(LaunchClass(r, l["class"]?.ToString())), new Text(Point(l["launchPoint"])),
                new Text(Point(l["impactPoint"])), new Markup(verdict), new Text(l["source"]?.ToString() ?? "-"), new Text(l["id"]!.ToString()));
        }
        console.Write(table);
    }

    /// <summary>An observed launch's class code (<see cref="ClassNames"/>) in the reader's words; absent is "unknown".</summary>
    private static string LaunchClass(Presentation.Rendering r, string? code) =>
        r.Code("launchClass", string.IsNullOrEmpty(code) ? "unknown" : code);

    private static void Notices(IAnsiConsole console, Presentation.Rendering r, string title, JsonNode? notices)
    {
        if (notices is not JsonArray list || list.Count == 0)
            return;
        var table = new Table().Border(TableBorder.Rounded).Title($"[bold]{Markup.Escape(r.Text($"cli.launches.notices.{title}"))}[/]")
            .AddColumn(r.Text("cli.launches.notices.col.notice")).AddColumn(r.Text("cli.launches.notices.col.agreement"))
            .AddColumn(r.Text("cli.launches.notices.col.window")).AddColumn(r.Text("cli.launches.notices.col.knownFrom"))
            .AddColumn(r.Text("cli.launches.notices.col.why"));
        foreach (var n in list)
        {
            // In English the node's sentence; in the other languages the glossary's, from the finding's arguments (with
            // their figures in the reader's numbers, durations and zone), else the code's name.
            var reasons = (n!["misses"]?.AsArray() ?? []).Concat(n["notes"]?.AsArray() ?? [])
                .Select(f => r.Language == Presentation.Language.En
                    ? $"{f!["code"]}: {f["message"]}"
                    : r.CoverageFinding(f!["code"]?.ToString() ?? "", f["message"]?.ToString(), Arguments(f["args"])));
            table.AddRow(new Text(n["messageId"]!.ToString()), new Text(n["agreementId"]!.ToString()),
                new Text($"{CommonOptions.When(r, n["windowStart"]?.ToString())} .. {CommonOptions.When(r, n["windowEnd"]?.ToString())}"),
                new Text(CommonOptions.When(r, n["knownAt"]?.ToString())), new Text(string.Join("\n", reasons)));
        }
        console.Write(table);
    }

    /// <summary>A finding's <c>args</c> (an object of texts), or null where it has none or they are not that shape.</summary>
    private static Dictionary<string, string>? Arguments(JsonNode? args) =>
        args is JsonObject o && o.All(p => p.Value is JsonValue v && v.TryGetValue<string>(out _))
            ? o.ToDictionary(p => p.Key, p => p.Value!.GetValue<string>(), StringComparer.Ordinal)
            : null;

    private static string Point(JsonNode? p) => p is null ? "-" : $"{p["lat"]},{p["lon"]}";
}
