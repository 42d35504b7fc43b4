namespace LaunchNotify.Domain.Validation;

/// <summary>
/// One reason a message is refused. <see cref="Code"/> is stable and machine-readable, <see cref="Rule"/> names the
/// schema keyword or agreement rule that refused it, <see cref="Path"/> is a JSON Pointer into the document.
/// </summary>
public sealed record ValidationError(string Code, string Rule, string Path, string Message)
{
    public override string ToString() => $"{Code} [{Rule}] at {(Path.Length == 0 ? "/" : Path)}: {Message}";
}

/// <summary>The outcome of validating a message: valid, or the full list of errors.</summary>
public sealed record ValidationResult(IReadOnlyList<ValidationError> Errors)
{
    public static readonly ValidationResult Valid = new([]);

    public bool IsValid => Errors.Count == 0;
}
