using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Validation;

namespace LaunchNotify.Node.Submission;

public enum SubmissionStatus
{
    /// <summary>Validated, signed, stored with its outbox entries: it will be delivered.</summary>
    Accepted,
    /// <summary>A message with this id was already accepted (an idempotent retry): nothing new was stored.</summary>
    AlreadyAccepted,
    /// <summary>Not JSON, or not of the schema: HTTP 400.</summary>
    Malformed,
    /// <summary>Of the schema, but against the agreement's rules: HTTP 422.</summary>
    Refused,
}

public sealed record SubmissionResult(
    SubmissionStatus Status,
    Guid? MessageId,
    IReadOnlyList<ValidationError> Errors,
    IReadOnlyList<ValidationError> Warnings,
    IReadOnlyList<Addressee> Recipients)
{
    public static SubmissionResult Malformed(IReadOnlyList<ValidationError> errors) => new(SubmissionStatus.Malformed, null, errors, [], []);

    public static SubmissionResult Refused(Guid? id, IReadOnlyList<ValidationError> errors, IReadOnlyList<ValidationError>? warnings = null) =>
        new(SubmissionStatus.Refused, id, errors, warnings ?? [], []);

    public static SubmissionResult Refused(Guid? id, string code, string rule, string path, string message,
        System.Collections.Immutable.ImmutableSortedDictionary<string, string>? args = null) =>
        Refused(id, [new ValidationError(code, rule, path, message) { Args = args }]);

    public bool IsAccepted => Status is SubmissionStatus.Accepted or SubmissionStatus.AlreadyAccepted;
}
