using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Audit;
using LaunchNotify.Node.Broker;
using LaunchNotify.Node.Outbox;
using LaunchNotify.Storage;
using LaunchNotify.Storage.Entities;
using LaunchNotify.Tests.Shared;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using NodaTime;
using NodaTime.Testing;
using RabbitMQ.Client;

namespace LaunchNotify.Compliance.Tests;

/// <summary>
/// The real OutboxDispatcher against the project-local RabbitMQ (infra/rabbitmq/start.sh; started here when it does
/// not answer, and a failure to start fails the tests). Centres XA and XB (ISO user-assigned codes) are this class's
/// own broker users, so other test projects' centres are left alone.
/// </summary>
public sealed class DispatcherAuditTests(PostgresServer postgres) : IAsyncLifetime, IClassFixture<PostgresServer>
{
    private static readonly CentreCode Sender = new("XA");
    private static readonly CentreCode Recipient = new("XB");
    private static readonly Instant PublishedAt = Instant.FromUtc(2026, 11, 20, 14, 0, 1);

    private readonly int _amqpPort = int.TryParse(Environment.GetEnvironmentVariable("LAUNCHNOTIFY_AMQP_PORT"), out var p) ? p : 5682;
    private readonly Dictionary<CentreCode, string> _passwords = new[] { Sender, Recipient }.ToDictionary(c => c, _ => Convert.ToHexString(RandomNumberGenerator.GetBytes(16)));
    private BrokerProvisioner _provisioner = null!;

    public async Task InitializeAsync()
    {
        if (!await BrokerProbe.IsReachableAsync("127.0.0.1", _amqpPort))
            await StartBrokerAsync();
        await BrokerProbe.EnsureReachableAsync("127.0.0.1", _amqpPort);
        _provisioner = new BrokerProvisioner(BrokerAdminOptions.ForLocalBroker(RepoPaths.Root));
        await DeleteCentresAsync(); // whatever an earlier run left in XB's inbox
        await _provisioner.ProvisionAsync(_passwords.Select(p => new CentreCredential(p.Key, p.Value)));
    }

    public async Task DisposeAsync()
    {
        await DeleteCentresAsync();
        _provisioner.Dispose();
    }

    [Fact]
    public async Task Dispatch_WhenTheBrokerConfirms_MarksItPublishedAndAppendsTheAuditEntryInTheSameCommit()
    {
        await using ITestStore store = await SqliteTestStore.CreateAsync();
        var (id, body) = await QueueAsync(store);
        await using var publisher = Publisher(_amqpPort);

        var published = await Dispatcher(store, publisher).DispatchBatchAsync(default);

        Assert.Equal(1, published);
        await using var db = store.NewContext();
        Assert.Equal(PublishedAt, (await db.Outbox.SingleAsync()).PublishedAt);
        Assert.Equal(DeliveryStatus.Published, (await db.Deliveries.SingleAsync()).Status);
        var entry = Assert.Single(await db.Set<AuditEntry>().ToListAsync());
        Assert.Equal(("published", id, "XB", PublishedAt), (entry.Type, entry.MessageId!.Value, entry.Centre!, entry.At));
        var details = JsonNode.Parse(entry.DetailsJson)!;
        Assert.Equal(AuditEvent.Sha256(body), (string?)details["bodySha256"]);
        Assert.Equal("XB.XA.prenotification", (string?)details["routingKey"]);
        Assert.True((await AuditVerifier.VerifyAsync(db)).Intact);

        // It really went out: XB's inbox holds the body, with the broker-validated sender.
        await using var connection = await Factory(Recipient).CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var got = await channel.BasicGetAsync(BrokerTopology.InboxQueue(Recipient), autoAck: true);
        Assert.NotNull(got);
        Assert.Equal(body, got.Body.ToArray());
        Assert.Equal("XA", got.BasicProperties.UserId);
    }

