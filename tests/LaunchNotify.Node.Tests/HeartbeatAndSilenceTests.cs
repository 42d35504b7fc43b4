using System.Text;
using LaunchNotify.Domain.Alarms;
using LaunchNotify.Domain.Messages;
using LaunchNotify.Node.Inbox;
using LaunchNotify.Node.Timeliness;
using LaunchNotify.Protocol.Json;
using LaunchNotify.Protocol.Schemas;
using LaunchNotify.Protocol.Signing;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace LaunchNotify.Node.Tests;

/// <summary>Heartbeats (p5-demo: every 30 s) and LINK_SILENT (after 3 missed: 90 s without one).</summary>
public sealed class HeartbeatAndSilenceTests : IAsyncLifetime
{
    private static readonly Duration Interval = Duration.FromSeconds(30);
    private static readonly Duration Silence = Duration.FromSeconds(90);
    private static readonly TimelinessSettings UsLinks = new() { Counterparts = [new("RU")], Agreements = [new("p5-demo")] };
    private static readonly TimelinessSettings RuLinks = new() { Counterparts = [new("US")], Agreements = [new("p5-demo")] };
    private readonly TestWorld _world = new();
    private TestCentre _us = null!, _ru = null!;

    public async Task InitializeAsync()
    {
        _us = await _world.StartAsync("US", timeliness: UsLinks);
        _ru = await _world.StartAsync("RU", timeliness: RuLinks);
        await _us.PrepareAsync();
        await _ru.PrepareAsync();
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    /// <summary>US's watcher sends what is due; the beats reach RU; RU's watcher fires what is due.</summary>
    private async Task<IReadOnlyList<InboxResult>> BeatAsync(bool delivered = true)
    {
        await _us.FireDueAsync();
        var results = delivered ? await _world.DeliverAsync(_us, _ru) : [];
        await _ru.FireDueAsync();
        return results;
    }

    [Fact]
    public async Task Heartbeat_IsSignedOfTheSchemaAndCarriesTheLastNotificationNumber()
    {
        await _us.NotifyAsync("RU", Duration.FromHours(3));
        await _us.NotifyAsync("RU", Duration.FromHours(3));
        await _world.DeliverAsync(_us, _ru);

        var verdict = Assert.Single(await BeatAsync());

        Assert.Equal(InboxDisposition.Accepted, verdict.Disposition);
        Assert.Equal("heartbeat", verdict.Kind);
        await using var db = _ru.NewDb();
        var stored = await db.Inbox.SingleAsync(m => m.Kind == "heartbeat");
        Assert.True(SchemaCatalog.Default.ValidateMessage(Encoding.UTF8.GetBytes(stored.PayloadJson!)).IsValid);
        var heartbeat = Assert.IsType<Heartbeat>(MessageParser.ReadStored(stored.PayloadJson!));
        Assert.Equal(2, heartbeat.LastNotificationSequence);
        Assert.Equal(30, heartbeat.IntervalSeconds);
        Assert.Equal(1, heartbeat.SequenceFor(new("RU")));
        Assert.True(new JwsSignatureVerifier(KeyStore.LoadTrustedKeys(_world.KeysDirectory)).Verify(stored.Jws, new("US")).IsValid);
    }

    [Fact]
    public async Task Heartbeats_AreSentOncePerIntervalPerLink()
    {
        await BeatAsync();
        _world.Advance(Interval - Duration.Epsilon);
        Assert.Empty(await BeatAsync());
        _world.Advance(Duration.Epsilon);
        Assert.Single(await BeatAsync());

        var schedule = Assert.Single(await _us.DeadlinesAsync(DeadlineKind.Heartbeat));
        Assert.Equal(TestWorld.Start + Interval * 2, schedule.DueAt);
        Assert.Equal(DeadlineState.Pending, schedule.State);
    }

    [Fact]
    public async Task RegularHeartbeats_KeepTheLinkQuiet()
    {
        for (var i = 0; i < 10; i++)
        {
            await BeatAsync();
            _world.Advance(Interval);
        }
        Assert.Empty(await _ru.AlarmsAsync());
    }

    [Fact]
    public async Task Silence_ForTheConfiguredNumberOfIntervals_RaisesLinkSilentThenAndNotBefore()
    {
        await BeatAsync();

        _world.Advance(Silence - Duration.Epsilon);
        await BeatAsync(delivered: false);
        Assert.Empty(await _ru.AlarmsAsync());

        _world.Advance(Duration.Epsilon);
        await BeatAsync(delivered: false);
        var alarm = Assert.Single(await _ru.AlarmsAsync());
        Assert.Equal(AlarmKind.LinkSilent, alarm.Kind);
        Assert.Equal("US", alarm.Centre);
        Assert.Equal(TestWorld.Start + Silence, alarm.DueAt);
        Assert.Contains("the last one arrived at", alarm.Summary);
    }

    [Fact]
    public async Task Heartbeats_Resuming_ResolveTheAlarm_AndALaterSilenceRaisesANewOne()
    {
        await BeatAsync();
        _world.Advance(Silence * 2);
        await BeatAsync(delivered: false);
        Assert.Equal(AlarmState.Open, Assert.Single(await _ru.AlarmsAsync()).State);

        await BeatAsync(); // the beats held up in US's outbox get through
        var first = Assert.Single(await _ru.AlarmsAsync());
        Assert.Equal(AlarmState.Resolved, first.State);
        Assert.Contains("resumed", first.ResolveComment);

        _world.Advance(Silence);
        await BeatAsync(delivered: false);
        var alarms = await _ru.AlarmsAsync(AlarmKind.LinkSilent);
        Assert.Equal(2, alarms.Count);
        Assert.Single(alarms, a => a.State == AlarmState.Open);
    }

    [Fact]
    public async Task ACounterpartNeverHeardFrom_IsSilentOneSilencePeriodAfterStart()
    {
        _world.Advance(Silence - Duration.Epsilon);
        await _ru.FireDueAsync();
        Assert.Empty(await _ru.AlarmsAsync());

        _world.Advance(Duration.Epsilon);
        await _ru.FireDueAsync();
        var alarm = Assert.Single(await _ru.AlarmsAsync());
        Assert.Equal(AlarmKind.LinkSilent, alarm.Kind);
        Assert.Contains("none received", alarm.Summary);
    }

    [Fact]
    public async Task Restart_OfTheSender_SendsAtOnceAndKeepsOneSchedulePerLink()
    {
        await BeatAsync();
        await _us.DisposeAsync();
        _world.Advance(Duration.FromMinutes(10));

        var us = await _world.StartAsync("US", timeliness: UsLinks);
        await us.PrepareAsync();
        await us.FireDueAsync();

        Assert.Single(await _world.DeliverAsync(us, _ru)); // one beat, not one per missed interval
        var schedule = Assert.Single(await us.DeadlinesAsync(DeadlineKind.Heartbeat));
        Assert.Equal(_world.Clock.GetCurrentInstant() + Interval, schedule.DueAt);
    }

    [Fact]
    public async Task IntervalOverride_IsUsedForSendingAndWatching()
    {
        var fast = new TimelinessSettings { Counterparts = [new("RU")], Agreements = [new("p5-demo")], HeartbeatInterval = Duration.FromMilliseconds(200), SilentAfterMissed = 5 };
        await using var world = new TestWorld();
        var us = await world.StartAsync("US", timeliness: fast);
        var ru = await world.StartAsync("RU", timeliness: fast with { Counterparts = [new("US")] });
        await us.PrepareAsync();
        await us.FireDueAsync();
        await world.DeliverAsync(us, ru);

        world.Advance(Duration.FromMilliseconds(999));
        await ru.FireDueAsync();
        Assert.Empty(await ru.AlarmsAsync());
        world.Advance(Duration.FromMilliseconds(1));
        await ru.FireDueAsync();
        Assert.Equal(AlarmKind.LinkSilent, Assert.Single(await ru.AlarmsAsync()).Kind);

        await using var db = ru.NewDb();
        var heartbeat = (Heartbeat)MessageParser.ReadStored((await db.Inbox.SingleAsync(m => m.Kind == "heartbeat")).PayloadJson!);
        Assert.Equal(1, heartbeat.IntervalSeconds); // the wire counts whole seconds
    }
}
