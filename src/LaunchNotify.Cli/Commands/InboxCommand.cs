using System.CommandLine;
using LaunchNotify.Presentation;
using Spectre.Console;

namespace LaunchNotify.Cli.Commands;

/// <summary><c>launchnotify inbox [--url] [--limit N] [--all] [--lang L] [--tz ZONE]</c>: what this centre received, its verdict on each, and who acknowledged it.</summary>
public static class InboxCommand
{
    public static Command Create()
    {
        var url = CommonOptions.Url();
        var tokenFile = CommonOptions.TokenFile();
        var limit = new Option<int>("--limit") { Description = "How many of the most recent messages.", DefaultValueFactory = _ => 20 };
        var all = new Option<bool>("--all") { Description = "Include receipts and heartbeats." };
        var lang = CommonOptions.Lang();
        var timeZone = CommonOptions.TimeZone();
        var command = new Command("inbox", "List messages received from counterpart centres, newest first.") { url, tokenFile, limit, all, lang, timeZone };
        command.SetAction((parse, ct) => CommonOptions.Guard(async () =>
        {
            var r = CommonOptions.Rendering(parse, lang, timeZone);
            using var client = CommonOptions.Client(parse, url, tokenFile);
            var (status, body) = await client.GetAsync($"/v1/inbox?limit={parse.GetValue(limit)}&all={(parse.GetValue(all) ? "true" : "false")}", ct);
            if (status != 200)
                throw PublisherClient.Refusal(status, body, r);
            var table = new Table().Border(TableBorder.Rounded);
            foreach (var column in new[] { "id", "received", "from", "kind", "agreement", "sequence", "verdict", "acknowledged", "details" })
                table.AddColumn(Markup.Escape(r.Text("inbox.col." + column)));
            foreach (var m in body!.AsArray())
            {
                var outcome = m!["outcome"]!.GetValue<string>();
                var verdict = Markup.Escape(r.Code(GlossaryCategories.ReceiptOutcome, outcome));
                // When a duty officer read it (and who), or by when one must.
                var acknowledged = m["acknowledgedAt"] is { } at ? $"{CommonOptions.When(r, at.ToString())} {m["acknowledgedBy"]}"
                    : m["acknowledgeDueAt"] is { } due ? $"→ {CommonOptions.When(r, due.ToString())}" : "-";
                table.AddRow(new Text(m["messageId"]!.ToString()[..8]), new Text(CommonOptions.When(r, m["receivedAt"]?.ToString())), new Text(m["sender"]!.ToString()),
                    new Text(r.Code(GlossaryCategories.MessageKind, m["kind"]?.ToString())),
                    new Text(m["agreementId"]?.ToString() ?? "-"), new Text(m["sequence"]?.ToString() ?? "-"),
                    new Markup(outcome == "accepted" ? $"[green]{verdict}[/]" : $"[red]{verdict}[/]"), new Text(acknowledged),
                    new Text(string.Join("; ", Views.Errors(m["details"]).Select(r.Finding))));
            }
            AnsiConsole.Write(table);
            return ExitCodes.Ok;
        }));
        return command;
    }
}