    [Fact]
    public async Task Dispatch_OfABatch_MarksEachMessagesDeliveryPublished_AndLeavesAConfirmedOneConfirmed()
    {
        await using ITestStore store = await SqliteTestStore.CreateAsync();
        var (first, _) = await QueueAsync(store);
        var (second, _) = await QueueAsync(store);
        var (answered, _) = await QueueAsync(store, DeliveryStatus.Confirmed);
        await using var publisher = Publisher(_amqpPort);

        Assert.Equal(3, await Dispatcher(store, publisher).DispatchBatchAsync(default));

        await using var db = store.NewContext();
        Assert.All(await db.Outbox.ToListAsync(), o => Assert.Equal(PublishedAt, o.PublishedAt));
        var deliveries = await db.Deliveries.ToDictionaryAsync(d => d.MessageId);
        Assert.Equal((DeliveryStatus.Published, PublishedAt), (deliveries[first].Status, deliveries[first].PublishedAt));
        Assert.Equal((DeliveryStatus.Published, PublishedAt), (deliveries[second].Status, deliveries[second].PublishedAt));
        // Its receipt came first (a receipt can overtake the dispatcher's commit): it stays confirmed.
        Assert.Equal((DeliveryStatus.Confirmed, (Instant?)null), (deliveries[answered].Status, deliveries[answered].PublishedAt));
        Assert.Equal(3, (await db.Set<AuditEntry>().ToListAsync()).Count(e => e.Type == "published"));
        Assert.True((await AuditVerifier.VerifyAsync(db)).Intact);
    }

    /// <param name="groupCommit">The node's way: the marks are a step of the process's group commit (else a transaction of their own).</param>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Dispatch_OfAReceipt_MarksItsEntryPublished_WithoutAStatementOnDeliveries_WhichOnlyNotificationsHave(bool groupCommit)
    {
        var sqlite = await SqliteTestStore.CreateAsync();
        await using ITestStore store = sqlite;
        var (notification, _) = await QueueAsync(store);
        var receipt = Guid.NewGuid();
        await using (var db = store.NewContext())
        {
            db.Outbox.Add(new OutboxEntry
            {
                MessageId = receipt, Kind = "receipt", Recipient = "XB", RoutingKey = "XB.XA.receipt", Body = RandomNumberGenerator.GetBytes(64), CreatedAt = PublishedAt,
            });
            await db.SaveChangesAsync();
        }
        await using var publisher = Publisher(_amqpPort);
        var gate = new StoreWriteGate(StorageProvider.Sqlite);
        await using var committer = new GroupCommitter(store.Factory, gate, NullLogger<GroupCommitter>.Instance);
        var dispatcher = new OutboxDispatcher(store.Factory, publisher, new OutboxSignal(), new FakeClock(PublishedAt),
            new OutboxDispatcherOptions { Kinds = ["receipt", "prenotification"] }, NullLogger<OutboxDispatcher>.Instance, gate, groupCommit ? committer : null);
        using var counter = StatementCounter.Start(sqlite.File);

        Assert.Equal(2, await dispatcher.DispatchBatchAsync(default));
        Assert.Equal(groupCommit ? 1 : 0, committer.Batches);

        // One statement on deliveries: the notification's. The receipt has none to mark (it is not an operator's submission).
        var updates = counter.Commands.Where(c => c.Contains("UPDATE \"Deliveries\"", StringComparison.Ordinal)).ToList();
        Assert.Single(updates);
        await using var check = store.NewContext();
        Assert.All(await check.Outbox.ToListAsync(), o => Assert.Equal(PublishedAt, o.PublishedAt));
        Assert.Equal(DeliveryStatus.Published, (await check.Deliveries.SingleAsync(d => d.MessageId == notification)).Status);
        var audited = await check.Set<AuditEntry>().Where(e => e.Type == "published").Select(e => e.MessageId!.Value).ToListAsync();
        Assert.Equal(new[] { notification, receipt }.Order(), audited.Order());
        Assert.True((await AuditVerifier.VerifyAsync(check)).Intact);
    }

