using System.Text.Json;
using LaunchNotify.Domain.Agreements;
using LaunchNotify.Domain.Alarms;
using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Timeliness;
using LaunchNotify.Node.Alarms;
using LaunchNotify.Node.Deadlines;
using LaunchNotify.Protocol.Json;
using LaunchNotify.Storage;
using LaunchNotify.Storage.Entities;
using NodaTime;

namespace LaunchNotify.Node.Timeliness;

/// <summary>
/// Receiver side, POSTLAUNCH_OVERDUE: the centre that was notified of a launch is the one that needs to know whether it
/// took place, so it watches for the post-launch report: due the agreement's <c>postLaunchReportHours</c> after the
/// (amended) window closes. A report or a cancellation settles it; an amendment moves it.
/// </summary>
public sealed class PostLaunchDeadlines(DeadlineBook deadlines, AlarmBook alarms, TimelinessSettings settings) : IDeadlineHandler
{
    public DeadlineKind Kind => DeadlineKind.PostLaunchOverdue;

    /// <summary>A notification is (sender, id): two centres' notifications with one id each get their own deadline.</summary>
    public static string KeyFor(string sender, Guid notificationId) => $"POSTLAUNCH:{sender}:{notificationId}";

    /// <summary>An accepted pre-notification: its report is due after its window.</summary>
    public void OnNotification(NodeDbContext db, PreNotification notification, Agreement agreement) =>
        deadlines.ScheduleForNewMessage(db, new Deadline
        {
            Kind = Kind,
            Key = KeyFor(notification.Sender.Value, notification.MessageId.Value),
            DueAt = notification.LaunchWindow.End + settings.TermsFor(agreement).PostLaunchReport,
            Centre = notification.Sender,
            AgreementId = notification.AgreementId,
            MessageId = notification.MessageId.Value,
        });

    /// <summary>An accepted amendment: the report is due after the amended window (if not already overdue).</summary>
    public async Task OnAmendedAsync(NodeDbContext db, PreNotification amended, Agreement agreement, CancellationToken ct)
    {
        if (await deadlines.FindAsync(db, KeyFor(amended.Sender.Value, amended.MessageId.Value), ct) is { State: DeadlineState.Pending } deadline)
            deadline.DueAt = amended.LaunchWindow.End + settings.TermsFor(agreement).PostLaunchReport;
    }

    /// <summary>An accepted post-launch report or cancellation: nothing more is owed.</summary>
    public async Task OnSettledAsync(NodeDbContext db, Message settling, Guid notificationId, Instant at, CancellationToken ct)
    {
        if (await deadlines.FindAsync(db, KeyFor(settling.Sender.Value, notificationId), ct) is not { } deadline)
            return;
        var what = settling is Cancellation ? "cancellation" : "post-launch report";
        await deadlines.SettleAsync(db, deadline, $"{what} {settling.MessageId}",
            $"The {what} {settling.MessageId} arrived at {at}, {DurationText.Format(at - deadline.DueAt)} after it was due.", ct);
    }

    public async Task HandleAsync(DeadlineFiring firing, CancellationToken ct)
    {
        var d = firing.Deadline;
        var summary = $"No post-launch report from {d.Centre} on notification {d.MessageId} under {d.AgreementId}: it was due by {d.DueAt}.";
        var alarmKey = $"POSTLAUNCH_OVERDUE:{d.Centre}:{d.MessageId}";
        await alarms.RaiseAsync(firing.Db, new AlarmRequest(AlarmKind.PostLaunchOverdue, alarmKey, summary,
            Centre: d.Centre, AgreementId: d.AgreementId, MessageId: d.MessageId,
            DetailsJson: JsonSerializer.Serialize(new { dueAt = d.DueAt, notification = d.MessageId }, WireJson.Options),
            DueAt: d.DueAt, FiredAfterRestart: firing.AfterRestart), ct);
        d.AlarmKey = alarmKey;
    }
}
