using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LaunchNotify.Domain.Alarms;
using LaunchNotify.Domain.Values;
using LaunchNotify.Integration.Tests.Exchange;
using LaunchNotify.Node.Alarms;
using LaunchNotify.Node.Audit;
using LaunchNotify.Node.Broker;
using LaunchNotify.Node.Queries;
using LaunchNotify.Node.Timeliness;
using LaunchNotify.Storage.Entities;
using LaunchNotify.Tests.Shared;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Text;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Xunit.Abstractions;
using static LaunchNotify.Integration.Tests.Federation.FederationFixture;

namespace LaunchNotify.Integration.Tests.Federation;

/// <summary>
/// Issue 14 on this machine: three centres, each on its own broker (US's a 3-node cluster), linked by shovels over
/// TLS with certificate logins. Nothing in the wire changes; the receiving broker still vouches the sender (user_id).
/// </summary>
[Collection(FederationCollection.Name)]
public sealed class FederationTests(FederationFixture federation, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly string _folder = Directory.CreateTempSubdirectory("launchnotify-federated-centres-").FullName;
    private readonly List<CentreHost> _hosts = [];

    public Task InitializeAsync() => federation.ResetAsync();

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts) await host.DisposeAsync();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }

    private async Task<CentreHost> StartAsync(CentreCode centre, Duration? linkSilentAfter = null, LinkRestartPolicy? linkRestart = null)
    {
        var host = await federation.StartCentreAsync(centre, _folder, output, linkSilentAfter, linkRestart);
        _hosts.Add(host);
        return host;
    }

    [Fact]
    public async Task Notification_UsToRuAndCn_CrossesTheLinksAndTheReceiptsCrossBack_WithTheLinkVouchingTheSender()
    {
        var us = await StartAsync(Us);
        var ru = await StartAsync(Ru);
        var cn = await StartAsync(Cn);

        var id = await us.SubmitAcceptedAsync(Drill(us.Clock.GetCurrentInstant(), Duration.FromHours(3), Ru, Cn));
        var status = await Eventually.UntilAsync(() => us.Status.GetAsync(id, CancellationToken.None)!, s => s!.Overall == "confirmed",
            Deadline, $"US's notification {id} to be confirmed by RU and CN, each receipt back over its own link");

        Assert.Equal(["CN", "RU"], status!.Recipients.Select(r => r.Centre));
        foreach (var recipient in new[] { ru, cn })
        {
            await using var store = await recipient.OpenStoreAsync();
            var row = await store.Inbox.SingleAsync(m => m.MessageId == id);
            Assert.Equal(InboxOutcome.Accepted, row.Outcome); // signature, broker identity (user_id = US via the link) and rules held
            Assert.Equal("US", row.Sender);
            Assert.Equal(row.ReceivedAt, status.Recipients.Single(r => r.Centre == recipient.Centre.Value).RecipientReceivedAt);
        }

        // Each message crossed a link: the sender's link queues on its own broker counted the confirmed forwards.
        using var usBroker = federation.Brokers[Us].Provisioner();
        var toRu = await usBroker.ObserveLinkAsync(Ru);
        Assert.Equal("running", toRu.ShovelState);
        Assert.True(toRu.Forwarded >= 1, $"US→RU link forwarded nothing: {toRu}");
        using var ruBroker = federation.Brokers[Ru].Provisioner();
        var back = await ruBroker.ObserveLinkAsync(Us);
        Assert.True(back.Forwarded >= 1, $"RU→US link forwarded no receipt: {back}");
        await AssertQuorumOnEveryNodeAsync(BrokerTopology.LinkQueue(Ru));
        await AssertQuorumOnEveryNodeAsync(BrokerTopology.InboxQueue(Us));
    }

    [Fact]
    public async Task BrokerLinkCommands_StatusRemoveAndAddAgain_OnTheCentresOwnBroker()
    {
        // RU's link to CN carries nothing in the other tests: it is removed and made again here, as an operator would.
        var ru = federation.Brokers[Ru];
        var admin = ru.Admin.ManagementUri.AbsoluteUri;
        var environment = new Dictionary<string, string?> { [BrokerAdminOptions.PasswordVariable] = ru.Admin.Password };
        async Task<JsonArray> StatusAsync(params string[] only)
        {
            var run = await CliProcess.RunAsync(["broker", "link", "status", .. only, "--management-url", admin, "--json"], TimeSpan.FromMinutes(1), environment);
            Assert.True(run.ExitCode == 0, run.ToString());
            return (JsonArray)JsonNode.Parse(run.Output)!; // JSON only on standard output
        }
        static string? Condition(JsonArray links, string centre) =>
            links.SingleOrDefault(l => l!["counterpart"]!.ToString() == centre)?["condition"]?.ToString();

        var every = await StatusAsync();
        Assert.Equal("running", Condition(every, "US"));
        Assert.Equal("running", Condition(every, "CN"));
        Assert.DoesNotContain(ru.Admin.Password, every.ToJsonString());

        var removed = await CliProcess.RunAsync(["broker", "link", "remove", "CN", "--management-url", admin], TimeSpan.FromMinutes(1), environment);
        Assert.True(removed.ExitCode == 0, removed.ToString());
        Assert.Equal("absent", Condition(await StatusAsync("CN"), "CN"));

        var link = federation.LinkTo(Ru, Cn);
        string[] add = ["broker", "link", "add", "CN", "--centre", "RU", "--to", link.Destination.AbsoluteUri.TrimEnd('/'), "--tls-dir", ru.TlsDirectory, "--management-url", admin];
        foreach (var attempt in new[] { "first", "again (idempotent)" })
        {
            var added = await CliProcess.RunAsync(add, TimeSpan.FromMinutes(1), environment);
            Assert.True(added.ExitCode == 0, $"link add, {attempt}: {added}");
        }
        await Eventually.UntilAsync(async () => Condition(await StatusAsync("CN"), "CN"), c => c == "running", Deadline, "RU's link to CN to run again after 'broker link add'");
        Assert.Equal("running", Condition(await StatusAsync(), "US")); // the other link was left alone
    }

    [Fact]
    public async Task Notification_UsToRu_AcknowledgedByAPersonAtRu_IsReadByAPersonAtUs_WithTheInstantTheAcknowledgementCarriedBackOverTheLink()
    {
        var us = await StartAsync(Us);
        var ru = await StartAsync(Ru);

        var id = await us.SubmitAcceptedAsync(Drill(us.Clock.GetCurrentInstant(), Duration.FromHours(3), Ru));
        await Eventually.UntilAsync(() => us.Status.GetAsync(id, CancellationToken.None)!, s => s!.Overall == "confirmed",
            Deadline, $"US's notification {id} to be confirmed by RU over the links");

        // A duty officer at RU reads it: the same service the API's and the duty page's acknowledge call, under their account.
        var officer = new LaunchNotify.Storage.Audit.Actor("sub-olga", "olga", [LaunchNotify.Node.Accounts.NodeRoles.DutyOfficer]);
        var read = await ru.Services.GetRequiredService<LaunchNotify.Node.Acknowledgements.AcknowledgementService>()
            .AcknowledgeAsync(Us, id, officer, CancellationToken.None);
        Assert.Equal(LaunchNotify.Node.Acknowledgements.AcknowledgeOutcome.Acknowledged, read.Outcome);
        var readAt = read.AcknowledgedAt!.Value;

        // US sees "read by a person" apart from delivered and confirmed, at the instant RU's signed acknowledgement gives.
        var status = await Eventually.UntilAsync(() => us.Status.GetAsync(id, CancellationToken.None)!,
            s => s!.Recipients.Single().ReadByPersonAt is not null, Deadline, "RU's acknowledgement to reach US over RU's link");
        var delivery = status!.Recipients.Single();
        Assert.Equal("confirmed", delivery.Status);
        Assert.Equal(readAt, delivery.ReadByPersonAt);
        Assert.Equal(read.AcknowledgementMessageId, delivery.AcknowledgementMessageId);
        Assert.Equal([DeliveryStages.Delivered, DeliveryStages.Confirmed, DeliveryStages.ReadByPerson], delivery.Stages.Select(st => st.Stage));
        Assert.Equal(readAt, delivery.Stages.Single(st => st.Stage == DeliveryStages.ReadByPerson).At);

        // It came as a signed message from RU that US's inbox accepted with the sender vouched by the link (user_id RU):
        // RU's node publishes to RU's broker only, so it crossed RU's link to US's broker.
        await using var usStore = await us.OpenStoreAsync();
        var row = await usStore.Inbox.SingleAsync(m => m.MessageId == read.AcknowledgementMessageId);
        Assert.Equal(("acknowledgement", "RU", InboxOutcome.Accepted), (row.Kind, row.Sender, row.Outcome));
        Assert.Contains(id.ToString(), row.PayloadJson);
    }

    [Fact]
    public async Task LinkCut_ForAMinute_DelaysButDeliversEachOnce_LatenessAtRealReceipt_AndLinkSilentFromTheLinkState()
    {
        var silentAfter = Duration.FromSeconds(20);
        var us = await StartAsync(Us, silentAfter);
        var ru = await StartAsync(Ru);
        var usMonitor = us.Services.GetRequiredService<LinkMonitor>();
        await Eventually.UntilAsync(() => Task.FromResult(usMonitor.Snapshot.Links.FirstOrDefault(l => l.Counterpart == Ru)),
            l => l?.Condition == LinkCondition.Running, Deadline, "US's link to RU to run before the cut");

        var cutAt = SystemClock.Instance.GetCurrentInstant();
        federation.UsToRuLine.Cut();
        output.WriteLine($"line US→RU cut at {cutAt}");

        // One notified with 40 s to spare over p5-demo's hour of notice: on time when issued, late when it finally arrives.
        var tight = await us.SubmitAcceptedAsync(Drill(us.Clock.GetCurrentInstant(), Duration.FromHours(1) + Duration.FromSeconds(40), Ru));
        var ids = new List<Guid> { tight };
        for (var i = 0; i < 4; i++)
            ids.Add(await us.SubmitAcceptedAsync(Drill(us.Clock.GetCurrentInstant(), Duration.FromHours(3), Ru)));

        var alarm = await Eventually.UntilAsync(async () =>
            (await us.Services.GetRequiredService<AlarmBook>().ListAsync(new AlarmFilter(Kind: AlarmKind.LinkSilent, OpenOnly: true), CancellationToken.None))
                .FirstOrDefault(a => a.Centre == "RU"),
            a => a is not null, Deadline, "LINK_SILENT for the link to RU, raised from the link's state");
        var down = usMonitor.Snapshot.Links.Single(l => l.Counterpart == Ru);
        output.WriteLine($"LINK_SILENT raised: {alarm!.Summary}");
        Assert.NotEqual(LinkCondition.Running, down.Condition);
        Assert.Equal(ids.Count, down.Backlog + down.InFlight); // everything waits on US's own broker
        await using (var ruStore = await ru.OpenStoreAsync())
            Assert.Equal(0, await ruStore.Inbox.CountAsync(m => ids.Contains(m.MessageId)));

        // The outage lasts a minute (the fault's length, not a wait for a condition).
        var rest = cutAt + Duration.FromMinutes(1) - SystemClock.Instance.GetCurrentInstant();
        if (rest > Duration.Zero) await Task.Delay(rest.ToTimeSpan());
        var healedAt = SystemClock.Instance.GetCurrentInstant();
        federation.UsToRuLine.Heal();
        output.WriteLine($"line healed at {healedAt}");

        foreach (var id in ids)
            await Eventually.UntilAsync(() => us.Status.GetAsync(id, CancellationToken.None)!, s => s!.Overall == "confirmed",
                TimeSpan.FromSeconds(90), $"{id} to be confirmed after the line healed");

        await using (var ruStore = await ru.OpenStoreAsync())
        {
            var rows = await ruStore.Inbox.Where(m => ids.Contains(m.MessageId)).ToListAsync();
            Assert.Equal(ids.Order(), rows.Select(r => r.MessageId).Order()); // each stored exactly once
            Assert.All(rows, r => Assert.True(r.ReceivedAt >= healedAt, $"{r.MessageId} received at {r.ReceivedAt}, before the line healed at {healedAt}"));
            var late = rows.Single(r => r.MessageId == tight);
            Assert.Contains("LATE_NOTIFICATION", late.DetailsJson);
            Assert.Contains("the delay was in transit", late.DetailsJson);
            Assert.All(rows.Where(r => r.MessageId != tight), r => Assert.DoesNotContain("LATE_NOTIFICATION", r.DetailsJson ?? ""));
        }
        var lateAlarms = await ru.Services.GetRequiredService<AlarmBook>().ListAsync(new AlarmFilter(Kind: AlarmKind.LateNotification), CancellationToken.None);
        Assert.Equal(tight, Assert.Single(lateAlarms).MessageId);

        var resolved = await Eventually.UntilAsync(() => us.Services.GetRequiredService<AlarmBook>().GetAsync(alarm.Id, CancellationToken.None),
            a => a!.State == AlarmState.Resolved, Deadline, "LINK_SILENT to be resolved once the link forwards again");
        output.WriteLine($"resolved: {resolved!.ResolveComment}");
        // The monitor learns of the forward on its next poll of the shovel's counters: wait for it, don't read it once.
        var healed = (await Eventually.UntilAsync(() => Task.FromResult(usMonitor.Snapshot.Links.Single(l => l.Counterpart == Ru)),
            l => l.LastForwardAt is not null, Deadline, "the link monitor to see the healed link forward"))!;
        Assert.NotNull(healed.LastForwardAt);
        Assert.True(healed.LastForwardAt >= healedAt);
    }

    [Fact]
    public async Task LinkHeld_ShovelRunsButForwardsNothing_IsRestartedByTheLinkMonitor_AndEveryMessageArrivesOnce()
    {
        var policy = new LinkRestartPolicy(Duration.FromSeconds(5), 3, Duration.FromMinutes(10));
        var us = await StartAsync(Us, linkRestart: policy);
        var ru = await StartAsync(Ru);
        var usMonitor = us.Services.GetRequiredService<LinkMonitor>();
        var line = federation.UsToRuLine;

        // The link carries traffic first, so the shovel's connection through the line is up when it is held.
        var before = await us.SubmitAcceptedAsync(Drill(us.Clock.GetCurrentInstant(), Duration.FromHours(3), Ru));
        await Eventually.UntilAsync(() => us.Status.GetAsync(before, CancellationToken.None)!, s => s!.Overall == "confirmed",
            Deadline, $"{before} to be confirmed over the line before it is held");

        // The fault: the shovel's connection stays open and nothing passes. The shovel keeps "running" and the broker
        // would notice only by heartbeats (60 s on this link: about two minutes); only a restart gets a new connection.
        var heldAt = SystemClock.Instance.GetCurrentInstant();
        var held = line.HoldOpenConnections();
        var acceptedBefore = line.Accepted;
        output.WriteLine($"{held} connection(s) through the line US→RU held at {heldAt}");
        Assert.True(held >= 1, "no connection through the line to hold: the shovel was not connected");

        var ids = new List<Guid>();
        for (var i = 0; i < 5; i++)
            ids.Add(await us.SubmitAcceptedAsync(Drill(us.Clock.GetCurrentInstant(), Duration.FromHours(3), Ru)));

        var blocked = await Eventually.UntilAsync(() => Task.FromResult(usMonitor.Snapshot.Links.FirstOrDefault(l => l.Counterpart == Ru)),
            l => l is { Condition: LinkCondition.Blocked, InFlight: > 0 }, Deadline, "the held link to be seen blocked with messages unconfirmed");
        output.WriteLine($"blocked: {blocked}");

        // Bounded well under the heartbeats' two minutes: what arrives here arrived because the monitor restarted the shovel.
        foreach (var id in ids)
            await Eventually.UntilAsync(() => us.Status.GetAsync(id, CancellationToken.None)!, s => s!.Overall == "confirmed",
                TimeSpan.FromSeconds(75) - (SystemClock.Instance.GetCurrentInstant() - heldAt).ToTimeSpan(),
                $"{id} to be confirmed after the link monitor restarted the held link");
        var confirmedAfter = SystemClock.Instance.GetCurrentInstant() - heldAt;
        output.WriteLine($"all confirmed {confirmedAfter.TotalSeconds:0.0} s after the line was held");

        await using (var usStore = await us.OpenStoreAsync())
        {
            var restarts = await usStore.Set<AuditEntry>().Where(e => e.Type == AuditTypes.LinkRestarted).OrderBy(e => e.Seq).ToListAsync();
            var restart = Assert.Single(restarts); // one was enough, and nothing restarted the healthy link before the fault
            output.WriteLine($"audit #{restart.Seq} {restart.Type} at {restart.At}: {restart.DetailsJson}");
            Assert.Equal("RU", restart.Centre);
            var details = JsonNode.Parse(restart.DetailsJson)!;
            Assert.Equal("restarted", details["outcome"]!.GetValue<string>());
            Assert.True(details["inFlight"]!.GetValue<long>() > 0, restart.DetailsJson);
            Assert.Equal(1, details["restartsInWindow"]!.GetValue<int>());
            Assert.True(restart.At >= heldAt + policy.RestartAfter, $"restarted at {restart.At}, before the link had been held for {policy.RestartAfter}");
            Assert.True(line.Accepted > acceptedBefore, "the shovel did not connect again through the line");

            await using var ruStore = await ru.OpenStoreAsync();
            var rows = await ruStore.Inbox.Where(m => ids.Contains(m.MessageId)).ToListAsync();
            Assert.Equal(ids.Order(), rows.Select(r => r.MessageId).Order()); // each stored exactly once, none lost
            Assert.All(rows, r => Assert.True(r.ReceivedAt >= restart.At, $"{r.MessageId} received at {r.ReceivedAt}, before the restart at {restart.At}"));
            Assert.Equal(ids.Count + 1, await usStore.Inbox.CountAsync(m => m.Kind == "receipt" && m.Sender == "RU"));
        }

        // LINK_SILENT was raised at the restart, before LinkSilentAfter (5 min here), saying why; resolved once it forwarded.
        var book = us.Services.GetRequiredService<AlarmBook>();
        var alarm = Assert.Single(await book.ListAsync(new AlarmFilter(Kind: AlarmKind.LinkSilent, Since: heldAt), CancellationToken.None),
            a => a.Centre == "RU");
        output.WriteLine($"LINK_SILENT: {alarm.Summary}");
        Assert.Equal("RU", alarm.Centre);
        Assert.Contains("runs but forwards nothing", alarm.Summary);
        Assert.Contains("its shovel was restarted (restart 1 of at most 3 per 10 min)", alarm.Summary);
        Assert.Equal("restarted", JsonNode.Parse(alarm.DetailsJson!)!["recovery"]!.GetValue<string>());
        await Eventually.UntilAsync(() => book.GetAsync(alarm.Id, CancellationToken.None), a => a!.State == AlarmState.Resolved,
            Deadline, "LINK_SILENT to be resolved once the restarted link forwards");
    }

    [Fact]
    public async Task ForgedLink_CnCertificatePresentingUsMessages_IsRefusedByTheReceivingBroker()
    {
        var ru = federation.Brokers[Ru];
        var cnTls = LinkTls.InFolder(federation.Brokers[Cn].TlsDirectory);

        // Straight to RU's TLS listener with CN's certificate: the broker logs it in as CN and checks every publish.
        // CN's own message passes (the certificate login works)...
        await using (var connection = await ConnectWithCertificateAsync(ru.Nodes[0].Amqps, cnTls))
        await using (var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true)))
            await channel.BasicPublishAsync(BrokerTopology.Exchange, "RU.CN.heartbeat", true,
                new BasicProperties { UserId = "CN", MessageId = Guid.NewGuid().ToString("D"), DeliveryMode = DeliveryModes.Persistent },
                Encoding.UTF8.GetBytes("{}"));
        using (var ruProbe = ru.Provisioner())
        {
            using var ruHttp = ru.Management();
            await Eventually.UntilAsync(async () => (await ruHttp.GetFromJsonAsync<JsonElement>(
                    $"api/queues/{BrokerTopology.VirtualHost}/{BrokerTopology.InboxQueue(Ru)}")) is var q && q.TryGetProperty("messages", out var m) ? m.GetInt32() : -1, // no stats yet: ask again
                n => n == 1, Deadline, "CN's own heartbeat in RU's inbox");
            await ruProbe.PurgeQueuesAsync([BrokerTopology.InboxQueue(Ru)]);
        }
        // ...anything claiming another sender does not.
        var refusals = new List<string>();
        foreach (var (userId, routingKey) in new[] { ("US", "RU.CN.prenotification"), ("US", "RU.US.prenotification"), ("CN", "US.CN.prenotification") })
        {
            await using var connection = await ConnectWithCertificateAsync(ru.Nodes[0].Amqps, cnTls);
            await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true));
            var e = await Assert.ThrowsAnyAsync<Exception>(() => channel.BasicPublishAsync(BrokerTopology.Exchange, routingKey, true,
                new BasicProperties { UserId = userId, MessageId = Guid.NewGuid().ToString("D"), DeliveryMode = DeliveryModes.Persistent },
                Encoding.UTF8.GetBytes("{}")).AsTask());
            var reason = (channel.CloseReason ?? connection.CloseReason)?.ToString() ?? e.Message;
            output.WriteLine($"user_id {userId}, key {routingKey}: {reason}");
            refusals.Add(reason);
        }
        Assert.Contains("PRECONDITION_FAILED", refusals[0]); // user_id US on CN's link: the broker vouches the link's own centre only
        Assert.Contains("ACCESS_REFUSED", refusals[1]);      // CN's link may not send US's messages (topic permission, checked first)
        Assert.Contains("ACCESS_REFUSED", refusals[2]);      // nor use RU's broker as a transit to US

        // CN's own broker, forged by its operator: CN's local user named US (the inbound link user of US, given a
        // password for the forgery) puts a "US" message on CN's link to RU.
        var cn = federation.Brokers[Cn];
        using var cnHttp = cn.Management();
        (await cnHttp.PutAsJsonAsync("api/users/US", new { password = "forger", tags = "" })).EnsureSuccessStatusCode();
        (await cnHttp.PutAsJsonAsync($"api/permissions/{BrokerTopology.VirtualHost}/US", new { configure = "^$", write = ".*", read = "^$" })).EnsureSuccessStatusCode();
        (await cnHttp.DeleteAsync($"api/topic-permissions/{BrokerTopology.VirtualHost}/US")).EnsureSuccessStatusCode();
        try
        {
            var factory = new ConnectionFactory { HostName = "127.0.0.1", Port = cn.Nodes[0].Amqp, VirtualHost = BrokerTopology.VirtualHost, UserName = "US", Password = "forger" };
            await using (var connection = await factory.CreateConnectionAsync())
            await using (var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true)))
                await channel.BasicPublishAsync(BrokerTopology.Exchange, "RU.US.prenotification", true,
                    new BasicProperties { UserId = "US", MessageId = Guid.NewGuid().ToString("D"), DeliveryMode = DeliveryModes.Persistent },
                    Encoding.UTF8.GetBytes("{\"forged\":true}"));

            using var cnBroker = cn.Provisioner();
            var tracker = new LinkTracker(Duration.FromSeconds(5));
            var stuck = await Eventually.UntilAsync(async () => tracker.Observe(await cnBroker.ObserveLinkAsync(Ru), SystemClock.Instance.GetCurrentInstant()),
                s => s.Condition is LinkCondition.Blocked or LinkCondition.Down, Deadline, "CN's link to RU to stall on the forged message");
            output.WriteLine($"CN→RU link: {stuck}");
            Assert.Equal(1, stuck.Backlog + stuck.InFlight); // kept on CN's broker, never dropped, never delivered
            using var ruHttp = ru.Management();
            var inbox = await ruHttp.GetFromJsonAsync<JsonElement>($"api/queues/{BrokerTopology.VirtualHost}/{BrokerTopology.InboxQueue(Ru)}");
            Assert.Equal(0, inbox.GetProperty("messages").GetInt32());
        }
        finally
        {
            using (var restore = cn.Provisioner())
            {
                await restore.AllowInboundLinkAsync(Cn, Us); // US's link user on CN's broker, certificate-only again
                // The forged message is held unacked by the shovel, where a purge does not reach: stop the shovel, purge, restart it.
                await restore.SuspendLinkAsync(Ru);
                await Eventually.UntilAsync(() => restore.ObserveLinkAsync(Ru), o => o.InFlight == 0, Deadline, "CN's link to RU to release the forged message");
                await restore.PurgeQueuesAsync([BrokerTopology.LinkQueue(Ru)]);
                await restore.ProvisionLinkAsync(Cn, federation.LinkTo(Cn, Ru));
            }
            await federation.ResetAsync();
        }
    }

    [Fact]
    public async Task ClusterNode_KilledDuringAStream_LosesNothing_AndTheStreamGoesOn()
    {
        // A shovel whose connection went to the killed node can stay "running" with messages unconfirmed (seen: RU's
        // link to US holding 15 receipts for two minutes): each centre's link monitor restarts such a link after 10 s.
        var restart = new LinkRestartPolicy(Duration.FromSeconds(10), 3, Duration.FromMinutes(10));
        var us = await StartAsync(Us, linkRestart: restart);
        var ru = await StartAsync(Ru, linkRestart: restart);
        const int count = 20;
        var ids = new List<Guid>();
        string? killed = null;
        // The hardest node to lose: the one US's inbox consumer (MassTransit) is connected to.
        var victim = await NodeOfConnectionAsync("launchnotify-subscriber-US");
        output.WriteLine($"US's subscriber is connected to {victim}: that node is killed");
        // And the one RU's link to US (the receipts) is connected to, as in the stall seen on CI: that shovel kept
        // running on its dead connection with receipts unconfirmed until RU's link monitor restarts it.
        var victimNode = federation.Brokers[Us].Nodes.Single(n => n.Node == victim);
        var steered = await SteerRuLinkToAsync(victimNode);
        output.WriteLine($"RU's link to US is connected to {steered.Destination} ({victim}'s TLS port is {victimNode.Amqps})");
        try
        {
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < count; i++)
            {
                ids.Add(await us.SubmitAcceptedAsync(Drill(us.Clock.GetCurrentInstant(), Duration.FromHours(3), Ru)));
                if (i == 5)
                {
                    output.WriteLine(await InfraScript.RunAsync("infra/rabbitmq/federation.sh", TimeSpan.FromMinutes(1), "kill", victim));
                    killed = victim;
                }
                await Task.Delay(200); // the stream's pace (bounded: 20 messages), not a synchronisation
            }
            // Recovery takes seconds, a stalled link's restart included; if it takes longer, say where the stream stood
            // (the broker's own view) so a slow run can be read afterwards, then keep waiting up to the bound.
            var streamed = clock.Elapsed;
            var snapshotAt = streamed + TimeSpan.FromSeconds(30);
            var bound = streamed + TimeSpan.FromSeconds(90);
            var described = false;
            foreach (var id in ids)
                await Eventually.UntilAsync(async () =>
                    {
                        var status = await us.Status.GetAsync(id, CancellationToken.None);
                        if (!described && status?.Overall != "confirmed" && clock.Elapsed > snapshotAt)
                        {
                            described = true;
                            output.WriteLine($"{id} still {status?.Overall} {clock.Elapsed.TotalSeconds:0} s after the stream began; the brokers say:");
                            output.WriteLine(await DescribeStreamPathAsync(killed));
                        }
                        return status;
                    }, s => s!.Overall == "confirmed",
                    Max(bound - clock.Elapsed, TimeSpan.FromSeconds(1)), $"{id} to be confirmed with one node of US's cluster dead");
            output.WriteLine($"{count} notifications confirmed {clock.Elapsed.TotalSeconds:0} s after the stream began, " +
                $"{(clock.Elapsed - streamed).TotalSeconds:0} s after the last was submitted");
            foreach (var (centre, host) in new[] { (Us, us), (Ru, ru) })
            {
                await using var store = await host.OpenStoreAsync();
                foreach (var e in await store.Set<AuditEntry>().Where(e => e.Type == AuditTypes.LinkRestarted).ToListAsync())
                    output.WriteLine($"{centre} restarted its link to {e.Centre} at {e.At}: {e.DetailsJson}");
            }

            await using var ruStore = await ru.OpenStoreAsync();
            var rows = await ruStore.Inbox.Where(m => ids.Contains(m.MessageId)).Select(m => m.MessageId).ToListAsync();
            Assert.Equal(ids.Order(), rows.Order());
            await using var usStore = await us.OpenStoreAsync();
            Assert.Equal(count, await usStore.Inbox.CountAsync(m => m.Kind == "receipt" && m.Sender == "RU"));
        }
        finally
        {
            if (killed is not null)
                await InfraScript.RunAsync("infra/rabbitmq/federation.sh", TimeSpan.FromMinutes(8), "start-node", killed);
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>
    /// Restarts RU's link to US until its shovel is connected to <paramref name="node"/>: at each start the shovel picks
    /// one of its destinations (every US node) at random. At most 8 restarts (one in three lands there); the link as it
    /// then runs.
    /// </summary>
    private async Task<(string? State, string? Started, string? Destination)> SteerRuLinkToAsync(FederatedNode node)
    {
        using var http = federation.Brokers[Ru].Management();
        using var ru = federation.Brokers[Ru].Provisioner();
        async Task<(string? State, string? Started, string? Destination)> ReadAsync()
        {
            var all = await http.GetFromJsonAsync<JsonElement>($"api/shovels/{Uri.EscapeDataString(BrokerTopology.VirtualHost)}");
            var shovel = all.EnumerateArray().FirstOrDefault(e => e.GetProperty("name").GetString() == BrokerTopology.LinkName(Us));
            string? Text(string p) => shovel.ValueKind == JsonValueKind.Object && shovel.TryGetProperty(p, out var v) ? v.ToString() : null;
            return (Text("state"), Text("timestamp"), Text("dest_uri"));
        }
        var current = await Eventually.UntilAsync(ReadAsync, s => s.State == "running", Deadline, "RU's link to US to run");
        for (var attempt = 0; attempt < 8 && current.Destination?.Contains($":{node.Amqps}/") != true; attempt++)
        {
            var before = current.Started;
            Assert.True(await ru.RestartLinkAsync(Us), "RU's broker runs no shovel for its link to US");
            try
            {
                current = await Eventually.UntilAsync(ReadAsync, s => s.State == "running" && s.Started != before, TimeSpan.FromSeconds(10), "RU's link to US to start again");
            }
            catch (Xunit.Sdk.XunitException)
            {
                current = await ReadAsync(); // started again within the same second: the start time (whole seconds) looks unchanged
            }
        }
        return current;
    }

    /// <summary>The short node name (us1…) holding the client connection of that name on US's cluster.</summary>
    private async Task<string> NodeOfConnectionAsync(string clientName)
    {
        using var http = federation.Brokers[Us].Management();
        var node = await Eventually.UntilAsync(async () =>
            {
                var connections = await http.GetFromJsonAsync<JsonElement>("api/connections?columns=node,client_properties.connection_name");
                return connections.EnumerateArray()
                    .Where(c => c.TryGetProperty("client_properties", out var p) && p.TryGetProperty("connection_name", out var n) && n.GetString() == clientName)
                    .Select(c => c.GetProperty("node").GetString())
                    .FirstOrDefault();
            }, n => n is not null, Deadline, $"the connection {clientName} on US's cluster");
        return federation.Brokers[Us].Nodes.Single(n => n.Name == node).Node;
    }

    /// <summary>
    /// The receipts' path from RU to US as the brokers report it: RU's shovel to US and its queue, then US's inbox queue
    /// and the connections on each live node of US's cluster.
    /// </summary>
    private async Task<string> DescribeStreamPathAsync(string? deadNode)
    {
        var lines = new List<string>();
        async Task Read(FederatedBroker broker, FederatedNode node, string path, string what, Func<JsonElement, string> render)
        {
            try
            {
                using var http = broker.Management();
                http.BaseAddress = new Uri($"http://127.0.0.1:{node.Management}/");
                lines.Add($"  {node.Node} {what}: {render(await http.GetFromJsonAsync<JsonElement>(path))}");
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
            {
                lines.Add($"  {node.Node} {what}: unreadable ({e.Message})");
            }
        }
        static string Pick(JsonElement e, params string[] names) =>
            string.Join(", ", names.Select(n => $"{n}={(e.TryGetProperty(n, out var v) ? v.ToString() : "-")}"));
        var vhost = Uri.EscapeDataString(BrokerTopology.VirtualHost);
        var ru = federation.Brokers[Ru];
        await Read(ru, ru.Nodes[0], $"api/shovels/{vhost}", "shovels", a => string.Join("; ", a.EnumerateArray().Select(e => Pick(e, "name", "state", "node", "dest_uri", "reason"))));
        await Read(ru, ru.Nodes[0], $"api/queues/{vhost}/{Uri.EscapeDataString(BrokerTopology.LinkQueue(Us))}", "link queue to US",
            q => Pick(q, "messages_ready", "messages_unacknowledged", "consumers"));
        var us = federation.Brokers[Us];
        foreach (var node in us.Nodes.Where(n => n.Node != deadNode))
        {
            await Read(us, node, $"api/queues/{vhost}/{Uri.EscapeDataString(BrokerTopology.InboxQueue(Us))}", "US inbox",
                q => Pick(q, "messages_ready", "messages_unacknowledged", "consumers", "leader", "online"));
            await Read(us, node, "api/connections?columns=node,name,client_properties.connection_name,state", "connections",
                a => string.Join("; ", a.EnumerateArray().Select(c => Pick(c, "node", "name", "state"))));
        }
        return string.Join(Environment.NewLine, lines);
    }

    private async Task AssertQuorumOnEveryNodeAsync(string queue)
    {
        using var http = federation.Brokers[Us].Management();
        var q = await http.GetFromJsonAsync<JsonElement>($"api/queues/{BrokerTopology.VirtualHost}/{Uri.EscapeDataString(queue)}");
        Assert.Equal("quorum", q.GetProperty("type").GetString());
        Assert.Equal(federation.Brokers[Us].Nodes.Select(n => n.Name).Order(), q.GetProperty("members").EnumerateArray().Select(m => m.GetString()!).Order());
    }

    /// <summary>A p5-demo drill whose window opens <paramref name="ahead"/> from now.</summary>
    private static byte[] Drill(Instant now, Duration ahead, params CentreCode[] recipients) => Encoding.UTF8.GetBytes(new JsonObject
    {
        ["agreementId"] = "p5-demo",
        ["recipients"] = new JsonArray([.. recipients.Select(r => (JsonNode)JsonValue.Create(r.Value))]),
        ["launchWindow"] = new JsonObject
        {
            ["start"] = InstantPattern.ExtendedIso.Format(now + ahead),
            ["end"] = InstantPattern.ExtendedIso.Format(now + ahead + Duration.FromHours(2)),
        },
        ["missile"] = new JsonObject { ["class"] = "SLBM", ["type"] = "Trident II D5", ["count"] = 1, ["groupLaunch"] = false, ["rangeKm"] = 7400 },
        ["launchArea"] = new JsonObject { ["type"] = "circle", ["name"] = "Eastern Range", ["centre"] = new JsonObject { ["lat"] = 28.5, ["lon"] = -79.0 }, ["radiusKm"] = 20 },
        ["impactAreas"] = new JsonArray(new JsonObject { ["type"] = "circle", ["name"] = "South Atlantic", ["centre"] = new JsonObject { ["lat"] = -5.0, ["lon"] = -20.0 }, ["radiusKm"] = 60 }),
    }.ToJsonString());

    /// <summary>An AMQP-over-TLS client presenting a centre's link certificate (EXTERNAL login), trusting only the local CA.</summary>
    private static Task<IConnection> ConnectWithCertificateAsync(int port, LinkTls tls)
    {
        using var pem = X509Certificate2.CreateFromPemFile(tls.CertificateFile, tls.KeyFile);
        var client = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        var ca = X509CertificateLoader.LoadCertificateFromFile(tls.CaCertificateFile);
        var factory = new ConnectionFactory
        {
            HostName = "localhost",
            Port = port,
            VirtualHost = BrokerTopology.VirtualHost,
            AuthMechanisms = [new ExternalMechanismFactory()],
            AutomaticRecoveryEnabled = false,
            Ssl = new SslOption
            {
                Enabled = true,
                ServerName = "localhost",
                Certs = new X509CertificateCollection { client },
                CertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None) return false;
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return chain.Build(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
                },
            },
        };
        factory.HostName = "127.0.0.1";
        return factory.CreateConnectionAsync("federation-test-forged-link");
    }
}
