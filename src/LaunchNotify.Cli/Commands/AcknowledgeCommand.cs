using System.CommandLine;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace LaunchNotify.Cli.Commands;

/// <summary>
/// <c>launchnotify acknowledge ID [--from CC] [--url] [--json]</c>: a duty officer has read a received notification. The
/// centre records the signed-in account and sends its signed acknowledgement back to the sender.
/// </summary>
public static class AcknowledgeCommand
{
    public static Command Create()
    {
        var id = new Argument<string>("id") { Description = "The received message's id, or its first 8 (or more) hex digits as 'launchnotify inbox' shows them." };
        var from = new Option<string?>("--from") { Description = "The sending centre (e.g. RU), when two centres' messages share the id or prefix." };
        var url = CommonOptions.Url();
        var tokenFile = CommonOptions.TokenFile();
        var json = new Option<bool>("--json") { Description = "Print the raw answer." };
        var command = new Command("acknowledge", "Acknowledge a received notification as read by a person (duty officer); the sender is told.") { id, from, url, tokenFile, json };
        command.SetAction((parse, ct) => CommonOptions.Guard(async () =>
        {
            using var client = CommonOptions.Client(parse, url, tokenFile);
            var (sender, messageId) = await ResolveAsync(client, parse.GetValue(id)!, parse.GetValue(from), ct);
            var (status, body) = await client.PostAsync($"/v1/inbox/{sender}/{messageId}/acknowledge", [], ct);
            if (status != 200)
                throw PublisherClient.Refusal(status, body);
            if (parse.GetValue(json))
            {
                Console.WriteLine(body!.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
                return ExitCodes.Ok;
            }
            var again = body!["outcome"]?.GetValue<string>() == "already-acknowledged";
            AnsiConsole.MarkupLine(Markup.Escape(again
                ? $"{body["kind"]} {messageId} from {sender} was already acknowledged by {body["acknowledgedBy"]} at {body["acknowledgedAt"]}; that acknowledgement stands."
                : $"Acknowledged {body["kind"]} {messageId} from {sender} at {body["acknowledgedAt"]} as {body["acknowledgedBy"]}; " +
                  $"acknowledgement {body["acknowledgementMessageId"]} is on its way to {sender}."));
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>A full id or a prefix, against the centre's most recent received messages; the sender comes from that list unless given.</summary>
    private static async Task<(string Sender, Guid Id)> ResolveAsync(PublisherClient client, string text, string? from, CancellationToken ct)
    {
        var sender = from?.Trim().ToUpperInvariant();
        if (sender is not null && !Domain.Values.CentreCode.IsValid(sender))
            throw new CliException($"--from '{from}' is not a centre code: give two letters, e.g. --from RU.");
        var full = MessageIdText.Full(text);
        if (full is { } known && sender is not null)
            return (sender, known);
        if (full is null)
            MessageIdText.Prefix(text);
        const int recent = 1000;
        var (status, list) = await client.GetAsync($"/v1/inbox?limit={recent}", ct);
        if (status != 200)
            throw PublisherClient.Refusal(status, list);
        var received = (list as JsonArray ?? [])
            .Select(m => (Sender: m?["sender"]?.ToString() ?? "", Id: Guid.TryParse(m?["messageId"]?.ToString(), out var g) ? g : Guid.Empty))
            .Where(m => m.Id != Guid.Empty && (sender is null || m.Sender == sender))
            .ToList();
        var where = $"the {recent} most recent messages received by the centre at {client.BaseUrl}" + (sender is null ? "" : $" from {sender}");
        var messageId = full ?? MessageIdText.Resolve(text, received.Select(m => m.Id), where);
        var senders = received.Where(m => m.Id == messageId).Select(m => m.Sender).Distinct().ToList();
        return senders.Count switch
        {
            1 => (senders[0], messageId),
            0 => throw new CliException($"No message {messageId} among {where}; list them with 'launchnotify inbox'."),
            _ => throw new CliException($"Message {messageId} came from {string.Join(" and ", senders)}; say which with --from."),
        };
    }
}
