using LaunchNotify.Domain.Alarms;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Acknowledgements;
using LaunchNotify.Node.Audit;
using LaunchNotify.Node.Inbox;
using LaunchNotify.Node.Queries;
using LaunchNotify.Node.Timeliness;
using LaunchNotify.Protocol.Json;
using LaunchNotify.Protocol.Signing;
using LaunchNotify.Storage.Audit;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace LaunchNotify.Node.Tests;

/// <summary>
/// A person's acknowledgement (p5-demo: due 5 min after receipt, critical 5 min later): RU receives US's notice, its duty
/// officer acknowledges it, the signed acknowledgement goes back, and US sees the notice read by a person. Fake clock.
/// </summary>
public sealed class AcknowledgementTests : IAsyncLifetime
{
    private static readonly Duration Due = Duration.FromMinutes(5);
    private static readonly Duration Escalation = Duration.FromMinutes(5);
    private static readonly Actor Olga = new("sub-olga", "olga", ["duty-officer"]);
    private readonly TestWorld _world = new();
    private TestCentre _us = null!, _ru = null!;

    public async Task InitializeAsync()
    {
        // The agreement's own acknowledgement terms (TestWorld's default keeps them out of other tests).
        _us = await _world.StartAsync("US", timeliness: new TimelinessSettings());
        _ru = await _world.StartAsync("RU", timeliness: new TimelinessSettings());
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    private AcknowledgementService Service(TestCentre centre) => centre.Services.GetRequiredService<AcknowledgementService>();

    /// <summary>US notifies RU; RU stores it and its receipt reaches US. Returns the notice's id.</summary>
    private async Task<Guid> ReceivedNoticeAsync()
    {
        var sent = await _us.NotifyAsync("RU", Duration.FromHours(3));
        Assert.All(await _world.DeliverAsync(_us, _ru), r => Assert.Equal(InboxDisposition.Accepted, r.Disposition));
        await _world.DeliverAsync(_ru, _us);
        return sent.MessageId!.Value;
    }

    [Fact]
    public async Task ReceivedNotice_GetsItsAcknowledgementDeadline_FromTheAgreement()
    {
        var id = await ReceivedNoticeAsync();

        var deadline = Assert.Single(await _ru.DeadlinesAsync(DeadlineKind.AcknowledgementOverdue));
        Assert.Equal(TestWorld.Start + Due, deadline.DueAt);
        Assert.Equal(id, deadline.MessageId);
        Assert.Equal("US", deadline.Centre);
        await using var db = _ru.NewDb();
        Assert.Equal(TestWorld.Start + Due, (await db.Inbox.SingleAsync(m => m.MessageId == id)).AcknowledgeDueAt);
        // The sender owes nothing of the kind, nor does anyone for receipts.
        Assert.Empty(await _us.DeadlinesAsync(DeadlineKind.AcknowledgementOverdue));
    }

    [Fact]
    public async Task NoAcknowledgement_RaisesNotAcknowledgedAsAWarningAtTheDeadline_ThenTheSameAlarmTurnsCriticalAfterTheEscalation()
    {
        var id = await ReceivedNoticeAsync();

        _world.Advance(Due - Duration.Epsilon);
        Assert.Equal(0, await _ru.FireDueAsync());
        Assert.Empty(await _ru.AlarmsAsync());

        _world.Advance(Duration.Epsilon);
        Assert.Equal(1, await _ru.FireDueAsync());
        var warning = Assert.Single(await _ru.AlarmsAsync());
        Assert.Equal(AlarmKind.NotAcknowledged, warning.Kind);
        Assert.Equal(AlarmSeverity.Warning, warning.Severity);
        Assert.Equal(id, warning.MessageId);
        Assert.Equal("US", warning.Centre);
        Assert.Equal(TestWorld.Start + Due, warning.DueAt);

        _world.Advance(Escalation - Duration.Epsilon);
        Assert.Equal(0, await _ru.FireDueAsync());
        _world.Advance(Duration.Epsilon);
        Assert.Equal(1, await _ru.FireDueAsync());
        var critical = Assert.Single(await _ru.AlarmsAsync());
        Assert.Equal(warning.Id, critical.Id);
        Assert.Equal(AlarmSeverity.Critical, critical.Severity);
        Assert.Equal(AlarmState.Open, critical.State);
        Assert.True(critical.Version > warning.Version);
        Assert.Contains("Still no one has acknowledged", critical.Summary);

        // Fired once per level, never again (a day on, other deadlines such as the post-launch report's fire too).
        _world.Advance(Duration.FromDays(1));
        await _ru.FireDueAsync();
        Assert.Equal(AlarmSeverity.Critical, Assert.Single(await _ru.AlarmsAsync(AlarmKind.NotAcknowledged)).Severity);
        Assert.Equal(DeadlineState.Fired, Assert.Single(await _ru.DeadlinesAsync(DeadlineKind.AcknowledgementOverdue)).State);
        await using var db = _ru.NewDb();
        Assert.Equal(1, await db.Set<AuditEntry>().CountAsync(e => e.Type == AuditTypes.AlarmEscalated));
    }

    [Fact]
    public async Task AcknowledgedInTime_CancelsTheDeadline_SendsASignedAcknowledgementOnTheReceiptStream_AndTheSenderSeesReadByAPerson()
    {
        var id = await ReceivedNoticeAsync();
        _world.Advance(Duration.FromMinutes(3));
        var readAt = _world.Clock.GetCurrentInstant();

        var result = await Service(_ru).AcknowledgeAsync(new CentreCode("US"), id, Olga, CancellationToken.None);

        Assert.Equal(AcknowledgeOutcome.Acknowledged, result.Outcome);
        Assert.Equal(readAt, result.AcknowledgedAt);
        Assert.Equal("olga", result.AcknowledgedBy);
        var deadline = Assert.Single(await _ru.DeadlinesAsync(DeadlineKind.AcknowledgementOverdue));
        Assert.Equal(DeadlineState.Cancelled, deadline.State);

        await using (var db = _ru.NewDb())
        {
            var entry = await db.Inbox.SingleAsync(m => m.MessageId == id);
            Assert.Equal(("sub-olga", "olga"), (entry.AcknowledgedBySubject, entry.AcknowledgedByName));
            var audit = await db.Set<AuditEntry>().SingleAsync(e => e.Type == AuditTypes.Acknowledged);
            Assert.Equal("sub-olga", audit.ActorSubject);
            var outbound = await db.Outbox.SingleAsync(o => o.Kind == "acknowledgement");
            Assert.Equal("US.RU.acknowledgement", outbound.RoutingKey);
            Assert.Equal(entry.AcknowledgementJws, outbound.Body);
            // Signed by RU, and the receipt's sequence stream continues: receipt #1, acknowledgement #2.
            var payload = System.Text.Json.JsonDocument.Parse(Jws.TryParseFlattened(outbound.Body, out var parsed, out _) ? parsed.Payload : []).RootElement;
            Assert.Equal("1.2", payload.GetProperty("schemaVersion").GetString());
            Assert.Equal(2, payload.GetProperty("recipients")[0].GetProperty("sequence").GetInt64());
        }

        _world.Advance(Duration.FromSeconds(2));
        var verdict = Assert.Single(await _world.DeliverAsync(_ru, _us));
        Assert.Equal(InboxDisposition.Accepted, verdict.Disposition);
        Assert.Equal("acknowledgement", verdict.Kind);

        var status = await _us.Services.GetRequiredService<StatusQueries>().GetAsync(id, CancellationToken.None);
        var ru = Assert.Single(status!.Recipients);
        Assert.Equal("confirmed", ru.Status);
        Assert.Equal(readAt, ru.ReadByPersonAt);
        Assert.Equal(readAt + Duration.FromSeconds(2), ru.AcknowledgementReceivedAt);
        Assert.Equal([DeliveryStages.Delivered, DeliveryStages.Confirmed, DeliveryStages.ReadByPerson], ru.Stages.Select(s => s.Stage));
        Assert.Equal(readAt, ru.Stages[2].At);

        _world.Advance(Duration.FromHours(1));
        Assert.Equal(0, await _ru.FireDueAsync());
        Assert.Empty(await _ru.AlarmsAsync());
        Assert.Empty(_us.Errors.Concat(_ru.Errors));
    }

    [Fact]
    public async Task AcknowledgedAfterTheWarning_ResolvesTheAlarm_AndItNeverEscalates()
    {
        var id = await ReceivedNoticeAsync();
        _world.Advance(Due);
        await _ru.FireDueAsync();
        _world.Advance(Duration.FromMinutes(1));

        await Service(_ru).AcknowledgeAsync(new CentreCode("US"), id, Olga, CancellationToken.None);

        var alarm = Assert.Single(await _ru.AlarmsAsync());
        Assert.Equal(AlarmState.Resolved, alarm.State);
        Assert.Equal(AlarmSeverity.Warning, alarm.Severity);
        Assert.Contains("1 min after the deadline", alarm.ResolveComment);
        _world.Advance(Duration.FromHours(1));
        Assert.Equal(0, await _ru.FireDueAsync());
        Assert.Equal(AlarmSeverity.Warning, Assert.Single(await _ru.AlarmsAsync(AlarmKind.NotAcknowledged)).Severity);
    }

    [Fact]
    public async Task DeadlineThatFellDueWhileDown_FiresAtStartMarkedAsSuch()
    {
        await ReceivedNoticeAsync();
        await _ru.DisposeAsync();
        _world.Advance(Due + Duration.FromMinutes(1));

        var ru = await _world.StartAsync("RU", timeliness: new TimelinessSettings());
        Assert.Equal(1, await ru.FireDueAsync());
        var alarm = Assert.Single(await ru.AlarmsAsync(AlarmKind.NotAcknowledged));
        Assert.True(alarm.FiredAfterRestart);
    }

    [Fact]
    public async Task AcknowledgingAgain_KeepsTheFirst_AndSendsNothingMore()
    {
        var id = await ReceivedNoticeAsync();
        var first = await Service(_ru).AcknowledgeAsync(new CentreCode("US"), id, Olga, CancellationToken.None);
        _world.Advance(Duration.FromMinutes(1));

        var again = await Service(_ru).AcknowledgeAsync(new CentreCode("US"), id, new Actor("sub-ivan", "ivan", ["duty-officer"]), CancellationToken.None);

        Assert.Equal(AcknowledgeOutcome.AlreadyAcknowledged, again.Outcome);
        Assert.Equal(first.AcknowledgedAt, again.AcknowledgedAt);
        Assert.Equal("olga", again.AcknowledgedBy);
        await using var db = _ru.NewDb();
        Assert.Equal(1, await db.Outbox.CountAsync(o => o.Kind == "acknowledgement"));
    }

    [Fact]
    public async Task UnknownMessages_ReceiptsAndRejectedNotices_AreNotAcknowledged()
    {
        var id = await ReceivedNoticeAsync();
        var service = Service(_ru);

        Assert.Equal(AcknowledgeOutcome.NotFound, (await service.AcknowledgeAsync(new CentreCode("US"), Guid.NewGuid(), Olga, CancellationToken.None)).Outcome);
        Assert.Equal(AcknowledgeOutcome.NotFound, (await service.AcknowledgeAsync(new CentreCode("CN"), id, Olga, CancellationToken.None)).Outcome);
        await using var usDb = _us.NewDb();
        var receipt = await usDb.Inbox.SingleAsync(m => m.Kind == "receipt");
        var onReceipt = await Service(_us).AcknowledgeAsync(new CentreCode("RU"), receipt.MessageId, Olga, CancellationToken.None);
        Assert.Equal(AcknowledgeOutcome.NotAcknowledgeable, onReceipt.Outcome);
        Assert.Contains("not a notification", onReceipt.Reason);
    }

    [Fact]
    public async Task AwaitingAcknowledgementQuery_ListsWaitingNoticesByDeadline_WithTheirUrgency()
    {
        var first = await ReceivedNoticeAsync();
        _world.Advance(Duration.FromMinutes(2));
        var second = await ReceivedNoticeAsync();
        var query = _ru.Services.GetRequiredService<AwaitingAcknowledgementQuery>();

        _world.Advance(Duration.FromMinutes(4)); // first: 1 min overdue; second: 1 min left
        var waiting = await query.ListAsync(10, CancellationToken.None);
        Assert.Equal([first, second], waiting.Select(w => w.MessageId));
        Assert.Equal(AcknowledgementUrgency.Overdue, waiting[0].Urgency);
        Assert.Equal(Duration.FromMinutes(-1), waiting[0].Remaining);
        Assert.Equal(TestWorld.Start + Due + Escalation, waiting[0].EscalatesAt);
        Assert.Equal(AcknowledgementUrgency.Pending, waiting[1].Urgency);
        Assert.Equal(Duration.FromMinutes(1), waiting[1].Remaining);

        await Service(_ru).AcknowledgeAsync(new CentreCode("US"), first, Olga, CancellationToken.None);
        Assert.Equal([second], (await query.ListAsync(10, CancellationToken.None)).Select(w => w.MessageId));
    }
}
