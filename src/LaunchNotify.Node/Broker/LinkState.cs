using LaunchNotify.Domain.Values;
using NodaTime;

namespace LaunchNotify.Node.Broker;

/// <summary>What a link is doing, judged from successive <see cref="LinkObservation"/>s.</summary>
public enum LinkCondition
{
    /// <summary>The shovel runs and what waits is being confirmed by the counterpart (or nothing waits).</summary>
    Running,

    /// <summary>The shovel runs but messages wait and none has been confirmed for a while (flow control, a refusing counterpart).</summary>
    Blocked,

    /// <summary>The shovel is not running: the counterpart's broker is unreachable or refused the link.</summary>
    Down,

    /// <summary>No shovel is defined for this counterpart on this broker.</summary>
    Absent,
}

/// <summary>A link's state for the CLI, the API and the dashboard; <see cref="NotForwardingSince"/> drives LINK_SILENT.</summary>
public sealed record LinkState(
    CentreCode Counterpart,
    LinkCondition Condition,
    string? ShovelState,
    string? Reason,
    string? Node,
    long Backlog,
    long InFlight,
    long? Forwarded,
    Instant? LastForwardAt,
    Instant? NotForwardingSince,
    Instant ObservedAt);

/// <summary>
/// Turns broker observations of one centre's links into <see cref="LinkState"/>s. The broker reports counts, not
/// times: the last forward is the observation at which the confirmed-forward count grew, and a running link counts as
/// blocked once messages have waited <see cref="BlockedAfter"/> without any confirmed forward.
/// </summary>
public sealed class LinkTracker(Duration blockedAfter)
{
    private readonly Dictionary<CentreCode, Memory> _memory = [];

    public Duration BlockedAfter { get; } = blockedAfter;

    public LinkState Observe(LinkObservation o, Instant now)
    {
        var seenBefore = _memory.TryGetValue(o.Counterpart, out var known);
        var m = known ?? (_memory[o.Counterpart] = new Memory());

        if (o.Forwarded is { } count)
        {
            // A smaller count is a reset (the queue's leader moved), not a forward. A queue that had no count at an
            // earlier reading (no ack yet, as through an outage since start) counted from zero: a count now is a forward.
            var before = m.Forwarded ?? (seenBefore ? 0 : null);
            if (before is { } b && count > b) m.LastForwardAt = now;
            m.Forwarded = count;
        }
        var pending = o.Backlog + o.InFlight;
        if (pending == 0 || m.LastForwardAt == now) m.PendingSince = null;
        else m.PendingSince ??= now;

        var condition = !o.Defined ? LinkCondition.Absent
            : o.ShovelState != "running" ? LinkCondition.Down
            : m.PendingSince is { } waiting && now - Later(waiting, m.LastForwardAt) >= BlockedAfter ? LinkCondition.Blocked
            : LinkCondition.Running;

        if (condition == LinkCondition.Running) m.NotForwardingSince = null;
        else m.NotForwardingSince ??= condition == LinkCondition.Blocked ? Later(m.PendingSince!.Value, m.LastForwardAt) : now;

        return new LinkState(o.Counterpart, condition, o.ShovelState, o.Reason, o.Node, o.Backlog, o.InFlight, m.Forwarded,
            m.LastForwardAt, m.NotForwardingSince, now);
    }

    private static Instant Later(Instant a, Instant? b) => b is { } x && x > a ? x : a;

    private sealed class Memory
    {
        public long? Forwarded;
        public Instant? LastForwardAt;
        public Instant? PendingSince;
        public Instant? NotForwardingSince;
    }
}
