using LaunchNotify.Domain.Alarms;
using LaunchNotify.Storage.Entities;
using NodaTime;

namespace LaunchNotify.Node.Tests;

/// <summary>POSTLAUNCH_OVERDUE, watched by the receiver: p5-demo wants the report within 1 h of the window's end.</summary>
public sealed class PostLaunchOverdueTests : IAsyncLifetime
{
    private static readonly Duration Lead = Duration.FromHours(2), Window = Duration.FromHours(1), ReportWithin = Duration.FromHours(1);
    private static readonly Instant Due = TestWorld.Start + Lead + Window + ReportWithin;
    private readonly TestWorld _world = new();
    private TestCentre _us = null!, _ru = null!;
    private Guid _notification;

    public async Task InitializeAsync()
    {
        _us = await _world.StartAsync("US");
        _ru = await _world.StartAsync("RU");
        _notification = (await _us.NotifyAsync("RU", Lead, Window)).MessageId!.Value;
        await _world.DeliverAsync(_us, _ru);
        await _world.DeliverAsync(_ru, _us);
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    private async Task ReportAsync()
    {
        await _us.SubmitAsync(Drafts.PostLaunch("p5-demo", "RU", _notification, TestWorld.Start + Lead + Duration.FromMinutes(10)), "postlaunch");
        await _world.DeliverAsync(_us, _ru);
    }

    [Fact]
    public async Task NoReport_ByTheDeadline_RaisesPostLaunchOverdueThenAndNotBefore()
    {
        _world.Advance(Due - _world.Clock.GetCurrentInstant() - Duration.Epsilon);
        await _ru.FireDueAsync();
        Assert.Empty(await _ru.AlarmsAsync());

        _world.Advance(Duration.Epsilon);
        await _ru.FireDueAsync();
        var alarm = Assert.Single(await _ru.AlarmsAsync());
        Assert.Equal(AlarmKind.PostLaunchOverdue, alarm.Kind);
        Assert.Equal(_notification, alarm.MessageId);
        Assert.Equal("US", alarm.Centre);
        Assert.Equal(Due, alarm.DueAt);
        Assert.Empty(await _us.AlarmsAsync(AlarmKind.PostLaunchOverdue)); // the sender is not the one watching
    }

    [Fact]
    public async Task Report_InTime_CancelsTheDeadline()
    {
        _world.Advance(Lead + Window);
        await ReportAsync();

        _world.Advance(Duration.FromDays(1));
        await _ru.FireDueAsync();
        Assert.Empty(await _ru.AlarmsAsync());
        Assert.Equal(DeadlineState.Cancelled, Assert.Single(await _ru.DeadlinesAsync(DeadlineKind.PostLaunchOverdue)).State);
    }

    [Fact]
    public async Task Report_AfterTheAlarm_ResolvesIt()
    {
        _world.Advance(Due - _world.Clock.GetCurrentInstant());
        await _ru.FireDueAsync();
        _world.Advance(Duration.FromMinutes(15));
        await ReportAsync();

        var alarm = Assert.Single(await _ru.AlarmsAsync());
        Assert.Equal(AlarmState.Resolved, alarm.State);
        Assert.Contains("15 min after it was due", alarm.ResolveComment);
    }

    [Fact]
    public async Task Cancellation_SettlesIt()
    {
        await _us.SubmitAsync(Drafts.Cancellation("p5-demo", "RU", _notification), "cancellation");
        await _world.DeliverAsync(_us, _ru);

        _world.Advance(Duration.FromDays(1));
        await _ru.FireDueAsync();
        Assert.Empty(await _ru.AlarmsAsync());
    }

    [Fact]
    public async Task Amendment_ExtendingTheWindow_MovesTheDeadline()
    {
        await _us.SubmitAsync(Drafts.Amendment("p5-demo", "RU", _notification, TestWorld.Start + Lead, Window * 3), "amendment");
        await _world.DeliverAsync(_us, _ru);

        _world.Advance(Due - _world.Clock.GetCurrentInstant());
        await _ru.FireDueAsync();
        Assert.Empty(await _ru.AlarmsAsync());

        _world.Advance(Window * 2);
        await _ru.FireDueAsync();
        Assert.Equal(Due + Window * 2, Assert.Single(await _ru.AlarmsAsync()).DueAt);
    }
}
