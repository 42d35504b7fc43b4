using LaunchNotify.Domain.Values;
using NodaTime;

namespace LaunchNotify.Domain.Messages;

/// <summary>
/// The recipient's second, signed receipt: a person at the receiving centre (a duty officer) has read the notification.
/// The automatic <see cref="Receipt"/> says "stored and verified"; this says "read by a person". Who acknowledged stays
/// in the receiving centre's audit log; the wire carries only the instants.
/// </summary>
public sealed record Acknowledgement : Message
{
    public override MessageKind Kind => MessageKind.Acknowledgement;

    /// <summary>The notification acknowledged (a message of the recipient of this acknowledgement).</summary>
    public required MessageId AcknowledgementFor { get; init; }

    /// <summary>The kind of the acknowledged message (a notification kind).</summary>
    public required MessageKind AcknowledgedKind { get; init; }

    /// <summary>When the acknowledging centre received the notification (as its receipt said).</summary>
    public required Instant ReceivedAt { get; init; }

    /// <summary>When the person acknowledged it.</summary>
    public required Instant AcknowledgedAt { get; init; }
}
