using LaunchNotify.Domain.Values;
using NodaTime;

namespace LaunchNotify.Domain.Messages;

/// <summary>What every message carries, whatever its kind.</summary>
public abstract record Message
{
    public const string CurrentSchemaVersion = "1.0";

    public required MessageId MessageId { get; init; }
    public string SchemaVersion { get; init; } = CurrentSchemaVersion;
    public required AgreementId AgreementId { get; init; }
    public required CentreCode Sender { get; init; }
    public required IReadOnlyList<Addressee> Recipients { get; init; }

    /// <summary>When the sender issued the message (UTC).</summary>
    public required Instant IssuedAt { get; init; }

    public abstract MessageKind Kind { get; }

    /// <summary>This message's sequence number towards <paramref name="recipient"/>, if it is addressed there.</summary>
    public long? SequenceFor(CentreCode recipient) => Recipients.FirstOrDefault(r => r.Centre == recipient)?.Sequence;
}
