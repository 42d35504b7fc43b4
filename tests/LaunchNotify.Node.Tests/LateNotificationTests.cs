using LaunchNotify.Domain.Alarms;
using LaunchNotify.Domain.Rules;
using LaunchNotify.Node.Inbox;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace LaunchNotify.Node.Tests;

/// <summary>LATE_NOTIFICATION: the receiver classifies each notice by its own receipt instant (p5-demo: at least 1 h ahead).</summary>
public sealed class LateNotificationTests : IAsyncLifetime
{
    private readonly TestWorld _world = new();
    private TestCentre _us = null!, _ru = null!;

    public async Task InitializeAsync()
    {
        _us = await _world.StartAsync("US");
        _ru = await _world.StartAsync("RU");
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task Receive_WithExactlyTheMinimumLeadTime_RaisesNoAlarm()
    {
        await _us.NotifyAsync("RU", Duration.FromHours(1));

        var verdict = Assert.Single(await _world.DeliverAsync(_us, _ru));

        Assert.Equal(InboxDisposition.Accepted, verdict.Disposition);
        Assert.Empty(verdict.Details);
        Assert.Empty(await _ru.AlarmsAsync());
    }

    [Fact]
    public async Task Receive_OneSecondShortOfTheLeadTime_RaisesLateAlarmSayingByHowMuch()
    {
        var sent = await _us.NotifyAsync("RU", Duration.FromHours(1) + Duration.FromSeconds(10));
        _world.Advance(Duration.FromSeconds(11)); // in transit: issued in time, received 1 s late

        var verdict = Assert.Single(await _world.DeliverAsync(_us, _ru));

        Assert.Equal(InboxDisposition.Accepted, verdict.Disposition);
        Assert.Contains(verdict.Details, f => f.Code == RuleCodes.LateNotification);
        var alarm = Assert.Single(await _ru.AlarmsAsync());
        Assert.Equal(AlarmKind.LateNotification, alarm.Kind);
        Assert.Equal(AlarmState.Open, alarm.State);
        Assert.Equal("US", alarm.Centre);
        Assert.Equal(sent.MessageId, alarm.MessageId);
        Assert.Equal("1", alarm.Sequences);
        Assert.Contains("late by 1 s", alarm.Summary);
        Assert.Contains("delay was in transit", alarm.Summary);
        await using var db = _ru.NewDb();
        var stored = await db.Inbox.SingleAsync(m => m.MessageId == sent.MessageId);
        Assert.Equal(stored.ReceivedAt, alarm.RaisedAt);
    }

    [Fact]
    public async Task Receive_SentLateOnPurpose_RaisesOneAlarmEvenWhenRedelivered()
    {
        await _us.NotifyAsync("RU", Duration.FromMinutes(20), allowLate: true);
        await using (var db = _us.NewDb())
            await db.Outbox.ExecuteUpdateAsync(u => u.SetProperty(o => o.PublishedAt, (Instant?)null));

        await _world.DeliverAsync(_us, _ru);
        await using (var db = _us.NewDb())
            await db.Outbox.ExecuteUpdateAsync(u => u.SetProperty(o => o.PublishedAt, (Instant?)null));
        var again = Assert.Single(await _world.DeliverAsync(_us, _ru, e => e.Kind == "prenotification"));

        Assert.Equal(InboxDisposition.Duplicate, again.Disposition);
        var alarm = Assert.Single(await _ru.AlarmsAsync(AlarmKind.LateNotification));
        Assert.Contains("late by 40 min", alarm.Summary);
    }

    [Fact]
    public async Task Receive_AmendmentMovingTheWindowEarlierIntoTheLeadTime_RaisesLateAlarmForTheAmendment()
    {
        var original = await _us.NotifyAsync("RU", Duration.FromHours(5));
        await _world.DeliverAsync(_us, _ru);
        var now = _world.Clock.GetCurrentInstant();

        var amendment = await _us.SubmitAsync(
            Drafts.Amendment("p5-demo", "RU", original.MessageId!.Value, now + Duration.FromMinutes(30), Duration.FromHours(2)), "amendment", allowLate: true);
        await _world.DeliverAsync(_us, _ru);

        var alarm = Assert.Single(await _ru.AlarmsAsync(AlarmKind.LateNotification));
        Assert.Equal(amendment.MessageId, alarm.MessageId);
        Assert.Contains("moved earlier", alarm.Summary);
        Assert.Contains("late by 30 min", alarm.Summary);
    }

    [Fact]
    public async Task Receive_AmendmentExtendingTheWindowTooLate_RaisesLateAlarm()
    {
        var original = await _us.NotifyAsync("RU", Duration.FromHours(2), window: Duration.FromMinutes(30));
        await _world.DeliverAsync(_us, _ru);
        var start = _world.Clock.GetCurrentInstant() + Duration.FromHours(2);

        // The added time begins at the old end, 2 h 30 min ahead: on time. A second extension 2 h 20 min later adds time
        // from 3 h after the start, 40 min ahead: 20 min short of the hour.
        await _us.SubmitAsync(Drafts.Amendment("p5-demo", "RU", original.MessageId!.Value, start, Duration.FromHours(1)), "amendment");
        await _world.DeliverAsync(_us, _ru);
        Assert.Empty(await _ru.AlarmsAsync());

        _world.Advance(Duration.FromMinutes(140));
        await _us.SubmitAsync(Drafts.Amendment("p5-demo", "RU", original.MessageId!.Value, start, Duration.FromHours(2)), "amendment", allowLate: true);
        await _world.DeliverAsync(_us, _ru);

        var alarm = Assert.Single(await _ru.AlarmsAsync(AlarmKind.LateNotification));
        Assert.Contains("added part of the window", alarm.Summary);
        Assert.Contains("late by 20 min", alarm.Summary);
    }

    [Fact]
    public async Task Receive_AmendmentShorteningALateWindow_RaisesNoAlarm()
    {
        var original = await _us.NotifyAsync("RU", Duration.FromHours(2), window: Duration.FromHours(3));
        await _world.DeliverAsync(_us, _ru);
        _world.Advance(Duration.FromHours(1) + Duration.FromMinutes(30));

        await _us.SubmitAsync(Drafts.Amendment("p5-demo", "RU", original.MessageId!.Value,
            TestWorld.Start + Duration.FromHours(2), Duration.FromHours(1)), "amendment");
        await _world.DeliverAsync(_us, _ru);

        Assert.Empty(await _ru.AlarmsAsync());
    }

    /// <remarks>p5-demo flags a window over 24 h (in-pk refuses one over 120 h on both sides; see the domain rule tests).</remarks>
    [Fact]
    public async Task Receive_WindowLongerThanTheAgreementAllowsUnderFlag_IsAcceptedWithTheFindingAndNoAlarm()
    {
        var sent = await _us.NotifyAsync("RU", Duration.FromHours(3), window: Duration.FromHours(25));
        Assert.Contains(sent.Warnings, w => w.Code == RuleCodes.WindowTooLong);

        var verdict = Assert.Single(await _world.DeliverAsync(_us, _ru));
        await _world.DeliverAsync(_ru, _us);

        Assert.Equal(InboxDisposition.Accepted, verdict.Disposition);
        Assert.Contains(verdict.Details, f => f.Code == RuleCodes.WindowTooLong);
        Assert.Empty(await _ru.AlarmsAsync());
        await using var db = _us.NewDb();
        var delivery = await db.Deliveries.SingleAsync();
        Assert.Contains(RuleCodes.WindowTooLong, delivery.ReceiptDetailsJson);
    }
}
