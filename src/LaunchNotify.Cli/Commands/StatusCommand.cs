using System.CommandLine;
using System.Text.Json.Nodes;
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
        var command = new Command("status", "Show a sent message's status per recipient: accepted, published, confirmed or rejected, and when it was delivered, confirmed and read by a person.") { id, url, tokenFile, json };
        command.SetAction((parse, ct) => CommonOptions.Guard(async () =>
        {
            using var client = CommonOptions.Client(parse, url, tokenFile);
            var messageId = await ResolveAsync(client, parse.GetValue(id)!, ct);
            var (status, body) = await client.GetAsync($"/v1/notifications/{messageId}", ct);
            if (status == 404)
                throw new CliException($"Centre at {client.BaseUrl} has sent no message {messageId}.");
            if (status != 200)
                throw PublisherClient.Refusal(status, body);
            if (parse.GetValue(json))
                Console.WriteLine(body?.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
            else
                Show(body!);
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

    public static void Show(JsonNode view)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"{view["kind"]} {view["messageId"]} under {view["agreementId"]}")
            .AddColumn("recipient").AddColumn("seq").AddColumn("status").AddColumn("delivered").AddColumn("confirmed").AddColumn("read by a person").AddColumn("details");
        foreach (var r in view["recipients"]!.AsArray())
        {
            var status = r!["status"]!.GetValue<string>();
            var color = status switch { "confirmed" => "green", "rejected" => "red", _ => "yellow" };
            var details = string.Join("; ", Views.Errors(r["reasons"]).Concat(Views.Errors(r["findings"])).Select(e => $"{e.Code}: {e.Message}"));
            // Three separate stages, each with its instant (delivered: the broker took it; confirmed: the signed receipt;
            // read by a person: the signed acknowledgement of a duty officer there).
            var stages = (r["stages"] as JsonArray ?? []).ToDictionary(s => s!["stage"]!.ToString(), s => s!["at"]!.ToString());
            table.AddRow(new Text(r["centre"]!.ToString()), new Text(r["sequence"]!.ToString()), new Markup($"[{color}]{status}[/]"),
                new Text(stages.GetValueOrDefault("delivered") ?? "-"), new Text(stages.GetValueOrDefault("confirmed") ?? "-"),
                new Text(stages.GetValueOrDefault("read-by-a-person") ?? "-"), new Text(details));
        }
        AnsiConsole.Write(table);
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
        Show(view!);
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
