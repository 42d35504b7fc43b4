using LaunchNotify.Node.Broker;
using LaunchNotify.Node.Outbox;
using LaunchNotify.Storage;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using NodaTime;

namespace LaunchNotify.Node.Tests;

/// <summary>
/// What a step commits for its own process's dispatcher is claimed for it in the same transaction and handed over
/// after the commit (OutboxSignal): only the entries of the kinds that dispatcher sends, only while it runs, and what
/// was claimed but never handed over (the process died in between) is taken back by the next run like any claim.
/// </summary>
public sealed class OutboxHandOffTests : IAsyncDisposable
{
    private const string Owner = "US-subscriber/test-machine";
    private readonly TestWorld _world = new();

    public async ValueTask DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task Claimed_OnlyTheAddedEntriesOfTheDispatchersKinds_AndHandedOverInStoreOrderAfterTheCommit()
    {
        var factory = await StoreAsync();
        var signal = new OutboxSignal();
        var now = _world.Clock.GetCurrentInstant();
        await using (var db = factory.CreateDbContext())
        {
            db.Outbox.Add(Entry(now, "receipt"));
            await db.SaveChangesAsync();
            // No dispatcher runs yet: nothing is claimed, the dispatcher's poll finds it later.
            db.Outbox.Add(Entry(now, "receipt"));
            Assert.Empty(signal.ClaimAdded(db, now));
            await db.SaveChangesAsync();
        }

        var token = OutboxClaims.NewToken(Owner, Environment.ProcessId);
        signal.Attach(token, Duration.FromSeconds(30), ["receipt"]);
        IReadOnlyList<OutboxEntry> claimed;
        await using (var db = factory.CreateDbContext())
        {
            var existing = await db.Outbox.FirstAsync();
            existing.Attempts++;                                          // modified, not added: never claimed here
            db.Outbox.AddRange(Entry(now, "receipt"), Entry(now, "prenotification"), Entry(now, "receipt"));
            var retry = Entry(now, "receipt");
            retry.NextAttemptAt = now + Duration.FromMinutes(1);             // a retry waiting for its time stays with the poll
            db.Outbox.Add(retry);
            claimed = signal.ClaimAdded(db, now);
            await db.SaveChangesAsync();
        }

        Assert.Equal(2, claimed.Count);
        Assert.All(claimed, e => Assert.Equal(("receipt", token, now + Duration.FromSeconds(30)), (e.Kind, e.ClaimToken!.Value, e.ClaimedUntil!.Value)));
        Assert.Empty(signal.TakeHandedOff(10));                           // nothing before the hand-off
        signal.HandOff(claimed.Reverse().ToList());
        var taken = signal.TakeHandedOff(10);
        Assert.Equal(claimed.Select(e => e.Id).Order(), taken.Select(e => e.Id));
        Assert.Empty(signal.TakeHandedOff(10));

        await using var check = factory.CreateDbContext();
        var stored = await check.Outbox.OrderBy(o => o.Id).Select(o => new { o.Kind, o.ClaimToken }).ToListAsync();
        Assert.Equal([null, null, token, null, token, null], stored.Select(s => s.ClaimToken));
    }

    [Fact]
    public async Task AfterTheDispatcherStops_NothingIsClaimed_AndAnEntryClaimedWithAnotherTokenIsNotHandedOver()
    {
        var factory = await StoreAsync();
        var signal = new OutboxSignal();
        var now = _world.Clock.GetCurrentInstant();
        signal.Attach(OutboxClaims.NewToken(Owner, Environment.ProcessId), Duration.FromSeconds(30), ["receipt"]);
        signal.Detach();
        await using var db = factory.CreateDbContext();
        db.Outbox.Add(Entry(now, "receipt"));
        Assert.Empty(signal.ClaimAdded(db, now));

        signal.Attach(OutboxClaims.NewToken(Owner, Environment.ProcessId), Duration.FromSeconds(30), ["receipt"]);
        var foreign = Entry(now, "receipt");
        foreign.ClaimToken = OutboxClaims.NewToken(Owner, Environment.ProcessId);
        signal.HandOff([foreign]);
        Assert.Empty(signal.TakeHandedOff(10));
    }

    [Fact]
    public async Task ClaimedButNeverHandedOver_TheProcessDiedAfterTheCommit_IsTakenBackByTheNextRun()
    {
        var factory = await StoreAsync();
        var killed = OutboxClaimReleaseTests.StartSleep();
        var killedId = killed.Id;
        killed.Kill();
        await killed.WaitForExitAsync();

        var now = _world.Clock.GetCurrentInstant();
        var dying = new OutboxSignal();
        dying.Attach(OutboxClaims.NewToken(Owner, killedId), Duration.FromSeconds(30), ["receipt"]);
        await using (var db = factory.CreateDbContext())
        {
            db.Outbox.Add(Entry(now, "receipt"));
            Assert.Single(dying.ClaimAdded(db, now));
            await db.SaveChangesAsync();
        }

        await using var publisher = new AmqpPublisher(new BrokerConnection("127.0.0.1", 1, BrokerTopology.VirtualHost, "US", "unused"), BrokerTopology.Exchange, "hand-off-test");
        var restarted = new OutboxDispatcher(factory, publisher, new OutboxSignal(), _world.Clock,
            new OutboxDispatcherOptions { Kinds = ["receipt"], Owner = Owner }, NullLogger<OutboxDispatcher>.Instance);
        Assert.Equal(1, await restarted.ReleaseAbandonedClaimsAsync(CancellationToken.None));
        await using var check = factory.CreateDbContext();
        Assert.Null(await check.Outbox.Select(o => o.ClaimToken).SingleAsync());
    }

    private async Task<StoreContextFactory> StoreAsync()
    {
        var store = _world.SqliteStore("US");
        await StoreMigrator.MigrateAsync(store);
        return new StoreContextFactory(store);
    }

    private static OutboxEntry Entry(Instant now, string kind) => new()
    {
        MessageId = Guid.NewGuid(), Kind = kind, Recipient = "RU", RoutingKey = $"RU.US.{kind}", Body = "{}"u8.ToArray(), CreatedAt = now,
    };
}
