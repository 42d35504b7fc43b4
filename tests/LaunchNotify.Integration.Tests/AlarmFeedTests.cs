using System.Text;
using System.Text.Json.Nodes;
using LaunchNotify.Domain.Alarms;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node;
using LaunchNotify.Node.Alarms;
using LaunchNotify.Node.Broker;
using LaunchNotify.Node.Outbox;
using LaunchNotify.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using NodaTime;
using NodaTime.Testing;
using RabbitMQ.Client;

namespace LaunchNotify.Integration.Tests;

/// <summary>The alarm feed over a SQLite store (the default).</summary>
[Collection(BrokerCollection.Name)]
public sealed class AlarmFeedSqliteTests(BrokerFixture broker) : AlarmFeedTests(broker)
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "launchnotify-feed-tests-" + Guid.NewGuid().ToString("N"));

    protected override async Task<StorageOptions> CreateStoreAsync()
    {
        var store = StorageOptions.SqliteFile(Path.Combine(_dir, "node.db"));
        await StoreMigrator.MigrateAsync(store);
        return store;
    }

    protected override Task DropStoreAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }
}

/// <summary>
/// The alarm feed over the project-local PostgreSQL (infra/postgres/start.sh), where the processes of a scaled-out
/// node really race for claims. Each run gets its own schema, dropped afterwards.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class AlarmFeedPostgresTests(BrokerFixture broker) : AlarmFeedTests(broker)
{
    private readonly string _schema = "feedtest_" + Guid.NewGuid().ToString("N")[..12];
    private string _admin = null!;

    // The schema name is made here from a GUID, never input.
    private string CreateSchemaSql => $"CREATE SCHEMA {_schema}";
    private string DropSchemaSql => $"DROP SCHEMA {_schema} CASCADE";

    protected override async Task<StorageOptions> CreateStoreAsync()
    {
        _admin = await LaunchNotify.Tests.Shared.LocalPostgres.EnsureRunningAsync();
        await using (var db = new NodeDbContext(new StorageOptions(StorageProvider.PostgreSql, _admin).ToDbContextOptions()))
            await db.Database.ExecuteSqlRawAsync(CreateSchemaSql);
        var store = new StorageOptions(StorageProvider.PostgreSql, _admin + $";Search Path={_schema}");
        // Migrated in its own schema, like a node's store.
        await StoreMigrator.MigrateAsync(store);
        return store;
    }

    protected override async Task DropStoreAsync()
    {
        Npgsql.NpgsqlConnection.ClearAllPools();
        await using var db = new NodeDbContext(new StorageOptions(StorageProvider.PostgreSql, _admin).ToDbContextOptions());
        await db.Database.ExecuteSqlRawAsync(DropSchemaSql);
    }
}

/// <summary>
/// The alarm feed on the real broker: stored alarms and their changes go out on launchnotify.alarms as the centre's own
/// broker user, each change once, even with two feeds (two processes of one node) racing over one store.
/// </summary>
public abstract class AlarmFeedTests(BrokerFixture broker) : IAsyncLifetime
{
    private static readonly CentreCode Us = new("US"), Gb = new("GB");
    private readonly FakeClock _clock = new(Instant.FromUtc(2026, 3, 10, 12, 0));
    private readonly List<IAsyncDisposable> _owned = [];
    private IDbContextFactory<NodeDbContext> _db = null!;
    private AlarmBook _book = null!;
    private string _queue = null!;

    protected abstract Task<StorageOptions> CreateStoreAsync();

    protected abstract Task DropStoreAsync();

    public async Task InitializeAsync()
    {
        var store = await CreateStoreAsync();
        _db = new StoreContextFactory(store);
        _book = new AlarmBook(_db, _clock, NullLogger<AlarmBook>.Instance);

        // Another system's queue on the alarm feed: US's alarms only.
        _queue = "test.alarms." + Guid.NewGuid().ToString("N");
        await using var connection = await broker.ConnectAsAdminAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeclareAsync(_queue, durable: false, exclusive: false, autoDelete: false);
        await channel.QueueBindAsync(_queue, BrokerTopology.AlarmExchange, "US.#");
    }

    public async Task DisposeAsync()
    {
        foreach (var d in _owned)
            await d.DisposeAsync();
        await using (var connection = await broker.ConnectAsAdminAsync())
        await using (var channel = await connection.CreateChannelAsync())
            await channel.QueueDeleteAsync(_queue);
        await DropStoreAsync();
    }

    private AlarmFeed Feed(CentreCode centre, int? port = null, int batchSize = 100)
    {
        var publisher = new AmqpPublisher(
            new BrokerConnection(BrokerFixture.Host, port ?? broker.AmqpPort, BrokerTopology.VirtualHost, centre.Value, broker.Credentials[centre].Password),
            BrokerTopology.AlarmExchange, $"alarm-feed-test-{centre}");
        var feed = new AlarmFeed(_db, publisher, new NodeIdentity(centre), _clock, new AlarmFeedOptions { BatchSize = batchSize }, NullLogger<AlarmFeed>.Instance);
        _owned.Add(feed);
        return feed;
    }

    private async Task<Storage.Entities.Alarm> RaiseAsync(AlarmKind kind, string summary = "test alarm")
    {
        await using var db = await _db.CreateDbContextAsync();
        var alarm = await _book.RaiseAsync(db, new AlarmRequest(kind, $"{kind.Code()}:{Guid.NewGuid()}", summary, Centre: "RU"), CancellationToken.None);
        await db.SaveChangesAsync();
        return alarm!;
    }

