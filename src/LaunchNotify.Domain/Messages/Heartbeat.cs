namespace LaunchNotify.Domain.Messages;

/// <summary>
/// Proof of life on a link, per agreement. Carries the last notification sequence number sent on the link, so the
/// recipient also notices a missing <i>last</i> message.
/// </summary>
public sealed record Heartbeat : Message
{
    public override MessageKind Kind => MessageKind.Heartbeat;

    /// <summary>The last notification sequence number sent to the recipient under this agreement (0: none yet).</summary>
    public required long LastNotificationSequence { get; init; }

    /// <summary>The interval at which the sender promises heartbeats.</summary>
    public required int IntervalSeconds { get; init; }
}
