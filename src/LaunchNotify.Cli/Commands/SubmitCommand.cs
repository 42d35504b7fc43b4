using System.CommandLine;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace LaunchNotify.Cli.Commands;

/// <summary>
/// <c>launchnotify submit FILE [--url] [--allow-late] [--wait SECONDS]</c>. Exit 0: accepted (with --wait: every
/// recipient confirmed); 1: malformed or refused (with --wait: a recipient rejected it); 2: could not run (no file, no
/// publisher); 3 (with --wait): accepted, but not every receipt came back in time.
/// </summary>
public static class SubmitCommand
{
    private static readonly Dictionary<string, string> Routes = new()
    {
        ["prenotification"] = "/v1/notifications",
        ["amendment"] = "/v1/amendments",
        ["cancellation"] = "/v1/cancellations",
        ["postlaunch"] = "/v1/postlaunch-reports",
    };

    public static Command Create()
    {
        var file = new Argument<FileInfo>("file")
        {
            Description = "The message draft as JSON (sender, ids, sequence numbers and issue time are filled in by the node), or a complete message such as schemas/examples/valid/*.json.",
        };
        var url = CommonOptions.Url();
        var tokenFile = CommonOptions.TokenFile();
        var allowLate = new Option<bool>("--allow-late") { Description = "Send even if later than the agreement's lead time (the recipient will alarm)." };
        var wait = new Option<int>("--wait") { Description = "Wait up to this many seconds for every recipient's receipt.", DefaultValueFactory = _ => 0 };
        var lang = CommonOptions.Lang();
        var timeZone = CommonOptions.TimeZone();
        var command = new Command("submit", "Submit a pre-notification, amendment, cancellation or post-launch report to this centre's publisher.")
        {
            file, url, tokenFile, allowLate, wait, lang, timeZone,
        };
        command.SetAction((parse, ct) => CommonOptions.Guard(() => RunAsync(parse.GetValue(file)!, CommonOptions.Client(parse, url, tokenFile), parse.GetValue(url)!,
            parse.GetValue(allowLate), parse.GetValue(wait), CommonOptions.Rendering(parse, lang, timeZone), ct)));
        return command;
    }

    private static async Task<int> RunAsync(FileInfo file, PublisherClient client, Uri url, bool allowLate, int waitSeconds, Presentation.Rendering rendering, CancellationToken ct)
    {
        using var _ = client;
        if (!file.Exists)
            throw new CliException($"No such file: {file.FullName}");
        var bytes = ValidateCommand.Unwrap(await File.ReadAllBytesAsync(file.FullName, ct));
        var kind = "prenotification";
        try
        {
            if (JsonNode.Parse(bytes)?["kind"]?.GetValue<string>() is { } k && Routes.ContainsKey(k))
                kind = k;
        }
        catch (Exception)
        {
            // Malformed: the publisher says precisely what is wrong.
        }

        var (status, body) = await client.PostAsync(Routes[kind] + (allowLate ? "?allowLate=true" : ""), bytes, ct);
        var console = AnsiConsole.Console;
        var errors = Views.Errors(body?["errors"]);
        var warnings = Views.Errors(body?["warnings"]);
        if (status is 202 or 200)
        {
            var id = body?["messageId"]?.GetValue<string>();
            console.MarkupLine($"[green]{(status == 202 ? "ACCEPTED" : "ALREADY ACCEPTED")}[/] {kind} {id} → " +
                string.Join(", ", body?["recipients"]?.AsArray().Select(r => $"{r?["centre"]} #{r?["sequence"]}") ?? []));
            ErrorTable.Write(console, ErrorTable.Warnings, warnings, Color.Yellow, rendering);
            if (waitSeconds > 0 && id is not null)
                return await StatusCommand.WaitAndShowAsync(client, Guid.Parse(id), TimeSpan.FromSeconds(waitSeconds), ct);
            console.MarkupLine(Markup.Escape($"Follow it with: launchnotify status {id}{UrlHint(url)}"));
            return ExitCodes.Ok;
        }
        console.MarkupLine($"[red]{(status == 400 ? "MALFORMED" : status == 422 ? "REFUSED" : $"HTTP {status}")}[/] {Markup.Escape(file.Name)}");
        ErrorTable.Write(console, ErrorTable.Errors, errors, Color.Red, rendering);
        ErrorTable.Write(console, ErrorTable.Warnings, warnings, Color.Yellow, rendering);
        return status is 400 or 422 ? ExitCodes.Invalid : ExitCodes.Failed;
    }

    /// <summary>The user's own --url in a suggested command, unless it is the default one.</summary>
    public static string UrlHint(Uri url) => url == PublisherClient.DefaultUrl ? "" : $" --url {url.ToString().TrimEnd('/')}";
}
