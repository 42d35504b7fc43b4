extern alias cli;
using System.Text.Json.Nodes;
using cli::LaunchNotify.Cli.Commands;
using LaunchNotify.Domain.Rules;
using LaunchNotify.Protocol.Agreements;
using LaunchNotify.Tests.Shared;
using NodaTime.Text;

namespace LaunchNotify.Alarms.Tests;

/// <summary>
/// <c>launchnotify validate</c>'s check on every shipped valid example, as its sender at its issue time: valid, follow-ups
/// included (their reference is a finding when the original is not given, never an error).
/// </summary>
public class ValidateExamplesTests
{
    public static TheoryData<string> ValidExamples() =>
        new(Directory.GetFiles(Path.Combine(CliProcess.RepoRoot, "schemas", "examples", "valid"), "*.json").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(ValidExamples))]
    public void ShippedValidExample_ValidatedAsItsSenderAtItsIssueTime_IsValid(string file)
    {
        var bytes = File.ReadAllBytes(Path.Combine(CliProcess.RepoRoot, "schemas", "examples", "valid", file));
        var document = ValidateCommand.Unwrap(bytes);
        var issuedAt = InstantPattern.ExtendedIso.Parse((string)JsonNode.Parse(document)!["issuedAt"]!).Value;

        var outcome = ValidateCommand.Validate(document, null, issuedAt, EvaluatingSide.Sender, AgreementCatalog.Default);

        Assert.True(outcome.Errors.Count == 0, string.Join("; ", outcome.Errors));
    }
}
