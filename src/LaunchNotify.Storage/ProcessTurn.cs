using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.InteropServices;

namespace LaunchNotify.Storage;

/// <summary>
/// The turn between the processes that write one SQLite store (a centre's publisher and subscriber): an exclusive
/// <c>flock(2)</c> on a lock file beside the store, taken by <see cref="StoreWriteGate"/> before a write transaction
/// begins and given back when it has ended. A process that finds the other's turn taken blocks in the kernel and is
/// woken the moment it is given back, with everything that queued meanwhile ready for one batch (GroupCommitter), where
/// waiting for SQLite's lock itself means polling it (<see cref="SqliteBusyTimeout"/>, every millisecond) and losing it
/// again, often, to the other process's next transaction.
/// </summary>
/// <remarks>
/// Advisory only: SQLite's own lock still decides who writes (a writer that takes no turn, a tool or another node's
/// request path, waits for it as before), so a turn that cannot be had (no lock file, an error) or not within the
/// wait only costs the old way of waiting, never a write. The kernel drops a dead process's lock. Linux only; elsewhere
/// there is no turn. The lock file is opened with the system call itself: .NET's own file APIs take a shared
/// <c>flock</c> on every file they open, which the other process's exclusive turn would refuse (a sharing violation).
/// </remarks>
internal sealed partial class ProcessTurn : IDisposable
{
    private const int LockExclusive = 2, LockNonBlocking = 4, LockRelease = 8;
    private const int Interrupted = 4, WouldBlock = 11;
    private const int OpenReadWrite = 2, OpenCreate = 0x40, OpenCloseOnExec = 0x80000;
    private const uint OwnerReadWrite = 0x180; // 0600

    private static readonly Counter<long> Waits = StoreMetrics.Meter.CreateCounter<long>(
        "launchnotify.store.turn_waits", unit: "{wait}", description: "Write transactions that waited for the other process's turn on a SQLite store.");

    private static readonly Counter<double> WaitTime = StoreMetrics.Meter.CreateCounter<double>(
        "launchnotify.store.turn_wait_time", unit: "s", description: "Time write transactions spent waiting for the other process's turn on a SQLite store.");

    private readonly TimeSpan _wait;
    private readonly BlockingCollection<Request> _requests = new();
    private readonly Lock _starting = new();
    private Thread? _waiter;

    // The lock file's descriptor (-1: not open), closed under this lock and never while the waiting thread blocks on it.
    private readonly Lock _closing = new();
    private int _fd = -1;
    private bool _disposed;
    private bool _inFlock;

    private ProcessTurn(string path, TimeSpan wait)
    {
        Path = path;
        _wait = wait;
    }

    /// <summary>The lock file: the store's path with <c>-turn</c> appended (beside SQLite's <c>-wal</c> and <c>-shm</c>).</summary>
    public string Path { get; }

    /// <summary>The turn for <paramref name="storeFile"/>'s writers; null where there is none (not Linux).</summary>
    public static ProcessTurn? For(string storeFile, TimeSpan wait) =>
        OperatingSystem.IsLinux() ? new ProcessTurn(System.IO.Path.GetFullPath(storeFile) + "-turn", wait) : null;

    /// <summary>
    /// Takes the turn: at once when it is free (no thread switch), else after the other process gives it back. False
    /// when there is no turn to take (the lock file cannot be opened, or the other process kept it past the wait):
    /// the caller writes anyway, waiting for SQLite's lock as it would without a turn.
    /// </summary>
    public async ValueTask<bool> TakeAsync(CancellationToken ct)
    {
        lock (_closing)
        {
            var fd = Descriptor();
            if (fd < 0)
                return false;
            if (Flock(fd, LockExclusive | LockNonBlocking) == 0)
                return true;
            if (Marshal.GetLastPInvokeError() != WouldBlock)
                return false;
        }

        var started = Stopwatch.GetTimestamp();
        var request = new Request();
        StartWaiter();
        try
        {
            _requests.Add(request, CancellationToken.None);
        }
        catch (InvalidOperationException)
        {
            return false; // disposed: the process is stopping
        }
        bool held;
        try
        {
            held = await request.Result.WaitAsync(_wait, ct);
        }
        catch (TimeoutException)
        {
            // Past the wait: go ahead without the turn (SQLite's lock still decides), unless it was granted meanwhile.
            held = !request.Abandon() && request.Result.Result;
        }
        catch (OperationCanceledException)
        {
            if (!request.Abandon() && request.Result.Result)
                Give();
            throw;
        }
        Waits.Add(1);
        WaitTime.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
        return held;
    }

