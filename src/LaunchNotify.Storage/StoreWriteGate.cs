using Microsoft.Data.Sqlite;

namespace LaunchNotify.Storage;

/// <summary>
/// One queue, in arrival order, for this process's write transactions on a SQLite store, and on a store file a turn
/// between the processes that share it. SQLite has a single writer; without the queue, every waiting request polls the
/// lock in SQLite's busy handler, a newcomer often wins over an old waiter, and under load (32 submissions in flight on
/// a busy machine) some waiters starved past the 30 s busy timeout: HTTP 500 "database is locked". With it, at most one
/// transaction per process waits for the store, and it waits for the centre's other process in the kernel
/// (<see cref="ProcessTurn"/>), woken the moment that process's transaction ends, instead of polling SQLite's lock.
/// PostgreSQL locks rows: its gate lets everyone through.
/// </summary>
public sealed class StoreWriteGate : IDisposable
{
    private readonly SemaphoreSlim? _writer;
    private readonly ProcessTurn? _processes;

    /// <param name="sqliteFile">
    /// The SQLite store's file, for the turn between processes (a lock file beside it); null for none (the process is
    /// the store's only writer, or it is in memory).
    /// </param>
    /// <param name="processWait">How long a turn waits for the other process before it goes ahead without one (SQLite's own lock still decides); default 30 s.</param>
    public StoreWriteGate(StorageProvider provider, string? sqliteFile = null, TimeSpan? processWait = null)
    {
        if (provider != StorageProvider.Sqlite)
            return;
        _writer = new SemaphoreSlim(1, 1);
        if (sqliteFile is not null)
            _processes = ProcessTurn.For(sqliteFile, processWait ?? TimeSpan.FromSeconds(30));
    }

    /// <summary>
    /// The gate for a node's store: on a SQLite file opened for writing, with the turn between the processes sharing it
    /// (the busy timeout of its connection string bounds the wait for the other process, as it bounds SQLite's own).
    /// </summary>
    public static StoreWriteGate For(StorageOptions store)
    {
        if (store.Provider != StorageProvider.Sqlite)
            return new StoreWriteGate(store.Provider);
        var connection = new SqliteConnectionStringBuilder(store.ConnectionString);
        var file = connection.Mode is SqliteOpenMode.ReadOnly or SqliteOpenMode.Memory || IsInMemory(connection.DataSource) ? null : connection.DataSource;
        return new StoreWriteGate(store.Provider, file, TimeSpan.FromSeconds(connection.DefaultTimeout));
    }

    private static bool IsInMemory(string dataSource) =>
        dataSource.Length == 0 || dataSource == ":memory:" || dataSource.Contains("mode=memory", StringComparison.OrdinalIgnoreCase);

    /// <summary>A gate that never waits (tools and tests that write alone).</summary>
    public static StoreWriteGate Open { get; } = new(StorageProvider.PostgreSql);

    /// <summary>The lock file the processes sharing the store take turns on; null when there is none.</summary>
    public string? TurnFile => _processes?.Path;

    /// <summary>Waits for this process's turn to write; dispose the result when the transaction has ended.</summary>
    public async ValueTask<IDisposable> EnterAsync(CancellationToken ct)
    {
        if (_writer is null)
            return Turn.None;
        await _writer.WaitAsync(ct);
        try
        {
            var acrossProcesses = _processes is not null && await _processes.TakeAsync(ct);
            return new Turn(_writer, acrossProcesses ? _processes : null);
        }
        catch
        {
            _writer.Release();
            throw;
        }
    }

    public void Dispose() => _processes?.Dispose();

    private sealed class Turn(SemaphoreSlim? writer, ProcessTurn? processes) : IDisposable
    {
        public static readonly Turn None = new(null, null);

        private SemaphoreSlim? _writer = writer;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _writer, null) is not { } writer)
                return;
            // The other process's waiter is woken here, before this process's next writer can queue again.
            processes?.Give();
            writer.Release();
        }
    }
}
