using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace LaunchNotify.Domain.Validation;

/// <summary>
/// One reason a message is refused. <see cref="Code"/> is stable and machine-readable, <see cref="Rule"/> names the
/// schema keyword or agreement rule that refused it, <see cref="Path"/> is a JSON Pointer into the document.
/// <see cref="Message"/> is the rule's sentence in English; <see cref="Args"/>, where the rule gives them, are the
/// sentence's figures as language-free values (<see cref="RuleArgs"/>), from which a reader's language renders it.
/// </summary>
public sealed record ValidationError(string Code, string Rule, string Path, string Message)
{
    /// <summary>
    /// The figures of the sentence, name → invariant value (durations in seconds, instants ISO-8601 UTC, distances in
    /// km, counts, ids, codes); <see cref="RuleArgs.Form"/> picks the sentence's form. Null where the producer gave none
    /// (schema errors, an older counterpart's receipt): the reader then falls back to <see cref="Message"/>.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ImmutableSortedDictionary<string, string>? Args { get; init; }

    public bool Equals(ValidationError? other) =>
        other is not null && Code == other.Code && Rule == other.Rule && Path == other.Path && Message == other.Message &&
        (Args is null ? other.Args is null : other.Args is not null && Args.Count == other.Args.Count &&
            Args.All(a => other.Args.TryGetValue(a.Key, out var v) && v == a.Value));

    public override int GetHashCode() => HashCode.Combine(Code, Rule, Path, Message, Args?.Count);

    public override string ToString() => $"{Code} [{Rule}] at {(Path.Length == 0 ? "/" : Path)}: {Message}";
}

/// <summary>The outcome of validating a message: valid, or the full list of errors.</summary>
public sealed record ValidationResult(IReadOnlyList<ValidationError> Errors)
{
    public static readonly ValidationResult Valid = new([]);

    public bool IsValid => Errors.Count == 0;
}
