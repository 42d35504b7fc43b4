using System.Collections.Immutable;
using LaunchNotify.Domain.Validation;

namespace LaunchNotify.Node.Inbox;

/// <summary>
/// Reasons and findings cut to what <c>receipt.schema.json</c> allows (at most 100, code ≤ 64 in upper case, rule ≤ 200,
/// path ≤ 500, message 1..2000, args within their bounds or dropped), so that a receipt about hostile content (a 5,000-character property name, a thousand
/// schema errors) is still a receipt the sender accepts.
/// </summary>
public static class ReceiptReasons
{
    public const int MaxItems = 100;

    public static IReadOnlyList<ValidationError> Fit(IReadOnlyList<ValidationError> errors) =>
        errors.Count == 0 ? errors : errors.Take(MaxItems).Select(Fit).ToList();

    private static ValidationError Fit(ValidationError e) => new(
        IsCode(e.Code) ? e.Code : "INVALID",
        Cut(e.Rule.Length == 0 ? "unknown" : e.Rule, 200),
        Cut(e.Path, 500),
        Cut(e.Message.Length == 0 ? e.Code : e.Message, 2000))
    {
        Args = Fit(e.Args),
    };

    /// <summary>Arguments within the schema's bounds (24 names of the form <c>^[a-z][A-Za-z0-9]*$</c> up to 32, values up to 500), or none.</summary>
    private static ImmutableSortedDictionary<string, string>? Fit(ImmutableSortedDictionary<string, string>? args) =>
        args is null || args.Count > 24 || args.Keys.Any(k => k.Length is 0 or > 32 || !char.IsAsciiLetterLower(k[0]) || !k.All(char.IsAsciiLetterOrDigit))
            ? null
            : args.Values.Any(v => v.Length > 500) ? args.ToImmutableSortedDictionary(a => a.Key, a => Cut(a.Value, 500), StringComparer.Ordinal) : args;

    private static bool IsCode(string code) =>
        code.Length is > 0 and <= 64 && char.IsAsciiLetterUpper(code[0]) && code.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c == '_');

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
