using System.CommandLine;
using Spectre.Console;

namespace LaunchNotify.Cli.Commands;

/// <summary><c>launchnotify inbox [--url] [--limit N] [--all]</c>: what this centre received, its verdict on each, and who acknowledged it.</summary>
public static class InboxCommand
{
    public static Command Create()
    {
        var url = CommonOptions.Url();
        var tokenFile = CommonOptions.TokenFile();
        var limit = new Option<int>("--limit") { Description = "How many of the most recent messages.", DefaultValueFactory = _ => 20 };
        var all = new Option<bool>("--all") { Description = "Include receipts and heartbeats." };
        var command = new Command("inbox", "List messages received from counterpart centres, newest first.") { url, tokenFile, limit, all };
        command.SetAction((parse, ct) => CommonOptions.Guard(async () =>
        {
            using var client = CommonOptions.Client(parse, url, tokenFile);
            var (status, body) = await client.GetAsync($"/v1/inbox?limit={parse.GetValue(limit)}&all={(parse.GetValue(all) ? "true" : "false")}", ct);
            if (status != 200)
                throw PublisherClient.Refusal(status, body);
            var table = new Table().Border(TableBorder.Rounded)
                .AddColumn("id").AddColumn("received").AddColumn("from").AddColumn("kind").AddColumn("agreement").AddColumn("seq").AddColumn("verdict")
                .AddColumn("acknowledged").AddColumn("details");
            foreach (var m in body!.AsArray())
            {
                var outcome = m!["outcome"]!.GetValue<string>();
                var acknowledged = m["acknowledgedAt"] is { } at ? $"{at} by {m["acknowledgedBy"]}"
                    : m["acknowledgeDueAt"] is { } due ? $"due by {due}" : "-";
                table.AddRow(new Text(m["messageId"]!.ToString()[..8]), new Text(m["receivedAt"]!.ToString()), new Text(m["sender"]!.ToString()), new Text(m["kind"]!.ToString()),
                    new Text(m["agreementId"]?.ToString() ?? "-"), new Text(m["sequence"]?.ToString() ?? "-"),
                    new Markup(outcome == "accepted" ? "[green]accepted[/]" : "[red]rejected[/]"), new Text(acknowledged),
                    new Text(string.Join("; ", Views.Errors(m["details"]).Select(e => $"{e.Code}: {e.Message}"))));
            }
            AnsiConsole.Write(table);
            return ExitCodes.Ok;
        }));
        return command;
    }
}
