using Microsoft.EntityFrameworkCore;
using LaunchNotify.Domain.Alarms;
using LaunchNotify.Node.Alarms;
using LaunchNotify.Node.Timeliness;
using Microsoft.Extensions.DependencyInjection;
using LaunchNotify.Node.Hosting;
using LaunchNotify.Storage.Entities;
using NodaTime;

namespace LaunchNotify.Node.Tests;

/// <summary>RECEIPT_OVERDUE: the sender expects a receipt within p5-demo's 2 min of submission.</summary>
public sealed class ReceiptOverdueTests : IAsyncLifetime
{
    private static readonly Duration ReceiptDeadline = Duration.FromMinutes(2);
    private readonly TestWorld _world = new();
    private TestCentre _us = null!, _ru = null!;

    public async Task InitializeAsync()
    {
        _us = await _world.StartAsync("US");
        _ru = await _world.StartAsync("RU");
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task Submit_StoresOneReceiptDeadlinePerRecipientWithTheMessage()
    {
        var sent = await _us.NotifyAsync("RU", Duration.FromHours(3));

        var deadline = Assert.Single(await _us.DeadlinesAsync(DeadlineKind.ReceiptOverdue));
        Assert.Equal(sent.MessageId, deadline.MessageId);
        Assert.Equal("RU", deadline.Centre);
        Assert.Equal(TestWorld.Start + ReceiptDeadline, deadline.DueAt);
        Assert.Equal(DeadlineState.Pending, deadline.State);
    }

    [Fact]
    public async Task Submit_ToFourRecipients_StoresOneDeadlinePerRecipient_EachSettledByItsOwnReceipt()
    {
        var draft = Drafts.PreNotification("p5-demo", "RU", TestWorld.Start + Duration.FromHours(3), Duration.FromHours(2));
        draft["recipients"] = new System.Text.Json.Nodes.JsonArray("CN", "FR", "GB", "RU");
        var sent = await _us.SubmitAsync(draft, "prenotification");

        var deadlines = await _us.DeadlinesAsync(DeadlineKind.ReceiptOverdue);
        Assert.Equal(["CN", "FR", "GB", "RU"], deadlines.Select(d => d.Centre!).Order());
        Assert.All(deadlines, d =>
        {
            Assert.Equal(sent.MessageId, d.MessageId);
            Assert.Equal(ReceiptDeadlines.KeyFor(sent.MessageId!.Value, d.Centre!), d.Key);
            Assert.Equal(TestWorld.Start + ReceiptDeadline, d.DueAt);
            Assert.Equal(DeadlineState.Pending, d.State);
        });
        Assert.Equal(sent.Recipients.Select(r => (r.Centre.Value, r.Sequence)).Order(), deadlines.Select(d => (d.Centre!, d.SequenceFrom!.Value)).Order());

        // Only RU answers: its deadline is settled, the other three still wait.
        await _world.DeliverAsync(_us, _ru);
        await _world.DeliverAsync(_ru, _us);
        var after = await _us.DeadlinesAsync(DeadlineKind.ReceiptOverdue);
        Assert.Equal(DeadlineState.Cancelled, after.Single(d => d.Centre == "RU").State);
        Assert.All(after.Where(d => d.Centre != "RU"), d => Assert.Equal(DeadlineState.Pending, d.State));
    }

    [Fact]
    public async Task ScheduleForNewMessage_AddsWithoutLooking_AndASecondDeadlineWithTheSameKeyFailsTheSaveInsteadOfDoublingIt()
    {
        var book = _us.Services.GetRequiredService<LaunchNotify.Node.Deadlines.DeadlineBook>();
        var due = TestWorld.Start + Duration.FromHours(1);
        Deadline New(string key, Instant at) => new() { Kind = DeadlineKind.ReceiptOverdue, Key = key, DueAt = at, Centre = "RU", AgreementId = "p5-demo" };
        await using (var db = _us.NewDb())
        {
            book.ScheduleForNewMessage(db, New("a", due));
            book.ScheduleForNewMessage(db, New("b", due));
            await db.SaveChangesAsync();
        }
        await using (var db = _us.NewDb())
        {
            book.ScheduleForNewMessage(db, New("a", due + Duration.FromHours(5)));
            await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
        }

        var stored = await _us.DeadlinesAsync(DeadlineKind.ReceiptOverdue);
        Assert.Equal(["a", "b"], stored.Select(d => d.Key).Order());
        Assert.All(stored, d => Assert.Equal(due, d.DueAt));
        Assert.All(stored, d => Assert.Equal(DeadlineState.Pending, d.State));
    }

    [Fact]
    public async Task NoReceipt_ByTheDeadline_RaisesReceiptOverdueAtTheDeadlineAndNotBefore()
    {
        var sent = await _us.NotifyAsync("RU", Duration.FromHours(3));

        _world.Advance(ReceiptDeadline - Duration.Epsilon);
        Assert.Equal(0, await _us.FireDueAsync());
        Assert.Empty(await _us.AlarmsAsync());

        _world.Advance(Duration.Epsilon);
        Assert.Equal(1, await _us.FireDueAsync());
        var alarm = Assert.Single(await _us.AlarmsAsync());
        Assert.Equal(AlarmKind.ReceiptOverdue, alarm.Kind);
        Assert.Equal("RU", alarm.Centre);
        Assert.Equal(sent.MessageId, alarm.MessageId);
        Assert.Equal(TestWorld.Start + ReceiptDeadline, alarm.DueAt);
        Assert.False(alarm.FiredAfterRestart);
        Assert.Contains("still in the outbox", alarm.Summary);
        Assert.Equal(DeadlineState.Fired, Assert.Single(await _us.DeadlinesAsync(DeadlineKind.ReceiptOverdue)).State);
    }

    [Fact]
    public async Task Receipt_BeforeTheDeadline_CancelsItAndNothingFires()
    {
        await _us.NotifyAsync("RU", Duration.FromHours(3));
        _world.Advance(Duration.FromMinutes(1));
        await _world.DeliverAsync(_us, _ru);
        await _world.DeliverAsync(_ru, _us);

        _world.Advance(Duration.FromHours(1));
        Assert.Equal(0, await _us.FireDueAsync());

        Assert.Empty(await _us.AlarmsAsync());
        var deadline = Assert.Single(await _us.DeadlinesAsync(DeadlineKind.ReceiptOverdue));
        Assert.Equal(DeadlineState.Cancelled, deadline.State);
        Assert.StartsWith("receipt ", deadline.SettledReason);
    }

    [Fact]
    public async Task Receipt_ExactlyAtTheDeadline_IsInTime()
    {
        await _us.NotifyAsync("RU", Duration.FromHours(3));
        _world.Advance(ReceiptDeadline);
        await _world.DeliverAsync(_us, _ru);
        await _world.DeliverAsync(_ru, _us);

        Assert.Equal(0, await _us.FireDueAsync());
        Assert.Empty(await _us.AlarmsAsync());
    }

    [Fact]
    public async Task Receipt_AfterTheAlarm_ResolvesItAndKeepsTheRecord()
    {
        await _us.NotifyAsync("RU", Duration.FromHours(3));
        await _world.DeliverAsync(_us, _ru); // published and received, but RU's receipt is held up
        _world.Advance(ReceiptDeadline);
        await _us.FireDueAsync();
        Assert.Contains("published at", Assert.Single(await _us.AlarmsAsync()).Summary);

        _world.Advance(Duration.FromMinutes(3));
        await _world.DeliverAsync(_ru, _us);

        var alarm = Assert.Single(await _us.AlarmsAsync());
        Assert.Equal(AlarmState.Resolved, alarm.State);
        Assert.Equal(AlarmBook.SystemActor, alarm.ResolvedBy);
        Assert.Contains("3 min after the deadline", alarm.ResolveComment);
        var deadline = Assert.Single(await _us.DeadlinesAsync(DeadlineKind.ReceiptOverdue));
        Assert.Equal(DeadlineState.Fired, deadline.State);
        Assert.NotNull(deadline.SettledAt);
    }

    [Fact]
    public async Task RejectingReceipt_AlsoSettlesTheDeadline()
    {
        var notification = await _us.NotifyAsync("RU", Duration.FromHours(3));
        var cancellation = await _us.SubmitAsync(Drafts.Cancellation("p5-demo", "RU", notification.MessageId!.Value), "cancellation");
        // The notification is held back, so RU rejects the cancellation of a notice it does not know.
        await _world.DeliverAsync(_us, _ru, e => e.MessageId == cancellation.MessageId);
        await _world.DeliverAsync(_ru, _us);

        _world.Advance(Duration.FromHours(1));
        await _us.FireDueAsync();

        Assert.Equal(notification.MessageId, Assert.Single(await _us.AlarmsAsync(AlarmKind.ReceiptOverdue)).MessageId);
        var settled = Assert.Single(await _us.DeadlinesAsync(DeadlineKind.ReceiptOverdue), d => d.MessageId == cancellation.MessageId);
        Assert.Equal(DeadlineState.Cancelled, settled.State);
        Assert.Contains("(rejected)", settled.SettledReason);
    }

    [Fact]
    public async Task Restart_AfterTheDeadlineFellDue_FiresOnceAtStartMarkedAndNeverAgain()
    {
        var sent = await _us.NotifyAsync("RU", Duration.FromHours(3));
        await _us.DisposeAsync(); // the centre goes down before the deadline

        _world.Advance(Duration.FromMinutes(10));
        var restarted = await _world.StartAsync("US");
        Assert.Equal(1, await restarted.FireDueAsync());

        var alarm = Assert.Single(await restarted.AlarmsAsync());
        Assert.True(alarm.FiredAfterRestart);
        Assert.Equal(TestWorld.Start + ReceiptDeadline, alarm.DueAt);
        Assert.Equal(TestWorld.Start + Duration.FromMinutes(10), alarm.RaisedAt);

        await restarted.DisposeAsync();
        _world.Advance(Duration.FromMinutes(10));
        var again = await _world.StartAsync("US");
        Assert.Equal(0, await again.FireDueAsync());
        Assert.Equal(sent.MessageId, Assert.Single(await again.AlarmsAsync()).MessageId);
    }

    [Fact]
    public async Task TwoProcessesOfOneCentre_OnOneSqliteStore_FireEachDeadlineOnce()
    {
        var subscriber = await _world.StartAsync("US", _world.SqliteStore("US"), role: NodeRole.Subscriber);
        for (var i = 0; i < 12; i++)
            await _us.NotifyAsync("RU", Duration.FromHours(3));
        _world.Advance(ReceiptDeadline);

        var fired = await Task.WhenAll(Enumerable.Range(0, 3).SelectMany(_ => new[] { _us.FireDueAsync(), subscriber.FireDueAsync() }));

        Assert.Equal(12, fired.Sum());
        Assert.Equal(12, (await _us.AlarmsAsync(AlarmKind.ReceiptOverdue)).Count);
        Assert.All(await _us.DeadlinesAsync(DeadlineKind.ReceiptOverdue), d => Assert.Equal(DeadlineState.Fired, d.State));
    }
}
