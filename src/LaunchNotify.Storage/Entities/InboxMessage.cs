using NodaTime;

namespace LaunchNotify.Storage.Entities;

public enum InboxOutcome { Accepted, Rejected }

/// <summary>
/// A message received from a counterpart, stored once by (sender, message id) (redeliveries and replays find it here), with
/// the raw JWS as evidence and the receipt this centre answered with.
/// </summary>
public sealed class InboxMessage
{
    public Guid MessageId { get; set; }
    public required string Kind { get; set; }
    public required string Sender { get; set; }
    public string? AgreementId { get; set; }

    /// <summary>Its sequence number on the link sender → this centre (null if it could not be read).</summary>
    public long? Sequence { get; set; }
    public Guid? RelatesTo { get; set; }
    public Instant ReceivedAt { get; set; }
    public Instant? IssuedAt { get; set; }
    public InboxOutcome Outcome { get; set; }

    /// <summary>Reasons (rejected) or findings (accepted), as JSON.</summary>
    public string? DetailsJson { get; set; }

    /// <summary>The body exactly as it arrived (the sender's JWS): the evidence.</summary>
    public required byte[] Jws { get; set; }

    /// <summary>The verified payload JSON, when it could be read.</summary>
    public string? PayloadJson { get; set; }
    public Instant? WindowStart { get; set; }
    public Instant? WindowEnd { get; set; }

    /// <summary>The receipt sent back, if any (receipts and heartbeats get none).</summary>
    public Guid? ReceiptMessageId { get; set; }
    public byte[]? ReceiptJws { get; set; }

    /// <summary>By when a person must acknowledge this notification (the agreement's acknowledgement deadline); null: not owed.</summary>
    public Instant? AcknowledgeDueAt { get; set; }

    /// <summary>When a duty officer acknowledged it, and who (the signed-in account: token subject and name).</summary>
    public Instant? AcknowledgedAt { get; set; }
    public string? AcknowledgedBySubject { get; set; }
    public string? AcknowledgedByName { get; set; }

    /// <summary>The signed acknowledgement sent back (the second receipt), kept as evidence and to repeat it.</summary>
    public Guid? AcknowledgementMessageId { get; set; }
    public byte[]? AcknowledgementJws { get; set; }
}
