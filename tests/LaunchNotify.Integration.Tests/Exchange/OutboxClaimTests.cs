using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Broker;
using LaunchNotify.Node.Outbox;
using LaunchNotify.Storage;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using NodaTime;
using RabbitMQ.Client;

namespace LaunchNotify.Integration.Tests.Exchange;

/// <summary>
/// Two dispatchers over one store (a centre's two processes on its SQLite file, or scaled-out subscribers on PostgreSQL)
/// must publish each outbox entry once: each claims its batch before publishing.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class OutboxClaimTests(BrokerFixture broker) : IAsyncLifetime
{
    private static readonly CentreCode Us = new("US"), Ru = new("RU");
    private readonly string _folder = Directory.CreateTempSubdirectory("launchnotify-outbox-claim-").FullName;

    public Task InitializeAsync() => broker.PurgeAsync(BrokerTopology.InboxQueue(Ru));

    public async Task DisposeAsync()
    {
        await broker.PurgeAsync(BrokerTopology.InboxQueue(Ru));
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task TwoDispatchersOverOneStore_PublishEachEntryExactlyOnce()
    {
        const int entries = 60;
        var store = StorageOptions.SqliteFile(Path.Combine(_folder, "US.db"));
        await StoreMigrator.MigrateAsync(store);
        var now = SystemClock.Instance.GetCurrentInstant();
        await using (var db = new NodeDbContext(store.ToDbContextOptions()))
        {
            for (var i = 0; i < entries; i++)
                db.Outbox.Add(new OutboxEntry
                {
                    MessageId = Guid.NewGuid(), Kind = "prenotification", Recipient = Ru.Value,
                    RoutingKey = $"{Ru}.{Us}.prenotification", Body = "{}"u8.ToArray(), CreatedAt = now,
                });
            await db.SaveChangesAsync();
        }

        // Small batches, so the two dispatchers race for the same rows many times.
        var options = new OutboxDispatcherOptions { Kinds = ["prenotification"], BatchSize = 4 };
        var connection = new BrokerConnection(BrokerFixture.Host, broker.AmqpPort, BrokerTopology.VirtualHost, Us.Value, broker.Credentials[Us].Password);
        await using var publisherA = new AmqpPublisher(connection, BrokerTopology.Exchange, "outbox-claim-test-a");
        await using var publisherB = new AmqpPublisher(connection, BrokerTopology.Exchange, "outbox-claim-test-b");
        var dispatchers = new[] { publisherA, publisherB }.Select(p => new OutboxDispatcher(
            new StoreContextFactory(store), p, new OutboxSignal(), SystemClock.Instance, options, NullLogger<OutboxDispatcher>.Instance)).ToArray();

        var sent = await Task.WhenAll(dispatchers.Select(d => Task.Run(async () =>
        {
            var total = 0;
            while (await d.DispatchBatchAsync(CancellationToken.None) is var n && n > 0)
                total += n;
            return total;
        })));
        // A dispatcher that found everything claimed may stop before the other finishes: drain what is left.
        var rest = 0;
        while (await dispatchers[0].DispatchBatchAsync(CancellationToken.None) is var n && n > 0)
            rest += n;

        Assert.Equal(entries, sent.Sum() + rest);
        await using (var db = new NodeDbContext(store.ToDbContextOptions()))
        {
            Assert.Equal(0, await db.Outbox.CountAsync(o => o.PublishedAt == null));
            Assert.Equal(0, await db.Outbox.CountAsync(o => o.ClaimToken != null));
        }

        // What reached RU's inbox: every entry, none twice.
        var received = await DrainMessageIdsAsync(BrokerTopology.InboxQueue(Ru), entries);
        Assert.Equal(entries, received.Count);
        Assert.Equal(entries, received.Distinct().Count());
    }

    private async Task<List<string>> DrainMessageIdsAsync(string queue, int expected)
    {
        await using var connection = await broker.ConnectAsAdminAsync();
        await using var channel = await connection.CreateChannelAsync();
        var ids = new List<string>();
        var deadline = DateTimeOffset.UtcNow.AddSeconds(10);
        // Keep reading a moment after the expected count, so a duplicate arriving late is seen too.
        var quietUntil = DateTimeOffset.MaxValue;
        while (DateTimeOffset.UtcNow < deadline && DateTimeOffset.UtcNow < quietUntil)
        {
            var message = await channel.BasicGetAsync(queue, autoAck: true);
            if (message is null)
            {
                if (ids.Count >= expected && quietUntil == DateTimeOffset.MaxValue)
                    quietUntil = DateTimeOffset.UtcNow.AddMilliseconds(500);
                await Task.Delay(50);
                continue;
            }
            ids.Add(message.BasicProperties.MessageId ?? "");
        }
        return ids;
    }
}
