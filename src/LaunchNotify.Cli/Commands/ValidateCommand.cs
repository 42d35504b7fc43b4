using System.CommandLine;
using System.Text.Json;
using LaunchNotify.Domain.Agreements;
using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Rules;
using LaunchNotify.Domain.Validation;
using LaunchNotify.Domain.Values;
using LaunchNotify.Protocol.Agreements;
using LaunchNotify.Protocol.Json;
using NodaTime;
using NodaTime.Text;
using Spectre.Console;

namespace LaunchNotify.Cli.Commands;

/// <summary><c>launchnotify validate FILE [--agreement ID] [--at INSTANT] [--json]</c>: schema first, then the agreement's rules.</summary>
public static class ValidateCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "A message as JSON (or a schemas/examples wrapper with a \"document\")." };
        var agreement = new Option<string?>("--agreement") { Description = "Check under this agreement instead of the message's agreementId." };
        var at = new Option<string?>("--at") { Description = "Evaluate lead time as of this instant (e.g. 2026-05-01T12:00:00Z); default: now." };
        var side = new Option<string>("--side") { Description = "sender (late is an error) or receiver (late is a finding).", DefaultValueFactory = _ => "sender" };
        var agreementsDir = new Option<DirectoryInfo?>("--agreements-dir") { Description = "Load agreements from this folder instead of the reference set." };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        var command = new Command("validate", "Check a message against the agreed schemas and its agreement's rules.") { file, agreement, at, side, agreementsDir, json };
        command.SetAction(parse => Run(parse.GetValue(file)!, parse.GetValue(agreement), parse.GetValue(at), parse.GetValue(side)!, parse.GetValue(agreementsDir), parse.GetValue(json)));
        return command;
    }

    private static int Run(FileInfo file, string? agreementOverride, string? atText, string sideText, DirectoryInfo? agreementsDir, bool asJson)
    {
        var console = AnsiConsole.Console;
        if (!file.Exists)
            return Fail(console, $"No such file: {file.FullName}");
        Instant at;
        if (atText is null)
            at = SystemClock.Instance.GetCurrentInstant();
        else if (InstantPattern.ExtendedIso.Parse(atText) is { Success: true } parsed
                 && parsed.Value >= MessageContentReader.Earliest && parsed.Value < MessageContentReader.Latest)
            at = parsed.Value;
        else
            return Fail(console, $"--at '{atText}' is not an instant like 2026-05-01T12:00:00Z (from 2000 up to 2200).");
        if (sideText is not ("sender" or "receiver"))
            return Fail(console, "--side must be 'sender' or 'receiver'.");
        var evaluatingSide = sideText == "sender" ? EvaluatingSide.Sender : EvaluatingSide.Receiver;

        byte[] bytes;
        try
        {
            bytes = Unwrap(File.ReadAllBytes(file.FullName));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fail(console, $"Cannot read {file.FullName}: {e.Message}");
        }
        var result = Validate(bytes, agreementOverride, at, evaluatingSide, agreementsDir is null ? AgreementCatalog.Default : AgreementCatalog.FromDirectory(agreementsDir.FullName));

        if (asJson)
        {
            Console.WriteLine(JsonSerializer.Serialize(new { valid = result.Errors.Count == 0, stage = result.Stage, errors = result.Errors, findings = result.Findings },
                WireJson.IndentedOptions));
        }
        else if (result.Errors.Count == 0)
        {
            console.MarkupLine($"[green]VALID[/] {Markup.Escape(result.Summary ?? file.Name)}");
            ErrorTable.Write(console, "Findings (noted, not refused)", result.Findings, Color.Yellow);
        }
        else
        {
            console.MarkupLine($"[red]INVALID[/] {Markup.Escape(file.Name)}: {result.Errors.Count} error(s) at the {result.Stage} stage");
            ErrorTable.Write(console, "Errors", result.Errors, Color.Red);
            ErrorTable.Write(console, "Findings", result.Findings, Color.Yellow);
        }
        return result.Errors.Count == 0 ? ExitCodes.Ok : ExitCodes.Invalid;
    }

    public sealed record Outcome(string Stage, IReadOnlyList<ValidationError> Errors, IReadOnlyList<ValidationError> Findings, string? Summary);

    /// <summary>The one total parse (JSON, schema, content), then (only if it gives a message) the agreement's rules.</summary>
    public static Outcome Validate(byte[] bytes, string? agreementOverride, Instant at, EvaluatingSide side, IAgreementSource agreements)
    {
        var parse = MessageParser.Parse(bytes);
        if (parse.Message is not { } message)
            return new Outcome(parse.StageName, parse.Errors, [], null);

        var agreementId = agreementOverride is null ? message.AgreementId : AgreementId.TryParse(agreementOverride, out var id) ? id : (AgreementId?)null;
        if (agreementId is null || !agreements.TryGet(agreementId.Value, out var agreement))
            return new Outcome("rules", [new ValidationError("AGREEMENT_UNKNOWN", "cli/agreements", "/agreementId",
                $"Unknown agreement '{agreementOverride ?? message.AgreementId.Value}'. List the known ones with 'launchnotify agreements'.")], [], null);

        var outcome = new AgreementRules().Evaluate(message, agreement, side, side == EvaluatingSide.Sender ? message.Sender : message.Recipients[0].Centre, at, null);
        var summary = $"{message.Kind.WireName()} {message.MessageId} under {agreement.Id}: {message.Sender} → {string.Join(", ", message.Recipients.Select(r => r.Centre))}";
        return new Outcome("rules", outcome.Errors, outcome.Findings, summary);
    }

    /// <summary>The shipped examples wrap their document with a description and the expected errors.</summary>
    private static byte[] Unwrap(byte[] bytes)
    {
        // Anything that is not a wrapper (not even JSON) is checked as it is: the parse reports it with its code.
        if (!JsonText.TryParse(bytes, out var document, out _))
            return bytes;
        using (document)
        {
            var root = document!.RootElement;
            return root.ValueKind == JsonValueKind.Object && root.TryGetProperty("expect", out _)
                   && root.TryGetProperty("document", out var inner) && inner.ValueKind == JsonValueKind.Object
                ? System.Text.Encoding.UTF8.GetBytes(inner.GetRawText())
                : bytes;
        }
    }

    private static int Fail(IAnsiConsole console, string message)
    {
        console.MarkupLine($"[red]error:[/] {Markup.Escape(message)}");
        return ExitCodes.Failed;
    }
}
