using NodaTime;

namespace LaunchNotify.Storage.Entities;

/// <summary>A message this centre signed and sends: one row, with one <see cref="Delivery"/> per recipient.</summary>
public sealed class OutboundMessage
{
    public Guid MessageId { get; set; }
    public required string Kind { get; set; }
    public required string AgreementId { get; set; }
    public required string Sender { get; set; }

    /// <summary>The notification this one amends, cancels or reports on.</summary>
    public Guid? RelatesTo { get; set; }

    public Instant IssuedAt { get; set; }

    /// <summary>The signed JWS (flattened JSON), exactly as it goes on the wire: the sender's evidence.</summary>
    public required byte[] Jws { get; set; }

    /// <summary>The signed payload as JSON (the same bytes as inside <see cref="Jws"/>), for queries and re-evaluation.</summary>
    public required string PayloadJson { get; set; }

    public Instant SubmittedAt { get; set; }

    /// <summary>The authenticated account that submitted it (token subject and name); null for rows from before accounts.</summary>
    public string? SubmittedBySubject { get; set; }
    public string? SubmittedByName { get; set; }

    /// <summary>The launch window, for pre-notifications (and amended ones), to find deadlines and covering notices.</summary>
    public Instant? WindowStart { get; set; }
    public Instant? WindowEnd { get; set; }

    public List<Delivery> Deliveries { get; set; } = [];
}

public enum DeliveryStatus
{
    /// <summary>Validated, signed and stored; waiting in the outbox.</summary>
    Accepted,
    /// <summary>The broker confirmed it (publisher confirm, routed).</summary>
    Published,
    /// <summary>The recipient's signed receipt accepted it.</summary>
    Confirmed,
    /// <summary>The recipient's signed receipt rejected it, with reasons.</summary>
    Rejected,
}

/// <summary>One recipient of an outbound message: its sequence number and where the message stands with it.</summary>
public sealed class Delivery
{
    public Guid MessageId { get; set; }
    public required string Recipient { get; set; }
    public long Sequence { get; set; }
    public DeliveryStatus Status { get; set; }
    public Instant? PublishedAt { get; set; }
    public Instant? ReceiptAt { get; set; }

    /// <summary>When the recipient said it received the message (from its signed receipt).</summary>
    public Instant? RecipientReceivedAt { get; set; }
    public Guid? ReceiptMessageId { get; set; }

    /// <summary>The receipt's reasons (rejected) or findings (accepted), as JSON.</summary>
    public string? ReceiptDetailsJson { get; set; }

    /// <summary>When a person at the recipient read it (from its signed acknowledgement), when that arrived, and its id.</summary>
    public Instant? AcknowledgedAt { get; set; }
    public Instant? AcknowledgementReceivedAt { get; set; }
    public Guid? AcknowledgementMessageId { get; set; }

    public OutboundMessage? Message { get; set; }
}
