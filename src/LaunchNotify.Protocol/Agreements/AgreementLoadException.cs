using LaunchNotify.Domain.Validation;

namespace LaunchNotify.Protocol.Agreements;

/// <summary>One problem in one agreement or boundary file: the file's name and the error, with its JSON Pointer.</summary>
public sealed record AgreementFileError(string File, ValidationError Error)
{
    public override string ToString() => $"{File}: {Error}";
}

/// <summary>
/// Agreement files that fail their schema or refer to something that is not there. Lists every problem in every file,
/// so an operator fixes them in one pass.
/// </summary>
public sealed class AgreementLoadException : Exception
{
    public AgreementLoadException(IReadOnlyList<AgreementFileError> errors)
        : base(Describe(errors)) =>
        Errors = errors;

    public IReadOnlyList<AgreementFileError> Errors { get; }

    /// <summary>The files that have at least one problem, in order of appearance.</summary>
    public IReadOnlyList<string> Files => Errors.Select(e => e.File).Distinct().ToList();

    private static string Describe(IReadOnlyList<AgreementFileError> errors)
    {
        if (errors.Count == 0)
            throw new ArgumentException("An agreement load failure needs at least one error.", nameof(errors));
        var lines = errors.Select(e => "  " + e);
        return $"Agreement files refused ({errors.Count} error{(errors.Count == 1 ? "" : "s")}):{Environment.NewLine}"
            + string.Join(Environment.NewLine, lines);
    }
}
