using LaunchNotify.Domain.Alarms;
using LaunchNotify.Node.Timeliness;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Xunit.Abstractions;

namespace LaunchNotify.Integration.Tests.Timeliness;

/// <summary>
/// Each alarm end to end: US and RU as deployed (publisher and subscriber hosts over one store per centre), signed
/// messages over the real broker, the real clock, deadlines shortened by configuration.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class TimelinessEndToEndTests(BrokerFixture broker, ITestOutputHelper output)
{
    /// <summary>
    /// The target is 1 s from falling due (the watcher sleeps until the next due time and is woken by new deadlines;
    /// docs/timeliness.md reports measured latencies). Tests bound at 5 s so a loaded 2-core CI machine does not fail
    /// them, which still proves the mechanism: the 10 s poll case cannot make it without the wake-up.
    /// </summary>
    private static readonly Duration FiringBound = Duration.FromSeconds(5);

    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task LateNotification_ReceivedWithLessLeadTimeThanAgreed_RaisesLateAtTheReceiverAndTheSenderSeesTheFinding()
    {
        await using var pair = await TimelinessPair.CreateAsync(broker, new TimelinessSettings(), new TimelinessSettings());
        await pair.Ru.StartSubscriberAsync();
        await pair.Us.StartPublisherAsync();
        await pair.Us.StartSubscriberAsync();

        var sent = await pair.Us.NotifyAsync(TimelinessPair.RuCode, Duration.FromMinutes(45), allowLate: true);

        var alarm = await pair.Ru.EventuallyAsync(db => db.Alarms.SingleOrDefaultAsync(a => a.Kind == AlarmKind.LateNotification), Within, "a late alarm");
        Assert.Equal(sent, alarm.MessageId);
        Assert.Equal("US", alarm.Centre);
        Assert.Contains("late by 15 min", alarm.Summary);
        var delivery = await pair.Us.EventuallyAsync(db => db.Deliveries.SingleOrDefaultAsync(d => d.MessageId == sent && d.Status == DeliveryStatus.Confirmed),
            Within, "the receipt");
        Assert.Contains("LATE_NOTIFICATION", delivery.ReceiptDetailsJson);
    }

    [Fact]
    public async Task MissingByGap_AHeldBackNotification_RaisesMissingAfterTheGraceAndResolvesWhenItArrives()
    {
        var grace = new TimelinessSettings { MissingGrace = Duration.FromMilliseconds(500) };
        await using var pair = await TimelinessPair.CreateAsync(broker, grace, grace);
        await pair.Ru.StartSubscriberAsync();

        var held = await pair.Us.NotifyAsync(TimelinessPair.RuCode, Duration.FromHours(3));
        var next = await pair.Us.NotifyAsync(TimelinessPair.RuCode, Duration.FromHours(3));
        await using (var db = pair.Us.OpenStore())
            await db.Outbox.Where(o => o.MessageId == held).ExecuteUpdateAsync(u => u.SetProperty(o => o.NextAttemptAt, Instant.MaxValue));
        await pair.Us.StartPublisherAsync(); // #2 goes out; #1 stays behind

        var alarm = await pair.Ru.EventuallyAsync(db => db.Alarms.SingleOrDefaultAsync(a => a.Kind == AlarmKind.MissingNotification), Within, "a missing alarm");
        Assert.Equal("1", alarm.Sequences);
        Assert.Equal("US", alarm.Centre);
        var fired = await pair.Ru.FiringLatencyAsync(alarm);
        output.WriteLine($"MISSING_NOTIFICATION fired {fired.TotalMilliseconds:0} ms after falling due, alarm stored {(alarm.RaisedAt - alarm.DueAt!.Value).TotalMilliseconds:0} ms after");
        Assert.InRange(fired, Duration.Zero, FiringBound);
        await pair.Ru.WaitUntilAsync(db => db.Inbox.AnyAsync(m => m.MessageId == next), Within, "#2 received");

        await using (var db = pair.Us.OpenStore())
            await db.Outbox.Where(o => o.MessageId == held).ExecuteUpdateAsync(u => u.SetProperty(o => o.NextAttemptAt, (Instant?)null));

        var resolved = await pair.Ru.EventuallyAsync(db => db.Alarms.SingleOrDefaultAsync(a => a.Id == alarm.Id && a.State == AlarmState.Resolved), Within, "the resolution");
        Assert.Contains("#1", resolved.ResolveComment);
        Assert.Contains("on time", resolved.ResolveComment);
    }

    [Fact]
    public async Task Unconfirmed_NoReceiptWhileTheRecipientIsDown_RaisesReceiptOverdueAndTheLateReceiptResolvesIt()
    {
        var shortReceipt = new TimelinessSettings { ReceiptDeadline = Duration.FromSeconds(1) };
        await using var pair = await TimelinessPair.CreateAsync(broker, shortReceipt, shortReceipt);
        await pair.Us.StartPublisherAsync();
        await pair.Us.StartSubscriberAsync();

        var sent = await pair.Us.NotifyAsync(TimelinessPair.RuCode, Duration.FromHours(3));

        var alarm = await pair.Us.EventuallyAsync(db => db.Alarms.SingleOrDefaultAsync(a => a.Kind == AlarmKind.ReceiptOverdue), Within, "a receipt-overdue alarm");
        Assert.Equal(sent, alarm.MessageId);
        Assert.Equal("RU", alarm.Centre);
        var fired = await pair.Us.FiringLatencyAsync(alarm);
        output.WriteLine($"RECEIPT_OVERDUE fired {fired.TotalMilliseconds:0} ms after falling due, alarm stored {(alarm.RaisedAt - alarm.DueAt!.Value).TotalMilliseconds:0} ms after");
        Assert.InRange(fired, Duration.Zero, FiringBound);

        await pair.Ru.StartSubscriberAsync(); // RU comes up, reads its queue, answers

        var resolved = await pair.Us.EventuallyAsync(db => db.Alarms.SingleOrDefaultAsync(a => a.Id == alarm.Id && a.State == AlarmState.Resolved), Within, "the resolution");
        Assert.Contains("after the deadline", resolved.ResolveComment);
        await using var store = pair.Us.OpenStore();
        Assert.Equal(DeliveryStatus.Confirmed, (await store.Deliveries.SingleAsync(d => d.MessageId == sent)).Status);
    }

    [Fact]
    public async Task SilentLink_HeartbeatsStop_RaisesLinkSilentAndResolvesWhenTheyResume()
    {
        var beats = new TimelinessSettings
        {
            HeartbeatInterval = Duration.FromMilliseconds(200),
            SilentAfterMissed = 10, // 2 s: slack for a loaded machine
            Agreements = [new("p5-demo")],
        };
        await using var pair = await TimelinessPair.CreateAsync(broker,
            beats with { Counterparts = [TimelinessPair.RuCode] }, beats with { Counterparts = [TimelinessPair.UsCode] });
        await pair.Ru.StartSubscriberAsync();
        await pair.Us.StartPublisherAsync();

        // RU watches the link from its own start; if US's first beat takes longer than 1 s to come, that is a silent
        // spell too, closed by the beat. What matters: beats flow and no spell is open.
        await pair.Ru.WaitUntilAsync(async db => await db.Inbox.CountAsync(m => m.Kind == "heartbeat") >= 3
                                                && !await db.Alarms.AnyAsync(a => a.Kind == AlarmKind.LinkSilent && a.State != AlarmState.Resolved),
            Within, "three heartbeats and no open silence");

        await pair.Us.StopPublisherAsync();
        var alarm = await pair.Ru.EventuallyAsync(db => db.Alarms.SingleOrDefaultAsync(a => a.Kind == AlarmKind.LinkSilent && a.State == AlarmState.Open),
            Within, "a silent-link alarm");
        Assert.Equal("US", alarm.Centre);
        Assert.Equal("p5-demo", alarm.AgreementId);
        var fired = await pair.Ru.FiringLatencyAsync(alarm);
        output.WriteLine($"LINK_SILENT fired {fired.TotalMilliseconds:0} ms after falling due, alarm stored {(alarm.RaisedAt - alarm.DueAt!.Value).TotalMilliseconds:0} ms after");
        Assert.InRange(fired, Duration.Zero, FiringBound);

        await pair.Us.StartPublisherAsync();
        var resolved = await pair.Ru.EventuallyAsync(db => db.Alarms.SingleOrDefaultAsync(a => a.Id == alarm.Id && a.State == AlarmState.Resolved), Within, "the resolution");
        Assert.Contains("resumed", resolved.ResolveComment);
    }

    [Fact]
    public async Task RestartWhileDue_ADeadlineThatFellDueWhileTheCentreWasDown_FiresOnceAtStartMarked()
    {
        var shortReceipt = new TimelinessSettings { ReceiptDeadline = Duration.FromSeconds(3) };
        await using var pair = await TimelinessPair.CreateAsync(broker, shortReceipt, shortReceipt);
        await pair.Us.StartPublisherAsync();
        var sent = await pair.Us.NotifyAsync(TimelinessPair.RuCode, Duration.FromHours(3));
        await pair.Us.StopPublisherAsync(); // down before the deadline; RU never answers

        await using (var db = pair.Us.OpenStore())
        {
            var deadline = await db.Deadlines.SingleAsync(d => d.Kind == DeadlineKind.ReceiptOverdue);
            Assert.Equal(DeadlineState.Pending, deadline.State);
            // Stay down until it fell due more than the firing tolerance ago.
            while (SystemClock.Instance.GetCurrentInstant() < deadline.DueAt + Duration.FromMilliseconds(1200))
                await Task.Delay(100);
        }

        await pair.Us.StartPublisherAsync();
        await pair.Us.StartSubscriberAsync();
        var alarm = await pair.Us.EventuallyAsync(db => db.Alarms.SingleOrDefaultAsync(a => a.Kind == AlarmKind.ReceiptOverdue), Within, "the alarm at start-up");
        Assert.True(alarm.FiredAfterRestart);
        Assert.Equal(sent, alarm.MessageId);

        // Down and up again: the fired deadline stays fired. A second notice's deadline firing shows the new watchers ran.
        await pair.Us.StopPublisherAsync();
        await pair.Us.StopSubscriberAsync();
        await pair.Us.StartSubscriberAsync();
        await pair.Us.StartPublisherAsync();
        var second = await pair.Us.NotifyAsync(TimelinessPair.RuCode, Duration.FromHours(3));
        var secondAlarm = await pair.Us.EventuallyAsync(db => db.Alarms.SingleOrDefaultAsync(a => a.MessageId == second), Within, "the second notice's alarm");
        Assert.False(secondAlarm.FiredAfterRestart);
        Assert.Single(await pair.Us.AlarmsAsync(AlarmKind.ReceiptOverdue), a => a.MessageId == sent);
    }
}
