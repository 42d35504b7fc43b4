using System.CommandLine;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace LaunchNotify.Cli.Commands;

/// <summary><c>launchnotify status ID [--url] [--json]</c>: where a sent message stands with each recipient.</summary>
public static class StatusCommand
{
    public static Command Create()
    {
        var id = new Argument<Guid>("id") { Description = "The message id returned by submit." };
        var url = CommonOptions.Url();
        var tokenFile = CommonOptions.TokenFile();
        var json = new Option<bool>("--json") { Description = "Print the raw status document." };
        var command = new Command("status", "Show a sent message's status per recipient: accepted, published, confirmed or rejected.") { id, url, tokenFile, json };
        command.SetAction((parse, ct) => CommonOptions.Guard(async () =>
        {
            using var client = CommonOptions.Client(parse, url, tokenFile);
            var (status, body) = await client.GetAsync($"/v1/notifications/{parse.GetValue(id)}", ct);
            if (status == 404)
                throw new CliException($"Centre at {client.BaseUrl} has sent no message {parse.GetValue(id)}.");
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

    public static void Show(JsonNode view)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"{view["kind"]} {view["messageId"]} under {view["agreementId"]}")
            .AddColumn("recipient").AddColumn("seq").AddColumn("status").AddColumn("published").AddColumn("confirmed").AddColumn("details");
        foreach (var r in view["recipients"]!.AsArray())
        {
            var status = r!["status"]!.GetValue<string>();
            var color = status switch { "confirmed" => "green", "rejected" => "red", _ => "yellow" };
            var details = string.Join("; ", Views.Errors(r["reasons"]).Concat(Views.Errors(r["findings"])).Select(e => $"{e.Code}: {e.Message}"));
            table.AddRow(new Text(r["centre"]!.ToString()), new Text(r["sequence"]!.ToString()), new Markup($"[{color}]{status}[/]"),
                new Text(r["publishedAt"]?.ToString() ?? "-"), new Text(r["confirmedAt"]?.ToString() ?? "-"), new Text(details));
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
        var statuses = view!["recipients"]!.AsArray().Select(r => r!["status"]!.GetValue<string>()).ToList();
        return statuses.All(s => s == "confirmed") ? ExitCodes.Ok : ExitCodes.Invalid;
    }
}
