using System.Text.Json;
using LaunchNotify.Domain.Validation;
using LaunchNotify.Protocol.Json;
using LaunchNotify.Storage;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace LaunchNotify.Node.Queries;

/// <summary>Read models over a node's store, shared by the HTTP API and the CLI.</summary>
public sealed class StatusQueries(IDbContextFactory<NodeDbContext> dbFactory)
{
    public async Task<MessageStatusView?> GetAsync(Guid messageId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var message = await db.OutboundMessages.AsNoTracking().Include(m => m.Deliveries).SingleOrDefaultAsync(m => m.MessageId == messageId, ct);
        return message is null ? null : ToView(message);
    }

    public async Task<IReadOnlyList<MessageStatusView>> RecentAsync(int limit, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var messages = await db.OutboundMessages.AsNoTracking().Include(m => m.Deliveries)
            .OrderByDescending(m => m.SubmittedAt).Take(limit).ToListAsync(ct);
        return messages.Select(ToView).ToList();
    }

    public async Task<IReadOnlyList<InboxView>> InboxAsync(int limit, bool includeHeartbeats, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var query = db.Inbox.AsNoTracking();
        if (!includeHeartbeats)
            query = query.Where(m => m.Kind != "heartbeat" && m.Kind != "receipt");
        var rows = await query.OrderByDescending(m => m.ReceivedAt).Take(limit).ToListAsync(ct);
        return rows.Select(ToView).ToList();
    }

    /// <summary>A received message by id (the first received, should two senders have used the same id).</summary>
    public async Task<InboxView?> ReceivedAsync(Guid messageId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await db.Inbox.AsNoTracking().Where(m => m.MessageId == messageId).OrderBy(m => m.ReceivedAt).FirstOrDefaultAsync(ct);
        return row is null ? null : ToView(row);
    }

    private static InboxView ToView(InboxMessage m) => new(m.MessageId, m.Kind, m.Sender, m.AgreementId, m.Sequence, m.IssuedAt, m.ReceivedAt,
        m.Outcome.ToString().ToLowerInvariant(), ReadErrors(m.DetailsJson), m.WindowStart, m.WindowEnd, m.ReceiptMessageId,
        m.AcknowledgeDueAt, m.AcknowledgedAt, m.AcknowledgedByName, m.AcknowledgementMessageId);

    private static MessageStatusView ToView(OutboundMessage m) => new(
        m.MessageId, m.Kind, m.AgreementId, m.Sender, m.RelatesTo, m.IssuedAt, m.SubmittedAt, m.WindowStart, m.WindowEnd,
        m.Deliveries.OrderBy(d => d.Recipient).Select(d => new DeliveryView(
            d.Recipient, d.Sequence, d.Status.ToString().ToLowerInvariant(), d.PublishedAt, d.ReceiptAt, d.RecipientReceivedAt, d.ReceiptMessageId,
            d.Status == DeliveryStatus.Rejected ? ReadErrors(d.ReceiptDetailsJson) : [],
            d.Status == DeliveryStatus.Confirmed ? ReadErrors(d.ReceiptDetailsJson) : [],
            d.AcknowledgedAt, d.AcknowledgementReceivedAt, d.AcknowledgementMessageId, Stages(d))).ToList());

    /// <summary>
    /// The three separate things a sender learns about a delivery, each with its instant, in the order they happened:
    /// delivered (the broker took it), confirmed (the recipient's signed receipt accepted it), read by a person (its
    /// signed acknowledgement). A receipt without a broker confirm on record still proves delivery, at the receipt's time.
    /// </summary>
    public static IReadOnlyList<DeliveryStage> Stages(Delivery d)
    {
        var stages = new List<DeliveryStage>(3);
        if ((d.PublishedAt ?? (d.ReceiptMessageId is not null ? d.ReceiptAt : null)) is { } delivered)
            stages.Add(new DeliveryStage(DeliveryStages.Delivered, delivered));
        if (d.Status == DeliveryStatus.Confirmed && d.ReceiptAt is { } confirmed)
            stages.Add(new DeliveryStage(DeliveryStages.Confirmed, confirmed));
        if (d.AcknowledgedAt is { } read)
            stages.Add(new DeliveryStage(DeliveryStages.ReadByPerson, read));
        return stages;
    }

    private static IReadOnlyList<ValidationError> ReadErrors(string? json) =>
        string.IsNullOrEmpty(json) ? [] : JsonSerializer.Deserialize<List<ValidationError>>(json, WireJson.Options) ?? [];
}

/// <summary>Where one sent message stands with each recipient.</summary>
public sealed record MessageStatusView(
    Guid MessageId, string Kind, string AgreementId, string Sender, Guid? RelatesTo, Instant IssuedAt, Instant SubmittedAt,
    Instant? WindowStart, Instant? WindowEnd, IReadOnlyList<DeliveryView> Recipients)
{
    /// <summary>The least advanced recipient's status: the message is only as far along as its slowest delivery.</summary>
    public string Overall => Recipients.Count == 0 ? "accepted"
        : Recipients.Any(r => r.Status == "rejected") ? "rejected"
        : Recipients.MinBy(r => Rank(r.Status))!.Status;

    private static int Rank(string status) => status switch { "accepted" => 0, "published" => 1, "confirmed" => 2, _ => 3 };
}

/// <summary>
/// accepted → published (broker confirmed) → confirmed (receipt) or rejected (with the receiver's reasons); then, apart
/// from the status, read by a person (<see cref="ReadByPersonAt"/>: the instant the recipient's acknowledgement gives).
/// <see cref="Stages"/> lists delivered, confirmed and read-by-a-person, each with its instant.
/// </summary>
public sealed record DeliveryView(
    string Centre, long Sequence, string Status, Instant? PublishedAt, Instant? ConfirmedAt, Instant? RecipientReceivedAt, Guid? ReceiptMessageId,
    IReadOnlyList<ValidationError> Reasons, IReadOnlyList<ValidationError> Findings,
    Instant? ReadByPersonAt, Instant? AcknowledgementReceivedAt, Guid? AcknowledgementMessageId, IReadOnlyList<DeliveryStage> Stages);

/// <summary>The stage names of <see cref="DeliveryStage"/> (language-free codes; a page renders them).</summary>
public static class DeliveryStages
{
    public const string Delivered = "delivered";
    public const string Confirmed = "confirmed";
    public const string ReadByPerson = "read-by-a-person";
}

public sealed record DeliveryStage(string Stage, Instant At);

public sealed record InboxView(
    Guid MessageId, string Kind, string Sender, string? AgreementId, long? Sequence, Instant? IssuedAt, Instant ReceivedAt, string Outcome,
    IReadOnlyList<ValidationError> Details, Instant? WindowStart, Instant? WindowEnd, Guid? ReceiptMessageId,
    Instant? AcknowledgeDueAt, Instant? AcknowledgedAt, string? AcknowledgedBy, Guid? AcknowledgementMessageId);