    /// <summary>
    /// One message to 20 recipients (more than one statement's worth, so the last statement is filled up with its last
    /// recipient): each delivery whose entry the broker confirmed is marked published, and only those. One was answered
    /// before the confirm (stays confirmed), one entry waits for a later attempt (not in this batch), one is unroutable
    /// (refused by the broker). The entries all go to XB's inbox; the delivery they mark is named by their recipient. In a
    /// group-commit step the published entries are marked by statements (16 and then 2, the last filled up), the refused one
    /// by EF Core; in a transaction of the dispatcher's own, all by EF Core: the same rows either way.
    /// </summary>
    [Theory]
    [InlineData("sqlite", false)]
    [InlineData("postgres", false)]
    [InlineData("sqlite", true)]
    [InlineData("postgres", true)]
    public async Task Dispatch_OfAFanOut_MarksExactlyTheConfirmedRecipientsDeliveriesPublished(string provider, bool groupCommit)
    {
        await using ITestStore store = provider == "sqlite" ? await SqliteTestStore.CreateAsync() : await postgres.CreateStoreAsync();
        var id = Guid.NewGuid();
        var body = RandomNumberGenerator.GetBytes(64);
        var recipients = Enumerable.Range(0, 20).Select(i => $"Q{(char)('A' + i)}").ToList(); // QA … QT
        const string answered = "QE", later = "QR", unroutable = "QT";
        await using (var db = store.NewContext())
        {
            db.OutboundMessages.Add(new OutboundMessage
            {
                MessageId = id, Kind = "prenotification", AgreementId = "test-dispatch", Sender = "XA", Jws = body, PayloadJson = "{}",
                IssuedAt = PublishedAt, SubmittedAt = PublishedAt,
                Deliveries = [.. recipients.Select((r, i) => new Delivery { Recipient = r, Sequence = i + 1, Status = r == answered ? DeliveryStatus.Confirmed : DeliveryStatus.Accepted })],
            });
            db.Outbox.AddRange(recipients.Select(r => new OutboxEntry
            {
                MessageId = id, Kind = "prenotification", Recipient = r, RoutingKey = r == unroutable ? "XZ.XA.prenotification" : "XB.XA.prenotification", Body = body, CreatedAt = PublishedAt,
                NextAttemptAt = r == later ? PublishedAt + Duration.FromMinutes(5) : null,
            }));
            await db.SaveChangesAsync();
        }
        await using var publisher = Publisher(_amqpPort);
        var gate = new StoreWriteGate(provider == "sqlite" ? StorageProvider.Sqlite : StorageProvider.PostgreSql);
        await using var committer = new GroupCommitter(store.Factory, gate, NullLogger<GroupCommitter>.Instance);
        var dispatcher = new OutboxDispatcher(store.Factory, publisher, new OutboxSignal(), new FakeClock(PublishedAt),
            new OutboxDispatcherOptions { Kinds = ["prenotification"] }, NullLogger<OutboxDispatcher>.Instance, gate, groupCommit ? committer : null);

        Assert.Equal(18, await dispatcher.DispatchBatchAsync(default));
        Assert.Equal(groupCommit ? 1 : 0, committer.Batches);

        await using var check = store.NewContext();
        var deliveries = await check.Deliveries.ToDictionaryAsync(d => d.Recipient);
        foreach (var recipient in recipients)
        {
            var expected = recipient switch
            {
                answered => (DeliveryStatus.Confirmed, (Instant?)null),
                later or unroutable => (DeliveryStatus.Accepted, null),
                _ => (DeliveryStatus.Published, PublishedAt),
            };
            Assert.True(expected == (deliveries[recipient].Status, deliveries[recipient].PublishedAt),
                $"{recipient}: expected {expected}, found {(deliveries[recipient].Status, deliveries[recipient].PublishedAt)}");
        }
        var entries = await check.Outbox.ToDictionaryAsync(o => o.Recipient);
        Assert.All(recipients.Except([later, unroutable]), r => Assert.Equal((PublishedAt, (Guid?)null, (Instant?)null, (string?)null, 0),
            (entries[r].PublishedAt, entries[r].ClaimToken, entries[r].ClaimedUntil, entries[r].LastError, entries[r].Attempts)));
        Assert.Null(entries[unroutable].PublishedAt);
        Assert.NotNull(entries[unroutable].LastError);
        Assert.Equal((1, (Guid?)null), (entries[unroutable].Attempts, entries[unroutable].ClaimToken));
        Assert.True(entries[unroutable].NextAttemptAt > PublishedAt);
        Assert.Null(entries[later].PublishedAt);
        Assert.Equal(18, (await check.Set<AuditEntry>().ToListAsync()).Count(e => e.Type == "published"));
        Assert.True((await AuditVerifier.VerifyAsync(check)).Intact);
    }

