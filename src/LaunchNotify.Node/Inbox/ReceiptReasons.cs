using LaunchNotify.Domain.Validation;

namespace LaunchNotify.Node.Inbox;

/// <summary>
/// Reasons and findings cut to what <c>receipt.schema.json</c> allows (at most 100, code ≤ 64 in upper case, rule ≤ 200,
/// path ≤ 500, message 1..2000), so that a receipt about hostile content (a 5,000-character property name, a thousand
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
        Cut(e.Message.Length == 0 ? e.Code : e.Message, 2000));

    private static bool IsCode(string code) =>
        code.Length is > 0 and <= 64 && char.IsAsciiLetterUpper(code[0]) && code.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c == '_');

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
