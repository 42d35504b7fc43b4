using LaunchNotify.Domain.Alarms;
using LaunchNotify.Node.Timeliness;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace LaunchNotify.Node.Tests;

/// <summary>MISSING_NOTIFICATION: a gap in US → RU's numbers under p5-demo may stay open for 1 min.</summary>
public sealed class MissingNotificationTests : IAsyncLifetime
{
    private static readonly Duration Grace = Duration.FromMinutes(1);
    private readonly TestWorld _world = new();
    private TestCentre _us = null!, _ru = null!;
    private readonly List<Guid> _sent = [];

    public async Task InitializeAsync()
    {
        _us = await _world.StartAsync("US");
        _ru = await _world.StartAsync("RU");
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    /// <summary>US sends #1..#n; those in <paramref name="heldBack"/> stay in its outbox; the rest reach RU now.</summary>
    private async Task SendAsync(int n, params int[] heldBack)
    {
        for (var i = 0; i < n; i++)
            _sent.Add((await _us.NotifyAsync("RU", Duration.FromHours(3))).MessageId!.Value);
        var held = heldBack.Select(h => _sent[h - 1]).ToHashSet();
        await _world.DeliverAsync(_us, _ru, e => !held.Contains(e.MessageId));
    }

    private Task DeliverHeldAsync(int sequence) => _world.DeliverAsync(_us, _ru, e => e.MessageId == _sent[sequence - 1]);

    [Fact]
    public async Task Gap_NotFilledWithinTheGrace_RaisesMissingNamingTheNumbersAtTheEndOfTheGraceAndNotBefore()
    {
        await SendAsync(5, 2, 3);

        _world.Advance(Grace - Duration.Epsilon);
        Assert.Equal(0, await _ru.FireDueAsync());
        Assert.Empty(await _ru.AlarmsAsync());

        _world.Advance(Duration.Epsilon);
        Assert.Equal(1, await _ru.FireDueAsync());
        var alarm = Assert.Single(await _ru.AlarmsAsync());
        Assert.Equal(AlarmKind.MissingNotification, alarm.Kind);
        Assert.Equal("US", alarm.Centre);
        Assert.Equal("p5-demo", alarm.AgreementId);
        Assert.Equal("2-3", alarm.Sequences);
        Assert.Contains("#2-3", alarm.Summary);
    }

    [Fact]
    public async Task Gap_FilledWithinTheGrace_CancelsTheDeadlineAndNothingFires()
    {
        await SendAsync(3, 2);
        _world.Advance(Duration.FromSeconds(30));
        await DeliverHeldAsync(2);

        _world.Advance(Duration.FromHours(1));
        Assert.Equal(0, await _ru.FireDueAsync());
        Assert.Empty(await _ru.AlarmsAsync());
        Assert.Equal(DeadlineState.Cancelled, Assert.Single(await _ru.DeadlinesAsync(DeadlineKind.MissingNotification)).State);
    }

    [Fact]
    public async Task Gap_PartlyFilledBeforeTheGraceEnds_NamesOnlyTheNumbersStillMissing_AndResolvesWhenTheLastArrives()
    {
        await SendAsync(5, 2, 3, 4);
        await DeliverHeldAsync(3);
        _world.Advance(Grace);
        await _ru.FireDueAsync();
        var alarm = Assert.Single(await _ru.AlarmsAsync());
        Assert.Equal("2,4", alarm.Sequences);

        await DeliverHeldAsync(2);
        Assert.Equal(AlarmState.Open, Assert.Single(await _ru.AlarmsAsync()).State);
        await DeliverHeldAsync(4);

        alarm = Assert.Single(await _ru.AlarmsAsync());
        Assert.Equal(AlarmState.Resolved, alarm.State);
        Assert.Contains("the last, #4", alarm.ResolveComment);
    }

    [Fact]
    public async Task Gap_FilledAfterTheAlarm_ResolvesItAndTheArrivalIsClassifiedLate()
    {
        // #1 leaves with 1 h 1 min to spare; held back 3 min, it arrives 2 min late.
        _sent.Add((await _us.NotifyAsync("RU", Duration.FromMinutes(61))).MessageId!.Value);
        _sent.Add((await _us.NotifyAsync("RU", Duration.FromHours(3))).MessageId!.Value);
        await _world.DeliverAsync(_us, _ru, e => e.MessageId == _sent[1]);
        _world.Advance(Grace);
        await _ru.FireDueAsync();

        _world.Advance(Duration.FromMinutes(2));
        await DeliverHeldAsync(1);

        var missing = Assert.Single(await _ru.AlarmsAsync(AlarmKind.MissingNotification));
        Assert.Equal(AlarmState.Resolved, missing.State);
        Assert.Contains("late by 2 min", missing.ResolveComment);
        var late = Assert.Single(await _ru.AlarmsAsync(AlarmKind.LateNotification));
        Assert.Equal(_sent[0], late.MessageId);
        Assert.Contains("late by 2 min", late.Summary);
    }

    [Fact]
    public async Task Gap_FilledAfterTheAlarmOnTime_ResolvesItAsOnTime()
    {
        await SendAsync(2, 1);
        _world.Advance(Grace);
        await _ru.FireDueAsync();

        await DeliverHeldAsync(1);

        var alarm = Assert.Single(await _ru.AlarmsAsync());
        Assert.Equal(AlarmState.Resolved, alarm.State);
        Assert.Contains("on time", alarm.ResolveComment);
    }

    [Fact]
    public async Task LostLastMessage_ShowsThroughTheNextHeartbeat()
    {
        var timeliness = new TimelinessSettings { Counterparts = [new("RU")], Agreements = [new("p5-demo")] };
        var us = await _world.StartAsync("US", _world.SqliteStore("US"), timeliness);
        await SendAsync(2, 2); // #2 is the last one sent, and it is lost
        await _world.DropAsync(_us, _ru, e => e.MessageId == _sent[1]);

        await us.PrepareAsync();
        await us.FireDueAsync(); // the heartbeat says: last notification #2
        await _world.DeliverAsync(us, _ru);
        _world.Advance(Grace);
        await _ru.FireDueAsync();

        var alarm = Assert.Single(await _ru.AlarmsAsync());
        Assert.Equal(AlarmKind.MissingNotification, alarm.Kind);
        Assert.Equal("2", alarm.Sequences);
    }

    [Fact]
    public async Task GapRightAboveANumberAHeartbeatAnnounced_IsTrackedToo()
    {
        // #2 is lost and a heartbeat announces it; then #3 is lost as well and #4 arrives: the stored state of the link
        // ("2" missing, then "3" right above it) must restore for #4, and each gap is alarmed on its own.
        var timeliness = new TimelinessSettings { Counterparts = [new("RU")], Agreements = [new("p5-demo")] };
        var us = await _world.StartAsync("US", _world.SqliteStore("US"), timeliness);
        await SendAsync(2, 2);
        await _world.DropAsync(_us, _ru, e => e.MessageId == _sent[1]);
        await us.PrepareAsync();
        await us.FireDueAsync();
        await _world.DeliverAsync(us, _ru);

        await SendAsync(2, 3);
        await _world.DropAsync(_us, _ru, e => e.MessageId == _sent[2]);
        await using (var db = _ru.NewDb())
            Assert.Equal("2-3", (await db.InboundSequences.SingleAsync()).Missing);

        _world.Advance(Grace);
        Assert.Equal(2, await _ru.FireDueAsync());
        Assert.Equal(["2", "3"], (await _ru.AlarmsAsync(AlarmKind.MissingNotification)).Select(a => a.Sequences).Order());
    }

    [Fact]
    public async Task TrackerState_SurvivesARestartOfTheReceiver()
    {
        await SendAsync(1);
        await _ru.DisposeAsync();
        var ru = await _world.StartAsync("RU");

        _sent.Add((await _us.NotifyAsync("RU", Duration.FromHours(3))).MessageId!.Value);
        _sent.Add((await _us.NotifyAsync("RU", Duration.FromHours(3))).MessageId!.Value);
        await _world.DeliverAsync(_us, ru, e => e.MessageId == _sent[2]);

        await using var db = ru.NewDb();
        var link = await db.InboundSequences.SingleAsync();
        Assert.Equal(3, link.HighestSeen);
        Assert.Equal("2", link.Missing);
    }

    [Fact]
    public async Task Restart_AfterTheGraceEnded_FiresOnceAtStartMarkedAndNotAgain()
    {
        await SendAsync(3, 2);
        await _ru.DisposeAsync();
        _world.Advance(Duration.FromMinutes(5));

        var ru = await _world.StartAsync("RU");
        Assert.Equal(1, await ru.FireDueAsync());
        var alarm = Assert.Single(await ru.AlarmsAsync());
        Assert.True(alarm.FiredAfterRestart);
        Assert.Equal("2", alarm.Sequences);

        await ru.DisposeAsync();
        var again = await _world.StartAsync("RU");
        Assert.Equal(0, await again.FireDueAsync());
        Assert.Single(await again.AlarmsAsync());
    }

    [Fact]
    public async Task RejectedNotification_StillFillsItsNumber()
    {
        await SendAsync(1);
        var start = _world.Clock.GetCurrentInstant() + Duration.FromHours(4);
        _sent.Add((await _us.SubmitAsync(Drafts.Amendment("p5-demo", "RU", _sent[0], start, Duration.FromHours(1)), "amendment")).MessageId!.Value);
        _sent.Add((await _us.SubmitAsync(Drafts.Cancellation("p5-demo", "RU", _sent[0]), "cancellation")).MessageId!.Value);
        await DeliverHeldAsync(3);

        // The amendment arrives after the cancellation: RU refuses to amend a cancelled notice, but #2 did arrive.
        var verdict = Assert.Single(await _world.DeliverAsync(_us, _ru, e => e.MessageId == _sent[1]));
        Assert.Equal(Inbox.InboxDisposition.Rejected, verdict.Disposition);

        _world.Advance(Duration.FromHours(1));
        await _ru.FireDueAsync();
        Assert.Empty(await _ru.AlarmsAsync(AlarmKind.MissingNotification));
        Assert.Equal(DeadlineState.Cancelled, Assert.Single(await _ru.DeadlinesAsync(DeadlineKind.MissingNotification)).State);
    }
}