    [Fact]
    public async Task Dispatch_WhenTheBrokerCannotBeReached_RecordsNothingAsPublished()
    {
        await using ITestStore store = await SqliteTestStore.CreateAsync();
        await QueueAsync(store);
        await using var publisher = Publisher(port: 1);

        await Assert.ThrowsAsync<BrokerUnavailableException>(() => Dispatcher(store, publisher).DispatchBatchAsync(default));

        await using var db = store.NewContext();
        Assert.Null((await db.Outbox.SingleAsync()).PublishedAt);
        Assert.Equal(DeliveryStatus.Accepted, (await db.Deliveries.SingleAsync()).Status);
        Assert.Empty(await db.Set<AuditEntry>().ToListAsync());
    }

    private static async Task<(Guid Id, byte[] Body)> QueueAsync(ITestStore store, DeliveryStatus status = DeliveryStatus.Accepted)
    {
        var id = Guid.NewGuid();
        var body = RandomNumberGenerator.GetBytes(64);
        await using var db = store.NewContext();
        db.OutboundMessages.Add(new OutboundMessage
        {
            MessageId = id, Kind = "prenotification", AgreementId = "test-dispatch", Sender = "XA", Jws = body, PayloadJson = "{}",
            IssuedAt = PublishedAt, SubmittedAt = PublishedAt,
            Deliveries = [new Delivery { Recipient = "XB", Sequence = 1, Status = status }],
        });
        db.Outbox.Add(new OutboxEntry
        {
            MessageId = id, Kind = "prenotification", Recipient = "XB", RoutingKey = "XB.XA.prenotification", Body = body, CreatedAt = PublishedAt,
        });
        await db.SaveChangesAsync();
        return (id, body);
    }

    private AmqpPublisher Publisher(int port) =>
        new(new BrokerConnection("127.0.0.1", port, BrokerTopology.VirtualHost, Sender.Value, _passwords[Sender]), BrokerTopology.Exchange, "compliance-tests");

    private static OutboxDispatcher Dispatcher(ITestStore store, AmqpPublisher publisher) =>
        new(store.Factory, publisher, new OutboxSignal(), new FakeClock(PublishedAt),
            new OutboxDispatcherOptions { Kinds = ["prenotification"] }, NullLogger<OutboxDispatcher>.Instance);

    private ConnectionFactory Factory(CentreCode centre) => new()
    {
        HostName = "127.0.0.1",
        Port = _amqpPort,
        VirtualHost = BrokerTopology.VirtualHost,
        UserName = centre.Value,
        Password = _passwords[centre],
        AutomaticRecoveryEnabled = false,
    };

    private async Task DeleteCentresAsync()
    {
        foreach (var centre in _passwords.Keys)
            await _provisioner.DeleteCentreAsync(centre, deleteQueues: true);
    }

    private static async Task StartBrokerAsync()
    {
        using var process = Process.Start(new ProcessStartInfo("bash", [Path.Combine(RepoPaths.Root, "infra", "rabbitmq", "start.sh")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("Could not run infra/rabbitmq/start.sh");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"infra/rabbitmq/start.sh failed (exit {process.ExitCode}):\n{await stdout}\n{await stderr}");
    }
}
