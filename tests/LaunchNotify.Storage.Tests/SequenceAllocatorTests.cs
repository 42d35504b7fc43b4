using LaunchNotify.Storage;
using Microsoft.EntityFrameworkCore;

namespace LaunchNotify.Storage.Tests;

public sealed class SequenceAllocatorTests : IAsyncLifetime
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"launchnotify-seq-{Guid.NewGuid():N}.db");
    private StorageOptions _options = null!;

    public async Task InitializeAsync()
    {
        _options = StorageOptions.SqliteFile(_file);
        await StoreMigrator.MigrateAsync(_options);
    }

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var f in new[] { _file, _file + "-wal", _file + "-shm" })
            File.Delete(f);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Next_OnANewLink_StartsAtOneAndCountsPerLinkAndStream()
    {
        await using var db = new NodeDbContext(_options.ToDbContextOptions());

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
            await using var db = new NodeDbContext(_options.ToDbContextOptions());
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
        await using (var db = new NodeDbContext(_options.ToDbContextOptions()))
        {
            await using var tx = await db.Database.BeginTransactionAsync();
            Assert.Equal(1, await SequenceAllocator.NextAsync(db, "IN", "PK", "in-pk-2005", SequenceAllocator.NotificationStream));
            await tx.RollbackAsync();
        }
        await using var again = new NodeDbContext(_options.ToDbContextOptions());
        Assert.Equal(1, await SequenceAllocator.NextAsync(again, "IN", "PK", "in-pk-2005", SequenceAllocator.NotificationStream));
        Assert.Equal(1, await again.SequenceCounters.CountAsync());
    }
}
