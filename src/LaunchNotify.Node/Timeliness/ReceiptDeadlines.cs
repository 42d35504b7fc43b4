using System.Text.Json;
using LaunchNotify.Domain.Agreements;
using LaunchNotify.Domain.Alarms;
using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Timeliness;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Alarms;
using LaunchNotify.Node.Deadlines;
using LaunchNotify.Protocol.Json;
using LaunchNotify.Storage;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace LaunchNotify.Node.Timeliness;

/// <summary>
/// Sender side, RECEIPT_OVERDUE: each delivery of a submitted message must be confirmed by its recipient's signed
/// receipt within the agreement's receipt deadline, counted from submission. A receipt in time cancels the deadline;
/// a later one resolves the alarm (which stays as the record).
/// </summary>
public sealed class ReceiptDeadlines(DeadlineBook deadlines, AlarmBook alarms, TimelinessSettings settings) : IDeadlineHandler
{
    public DeadlineKind Kind => DeadlineKind.ReceiptOverdue;

    public static string KeyFor(Guid messageId, string recipient) => $"RECEIPT:{messageId}>{recipient}";

    private static string AlarmKeyFor(Guid messageId, string recipient) => $"RECEIPT_OVERDUE:{messageId}>{recipient}";

    /// <summary>
    /// One deadline per recipient, in the submission's transaction. Their keys name the new message (stored in the same
    /// transaction under its id, the primary key), so none exists yet: nothing to look up.
    /// </summary>
    public void Schedule(NodeDbContext db, Message message, Agreement agreement, Instant submittedAt)
    {
        var due = submittedAt + settings.TermsFor(agreement).Receipt;
        foreach (var recipient in message.Recipients)
            deadlines.ScheduleForNewMessage(db, new Deadline
            {
                Kind = Kind,
                Key = KeyFor(message.MessageId.Value, recipient.Centre),
                DueAt = due,
                Centre = recipient.Centre,
                AgreementId = message.AgreementId,
                MessageId = message.MessageId.Value,
                SequenceFrom = recipient.Sequence,
                SequenceTo = recipient.Sequence,
            });
    }

    /// <summary>
    /// The recipient's first receipt for the delivery arrived (accepting or rejecting: either way it was received).
    /// <paramref name="deadline"/> is the delivery's receipt deadline (<see cref="KeyFor"/>) as the receipt's step read it
    /// with the delivery, null when it has none.
    /// </summary>
    public async Task OnReceiptAsync(NodeDbContext db, string recipient, DeadlineBook.Snapshot? deadline, Receipt receipt, Instant at, CancellationToken ct)
    {
        if (deadline is null)
            return;
        var late = at - deadline.DueAt;
        await deadlines.SettleAsync(db, deadline, $"receipt {receipt.MessageId} ({receipt.Outcome.ToString().ToLowerInvariant()})",
            $"{recipient}'s receipt arrived at {at}, {DurationText.Format(late)} after the deadline ({receipt.Outcome.ToString().ToLowerInvariant()}).", ct);
    }

    public async Task HandleAsync(DeadlineFiring firing, CancellationToken ct)
    {
        var d = firing.Deadline;
        var delivery = await firing.Db.Deliveries.Include(x => x.Message)
            .SingleOrDefaultAsync(x => x.MessageId == d.MessageId && x.Recipient == d.Centre, ct);
        if (delivery is null || delivery.ReceiptMessageId is not null)
            return; // Confirmed after all (the receipt's transaction settles it too): nothing is overdue.

        var kind = delivery.Message?.Kind ?? "message";
        var where = delivery.Status == DeliveryStatus.Accepted
            ? "it is still in the outbox: the broker has not taken it"
            : $"published at {delivery.PublishedAt}";
        var summary = $"{d.Centre} has not confirmed {kind} {d.MessageId} (#{delivery.Sequence}) under {d.AgreementId}: " +
                      $"no receipt by {d.DueAt} ({where}).";
        var alarmKey = AlarmKeyFor(delivery.MessageId, delivery.Recipient);
        await alarms.RaiseAsync(firing.Db, new AlarmRequest(AlarmKind.ReceiptOverdue, alarmKey, summary,
            Centre: d.Centre, AgreementId: d.AgreementId, MessageId: d.MessageId, Sequences: delivery.Sequence.ToString(),
            DetailsJson: JsonSerializer.Serialize(new { kind, status = delivery.Status.ToString().ToLowerInvariant(), delivery.PublishedAt, submittedAt = delivery.Message?.SubmittedAt }, WireJson.Options),
            DueAt: d.DueAt, FiredAfterRestart: firing.AfterRestart), ct);
        d.AlarmKey = alarmKey;
    }
}
