using System.Text.Json;
using LaunchNotify.Domain.Agreements;
using LaunchNotify.Domain.Alarms;
using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Rules;
using LaunchNotify.Domain.Validation;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Alarms;
using LaunchNotify.Node.Deadlines;
using LaunchNotify.Protocol.Json;
using LaunchNotify.Storage;
using LaunchNotify.Storage.Entities;
using NodaTime;

namespace LaunchNotify.Node.Timeliness;

/// <summary>
/// The timeliness checks on each message the inbox stores, in the transaction that stores it: a late notice raises
/// LATE_NOTIFICATION at once; the sequence number feeds the gap tracker; heartbeats feed the gap tracker and the
/// link's silence watch; notifications arm, move or settle the post-launch report deadline; receipts settle the
/// sender's receipt deadlines; every accepted notification arms its acknowledgement deadline (NOT_ACKNOWLEDGED).
/// </summary>
public sealed class ReceivedTimeliness(
    AlarmBook alarms,
    MissingNotifications missing,
    LinkSilence silence,
    PostLaunchDeadlines postLaunch,
    ReceiptDeadlines receipts,
    Acknowledgements.AcknowledgementDeadlines acknowledgements)
{
    /// <summary>
    /// <paramref name="message"/> is null when the payload failed its schema; <paramref name="original"/> is the
    /// notification a follow-up refers to, as amended so far.
    /// </summary>
    public async Task OnStoredAsync(NodeDbContext db, InboxMessage entry, Message? message, Agreement? agreement, PreNotification? original,
        bool accepted, IReadOnlyList<ValidationError> findings, CancellationToken ct)
    {
        if (agreement is null || !CentreCode.TryParse(entry.Sender, out var sender))
            return;
        var late = accepted ? findings.FirstOrDefault(f => f.Code == RuleCodes.LateNotification) : null;
        if (late is not null && message is PreNotification or Amendment)
            await RaiseLateAsync(db, entry, message, late, ct);

        var isNotification = MessageKinds.TryParse(entry.Kind, out var kind) && kind.IsNotification();
        if (isNotification && entry.Sequence is { } sequence && sequence > 0)
            await missing.ObserveAsync(db, sender, agreement, sequence, entry.ReceivedAt, Arrival(message, late), ct);

        if (!accepted)
            return;
        if (isNotification)
            acknowledgements.OnReceived(db, entry, agreement);
        switch (message)
        {
            case Heartbeat heartbeat:
                await missing.ObserveHighWaterAsync(db, sender, agreement, heartbeat.LastNotificationSequence, entry.ReceivedAt, ct);
                await silence.OnHeartbeatAsync(db, sender, agreement, entry.ReceivedAt, ct);
                break;
            case PreNotification notification:
                postLaunch.OnNotification(db, notification, agreement);
                break;
            case Amendment amendment when original is not null && amendment.Changes.LaunchWindow is not null:
                await postLaunch.OnAmendedAsync(db, amendment.Changes.ApplyTo(original), agreement, ct);
                break;
            case Cancellation cancellation:
                await postLaunch.OnSettledAsync(db, cancellation, cancellation.Cancels.Value, entry.ReceivedAt, ct);
                break;
            case PostLaunchReport report:
                await postLaunch.OnSettledAsync(db, report, report.ReportsOn.Value, entry.ReceivedAt, ct);
                break;
        }
    }

    /// <summary>A counterpart's first receipt for a delivery of this centre was applied to it.</summary>
    public Task OnReceiptAppliedAsync(NodeDbContext db, string recipient, DeadlineBook.Snapshot? receiptDeadline, Receipt receipt, Instant at, CancellationToken ct) =>
        receipts.OnReceiptAsync(db, recipient, receiptDeadline, receipt, at, ct);

    private async Task RaiseLateAsync(NodeDbContext db, InboxMessage entry, Message message, ValidationError finding, CancellationToken ct)
    {
        var what = message is Amendment a ? $"amendment {message.MessageId} of {a.Amends}" : $"pre-notification {message.MessageId}";
        var summary = $"{message.Sender}'s {what} (#{entry.Sequence}) under {message.AgreementId} came late: {finding.Message}";
        await alarms.RaiseAsync(db, new AlarmRequest(AlarmKind.LateNotification, $"LATE_NOTIFICATION:{message.Sender}:{message.MessageId}", summary,
            Centre: message.Sender, AgreementId: message.AgreementId, MessageId: message.MessageId.Value, Sequences: entry.Sequence?.ToString(),
            DetailsJson: JsonSerializer.Serialize(new { finding, receivedAt = entry.ReceivedAt, issuedAt = message.IssuedAt }, WireJson.Options)), ct);
    }

    private static string Arrival(Message? message, ValidationError? late) => message switch
    {
        _ when late is not null => late.Message,
        PreNotification or Amendment => "on time",
        null => "rejected: not of its schema",
        _ => message.Kind.WireName(),
    };
}
