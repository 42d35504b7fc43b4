using System.Diagnostics.Metrics;
using LaunchNotify.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace LaunchNotify.Storage.Tests;

/// <summary>
/// A connection that finds the store's write lock taken waits in the node's busy handler (polled every millisecond,
/// counted as <c>launchnotify.store.lock_waits</c>), not in SQLite's built-in one, whose sleeps grow to 100 ms; and it
/// still gives up after the connection's timeout. A group commit that waits for the lock takes in what arrived meanwhile.
/// </summary>
public sealed class SqliteBusyHandlerTests : IAsyncLifetime, IDisposable
{
    private readonly LaunchNotify.Tests.Shared.TempSqliteStore _store = new("busy");
    private readonly MeterListener _listener = new();
    private long _waits;
    private double _waited;

    public SqliteBusyHandlerTests()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "LaunchNotify" && instrument.Name.StartsWith("launchnotify.store.lock_wait", StringComparison.Ordinal))
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _waits, value));
        _listener.SetMeasurementEventCallback<double>((_, value, _, _) =>
        {
            lock (_listener)
                _waited += value;
        });
        _listener.Start();
    }

    public Task InitializeAsync() => _store.InitializeAsync();

    public Task DisposeAsync() => _store.DisposeAsync();

    public void Dispose() => _listener.Dispose();

    [Fact]
    public async Task AWriterFindingTheLockTaken_WaitsInTheNodesHandler_AndWritesOnceItIsFree()
    {
        await using var holder = new NodeDbContext(_store.Options.ToDbContextOptions());
        await using var tx = await holder.Database.BeginTransactionAsync();
        Assert.Equal(1, await SequenceAllocator.NextAsync(holder, "US", "RU", "us-ru-bmlna-1988", SequenceAllocator.NotificationStream));
        var waitsBefore = Interlocked.Read(ref _waits);

        var waiter = Task.Run(async () =>
        {
            await using var db = new NodeDbContext(_store.Options.ToDbContextOptions());
            return await SequenceAllocator.NextAsync(db, "US", "RU", "us-ru-bmlna-1988", SequenceAllocator.NotificationStream);
        });

        // The waiter is inside the node's busy handler once a wait is counted (SQLite's own handler counts nothing).
        Assert.True(SpinWait.SpinUntil(() => Interlocked.Read(ref _waits) > waitsBefore, TimeSpan.FromSeconds(20)), "no wait was counted");
        Assert.False(waiter.IsCompleted);
        await tx.CommitAsync();

        Assert.Equal(2, await waiter.WaitAsync(TimeSpan.FromSeconds(20)));
        lock (_listener)
            Assert.True(_waited > 0);
    }

    [Fact]
    public async Task AGroupCommitWaitingForTheLock_TakesInTheStepsThatArriveMeanwhile()
    {
        await using var committer = new GroupCommitter(new StoreContextFactory(_store.Options), new StoreWriteGate(_store.Options.Provider), NullLogger<GroupCommitter>.Instance);
        await using var holder = new NodeDbContext(_store.Options.ToDbContextOptions());
        await using var tx = await holder.Database.BeginTransactionAsync();
        await SequenceAllocator.NextAsync(holder, "IN", "PK", "in-pk-2005", SequenceAllocator.HeartbeatStream);
        var waitsBefore = Interlocked.Read(ref _waits);

        Task<long> Step() => committer.RunAsync((db, ct) => SequenceAllocator.NextAsync(db, "IN", "PK", "in-pk-2005", SequenceAllocator.NotificationStream, ct), CancellationToken.None);
        var first = Step();
        Assert.True(SpinWait.SpinUntil(() => Interlocked.Read(ref _waits) > waitsBefore, TimeSpan.FromSeconds(20)), "the committer never waited for the lock");
        var later = new[] { Step(), Step() };
        await tx.CommitAsync();

        var numbers = await Task.WhenAll([first, .. later]).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal([1L, 2L, 3L], numbers.Order());
        Assert.Equal(1, committer.Batches);
    }

    [Fact]
    public async Task AWriterWaitingLongerThanItsConnectionsTimeout_GivesUpWithDatabaseIsLocked()
    {
        var impatient = new StorageOptions(StorageProvider.Sqlite,
            new SqliteConnectionStringBuilder(_store.Options.ConnectionString) { DefaultTimeout = 1, Pooling = false }.ToString());
        await using var holder = new NodeDbContext(_store.Options.ToDbContextOptions());
        await using var tx = await holder.Database.BeginTransactionAsync();
        await SequenceAllocator.NextAsync(holder, "CN", "RU", "cn-ru-2009", SequenceAllocator.NotificationStream);

        await using var db = new NodeDbContext(impatient.ToDbContextOptions());
        var refused = await Assert.ThrowsAnyAsync<Exception>(() =>
            SequenceAllocator.NextAsync(db, "CN", "RU", "cn-ru-2009", SequenceAllocator.NotificationStream).WaitAsync(TimeSpan.FromSeconds(30)));

        var sqlite = Assert.IsType<SqliteException>(refused is SqliteException ? refused : refused.InnerException);
        Assert.Equal(5, sqlite.SqliteErrorCode); // SQLITE_BUSY
        await tx.RollbackAsync();
        Assert.Equal(0, await SequenceAllocator.LastAsync(db, "CN", "RU", "cn-ru-2009", SequenceAllocator.NotificationStream));
    }
}
