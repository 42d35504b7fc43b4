using LaunchNotify.Domain.Alarms;
using LaunchNotify.Storage.Entities;
using NodaTime;

namespace LaunchNotify.Node.Reports;

/// <summary>
/// Everything a timeliness report reads from one centre's store under one agreement, as plain rows (no EF types, no
/// evidence blobs), so the computation is pure and can be tested on a hand-built dataset.
/// </summary>
public sealed record TimelinessDataset(
    string Centre,
    IReadOnlyList<SentMessage> Sent,
    IReadOnlyList<ReceivedMessage> Received,
    IReadOnlyList<AlarmRecord> Alarms);

/// <summary>A message this centre sent. For amendments the window is the amended (effective) one.</summary>
public sealed record SentMessage(
    Guid MessageId,
    string Kind,
    Instant IssuedAt,
    Instant? WindowStart,
    Instant? WindowEnd,
    Guid? RelatesTo,
    IReadOnlyList<SentDelivery> Deliveries);

/// <summary>One recipient of a sent message, with the instants from the broker confirm, the signed receipt and the signed acknowledgement (a person read it).</summary>
public sealed record SentDelivery(
    string Recipient,
    long Sequence,
    DeliveryStatus Status,
    Instant? PublishedAt,
    Instant? ReceiptAt,
    Instant? RecipientReceivedAt,
    Instant? AcknowledgedAt = null);

/// <summary>A message received from a counterpart. For amendments the window is the new one, when the amendment moved it.</summary>
public sealed record ReceivedMessage(
    Guid MessageId,
    string Kind,
    string Sender,
    long? Sequence,
    Instant ReceivedAt,
    InboxOutcome Outcome,
    Instant? WindowStart,
    Instant? WindowEnd,
    Guid? RelatesTo,
    Instant? AcknowledgedAt = null);

public sealed record AlarmRecord(
    Guid Id,
    AlarmKind Kind,
    AlarmState State,
    string? Centre,
    Instant RaisedAt,
    Instant? AcknowledgedAt,
    Instant? ResolvedAt,
    string Summary);
