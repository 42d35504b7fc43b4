using LaunchNotify.Domain.Values;
using NodaTime;

namespace LaunchNotify.Node.Broker;

/// <summary>
/// When a stalled link's shovel is restarted: once it has been <see cref="LinkCondition.Blocked"/> with messages in
/// flight (forwarded, unconfirmed) for <see cref="RestartAfter"/>, at most <see cref="MaxRestarts"/> times per
/// <see cref="Window"/>. <see cref="MaxRestarts"/> 0 turns restarts off.
/// </summary>
public sealed record LinkRestartPolicy(Duration RestartAfter, int MaxRestarts, Duration Window)
{
    public static LinkRestartPolicy Default { get; } = new(Duration.FromSeconds(20), 3, Duration.FromMinutes(10));
}

public enum LinkRecoveryAction
{
    /// <summary>Nothing to do: the link is not stalled, not for long enough, or a restart was just made.</summary>
    None,

    /// <summary>Restart the link's shovel now (counted against the window's budget).</summary>
    Restart,

    /// <summary>Stalled, but the window's restarts are spent: leave the shovel alone and say so (once per stall).</summary>
    BackedOff,
}

/// <param name="StalledSince">When the link last forwarded or, since then, was last restarted.</param>
/// <param name="RestartsInWindow">Restarts of this link in the window, this one included.</param>
/// <param name="NextRestartAt">When backed off: the earliest instant the budget allows another restart.</param>
public sealed record LinkRecoveryDecision(
    LinkRecoveryAction Action,
    Instant? StalledSince = null,
    int RestartsInWindow = 0,
    Instant? NextRestartAt = null)
{
    public static LinkRecoveryDecision None { get; } = new(LinkRecoveryAction.None);
}

/// <summary>
/// Decides, poll by poll, whether to restart a link's shovel (docs/deployment.md, "A stalled link is restarted"). A
/// shovel can keep running with messages unconfirmed on a connection that no longer carries anything (its node died, a
/// line holds the connection open): RabbitMQ reconnects it only when the connection fails, which a held line or a
/// lost confirm never signals. A restart closes that connection and requeues the unconfirmed messages, which the
/// shovel sends again on a new one (to any node listed in its <c>dest-uri</c>). Restarts are bounded per window, so a
/// counterpart that truly refuses (flow control, a memory alarm) is not hammered; the caller raises the alarm instead.
/// Pure: the caller supplies the instants; one instance per monitor, remembering each link's restarts.
/// </summary>
public sealed class LinkRecovery(LinkRestartPolicy policy)
{
    private readonly Dictionary<CentreCode, LinkRestarts> _links = [];

    public LinkRestartPolicy Policy { get; } = policy;

    public static bool IsStalled(LinkState link) =>
        link.Condition == LinkCondition.Blocked && link.InFlight > 0 && link.NotForwardingSince is not null;

    /// <summary>The decision for this reading of the link; a <see cref="LinkRecoveryAction.Restart"/> is counted as made.</summary>
    public LinkRecoveryDecision Decide(LinkState link, Instant now)
    {
        var memory = _links.TryGetValue(link.Counterpart, out var known) ? known : _links[link.Counterpart] = new LinkRestarts();
        while (memory.Restarts.Count > 0 && now - memory.Restarts.Peek() >= Policy.Window)
            memory.Restarts.Dequeue();

        if (Policy.MaxRestarts == 0 || !IsStalled(link))
        {
            memory.BackoffReported = false;
            return LinkRecoveryDecision.None;
        }
        // A restart just made gets its own full bound to show whether it helped.
        var since = link.NotForwardingSince!.Value;
        if (memory.LastRestartAt is { } last && last > since) since = last;
        if (now - since < Policy.RestartAfter)
            return LinkRecoveryDecision.None;

        if (memory.Restarts.Count >= Policy.MaxRestarts)
        {
            if (memory.BackoffReported) return LinkRecoveryDecision.None;
            memory.BackoffReported = true;
            Instant? next = memory.Restarts.Count > 0 ? memory.Restarts.Peek() + Policy.Window : null;
            return new LinkRecoveryDecision(LinkRecoveryAction.BackedOff, since, memory.Restarts.Count, next);
        }

        memory.Restarts.Enqueue(now);
        memory.LastRestartAt = now;
        memory.BackoffReported = false;
        return new LinkRecoveryDecision(LinkRecoveryAction.Restart, since, memory.Restarts.Count);
    }

    private sealed class LinkRestarts
    {
        public readonly Queue<Instant> Restarts = new();
        public Instant? LastRestartAt;
        public bool BackoffReported;
    }
}
