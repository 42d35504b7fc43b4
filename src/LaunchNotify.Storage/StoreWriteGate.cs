namespace LaunchNotify.Storage;

/// <summary>
/// One queue, in arrival order, for this process's write transactions on a SQLite store. SQLite has a single writer;
/// without the queue, every waiting request polls the lock in SQLite's busy handler (sleeps of up to 100 ms), a
/// newcomer often wins over an old waiter, and under load (32 submissions in flight on a busy machine) some waiters
/// starved past the 30 s busy timeout: HTTP 500 "database is locked". With it, at most one transaction per process
/// waits on SQLite's lock (against the centre's other process). PostgreSQL locks rows: its gate lets everyone through.
/// </summary>
public sealed class StoreWriteGate
{
    private readonly SemaphoreSlim? _writer;

    public StoreWriteGate(StorageProvider provider) => _writer = provider == StorageProvider.Sqlite ? new SemaphoreSlim(1, 1) : null;

    /// <summary>A gate that never waits (tools and tests that write alone).</summary>
    public static StoreWriteGate Open { get; } = new(StorageProvider.PostgreSql);

    /// <summary>Waits for this process's turn to write; dispose the result when the transaction has ended.</summary>
    public async ValueTask<IDisposable> EnterAsync(CancellationToken ct)
    {
        if (_writer is null)
            return Turn.None;
        await _writer.WaitAsync(ct);
        return new Turn(_writer);
    }

    private sealed class Turn(SemaphoreSlim? writer) : IDisposable
    {
        public static readonly Turn None = new(null);

        private SemaphoreSlim? _writer = writer;

        public void Dispose() => Interlocked.Exchange(ref _writer, null)?.Release();
    }
}
