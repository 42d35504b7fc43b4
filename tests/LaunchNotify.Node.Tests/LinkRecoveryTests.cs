using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Broker;
using NodaTime;
using NodaTime.Testing;

namespace LaunchNotify.Node.Tests;

/// <summary>
/// When the link monitor restarts a stalled link's shovel: readings of a link, one per poll on a FakeClock, through the
/// same LinkTracker the monitor uses, then LinkRecovery's decision.
/// </summary>
public sealed class LinkRecoveryTests
{
    private static readonly CentreCode Ru = new("RU"), Cn = new("CN");
    private static readonly Duration Poll = Duration.FromSeconds(1);
    private static readonly LinkRestartPolicy Policy = new(Duration.FromSeconds(20), 3, Duration.FromMinutes(10));

    private readonly FakeClock _clock = new(Instant.FromUtc(2026, 12, 6, 8, 0));
    private readonly LinkTracker _tracker = new(Poll * 3);

    private static LinkObservation Reading(CentreCode to, long inFlight, long forwarded, string shovel = "running", long backlog = 0) =>
        new(to, true, shovel, null, "n1", null, backlog, inFlight, forwarded);

    /// <summary>Polls once a second for <paramref name="seconds"/> s with the same reading; every decision, in order.</summary>
    private List<LinkRecoveryDecision> PollFor(LinkRecovery recovery, int seconds, LinkObservation reading)
    {
        var decisions = new List<LinkRecoveryDecision>();
        for (var i = 0; i < seconds; i++)
        {
            _clock.Advance(Poll);
            var now = _clock.GetCurrentInstant();
            decisions.Add(recovery.Decide(_tracker.Observe(reading, now), now));
        }
        return decisions;
    }

    [Fact]
    public void Decide_BlockedWithMessagesInFlightForTheBound_RestartsOnceThenWaitsAFullBoundBeforeTheNext()
    {
        var recovery = new LinkRecovery(Policy);
        PollFor(recovery, 1, Reading(Ru, inFlight: 0, forwarded: 10));
        var stallStart = _clock.GetCurrentInstant() + Poll;

        var first = PollFor(recovery, 21, Reading(Ru, inFlight: 15, forwarded: 10));
        var restart = Assert.Single(first, d => d.Action != LinkRecoveryAction.None);
        Assert.Equal(LinkRecoveryAction.Restart, restart.Action);
        Assert.Same(restart, first[^1]); // at the first poll 20 s after the messages started to wait unconfirmed
        Assert.Equal(stallStart + Policy.RestartAfter, _clock.GetCurrentInstant());
        Assert.Equal(stallStart, restart.StalledSince);
        Assert.Equal(1, restart.RestartsInWindow);

        // Still stalled after the restart: the next one only after another full bound, counted from the restart.
        var second = PollFor(recovery, 20, Reading(Ru, inFlight: 15, forwarded: 10));
        Assert.All(second[..^1], d => Assert.Equal(LinkRecoveryAction.None, d.Action));
        Assert.Equal((LinkRecoveryAction.Restart, 2), (second[^1].Action, second[^1].RestartsInWindow));
    }

    [Fact]
    public void Decide_ConfirmsArriving_OrNothingInFlight_OrShovelDown_NeverRestarts()
    {
        var recovery = new LinkRecovery(Policy);
        var busy = new List<LinkRecoveryDecision>();
        for (var forwarded = 0; forwarded < 60; forwarded++) // a busy link: always something in flight, confirms keep coming
            busy.AddRange(PollFor(recovery, 1, Reading(Ru, inFlight: 100, forwarded: forwarded)));
        Assert.All(busy, d => Assert.Equal(LinkRecoveryAction.None, d.Action));

        // Waiting but nothing handed to the shovel (it consumes nothing), or the shovel not running: not a stall a restart
        // clears (the shovel reconnects by itself when down); LINK_SILENT covers both.
        Assert.All(PollFor(recovery, 60, Reading(Ru, inFlight: 0, forwarded: 60, backlog: 7)), d => Assert.Equal(LinkRecoveryAction.None, d.Action));
        Assert.All(PollFor(recovery, 60, Reading(Ru, inFlight: 7, forwarded: 60, shovel: "terminated")), d => Assert.Equal(LinkRecoveryAction.None, d.Action));
    }

    [Fact]
    public void Decide_RestartsSpentInTheWindow_BacksOffOnceUntilTheWindowFreesARestart()
    {
        var recovery = new LinkRecovery(Policy);
        var stalled = Reading(Ru, inFlight: 5, forwarded: 0);
        var decisions = PollFor(recovery, 200, stalled);
        var acted = decisions.Where(d => d.Action != LinkRecoveryAction.None).ToList();
        Assert.Equal([LinkRecoveryAction.Restart, LinkRecoveryAction.Restart, LinkRecoveryAction.Restart, LinkRecoveryAction.BackedOff],
            acted.Select(d => d.Action));
        var firstRestartAt = _clock.GetCurrentInstant() - Duration.FromSeconds(200) + Duration.FromSeconds(21); // stalled from the first poll
        var backedOff = acted[^1];
        Assert.Equal(3, backedOff.RestartsInWindow);
        Assert.Equal(firstRestartAt + Policy.Window, backedOff.NextRestartAt);

        // Bounded: no restart storm however long the counterpart refuses; the window frees one restart at a time.
        var later = PollFor(recovery, 10 * 60, stalled);
        var restartsWithin10Minutes = later.Count(d => d.Action == LinkRecoveryAction.Restart);
        Assert.InRange(restartsWithin10Minutes, 1, 3);
        Assert.All(later.Where(d => d.Action == LinkRecoveryAction.Restart), d => Assert.True(d.RestartsInWindow <= 3));
    }

    [Fact]
    public void Decide_LinkForwardsAgainAfterARestart_ClearsTheStall_AndEachLinkHasItsOwnBudget()
    {
        var recovery = new LinkRecovery(Policy with { MaxRestarts = 1 });
        Assert.Contains(PollFor(recovery, 25, Reading(Ru, inFlight: 5, forwarded: 0)), d => d.Action == LinkRecoveryAction.Restart);
        Assert.All(PollFor(recovery, 5, Reading(Ru, inFlight: 0, forwarded: 5)), d => Assert.Equal(LinkRecoveryAction.None, d.Action));

        // A new stall of RU inside the window: backed off (its one restart is spent); CN's first stall still restarts.
        var ru = PollFor(recovery, 25, Reading(Ru, inFlight: 3, forwarded: 5));
        Assert.Equal(LinkRecoveryAction.BackedOff, Assert.Single(ru, d => d.Action != LinkRecoveryAction.None).Action);
        var cnRecovery = recovery.Decide(new LinkState(Cn, LinkCondition.Blocked, "running", null, "n1", 0, 2, 0, null,
            _clock.GetCurrentInstant() - Policy.RestartAfter, _clock.GetCurrentInstant()), _clock.GetCurrentInstant());
        Assert.Equal(LinkRecoveryAction.Restart, cnRecovery.Action);
    }

    [Fact]
    public void Decide_NoRestartsAllowed_NeverActs()
    {
        var recovery = new LinkRecovery(Policy with { MaxRestarts = 0 });
        Assert.All(PollFor(recovery, 120, Reading(Ru, inFlight: 5, forwarded: 0)), d => Assert.Equal(LinkRecoveryAction.None, d.Action));
    }
}
