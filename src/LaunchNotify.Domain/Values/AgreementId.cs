using System.Text.RegularExpressions;

namespace LaunchNotify.Domain.Values;

/// <summary>The id of an agreement, lower-case words joined by hyphens (e.g. <c>us-ru-bmlna-1988</c>).</summary>
public readonly partial record struct AgreementId
{
    public string Value { get; }

    public AgreementId(string value)
    {
        if (!IsValid(value))
            throw new ArgumentException($"Agreement id '{value}' must be 2-64 lower-case letters, digits and single hyphens.", nameof(value));
        Value = value;
    }

    public static bool IsValid(string? value) => value is { Length: >= 2 and <= 64 } && Pattern().IsMatch(value);

    public static bool TryParse(string? value, out AgreementId id)
    {
        id = IsValid(value) ? new AgreementId(value!) : default;
        return IsValid(value);
    }

    public static implicit operator string(AgreementId id) => id.Value;

    public override string ToString() => Value ?? "";

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex Pattern();
}