    private async Task<List<BasicGetResult>> DrainAsync(int atLeast)
    {
        await using var connection = await broker.ConnectAsAdminAsync();
        await using var channel = await connection.CreateChannelAsync();
        var messages = new List<BasicGetResult>();
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var message = await channel.BasicGetAsync(_queue, autoAck: true);
            if (message is not null)
            {
                messages.Add(message);
                continue;
            }
            if (messages.Count >= atLeast || waited.Elapsed > TimeSpan.FromSeconds(10))
                return messages;
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Feed_PublishesARaisedAlarmAsTheCentre_ThenItsAcknowledgement()
    {
        var alarm = await RaiseAsync(AlarmKind.LaunchWithoutNotification, "Launch attributed to RU: no notification covers it");
        var feed = Feed(Us);

        Assert.Equal(1, await feed.PublishPendingAsync(CancellationToken.None));
        Assert.Equal(0, await feed.PublishPendingAsync(CancellationToken.None));

        var raised = Assert.Single(await DrainAsync(1));
        Assert.Equal("US.LAUNCH_WITHOUT_NOTIFICATION.critical.open", raised.RoutingKey);
        Assert.Equal(BrokerTopology.AlarmExchange, raised.Exchange);
        Assert.Equal("US", raised.BasicProperties.UserId);
        Assert.Equal("application/json", raised.BasicProperties.ContentType);
        Assert.Equal("alarm", raised.BasicProperties.Type);
        Assert.Equal($"{alarm.Id}.v1", raised.BasicProperties.MessageId);
        Assert.Equal(DeliveryModes.Persistent, raised.BasicProperties.DeliveryMode);
        var body = JsonNode.Parse(Encoding.UTF8.GetString(raised.Body.Span))!;
        Assert.Equal(alarm.Id.ToString(), body["id"]!.ToString());
        Assert.Equal(1, body["version"]!.GetValue<int>());
        Assert.Equal("US", body["centre"]!.ToString());
        Assert.Equal("RU", body["counterpart"]!.ToString());
        Assert.Equal("critical", body["severity"]!.ToString());
        Assert.Equal("Launch attributed to RU: no notification covers it", body["summary"]!.ToString());

        _clock.Advance(Duration.FromMinutes(2));
        await _book.AcknowledgeAsync(alarm.Id, new LaunchNotify.Storage.Audit.Actor("test:Ames", "Ames", ["duty-officer"]), "on the phone to RU", CancellationToken.None);
        Assert.Equal(1, await feed.PublishPendingAsync(CancellationToken.None));

        var acknowledged = Assert.Single(await DrainAsync(1));
        Assert.Equal("US.LAUNCH_WITHOUT_NOTIFICATION.critical.acknowledged", acknowledged.RoutingKey);
        var ackBody = JsonNode.Parse(Encoding.UTF8.GetString(acknowledged.Body.Span))!;
        Assert.Equal(2, ackBody["version"]!.GetValue<int>());
        Assert.Equal("Ames", ackBody["acknowledgedBy"]!.ToString());
        Assert.Equal("2026-03-10T12:02:00Z", ackBody["acknowledgedAt"]!.ToString());

        await using var db = await _db.CreateDbContextAsync();
        var stored = await db.Alarms.SingleAsync(a => a.Id == alarm.Id);
        Assert.False(stored.PublishPending);
        Assert.Equal(2, stored.PublishedVersion);
        Assert.Null(stored.ClaimToken);
    }

    [Fact]
    public async Task TwoFeedsOverOneStore_PublishEachChangeExactlyOnce()
    {
        var alarms = new List<Guid>();
        for (var i = 0; i < 30; i++)
            alarms.Add((await RaiseAsync(AlarmKind.ReceiptOverdue, $"alarm {i}")).Id);
        var first = Feed(Us, batchSize: 3);
        var second = Feed(Us, batchSize: 3);

        async Task<int> RunAsync(AlarmFeed feed)
        {
            var total = 0;
            // Small batches, so the two feeds interleave over many claims.
            for (var round = 0; round < 50; round++)
                total += await feed.PublishPendingAsync(CancellationToken.None);
            return total;
        }
        var counts = await Task.WhenAll(Task.Run(() => RunAsync(first)), Task.Run(() => RunAsync(second)));

        Assert.Equal(30, counts.Sum());
        var messages = await DrainAsync(30);
        Assert.Equal(30, messages.Count);
        Assert.Equal(alarms.Order(), messages.Select(m => Guid.Parse(JsonNode.Parse(Encoding.UTF8.GetString(m.Body.Span))!["id"]!.ToString())).Order());
    }

    [Fact]
    public async Task Feed_WithNoQueueBound_StillMarksTheAlarmPublished()
    {
        // Nothing is bound for GB's alarms: the broker takes the message and drops it; the store still has the alarm.
        await RaiseAsync(AlarmKind.LinkSilent);
        Assert.Equal(1, await Feed(Gb).PublishPendingAsync(CancellationToken.None));
        await using var db = await _db.CreateDbContextAsync();
        Assert.False((await db.Alarms.SingleAsync()).PublishPending);
    }

    [Fact]
    public async Task Feed_WhileTheBrokerIsDown_KeepsTheAlarmPendingAndReleasesItsClaim()
    {
        await RaiseAsync(AlarmKind.LinkSilent);
        var closedPort = 1;

        await Assert.ThrowsAsync<BrokerUnavailableException>(() => Feed(Us, closedPort).PublishPendingAsync(CancellationToken.None));

        await using var db = await _db.CreateDbContextAsync();
        var alarm = await db.Alarms.SingleAsync();
        Assert.True(alarm.PublishPending);
        Assert.Null(alarm.ClaimToken);
        Assert.Equal(1, await Feed(Us).PublishPendingAsync(CancellationToken.None));
    }
}
