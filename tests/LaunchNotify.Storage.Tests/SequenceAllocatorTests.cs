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
    public async Task NextForEach_NumbersEachRecipientsLink_AsNextWould_InOneStatement()
    {
        using var counter = LaunchNotify.Tests.Shared.StatementCounter.Start(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(_store.Options.ConnectionString).DataSource);
        await using var db = new NodeDbContext(_store.Options.ToDbContextOptions());
        await SequenceAllocator.NextAsync(db, "US", "RU", "hcoc", SequenceAllocator.NotificationStream);
        await SequenceAllocator.NextAsync(db, "US", "RU", "hcoc", SequenceAllocator.NotificationStream);

        counter.Commands.Clear();
        var first = await SequenceAllocator.NextForEachAsync(db, "US", ["RU", "IN", "CN"], "hcoc", SequenceAllocator.NotificationStream);
        Assert.Single(counter.Commands, c => c.Contains("SequenceCounters", StringComparison.Ordinal));
        var second = await SequenceAllocator.NextForEachAsync(db, "US", ["CN", "RU", "IN"], "hcoc", SequenceAllocator.NotificationStream);

        Assert.Equal(new Dictionary<string, long> { ["RU"] = 3, ["IN"] = 1, ["CN"] = 1 }, first);
        Assert.Equal(new Dictionary<string, long> { ["RU"] = 4, ["IN"] = 2, ["CN"] = 2 }, second);
        Assert.Equal(1, await SequenceAllocator.NextAsync(db, "US", "FR", "hcoc", SequenceAllocator.NotificationStream));
        Assert.Equal(3, await SequenceAllocator.NextAsync(db, "US", "CN", "hcoc", SequenceAllocator.NotificationStream));
        Assert.Equal(new Dictionary<string, long> { ["PK"] = 1 }, await SequenceAllocator.NextForEachAsync(db, "US", ["PK"], "hcoc", SequenceAllocator.NotificationStream));
    }

    [Fact]
    public async Task NextForEach_FromManyConcurrentTransactions_NeverHandsOutANumberTwiceOnAnyLink()
    {
        var numbers = await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
        {
            await using var db = new NodeDbContext(_store.Options.ToDbContextOptions());
            await using var tx = await db.Database.BeginTransactionAsync();
            IReadOnlyList<string> recipients = i % 2 == 0 ? ["RU", "CN", "IN"] : ["IN", "RU"];
            var n = await SequenceAllocator.NextForEachAsync(db, "US", recipients, "hcoc", SequenceAllocator.NotificationStream);
            await tx.CommitAsync();
            return n;
        }));

        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), numbers.Select(n => n["RU"]).Order());
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), numbers.Select(n => n["IN"]).Order());
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), numbers.Where(n => n.ContainsKey("CN")).Select(n => n["CN"]).Order());
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
