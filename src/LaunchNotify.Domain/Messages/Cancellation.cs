using LaunchNotify.Domain.Values;

namespace LaunchNotify.Domain.Messages;

/// <summary>Withdraws a notified launch.</summary>
public sealed record Cancellation : Message
{
    public override MessageKind Kind => MessageKind.Cancellation;

    /// <summary>The pre-notification this cancels.</summary>
    public required MessageId Cancels { get; init; }
    public required string Reason { get; init; }
}
