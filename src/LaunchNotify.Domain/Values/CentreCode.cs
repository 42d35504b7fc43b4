namespace LaunchNotify.Domain.Values;

/// <summary>A national centre, named by its ISO 3166-1 alpha-2 country code (e.g. <c>US</c>, <c>RU</c>).</summary>
public readonly record struct CentreCode
{
    public string Value { get; }

    public CentreCode(string value)
    {
        if (!IsValid(value))
            throw new ArgumentException($"Centre code '{value}' is not two upper-case letters (ISO 3166-1 alpha-2).", nameof(value));
        Value = value;
    }

    public static bool IsValid(string? value) =>
        value is { Length: 2 } && char.IsAsciiLetterUpper(value[0]) && char.IsAsciiLetterUpper(value[1]);

    public static bool TryParse(string? value, out CentreCode code)
    {
        code = IsValid(value) ? new CentreCode(value!) : default;
        return IsValid(value);
    }

    public static implicit operator string(CentreCode code) => code.Value;

    public override string ToString() => Value ?? "";
}
