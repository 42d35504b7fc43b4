using LaunchNotify.Domain.Validation;
using LaunchNotify.Domain.Values;
using NodaTime;

namespace LaunchNotify.Domain.Messages;

public enum ReceiptOutcome { Accepted, Rejected }

/// <summary>The recipient's signed answer to one message: accepted, or rejected with machine-readable reasons.</summary>
public sealed record Receipt : Message
{
    public override MessageKind Kind => MessageKind.Receipt;

    public required MessageId ReceiptFor { get; init; }
    public required MessageKind ReceivedKind { get; init; }
    public required Instant ReceivedAt { get; init; }
    public required ReceiptOutcome Outcome { get; init; }

    /// <summary>Why it was rejected; empty when accepted.</summary>
    public IReadOnlyList<ValidationError> Reasons { get; init; } = [];

    /// <summary>What the recipient noticed about an accepted message (e.g. it arrived late); empty when none.</summary>
    public IReadOnlyList<ValidationError> Findings { get; init; } = [];
}