    /// <summary>Gives the turn back (the caller's transaction has ended).</summary>
    public void Give()
    {
        lock (_closing)
            if (_fd >= 0)
                Flock(_fd, LockRelease);
    }

    /// <summary>The lock file's descriptor, opened on first use (the store's directory exists by then) and tried again next time if it cannot be; under <see cref="_closing"/>.</summary>
    private int Descriptor()
    {
        if (_fd < 0 && !_disposed)
            _fd = Open(Path, OpenReadWrite | OpenCreate | OpenCloseOnExec, OwnerReadWrite);
        return _fd;
    }

    /// <summary>The one thread per process that blocks in <c>flock</c> for a contended turn (the thread pool's must not).</summary>
    private void StartWaiter()
    {
        if (Volatile.Read(ref _waiter) is not null)
            return;
        lock (_starting)
        {
            if (_waiter is not null)
                return;
            _waiter = new Thread(WaitForTurns) { IsBackground = true, Name = "LaunchNotify store turn" };
            _waiter.Start();
        }
    }

    private void WaitForTurns()
    {
        foreach (var request in _requests.GetConsumingEnumerable())
        {
            int fd;
            lock (_closing)
            {
                if (_disposed)
                {
                    request.Grant(false);
                    continue;
                }
                fd = _fd;
                _inFlock = true;
            }
            int result;
            do
                result = fd < 0 ? -1 : Flock(fd, LockExclusive);
            while (result != 0 && Marshal.GetLastPInvokeError() == Interrupted);
            lock (_closing)
            {
                _inFlock = false;
                if (_disposed)
                {
                    // Disposed while this thread waited: the descriptor is this thread's to close (closing it gives the turn back).
                    request.Grant(false);
                    CloseDescriptor();
                    continue;
                }
                // A request abandoned meanwhile (its wait ended) does not keep the turn.
                if (!request.Grant(result == 0) && result == 0)
                    Flock(fd, LockRelease);
            }
        }
    }

    public void Dispose()
    {
        lock (_closing)
        {
            _disposed = true;
            // Not under the waiting thread's feet: a descriptor closed (and its number reused) while it blocks in flock on it
            // would have it give back a lock on another file.
            if (!_inFlock)
                CloseDescriptor();
        }
        _requests.CompleteAdding();
    }

    private void CloseDescriptor()
    {
        if (_fd >= 0)
            Close(_fd);
        _fd = -1;
    }

    /// <summary>One wait for the turn: granted by the waiting thread, or abandoned by its caller first (never both).</summary>
    private sealed class Request
    {
        private const int Waiting = 0, Granted = 1, Abandoned = 2;
        private readonly TaskCompletionSource<bool> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _state;

        public Task<bool> Result => _result.Task;

        /// <summary>Completes the wait with <paramref name="held"/>; false if its caller has abandoned it.</summary>
        public bool Grant(bool held)
        {
            if (Interlocked.CompareExchange(ref _state, Granted, Waiting) != Waiting)
                return false;
            _result.SetResult(held);
            return true;
        }

        /// <summary>True if the wait was abandoned before it was granted; false if it was granted (its result is set).</summary>
        public bool Abandon() => Interlocked.CompareExchange(ref _state, Abandoned, Waiting) == Waiting;
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(int fd, int operation);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
