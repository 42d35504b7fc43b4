using System.Text.Json;
using LaunchNotify.Domain.Alarms;
using LaunchNotify.Domain.Timeliness;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Alarms;
using LaunchNotify.Node.Audit;
using LaunchNotify.Node.Broker;
using LaunchNotify.Node.Hosting;
using LaunchNotify.Protocol.Json;
using LaunchNotify.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace LaunchNotify.Node.Timeliness;

/// <summary>The latest view of the centre's links (federated topology), or why there is none.</summary>
public sealed record LinksSnapshot(IReadOnlyList<LinkState> Links, Instant? ObservedAt, string? Error)
{
    public static LinksSnapshot None { get; } = new([], null, null);
}

/// <summary>
/// Sender side, LINK_SILENT from the link's own state (federated topology): polls the centre's broker for its links
/// (shovel state, backlog, confirmed forwards) and raises LINK_SILENT for a link that has not forwarded for
/// <see cref="TopologySettings.LinkSilentAfter"/> (down, absent with a backlog, or blocked); resolves it when the link
/// forwards again. Heartbeats (<see cref="LinkSilence"/>) catch the same outage from the receiving side; this catches
/// it on the sender's side, and without waiting for a missed heartbeat. A link that runs but holds messages unconfirmed
/// for <see cref="LinkRestartPolicy.RestartAfter"/> gets its shovel restarted (<see cref="LinkRecovery"/>, bounded per
/// window), audited as <c>link-restarted</c> and told in its LINK_SILENT at once.
/// </summary>
public sealed class LinkMonitor(
    TopologySettings settings,
    IDbContextFactory<NodeDbContext> dbFactory,
    AlarmBook alarms,
    IClock clock,
    ILogger<LinkMonitor> log) : BackgroundService, ILinkStates
{
    private readonly LinkTracker _tracker = new(settings.LinkPollInterval * 3);
    private readonly LinkRecovery _recovery = new(settings.LinkRestart);
    private readonly Dictionary<CentreCode, string> _raised = [];
    private volatile LinksSnapshot _snapshot = LinksSnapshot.None;

    public LinksSnapshot Snapshot => _snapshot;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!settings.WatchesLinks) return;
        var nodes = settings.ManagementNodes;
        var current = 0;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        // A restart answers once the old shovel has stopped, which takes a while when its connection is held open.
        using var restartHttp = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        using var timer = new PeriodicTimer(settings.LinkPollInterval.ToTimeSpan());
        do
        {
            try
            {
                using var provisioner = new BrokerProvisioner(nodes[current], http);
                using var restarter = new BrokerProvisioner(nodes[current], restartHttp);
                await PollAsync(provisioner, stoppingToken, restarter);
            }
            catch (Exception e) when (e is BrokerUnavailableException or BrokerProvisioningException or HttpRequestException or JsonException
                                      || (e is TaskCanceledException && !stoppingToken.IsCancellationRequested)) // HttpClient's timeout
            {
                _snapshot = _snapshot with { Error = $"The broker's management API did not answer: {e.Message}" };
                log.LogWarning("Cannot read the links' state from {Management}: {Error}", nodes[current], e.Message);
                current = (current + 1) % nodes.Count; // a cluster: ask the next node at the next round
            }
            catch (DbUpdateException e)
            {
                log.LogWarning("Link alarms not stored this round, retried at the next: {Error}", e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>
    /// One round: observe every link, publish the snapshot, restart a stalled link, raise or resolve LINK_SILENT. Public
    /// for tests. <paramref name="restarter"/> (default <paramref name="broker"/>) makes restarts, with a longer timeout.
    /// </summary>
    public async Task<LinksSnapshot> PollAsync(BrokerProvisioner broker, CancellationToken ct, BrokerProvisioner? restarter = null)
    {
        var observations = await broker.ObserveLinksAsync(ct);
        var now = clock.GetCurrentInstant();
        var states = observations.Select(o => _tracker.Observe(o, now)).ToList();
        _snapshot = new LinksSnapshot(states, now, null);

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        foreach (var link in states)
        {
            var recovery = _recovery.Decide(link, now);
            if (recovery.Action != LinkRecoveryAction.None)
            {
                await RecoverAsync(restarter ?? broker, db, link, recovery, now, ct);
                continue;
            }
            if (link.NotForwardingSince is { } since && now - since >= settings.LinkSilentAfter
                && (link.Condition != LinkCondition.Absent || link.Backlog + link.InFlight > 0))
            {
                var key = SilentKey(link.Counterpart, since);
                if (_raised.TryGetValue(link.Counterpart, out var raised) && raised == key) continue;
                var why = link.Condition switch
                {
                    LinkCondition.Blocked => "runs but forwards nothing",
                    LinkCondition.Absent => "is not configured on this broker",
                    _ => $"is {link.ShovelState ?? "down"}{(link.Reason is { Length: > 0 } r ? $" ({r})" : "")}",
                };
                await alarms.RaiseAsync(db, new AlarmRequest(AlarmKind.LinkSilent, key,
                    $"Link to {link.Counterpart} {why}: nothing forwarded since {since}; {link.Backlog + link.InFlight} message(s) waiting on this broker.",
                    Centre: link.Counterpart.Value,
                    DetailsJson: JsonSerializer.Serialize(new
                    {
                        source = "link-state", condition = link.Condition.ToString().ToLowerInvariant(), link.ShovelState, link.Reason,
                        link.Backlog, link.InFlight, link.LastForwardAt, notForwardingSince = since,
                    }, WireJson.Options),
                    DueAt: since + settings.LinkSilentAfter), ct);
                _raised[link.Counterpart] = key;
            }
            else if (link.Condition == LinkCondition.Running && _raised.Remove(link.Counterpart, out var open))
            {
                await alarms.ResolveByKeyAsync(db, open,
                    $"Link to {link.Counterpart} forwards again at {now}; {link.Backlog + link.InFlight} message(s) still waiting.", ct);
            }
        }
        await db.SaveChangesAsync(ct);
        return _snapshot;
    }

    private static string SilentKey(CentreCode counterpart, Instant since) => $"LINK_SILENT:link>{counterpart}@{since.ToUnixTimeTicks()}";

    /// <summary>
    /// A stalled link (<see cref="LinkRecovery"/>): restarts its shovel, or says the restarts are spent. Either way the
    /// link's LINK_SILENT for this stall is raised at once (or updated) with the reason, and a restart is audited.
    /// </summary>
    private async Task RecoverAsync(BrokerProvisioner broker, NodeDbContext db, LinkState link, LinkRecoveryDecision decision, Instant now, CancellationToken ct)
    {
        var policy = settings.LinkRestart;
        var since = link.NotForwardingSince!.Value;
        var stalled = $"runs but forwards nothing: {link.InFlight} message(s) sent and unconfirmed, {link.Backlog} more waiting, nothing confirmed since {since}";
        var budget = $"{decision.RestartsInWindow} of at most {policy.MaxRestarts} per {DurationText.Format(policy.Window)}";
        string summary;
        AlarmSeverity? severity = null;
        // What the alarm's details say was done: the restart's outcome (restarted, not-running, failed), or backed-off.
        var recovery = "backed-off";
        if (decision.Action == LinkRecoveryAction.Restart)
        {
            string outcome;
            string? error = null;
            try
            {
                outcome = await broker.RestartLinkAsync(link.Counterpart, ct) ? "restarted" : "not-running";
            }
            catch (Exception e) when (e is BrokerUnavailableException or BrokerProvisioningException
                                      || (e is TaskCanceledException && !ct.IsCancellationRequested))
            {
                (outcome, error) = ("failed", e is TaskCanceledException ? $"the management API did not answer in time: {e.Message}" : e.Message);
            }
            var stalledFor = Duration.FromSeconds(Math.Round((now - decision.StalledSince!.Value).TotalSeconds));
            var reason = $"stalled for {DurationText.Format(stalledFor)} (restart after {DurationText.Format(policy.RestartAfter)})";
            AuditLog.Append(db, AuditEvent.LinkRestarted(link.Counterpart, now, outcome, reason, link, decision.StalledSince.Value,
                decision.RestartsInWindow, policy, error));
            summary = outcome switch
            {
                "restarted" => $"Link to {link.Counterpart} {stalled}; its shovel was restarted (restart {budget}).",
                "not-running" => $"Link to {link.Counterpart} {stalled}; its shovel could not be restarted: the broker runs no such shovel now (restart {budget}).",
                _ => $"Link to {link.Counterpart} {stalled}; restarting its shovel failed ({error}) (restart {budget}).",
            };
            recovery = outcome;
            if (outcome == "restarted")
                log.LogWarning("Link to {Counterpart} {Stalled}: shovel restarted on {Node} (restart {Budget})", link.Counterpart, stalled, link.Node, budget);
            else
                log.LogError("Link to {Counterpart} {Stalled}: shovel restart {Outcome} {Error}", link.Counterpart, stalled, outcome, error);
        }
        else
        {
            var next = decision.NextRestartAt is { } at ? $"; the next restart is allowed at {at}" : "";
            summary = $"Link to {link.Counterpart} {stalled}; restarts did not help and are spent ({budget}){next}. " +
                "The counterpart's broker may be refusing (flow control, a memory or disk alarm) or holding the connection: check the link with 'launchnotify broker link status' and the counterpart's broker.";
            severity = AlarmSeverity.Critical;
            log.LogError("Link to {Counterpart} {Stalled}: shovel restarts spent ({Budget}), backing off{Next}", link.Counterpart, stalled, budget, next);
        }

        var key = SilentKey(link.Counterpart, since);
        var details = JsonSerializer.Serialize(new
        {
            source = "link-state", condition = link.Condition.ToString().ToLowerInvariant(), link.ShovelState, link.Reason,
            link.Backlog, link.InFlight, link.LastForwardAt, notForwardingSince = since,
            recovery,
            restartsInWindow = decision.RestartsInWindow, decision.NextRestartAt,
        }, WireJson.Options);
        var raised = await alarms.RaiseAsync(db, new AlarmRequest(AlarmKind.LinkSilent, key, summary, Centre: link.Counterpart.Value,
            DetailsJson: details, DueAt: since + settings.LinkSilentAfter, Severity: severity), ct);
        if (raised is null)
            await alarms.UpdateByKeyAsync(db, key, summary, details, severity, ct);
        _raised[link.Counterpart] = key;
    }
}

/// <summary>The latest state of a centre's links (federated topology), as the metrics read it.</summary>
public interface ILinkStates
{
    LinksSnapshot Snapshot { get; }
}
