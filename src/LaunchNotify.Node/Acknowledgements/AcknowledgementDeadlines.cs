using System.Text.Json;
using LaunchNotify.Domain.Agreements;
using LaunchNotify.Domain.Alarms;
using LaunchNotify.Domain.Timeliness;
using LaunchNotify.Node.Alarms;
using LaunchNotify.Node.Deadlines;
using LaunchNotify.Node.Timeliness;
using LaunchNotify.Protocol.Json;
using LaunchNotify.Storage;
using LaunchNotify.Storage.Entities;
using NodaTime;

namespace LaunchNotify.Node.Acknowledgements;

/// <summary>
/// Receiver side, NOT_ACKNOWLEDGED: every accepted notification must be read by a person (a duty officer acknowledges
/// it) within the agreement's acknowledgement deadline, counted from its receipt. One deadline row per notice, with two
/// levels: at the deadline the alarm is raised as a warning and the row re-armed for the escalation period; when that
/// passes too, the same alarm turns critical. Acknowledging cancels what is pending and resolves the alarm.
/// </summary>
public sealed class AcknowledgementDeadlines(DeadlineBook deadlines, AlarmBook alarms, TimelinessSettings settings, IAgreementSource agreements) : IDeadlineHandler
{
    public DeadlineKind Kind => DeadlineKind.AcknowledgementOverdue;

    /// <summary>A notice is (sender, id), as in the inbox.</summary>
    public static string KeyFor(string sender, Guid messageId) => $"ACK:{sender}:{messageId}";

    public static string AlarmKeyFor(string sender, Guid messageId) => $"NOT_ACKNOWLEDGED:{sender}:{messageId}";

    /// <summary>An accepted notification was stored: a person owes it an acknowledgement (if the agreement sets a deadline).</summary>
    public void OnReceived(NodeDbContext db, InboxMessage entry, Agreement agreement)
    {
        if (settings.AcknowledgementTermsFor(agreement).Due is not { } within)
            return;
        entry.AcknowledgeDueAt = entry.ReceivedAt + within;
        deadlines.ScheduleForNewMessage(db, new Deadline
        {
            Kind = Kind,
            Key = KeyFor(entry.Sender, entry.MessageId),
            DueAt = entry.AcknowledgeDueAt.Value,
            Centre = entry.Sender,
            AgreementId = entry.AgreementId,
            MessageId = entry.MessageId,
            SequenceFrom = entry.Sequence,
            SequenceTo = entry.Sequence,
        });
    }

    /// <summary>A duty officer acknowledged the notice: a pending level is cancelled, a raised alarm resolved.</summary>
    public async Task OnAcknowledgedAsync(NodeDbContext db, InboxMessage entry, string by, CancellationToken ct)
    {
        if (await deadlines.FindAsync(db, KeyFor(entry.Sender, entry.MessageId), ct) is not { } deadline)
            return;
        var at = entry.AcknowledgedAt!.Value;
        var resolution = entry.AcknowledgeDueAt is { } due && at > due
            ? $"Acknowledged by {by} at {at}, {DurationText.Format(at - due)} after the deadline."
            : $"Acknowledged by {by} at {at}.";
        await deadlines.SettleAsync(db, deadline, $"acknowledged by {by}", resolution, ct);
        // Re-armed for escalation, the row is pending again though its first level already raised the alarm.
        if (deadline.AlarmKey is { } alarmKey)
            await alarms.ResolveByKeyAsync(db, alarmKey, resolution, ct);
    }

    public async Task HandleAsync(DeadlineFiring firing, CancellationToken ct)
    {
        var d = firing.Deadline;
        var entry = await firing.Db.Inbox.FindAsync([d.Centre!, d.MessageId!.Value], ct);
        if (entry is null || entry.AcknowledgedAt is not null)
            return; // Acknowledged after all (its transaction settles the row too): nothing is owed.

        var alarmKey = AlarmKeyFor(entry.Sender, entry.MessageId);
        var what = $"{entry.Kind} {entry.MessageId} (#{entry.Sequence}) from {entry.Sender} under {entry.AgreementId}";
        if (d.AlarmKey is null)
        {
            var summary = $"No one has acknowledged {what}: received at {entry.ReceivedAt}, due by {d.DueAt}.";
            await alarms.RaiseAsync(firing.Db, new AlarmRequest(AlarmKind.NotAcknowledged, alarmKey, summary,
                Centre: entry.Sender, AgreementId: entry.AgreementId, MessageId: entry.MessageId, Sequences: entry.Sequence?.ToString(),
                DetailsJson: JsonSerializer.Serialize(new { kind = entry.Kind, receivedAt = entry.ReceivedAt, dueAt = d.DueAt, level = 1 }, WireJson.Options),
                DueAt: d.DueAt, FiredAfterRestart: firing.AfterRestart, Severity: AlarmSeverity.Warning), ct);
            d.AlarmKey = alarmKey;
            if (settings.AcknowledgementEscalationFor(d.AgreementId, agreements) is { } escalation)
                firing.RescheduleAt(d.DueAt + escalation);
            return;
        }
        var due = entry.AcknowledgeDueAt ?? d.DueAt;
        await alarms.EscalateByKeyAsync(firing.Db, alarmKey, AlarmSeverity.Critical,
            $"Still no one has acknowledged {what}: due by {due}, {DurationText.Format(firing.Now - due)} ago (escalated at {d.DueAt}).", ct);
    }
}
