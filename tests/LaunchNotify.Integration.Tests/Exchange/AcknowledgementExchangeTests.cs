using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using LaunchNotify.Domain.Alarms;
using LaunchNotify.Domain.Values;
using LaunchNotify.Integration.Tests.Operations;
using LaunchNotify.Integration.Tests.Timeliness;
using LaunchNotify.Node.Accounts;
using LaunchNotify.Node.Acknowledgements;
using LaunchNotify.Node.Queries;
using LaunchNotify.Node.Timeliness;
using LaunchNotify.Storage;
using LaunchNotify.Storage.Audit;
using LaunchNotify.Storage.Entities;
using LaunchNotify.Tests.Shared;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Text;
using Xunit.Abstractions;

namespace LaunchNotify.Integration.Tests.Exchange;

/// <summary>
/// A person's acknowledgement across two centres on the real broker: RU's duty officer acknowledges US's notice through
/// RU's publisher API (the real process), RU's signed acknowledgement travels back, and US's status shows the notice read
/// by a person at that instant; and, with a short configured deadline, no acknowledgement raises NOT_ACKNOWLEDGED at RU,
/// escalates it, and a late acknowledgement resolves it.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class AcknowledgementExchangeTests(BrokerFixture broker, ITestOutputHelper output)
{
    private static readonly CentreCode Us = new("US"), Ru = new("RU");
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task NoticeAcknowledgedThroughRusApi_ReachesUs_AndUsStatusShowsReadByAPersonWithItsInstant()
    {
        await using var network = await CentreNetwork.CreateAsync(broker, output);
        var hosts = await network.StartAsync(Us, Ru);
        var us = hosts[0];
        var ruStore = hosts[1].Settings.Store;

        var id = await us.SubmitAcceptedAsync(Drafts.UsToRu(us.Clock.GetCurrentInstant(), "read by a person"));
        await Eventually.UntilAsync(() => us.Status.GetAsync(id, CancellationToken.None), s => s!.Overall == "confirmed", Within, "RU's receipt");

        // RU's publisher as deployed (its own process, over RU's store and the broker): the duty officer's API.
        await TestAccounts.AddAsync(ruStore, ("olga", NodeRoles.DutyOfficer), ("oscar", NodeRoles.Operator));
        var url = $"http://127.0.0.1:{DeployableProcess.FreePort()}";
        await using var publisher = DeployableProcess.Start("Publisher", new Dictionary<string, string>
        {
            ["LaunchNotify__Centre"] = "RU",
            ["LaunchNotify__Store"] = $"sqlite:{Path.Combine(network.Folder, "RU.db")}",
            ["LaunchNotify__KeysDirectory"] = network.KeysDirectory,
            ["LaunchNotify__Broker__Port"] = broker.AmqpPort.ToString(),
            ["LaunchNotify__Broker__Password"] = broker.Credentials[Ru].Password,
            ["LaunchNotify__HttpUrl"] = url,
        });
        await publisher.HealthAsync(url + "/health/ready", (s, _) => s == HttpStatusCode.OK, Within, "RU's publisher to be ready");
        using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };

        // An operator may not acknowledge a notice; a duty officer may.
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TestAccounts.TokenAsync(http, "oscar"));
        Assert.Equal(HttpStatusCode.Forbidden, (await http.PostAsync($"/v1/inbox/US/{id}/acknowledge", null)).StatusCode);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TestAccounts.TokenAsync(http, "olga"));
        var waiting = JsonDocument.Parse(await http.GetStringAsync("/v1/inbox/awaiting-acknowledgement")).RootElement;
        var entry = Assert.Single(waiting.EnumerateArray(), w => w.GetProperty("messageId").GetGuid() == id);
        Assert.Equal("pending", entry.GetProperty("urgency").GetString());

        using var response = await http.PostAsync($"/v1/inbox/US/{id}/acknowledge", null);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var answer = JsonDocument.Parse(text).RootElement;
        Assert.Equal("acknowledged", answer.GetProperty("outcome").GetString());
        Assert.Equal("olga", answer.GetProperty("acknowledgedBy").GetString());
        var readAt = InstantPattern.ExtendedIso.Parse(answer.GetProperty("acknowledgedAt").GetString()!).Value;

        // At US: read by a person, at the instant RU's signed acknowledgement gives, as a stage of its own.
        var status = await Eventually.UntilAsync(() => us.Status.GetAsync(id, CancellationToken.None),
            s => s!.Recipients.Single().ReadByPersonAt is not null, Within, "RU's acknowledgement at US");
        var ru = status!.Recipients.Single();
        Assert.Equal(readAt, ru.ReadByPersonAt);
        Assert.Equal("confirmed", ru.Status);
        Assert.Equal([DeliveryStages.Delivered, DeliveryStages.Confirmed, DeliveryStages.ReadByPerson], ru.Stages.Select(s => s.Stage));
        Assert.Equal(readAt, ru.Stages.Single(s => s.Stage == DeliveryStages.ReadByPerson).At);
        Assert.True(ru.Stages[0].At <= ru.Stages[1].At && ru.Stages[1].At <= readAt);

        // RU's audit log names the officer; a second acknowledgement changes nothing.
        await using (var db = new NodeDbContext(ruStore.ToDbContextOptions()))
        {
            var audit = await db.Set<AuditEntry>().SingleAsync(e => e.Type == "acknowledged" && e.MessageId == id);
            Assert.Equal("olga", audit.ActorName);
        }
        var again = JsonDocument.Parse(await (await http.PostAsync($"/v1/inbox/US/{id}/acknowledge", null)).Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("already-acknowledged", again.GetProperty("outcome").GetString());
        Assert.DoesNotContain(JsonDocument.Parse(await http.GetStringAsync("/v1/inbox/awaiting-acknowledgement")).RootElement.EnumerateArray(),
            w => w.GetProperty("messageId").GetGuid() == id);
    }

    [Fact]
    public async Task NoAcknowledgement_WithinTheConfiguredDeadline_RaisesNotAcknowledged_EscalatesIt_AndALateOneResolvesIt()
    {
        var shortAck = new TimelinessSettings { AcknowledgementDeadline = Duration.FromSeconds(1), AcknowledgementEscalation = Duration.FromSeconds(1) };
        await using var pair = await TimelinessPair.CreateAsync(broker, new TimelinessSettings(), shortAck);
        await pair.Ru.StartSubscriberAsync();
        await pair.Ru.StartPublisherAsync(); // sends RU's acknowledgements
        await pair.Us.StartPublisherAsync();
        await pair.Us.StartSubscriberAsync();

        var sent = await pair.Us.NotifyAsync(TimelinessPair.RuCode, Duration.FromDays(3));

        var warning = await pair.Ru.EventuallyAsync(db => db.Alarms.SingleOrDefaultAsync(a => a.Kind == AlarmKind.NotAcknowledged), Within, "NOT_ACKNOWLEDGED");
        Assert.Equal(sent, warning.MessageId);
        Assert.Equal("US", warning.Centre);
        var critical = await pair.Ru.EventuallyAsync(db => db.Alarms.SingleOrDefaultAsync(a => a.Id == warning.Id && a.Severity == AlarmSeverity.Critical),
            Within, "the escalation to critical");
        Assert.Equal(AlarmState.Open, critical.State);
        await using (var ruDb = pair.Ru.OpenStore())
        {
            // One row, two levels: fired at the deadline, re-armed and fired again at the escalation.
            var deadline = await ruDb.Deadlines.SingleAsync(d => d.Kind == DeadlineKind.AcknowledgementOverdue);
            Assert.Equal(warning.DueAt!.Value + Duration.FromSeconds(1), deadline.DueAt);
            Assert.Equal(DeadlineState.Fired, deadline.State);
        }
        await using (var usDb = pair.Us.OpenStore())
            Assert.Null((await usDb.Deliveries.SingleAsync(d => d.MessageId == sent)).AcknowledgedAt);

        var services = await pair.Ru.BuildPublisherAsync();
        var result = await services.GetRequiredService<AcknowledgementService>()
            .AcknowledgeAsync(TimelinessPair.UsCode, sent, new Actor("sub-ivan", "ivan", [NodeRoles.DutyOfficer]), CancellationToken.None);
        Assert.Equal(AcknowledgeOutcome.Acknowledged, result.Outcome);

        var resolved = await pair.Ru.EventuallyAsync(db => db.Alarms.SingleOrDefaultAsync(a => a.Id == warning.Id && a.State == AlarmState.Resolved), Within, "the resolution");
        Assert.Contains("after the deadline", resolved.ResolveComment);
        var delivery = await pair.Us.EventuallyAsync(db => db.Deliveries.SingleOrDefaultAsync(d => d.MessageId == sent && d.AcknowledgedAt != null),
            Within, "the late acknowledgement at US");
        Assert.Equal(result.AcknowledgedAt, delivery.AcknowledgedAt);
    }
}
