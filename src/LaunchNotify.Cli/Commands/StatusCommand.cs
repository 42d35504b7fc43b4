using System.CommandLine;
using System.Text.Json.Nodes;
using LaunchNotify.Presentation;
using Spectre.Console;

namespace LaunchNotify.Cli.Commands;

/// <summary><c>launchnotify status ID [--url] [--json]</c>: where a sent message stands with each recipient.</summary>
public static class StatusCommand
{
    public static Command Create()
    {
        var id = new Argument<string>("id") { Description = "The message id returned by submit, or its first 8 (or more) hex digits as the tables show." };
        var url = CommonOptions.Url();
        var tokenFile = CommonOptions.TokenFile();
        var json = new Option<bool>("--json") { Description = "Print the raw status document." };
        var lang = CommonOptions.Lang();
        var timeZone = CommonOptions.TimeZone();
        var command = new Command("status", "Show a sent message's status per recipient: accepted, published, confirmed or rejected, and when it was delivered, confirmed and read by a person.") { id, url, tokenFile, json, lang, timeZone };
        command.SetAction((parse, ct) => CommonOptions.Guard(async () =>
        {
            var rendering = CommonOptions.Rendering(parse, lang, timeZone);
            using var client = CommonOptions.Client(parse, url, tokenFile);
            var messageId = await ResolveAsync(client, parse.GetValue(id)!, ct);
            var (status, body) = await client.GetAsync($"/v1/notifications/{messageId}", ct);
            if (status == 404)
                throw new CliException($"Centre at {client.BaseUrl} has sent no message {messageId}.");
            if (status != 200)
                throw PublisherClient.Refusal(status, body, rendering);
            if (parse.GetValue(json))
                Console.WriteLine(body?.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
            else
                Show(AnsiConsole.Console, body!, rendering);
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>A full id as is; a prefix against the centre's most recent sent messages (the ones the tables show).</summary>
    private static async Task<Guid> ResolveAsync(PublisherClient client, string text, CancellationToken ct)
    {
        if (MessageIdText.Full(text) is { } id)
            return id;
        MessageIdText.Prefix(text);
        const int recent = 1000;
        var (_, list) = await client.GetAsync($"/v1/notifications?limit={recent}", ct);
        var ids = (list as JsonArray ?? []).Select(m => Guid.TryParse(m?["messageId"]?.ToString(), out var g) ? g : Guid.Empty).Where(g => g != Guid.Empty);
        return MessageIdText.Resolve(text, ids, $"the {recent} most recent messages sent by the centre at {client.BaseUrl}");
    }

    /// <param name="rendering">The reader's language and zone; English and UTC when not given.</param>
    public static void Show(IAnsiConsole console, JsonNode view, Rendering? rendering = null)
    {
        var r = rendering ?? Rendering.EnglishUtc;
        string T(string key) => Markup.Escape(r.Text(key));
        string When(JsonNode? at) => CommonOptions.When(r, at?.ToString());
        var table = new Table().Border(TableBorder.Rounded)
            .Title(Markup.Escape(r.Text("status.title", r.Code(GlossaryCategories.MessageKind, view["kind"]?.ToString()), view["messageId"], view["agreementId"])))
            .AddColumn(T("status.col.recipient")).AddColumn(T("status.col.sequence")).AddColumn(T("status.col.status")).AddColumn(T("status.col.published"))
            .AddColumn(T("status.col.confirmed")).AddColumn(T("status.col.readByPerson")).AddColumn(T("status.col.details"));
        foreach (var recipient in view["recipients"]!.AsArray())
        {
            var status = recipient!["status"]!.GetValue<string>();
            var color = status switch { "confirmed" => "green", "rejected" => "red", _ => "yellow" };
            var details = string.Join("; ", Views.Errors(recipient["reasons"]).Concat(Views.Errors(recipient["findings"])).Select(r.Finding));
            table.AddRow(new Text(recipient["centre"]!.ToString()), new Text(recipient["sequence"]!.ToString()),
                new Markup($"[{color}]{Markup.Escape(r.Code(GlossaryCategories.DeliveryStatus, status))}[/]"),
                new Text(When(recipient["publishedAt"])), new Text(When(recipient["confirmedAt"])),
                // The third stage: a person there read it (the instant of its signed acknowledgement).
                new Text(When(recipient["readByPersonAt"])), new Text(details));
        }
        console.Write(table);
    }

    /// <summary>Polls until every recipient has answered (or the time is up); exit 0 only if all confirmed.</summary>
    public static async Task<int> WaitAndShowAsync(PublisherClient client, Guid id, TimeSpan timeout, CancellationToken ct)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        JsonNode? view = null;
        await AnsiConsole.Status().StartAsync("Waiting for receipts…", async _ =>
        {
            while (waited.Elapsed < timeout)
            {
                var (_, latest) = await client.GetAsync($"/v1/notifications/{id}", ct);
                view = latest;
                if (view?["recipients"]?.AsArray().All(r => r?["status"]?.GetValue<string>() is "confirmed" or "rejected") == true)
                    break;
                await Task.Delay(200, ct);
            }
        });
        Show(AnsiConsole.Console, view!);
        var recipients = view!["recipients"]!.AsArray().Select(r => (Centre: r!["centre"]!.ToString(), Status: r["status"]!.GetValue<string>())).ToList();
        if (recipients.Any(r => r.Status == "rejected"))
            return ExitCodes.Invalid;
        var waiting = recipients.Where(r => r.Status != "confirmed").ToList();
        if (waiting.Count == 0)
            return ExitCodes.Ok;
        var unpublished = waiting.Any(r => r.Status == "accepted");
        AnsiConsole.MarkupLine(Markup.Escape(
            $"No receipt came back within {(int)timeout.TotalSeconds} s from {string.Join(", ", waiting.Select(r => $"{r.Centre} ({r.Status})"))}. " +
            (unpublished
                ? "The publisher holds the message but has not published it: the broker is probably down; it will be sent when the broker is back. "
                : "It was published but not confirmed: the counterpart's subscriber may not be running. ") +
            $"The message is stored and not lost. Check again with: launchnotify status {id}{SubmitCommand.UrlHint(client.BaseUrl)}"));
        return ExitCodes.NotConfirmed;
    }
}
