using System.Text.Json;
using LaunchNotify.Domain.Agreements;
using LaunchNotify.Domain.Alarms;
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
/// Receiver side, LINK_SILENT: every heartbeat from a counterpart (per agreement) moves the link's deadline to
/// <c>now + interval × silentAfterMissed</c>; when it falls due the link is silent. The next heartbeat resolves the
/// alarm and re-arms the deadline. Links with configured counterparts are armed at start-up, so a counterpart that
/// never speaks is noticed too.
/// </summary>
public sealed class LinkSilence(
    DeadlineBook deadlines,
    AlarmBook alarms,
    TimelinessSettings settings,
    IAgreementSource agreements,
    NodeIdentity node,
    IClock clock) : IDeadlineHandler
{
    public DeadlineKind Kind => DeadlineKind.LinkSilent;

    public static string KeyFor(CentreCode sender, CentreCode recipient, AgreementId agreement) => $"LINK_SILENT:{sender}>{recipient}/{agreement}";

    /// <summary>A heartbeat from <paramref name="sender"/> under <paramref name="agreement"/> was received and accepted.</summary>
    public async Task OnHeartbeatAsync(NodeDbContext db, CentreCode sender, Agreement agreement, Instant receivedAt, CancellationToken ct)
    {
        var due = receivedAt + settings.TermsFor(agreement).SilentAfter;
        var key = KeyFor(sender, node.Centre, agreement.Id);
        var deadline = await deadlines.FindAsync(db, key, ct);
        if (deadline is null)
        {
            await deadlines.ScheduleAsync(db, New(sender, agreement.Id, due), ct);
            return;
        }
        if (deadline is { State: DeadlineState.Fired, AlarmKey: { } alarmKey })
            await alarms.ResolveByKeyAsync(db, alarmKey,
                $"Heartbeats from {sender} resumed at {receivedAt}, {DurationText.Format(receivedAt - deadline.DueAt)} after the link was declared silent.", ct);
        deadline.State = DeadlineState.Pending;
        deadline.DueAt = due;
        deadline.AlarmKey = null;
        deadline.SettledAt = null;
        deadline.SettledReason = null;
    }

    /// <summary>Arms a watch on each configured link that has none yet: silence counts from this start.</summary>
    public async Task PrepareAsync(CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        foreach (var (counterpart, agreement) in settings.LinksOf(node.Centre, agreements))
            await deadlines.EnsureAsync(New(counterpart, agreement.Id, now + settings.TermsFor(agreement).SilentAfter), _ => false, ct);
    }

    private Deadline New(CentreCode sender, AgreementId agreement, Instant due) => new()
    {
        Kind = Kind,
        Key = KeyFor(sender, node.Centre, agreement),
        DueAt = due,
        Centre = sender,
        AgreementId = agreement,
    };

    public async Task HandleAsync(DeadlineFiring firing, CancellationToken ct)
    {
        var d = firing.Deadline;
        var lastHeartbeat = await firing.Db.Inbox.AsNoTracking()
            .Where(m => m.Sender == d.Centre && m.AgreementId == d.AgreementId && m.Kind == "heartbeat")
            .OrderByDescending(m => m.ReceivedAt)
            .Select(m => new { m.ReceivedAt })
            .FirstOrDefaultAsync(ct);
        var terms = agreements.TryGet(new AgreementId(d.AgreementId!), out var agreement) ? settings.TermsFor(agreement) : null;
        var expected = terms is null ? "" : $" (heartbeats every {DurationText.Format(terms.HeartbeatInterval)}, silent after {terms.SilentAfterMissed} missed)";
        var since = lastHeartbeat is null ? "none received since this node started watching" : $"the last one arrived at {lastHeartbeat.ReceivedAt}";
        var summary = $"Link from {d.Centre} under {d.AgreementId} is silent: no heartbeat by {d.DueAt}; {since}{expected}.";
        // One alarm per silent spell: the due time names it, so a later spell raises a new one.
        var alarmKey = $"LINK_SILENT:{d.Centre}>{node.Centre}/{d.AgreementId}@{d.DueAt.ToUnixTimeTicks()}";
        await alarms.RaiseAsync(firing.Db, new AlarmRequest(AlarmKind.LinkSilent, alarmKey, summary,
            Centre: d.Centre, AgreementId: d.AgreementId,
            DetailsJson: JsonSerializer.Serialize(new { lastHeartbeatAt = lastHeartbeat?.ReceivedAt, terms?.HeartbeatInterval, terms?.SilentAfterMissed }, WireJson.Options),
            DueAt: d.DueAt, FiredAfterRestart: firing.AfterRestart), ct);
        d.AlarmKey = alarmKey;
    }
}
