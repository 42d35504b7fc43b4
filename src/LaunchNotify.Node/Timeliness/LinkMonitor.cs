using System.Text.Json;
using LaunchNotify.Domain.Alarms;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Alarms;
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
/// it on the sender's side, and without waiting for a missed heartbeat.
/// </summary>
public sealed class LinkMonitor(
    TopologySettings settings,
    IDbContextFactory<NodeDbContext> dbFactory,
    AlarmBook alarms,
    IClock clock,
    ILogger<LinkMonitor> log) : BackgroundService, ILinkStates
{
    private readonly LinkTracker _tracker = new(settings.LinkPollInterval * 3);
    private readonly Dictionary<CentreCode, string> _raised = [];
    private volatile LinksSnapshot _snapshot = LinksSnapshot.None;

    public LinksSnapshot Snapshot => _snapshot;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!settings.WatchesLinks) return;
        var nodes = settings.ManagementNodes;
        var current = 0;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var timer = new PeriodicTimer(settings.LinkPollInterval.ToTimeSpan());
        do
        {
            try
            {
                using var provisioner = new BrokerProvisioner(nodes[current], http);
                await PollAsync(provisioner, stoppingToken);
            }
            catch (Exception e) when (e is BrokerUnavailableException or BrokerProvisioningException or HttpRequestException or JsonException)
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

    /// <summary>One round: observe every link, publish the snapshot, raise or resolve LINK_SILENT. Public for tests.</summary>
    public async Task<LinksSnapshot> PollAsync(BrokerProvisioner broker, CancellationToken ct)
    {
        var observations = await broker.ObserveLinksAsync(ct);
        var now = clock.GetCurrentInstant();
        var states = observations.Select(o => _tracker.Observe(o, now)).ToList();
        _snapshot = new LinksSnapshot(states, now, null);

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        foreach (var link in states)
        {
            if (link.NotForwardingSince is { } since && now - since >= settings.LinkSilentAfter
                && (link.Condition != LinkCondition.Absent || link.Backlog + link.InFlight > 0))
            {
                var key = $"LINK_SILENT:link>{link.Counterpart}@{since.ToUnixTimeTicks()}";
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
}

/// <summary>The latest state of a centre's links (federated topology), as the metrics read it.</summary>
public interface ILinkStates
{
    LinksSnapshot Snapshot { get; }
}
