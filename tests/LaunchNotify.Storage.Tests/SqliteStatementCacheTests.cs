using LaunchNotify.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace LaunchNotify.Storage.Tests;

/// <summary>
/// The statements of a connection that keeps them (the group committer's) are prepared once and run again with each
/// run's own values; a failed one is not trusted again; closing the connection forgets them; other connections are
/// left as EF Core makes them.
/// </summary>
public sealed class SqliteStatementCacheTests : IAsyncLifetime
{
    private readonly LaunchNotify.Tests.Shared.TempSqliteStore _store = new("statements");

    public Task InitializeAsync() => _store.InitializeAsync();

    public Task DisposeAsync() => _store.DisposeAsync();

    private async Task<NodeDbContext> OpenKeepingAsync()
    {
        var db = new NodeDbContext(_store.Options.ToDbContextOptions());
        await db.Database.OpenConnectionAsync();
        SqliteStatementCache.Enable(db.Database.GetDbConnection());
        return db;
    }

    [Fact]
    public async Task AStatementRunAgain_IsPreparedOnce_AndEachRunBindsItsOwnValues()
    {
        await using var db = await OpenKeepingAsync();
        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            for (var i = 1; i <= 10; i++)
            {
                Assert.Equal(i, await SequenceAllocator.NextAsync(db, "US", "RU", "us-ru-bmlna-1988", SequenceAllocator.NotificationStream));
                Assert.Equal(i, await SequenceAllocator.NextAsync(db, "US", "CN", "us-ru-bmlna-1988", SequenceAllocator.NotificationStream));
            }
            await tx.CommitAsync();
        }
        var (prepared, reused) = SqliteStatementCache.CountsOf(db.Database.GetDbConnection());
        Assert.InRange(prepared, 1, 4);
        Assert.True(reused >= 16, $"prepared {prepared}, reused {reused}");

        // What was stored is what each run bound, as read by a connection of its own.
        await using var reader = new NodeDbContext(_store.Options.ToDbContextOptions());
        Assert.Equal(11, await SequenceAllocator.NextAsync(reader, "US", "RU", "us-ru-bmlna-1988", SequenceAllocator.NotificationStream));
        Assert.Equal(11, await SequenceAllocator.NextAsync(reader, "US", "CN", "us-ru-bmlna-1988", SequenceAllocator.NotificationStream));
    }

    [Fact]
    public async Task AStatementThatFailed_IsNotKept_AndTheSameTextRunsAgainAfterIt()
    {
        await using var db = await OpenKeepingAsync();
        await db.Database.ExecuteSqlRawAsync("CREATE TABLE \"Scratch\" (\"K\" INTEGER PRIMARY KEY)");
        for (var k = 1; k <= 3; k++)
            await db.Database.ExecuteSqlRawAsync("INSERT INTO \"Scratch\" (\"K\") VALUES ({0})", k);
        var before = SqliteStatementCache.CountsOf(db.Database.GetDbConnection());

        var refused = await Assert.ThrowsAsync<SqliteException>(() => db.Database.ExecuteSqlRawAsync("INSERT INTO \"Scratch\" (\"K\") VALUES ({0})", 2));
        Assert.Equal(19, refused.SqliteErrorCode); // SQLITE_CONSTRAINT
        await db.Database.ExecuteSqlRawAsync("INSERT INTO \"Scratch\" (\"K\") VALUES ({0})", 4);

        var after = SqliteStatementCache.CountsOf(db.Database.GetDbConnection());
        // The refused run used the kept statement and was dropped with it; the next run prepared the text again.
        Assert.Equal(before.Reused + 1, after.Reused);
        Assert.Equal(before.Prepared + 1, after.Prepared);
        var keys = await db.Database.SqlQueryRaw<long>("SELECT \"K\" AS \"Value\" FROM \"Scratch\" ORDER BY \"K\"").ToListAsync();
        Assert.Equal([1L, 2L, 3L, 4L], keys);
    }

    [Fact]
    public async Task ClosingTheConnection_ForgetsItsStatements_AndItsNextUseIsEfCoresOwn()
    {
        await using var db = await OpenKeepingAsync();
        Assert.Equal(1, await SequenceAllocator.NextAsync(db, "US", "RU", "us-ru-bmlna-1988", SequenceAllocator.NotificationStream));
        Assert.NotEqual((0, 0), SqliteStatementCache.CountsOf(db.Database.GetDbConnection()));

        await db.Database.CloseConnectionAsync();
        Assert.Equal((0, 0), SqliteStatementCache.CountsOf(db.Database.GetDbConnection()));
        Assert.Equal(2, await SequenceAllocator.NextAsync(db, "US", "RU", "us-ru-bmlna-1988", SequenceAllocator.NotificationStream));
        Assert.Equal((0, 0), SqliteStatementCache.CountsOf(db.Database.GetDbConnection()));
    }

    [Fact]
    public async Task AConnectionNotOptedIn_KeepsNothing()
    {
        await using var db = new NodeDbContext(_store.Options.ToDbContextOptions());
        await db.Database.OpenConnectionAsync();
        for (var i = 1; i <= 3; i++)
            Assert.Equal(i, await SequenceAllocator.NextAsync(db, "US", "RU", "us-ru-bmlna-1988", SequenceAllocator.NotificationStream));
        Assert.Equal((0, 0), SqliteStatementCache.CountsOf(db.Database.GetDbConnection()));
    }
}
