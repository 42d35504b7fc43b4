using System.Text;
using LaunchNotify.Cli.Commands;
using LaunchNotify.Node.Accounts;
using Spectre.Console;

namespace LaunchNotify.Cli.Demo;

/// <summary>
/// The demo's people acting within their roles (operators submitted above): a duty officer acknowledges an alarm, a
/// compliance officer takes a notification's evidence, and a compliance officer trying to submit is refused (403).
/// </summary>
public static class DemoRoles
{
    /// <summary>Acknowledges the alarm as the duty officer; null when the record names that account, else what went wrong.</summary>
    public static async Task<string?> DutyOfficerAcknowledgesAsync(IAnsiConsole console, PublisherClient dutyOfficer, Guid alarmId, CancellationToken ct)
    {
        try
        {
            var (status, body) = await dutyOfficer.PostAsync($"/v1/alarms/{alarmId}/acknowledge",
                Encoding.UTF8.GetBytes("{\"comment\":\"Gap seen; asking CN to resend.\"}"), ct);
            var by = body?["acknowledgedBy"]?.ToString();
            console.MarkupLine($"[green]✓[/] RU's duty officer acknowledged the alarm: recorded as acknowledged by [bold]{Markup.Escape(by ?? "?")}[/] (from the token, not typed)");
            return status == 200 && by == DemoAccounts.UserName("duty", "RU") ? null : $"HTTP {status}, acknowledged by '{by}'";
        }
        catch (CliException e)
        {
            return e.Message;
        }
    }

    /// <summary>
    /// The recipient's duty officer reads a confirmed notice (acknowledges it through the API); the sender's status then
    /// shows delivered, confirmed and read by a person, each with its instant. Null when it did, else what went wrong.
    /// </summary>
    public static async Task<string?> DutyOfficerReadsNoticeAsync(IAnsiConsole console, DemoAccounts accounts, string sender, string recipient, Guid messageId,
        CancellationToken ct)
    {
        try
        {
            var (status, body) = await accounts.Client(recipient, NodeRoles.DutyOfficer).PostAsync($"/v1/inbox/{sender}/{messageId}/acknowledge", [], ct);
            if (status != 200)
                return $"HTTP {status} acknowledging at {recipient}";
            console.MarkupLine($"[green]✓[/] {recipient}'s duty officer [bold]{Markup.Escape(body?["acknowledgedBy"]?.ToString() ?? "?")}[/] read {sender}'s notice {messageId.ToString()[..8]}; " +
                               "the signed acknowledgement goes back to " + sender);
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (waited.Elapsed < TimeSpan.FromSeconds(30))
            {
                var (_, view) = await accounts.Client(sender, NodeRoles.Operator).GetAsync($"/v1/notifications/{messageId}", ct);
                var delivery = view?["recipients"]?.AsArray().FirstOrDefault(r => r?["centre"]?.ToString() == recipient);
                if (delivery?["readByPersonAt"] is { } read)
                {
                    var stages = delivery["stages"]!.AsArray().Select(s => $"{s!["stage"]} {s["at"]}");
                    console.MarkupLine($"[green]✓[/] {sender} sees it at {recipient}: {Markup.Escape(string.Join(" → ", stages))}");
                    return null;
                }
                await Task.Delay(200, ct);
            }
            return $"{sender} did not see the notice read by a person at {recipient} within 30 s";
        }
        catch (CliException e)
        {
            return e.Message;
        }
    }

    public static async Task<IReadOnlyList<(string Title, string? Failure)>> ShowAsync(IAnsiConsole console, DemoAccounts accounts, (string Centre, Guid MessageId)? sent,
        CancellationToken ct)
    {
        console.Write(new Rule("Who may do what").LeftJustified());
        var checks = new List<(string, string?)>();
        if (sent is { } s)
        {
            var (status, body) = await accounts.Client(s.Centre, NodeRoles.ComplianceOfficer).GetAsync($"/v1/notifications/{s.MessageId}/evidence", ct);
            var receipts = body?["receipts"]?.AsArray().Count;
            console.MarkupLine($"[green]✓[/] {s.Centre}'s compliance officer exported the evidence for {s.MessageId}: HTTP {status}, {receipts ?? 0} signed receipt(s)");
            checks.Add(($"{s.Centre}'s compliance officer reads the evidence bundle", status == 200 ? null : $"HTTP {status}"));
        }
        try
        {
            await accounts.Client("US", NodeRoles.ComplianceOfficer).PostAsync("/v1/notifications", Encoding.UTF8.GetBytes("{}"), ct);
            checks.Add(("US's compliance officer may not submit", "the publisher accepted a submission from a compliance officer"));
        }
        catch (CliException refused)
        {
            console.MarkupLine($"[green]✓[/] US's compliance officer tried to submit a notification and was refused: {Markup.Escape(refused.Message)}");
            checks.Add(("US's compliance officer may not submit (403)", refused.Message.Contains("roles", StringComparison.Ordinal) ? null : refused.Message));
        }
        return checks;
    }
}
