using LaunchNotify.Storage;
using Microsoft.EntityFrameworkCore;

namespace LaunchNotify.Storage.Tests;

public sealed class SequenceAllocatorTests : IAsyncLifetime
{
    private readonly LaunchNotify.Tests.Shared.TempSqliteStore _store = new("seq");

    public Task InitializeAsync() => _store.InitializeAsync();

    public Task DisposeAsync() => _store.DisposeAsync();

    [Fact]
    public async Task Next_OnANewLink_StartsAtOneAndCountsPerLinkAndStream()
    {
        await using var db = new NodeDbContext(_store.Options.ToDbContextOptions());

        Assert.Equal(1, await SequenceAllocator.NextAsync(db, "US", "RU", "us-ru-bmlna-1988", SequenceAllocator.NotificationStream));
        Assert.Equal(2, await SequenceAllocator.NextAsync(db, "US", "RU", "us-ru-bmlna-1988", SequenceAllocator.NotificationStream));
        Assert.Equal(1, await SequenceAllocator.NextAsync(db, "US", "RU", "us-ru-bmlna-1988", SequenceAllocator.HeartbeatStream));
        Assert.Equal(1, await SequenceAllocator.NextAsync(db, "US", "CN", "p5-demo", SequenceAllocator.NotificationStream));
        Assert.Equal(2, await SequenceAllocator.LastAsync(db, "US", "RU", "us-ru-bmlna-1988", SequenceAllocator.NotificationStream));
        Assert.Equal(0, await SequenceAllocator.LastAsync(db, "RU", "US", "us-ru-bmlna-1988", SequenceAllocator.NotificationStream));
    }

    [Fact]
    public async Task Next_FromManyConcurrentTransactions_NeverHandsOutANumberTwice()
    {
        var numbers = await Task.WhenAll(Enumerable.Range(0, 40).Select(async _ =>
        {
            await using var db = new NodeDbContext(_store.Options.ToDbContextOptions());
            await using var tx = await db.Database.BeginTransactionAsync();
            var n = await SequenceAllocator.NextAsync(db, "CN", "RU", "cn-ru-2009", SequenceAllocator.NotificationStream);
            await tx.CommitAsync();
            return n;
        }));

        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), numbers.Order());
    }

    [Fact]
    public async Task Next_InATransactionThatRollsBack_IsNotConsumed()
    {
        await using (var db = new NodeDbContext(_store.Options.ToDbContextOptions()))
        {
            await using var tx = await db.Database.BeginTransactionAsync();
            Assert.Equal(1, await SequenceAllocator.NextAsync(db, "IN", "PK", "in-pk-2005", SequenceAllocator.NotificationStream));
            await tx.RollbackAsync();
        }
        await using var again = new NodeDbContext(_store.Options.ToDbContextOptions());
        Assert.Equal(1, await SequenceAllocator.NextAsync(again, "IN", "PK", "in-pk-2005", SequenceAllocator.NotificationStream));
        Assert.Equal(1, await again.SequenceCounters.CountAsync());
    }
}
