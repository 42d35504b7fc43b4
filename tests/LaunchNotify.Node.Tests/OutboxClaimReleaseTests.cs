using System.Diagnostics;
using LaunchNotify.Node.Broker;
using LaunchNotify.Node.Outbox;
using LaunchNotify.Storage;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using NodaTime;

namespace LaunchNotify.Node.Tests;

/// <summary>
/// A publisher killed between claiming outbox entries and marking them sent: its restart takes the claims back at once
/// (issue 11: they used to wait out the 30 s lease), while claims of a process that still runs keep their lease.
/// </summary>
public sealed class OutboxClaimReleaseTests : IAsyncDisposable
{
    private const string Owner = "US-publisher/test-machine";
    private readonly TestWorld _world = new();

    public async ValueTask DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task Restart_TakesBackTheClaimsOfItsKilledPredecessor_NotThoseOfALiveProcess()
    {
        var store = _world.SqliteStore("US");
        await StoreMigrator.MigrateAsync(store);
        var factory = new StoreContextFactory(store);

        // Two real processes: one killed (the crashed publisher), one still running (another live dispatcher).
        var killed = StartSleep();
        var killedId = killed.Id;
        killed.Kill();
        await killed.WaitForExitAsync();
        using var alive = StartSleep();
        try
        {
            var now = _world.Clock.GetCurrentInstant();
            var lease = now + Duration.FromSeconds(30);
            var ofTheDead = OutboxClaims.NewToken(Owner, killedId);
            var ofTheLiving = OutboxClaims.NewToken(Owner, alive.Id);
            var ofAnotherOwner = OutboxClaims.NewToken("US-subscriber/test-machine", killedId);
            await using (var db = factory.CreateDbContext())
            {
                db.Outbox.AddRange(Entry(now, ofTheDead, lease), Entry(now, ofTheDead, lease), Entry(now, ofTheLiving, lease), Entry(now, ofAnotherOwner, lease));
                await db.SaveChangesAsync();
            }

            await using var publisher = new AmqpPublisher(new BrokerConnection("127.0.0.1", 1, BrokerTopology.VirtualHost, "US", "unused"), BrokerTopology.Exchange, "claim-test");
            var restarted = new OutboxDispatcher(factory, publisher, new OutboxSignal(), _world.Clock,
                new OutboxDispatcherOptions { Kinds = ["prenotification"], Owner = Owner }, NullLogger<OutboxDispatcher>.Instance);
            Assert.Equal(2, await restarted.ReleaseAbandonedClaimsAsync(CancellationToken.None));

            await using var check = factory.CreateDbContext();
            var claims = await check.Outbox.OrderBy(o => o.Id).Select(o => o.ClaimToken).ToListAsync();
            Assert.Equal([null, null, ofTheLiving, ofAnotherOwner], claims);
        }
        finally
        {
            alive.Kill();
        }
    }

    [Fact]
    public void ClaimTokens_AreUniquePerBatch_AndReadBackTheirOwner()
    {
        var a = OutboxClaims.NewToken(Owner, 4242);
        var b = OutboxClaims.NewToken(Owner, 4242);
        Assert.NotEqual(a, b);
        Assert.True(OutboxClaims.IsAbandoned(a, Owner, currentProcessId: 1, isRunning: _ => false));
        Assert.False(OutboxClaims.IsAbandoned(a, Owner, currentProcessId: 4242, isRunning: _ => false));
        Assert.False(OutboxClaims.IsAbandoned(a, Owner, currentProcessId: 1, isRunning: pid => pid == 4242));
        Assert.False(OutboxClaims.IsAbandoned(a, "RU-publisher/test-machine", currentProcessId: 1, isRunning: _ => false));
        Assert.False(OutboxClaims.IsAbandoned(Guid.NewGuid(), Owner, currentProcessId: 1, isRunning: _ => true));
    }

    internal static Process StartSleep() =>
        Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false }) ?? throw new InvalidOperationException("Could not start 'sleep'.");

    private static OutboxEntry Entry(Instant now, Guid token, Instant until) => new()
    {
        MessageId = Guid.NewGuid(), Kind = "prenotification", Recipient = "RU", RoutingKey = "RU.US.prenotification",
        Body = "{}"u8.ToArray(), CreatedAt = now, ClaimToken = token, ClaimedUntil = until,
    };
}
