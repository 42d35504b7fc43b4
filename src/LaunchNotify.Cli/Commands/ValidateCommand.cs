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

/// <summary>
/// <c>launchnotify validate FILE [--agreement ID] [--at INSTANT] [--original FILE | --store STORE] [--json]</c>: schema
/// first, then the agreement's rules. A follow-up (amendment, cancellation, post-launch report) is checked against its
/// original when one is given; without one the reference is reported as not checked (a finding), not as an error.
/// </summary>
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
        var original = new Option<FileInfo?>("--original")
        {
            Description = "For an amendment, cancellation or post-launch report: the pre-notification it refers to (a JSON file, or an example wrapper).",
        };
        var store = NodeStoreOptions.Store();
        store.Description = "For a follow-up: read its original (and the amendments already made) from this node store, sqlite:PATH or postgres:CONNECTION-STRING.";
        var lang = CommonOptions.Lang();
        var timeZone = CommonOptions.TimeZone();
        var command = new Command("validate", "Check a message against the agreed schemas and its agreement's rules.")
        {
            file, agreement, at, side, agreementsDir, original, store, json, lang, timeZone,
        };
        command.SetAction((parse, ct) => CommonOptions.Guard(async () =>
        {
            var rendering = CommonOptions.Rendering(parse, lang, timeZone);
            PreNotification? known = null;
            if (parse.GetValue(original) is { } originalFile)
                known = ReadOriginal(originalFile);
            else if (parse.GetValue(store) is not null)
                known = await OriginalStore.FindAsync(NodeStoreOptions.Resolve(parse, store, NodeStoreOptions.Config()).Store, parse.GetValue(file)!, ct);
            return Run(parse.GetValue(file)!, parse.GetValue(agreement), parse.GetValue(at), parse.GetValue(side)!, parse.GetValue(agreementsDir),
                parse.GetValue(json), known, referenceSource: parse.GetValue(original) is not null || parse.GetValue(store) is not null, rendering);
        }));
        return command;
    }

    private static PreNotification ReadOriginal(FileInfo file)
    {
        if (!file.Exists)
            throw new CliException($"No original at {file.FullName}: give the pre-notification the follow-up refers to.");
        var bytes = Unwrap(File.ReadAllBytes(file.FullName));
        var parse = MessageParser.Parse(bytes);
        if (parse.Message is null)
            throw new CliException($"--original {file.Name} is not a valid message: {string.Join("; ", parse.Errors.Select(e => $"{e.Code} at '{e.Path}'"))}.");
        return parse.Message as PreNotification
            ?? throw new CliException($"--original {file.Name} is not a pre-notification; give the pre-notification the follow-up refers to.");
    }

    private static int Run(FileInfo file, string? agreementOverride, string? atText, string sideText, DirectoryInfo? agreementsDir, bool asJson,
        PreNotification? original, bool referenceSource, Presentation.Rendering rendering)
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
        var result = Validate(bytes, agreementOverride, at, evaluatingSide, agreementsDir is null ? AgreementCatalog.Default : AgreementCatalog.FromDirectory(agreementsDir.FullName),
            original, referenceSource);

        if (asJson)
        {
            Console.WriteLine(JsonSerializer.Serialize(new { valid = result.Errors.Count == 0, stage = result.Stage, errors = result.Errors, findings = result.Findings },
                WireJson.IndentedOptions));
        }
        else if (result.Errors.Count == 0)
        {
            console.MarkupLine($"[green]VALID[/] {Markup.Escape(result.Summary ?? file.Name)}");
            ErrorTable.Write(console, ErrorTable.FindingsNoted, result.Findings, Color.Yellow, rendering);
        }
        else
        {
            console.MarkupLine($"[red]INVALID[/] {Markup.Escape(file.Name)}: {result.Errors.Count} error(s) at the {result.Stage} stage");
            ErrorTable.Write(console, ErrorTable.Errors, result.Errors, Color.Red, rendering);
            ErrorTable.Write(console, ErrorTable.Findings, result.Findings, Color.Yellow, rendering);
        }
        return result.Errors.Count == 0 ? ExitCodes.Ok : ExitCodes.Invalid;
    }

    public sealed record Outcome(string Stage, IReadOnlyList<ValidationError> Errors, IReadOnlyList<ValidationError> Findings, string? Summary);

    /// <summary>The one total parse (JSON, schema, content), then (only if it gives a message) the agreement's rules.</summary>
    public static Outcome Validate(byte[] bytes, string? agreementOverride, Instant at, EvaluatingSide side, IAgreementSource agreements,
        PreNotification? original = null, bool referenceSource = false)
    {
        var parse = MessageParser.Parse(bytes);
        if (parse.Message is not { } message)
            return new Outcome(parse.StageName, parse.Errors, [], null);

        var agreementId = agreementOverride is null ? message.AgreementId : AgreementId.TryParse(agreementOverride, out var id) ? id : (AgreementId?)null;
        if (agreementId is null || !agreements.TryGet(agreementId.Value, out var agreement))
            return new Outcome("rules", [new ValidationError("AGREEMENT_UNKNOWN", "cli/agreements", "/agreementId",
                $"Unknown agreement '{agreementOverride ?? message.AgreementId.Value}'. List the known ones with 'launchnotify agreements'.")], [], null);

        var outcome = new AgreementRules().Evaluate(message, agreement, side, side == EvaluatingSide.Sender ? message.Sender : message.Recipients[0].Centre, at, original);
        var summary = $"{message.Kind.WireName()} {message.MessageId} under {agreement.Id}: {message.Sender} → {string.Join(", ", message.Recipients.Select(r => r.Centre))}";
        var errors = outcome.Errors.ToList();
        var findings = outcome.Findings.ToList();
        if (original is null && message.RelatesTo() is { } reference)
        {
            // Without its original a follow-up's reference cannot be checked: say so, do not call the message invalid.
            var unknown = errors.Where(e => e.Code is RuleCodes.AmendmentOriginalUnknown or RuleCodes.CancellationOriginalUnknown or RuleCodes.PostLaunchOriginalUnknown).ToList();
            errors.RemoveAll(unknown.Contains);
            var hint = referenceSource
                ? "the store holds no pre-notification with that id"
                : "give it with --original FILE or --store STORE to check the reference and the amended launch";
            findings.Add(new ValidationError(ReferenceUnchecked, "cli/validate", unknown.FirstOrDefault()?.Path ?? "",
                $"The original {reference} was not available, so the reference was not checked: {hint}."));
        }
        return new Outcome("rules", errors, findings, summary);
    }

    /// <summary>The finding <c>validate</c> gives a follow-up checked without its original.</summary>
    public const string ReferenceUnchecked = "REFERENCE_NOT_CHECKED";

    /// <summary>The shipped examples wrap their document with a description and the expected errors.</summary>
    public static byte[] Unwrap(byte[] bytes)
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
