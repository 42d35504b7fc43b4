using System.Data.Common;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace LaunchNotify.Storage;

/// <summary>
/// How a connection waits for another writer's lock on a SQLite store: SQLite calls back while the lock is taken, and
/// the callback polls again every millisecond until the lock is free or the connection's timeout has passed.
/// </summary>
/// <remarks>
/// Not Microsoft.Data.Sqlite's own retry, which blocks the thread for 150 ms per attempt; and not SQLite's built-in
/// busy timeout either, which sleeps 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50 and then 100 ms between attempts. A
/// centre's publisher and subscriber write one file and hold its lock for a millisecond or two per transaction, so a
/// waiter that had lost three times slept 10 ms or more for a lock free long before: at 100 notifications/s, `strace`
/// of the sender's two processes showed dozens of 25, 50 and 100 ms sleeps in 8 s, the tail of the latency
/// (docs/performance.md, "waiting for the other process's lock"). A fixed 1 ms poll wakes at most a millisecond after
/// the lock is free. The waits are counted (<c>launchnotify.store.lock_waits</c>, and the time spent in them), so an operator can see
/// how much the processes sharing a store wait for each other.
/// </remarks>
internal sealed unsafe class SqliteBusyTimeout(int milliseconds) : DbConnectionInterceptor
{
    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    private void Apply(DbConnection connection)
    {
        if (connection is not SqliteConnection { Handle: { } handle })
            return;
        if (BusyHandler != null)
            BusyHandler(handle.DangerousGetHandle(), &OnBusy, milliseconds);
        else
            SQLitePCL.raw.sqlite3_busy_timeout(handle, milliseconds);
    }

    /// <summary>
    /// <c>sqlite3_busy_handler</c> of the SQLite library Microsoft.Data.Sqlite loaded (SQLitePCLRaw does not expose it);
    /// null if it cannot be found, and then SQLite's own busy timeout is used.
    /// </summary>
    private static readonly delegate* unmanaged[Cdecl]<nint, delegate* unmanaged[Cdecl]<nint, int, int>, nint, int> BusyHandler = FindBusyHandler();

    private static delegate* unmanaged[Cdecl]<nint, delegate* unmanaged[Cdecl]<nint, int, int>, nint, int> FindBusyHandler()
    {
        try
        {
            // Resolved as the SQLitePCLRaw provider resolves it, so it is the same loaded library.
            var provider = typeof(SQLitePCL.SQLite3Provider_e_sqlite3).Assembly;
            if (NativeLibrary.TryLoad("e_sqlite3", provider, null, out var library) && NativeLibrary.TryGetExport(library, "sqlite3_busy_handler", out var export))
                return (delegate* unmanaged[Cdecl]<nint, delegate* unmanaged[Cdecl]<nint, int, int>, nint, int>)export;
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException or TypeLoadException)
        {
        }
        return null;
    }

    /// <summary>The node's meter (<c>LaunchNotify</c>, as the node's telemetry exports it).</summary>
    private static readonly Meter Meter = new("LaunchNotify");

    private static readonly Counter<long> Waits = Meter.CreateCounter<long>(
        "launchnotify.store.lock_waits", unit: "{wait}", description: "Statements that found a SQLite store's write lock taken by another connection and waited for it.");

    private static readonly Counter<double> WaitTime = Meter.CreateCounter<double>(
        "launchnotify.store.lock_wait_time", unit: "s", description: "Time spent waiting for a SQLite store's write lock held by another connection.");

    /// <summary>When this thread's current wait began (the callback runs on the thread stepping the statement).</summary>
    [ThreadStatic]
    private static long _waitStarted;

    /// <summary>SQLite's busy callback: non-zero to try again, zero to give up (the statement then fails with SQLITE_BUSY).</summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int OnBusy(nint timeoutMilliseconds, int attempts)
    {
        if (attempts == 0)
        {
            _waitStarted = Stopwatch.GetTimestamp();
            Waits.Add(1);
        }
        if (Stopwatch.GetElapsedTime(_waitStarted).TotalMilliseconds >= timeoutMilliseconds)
            return 0;
        var slept = Stopwatch.GetTimestamp();
        Thread.Sleep(1);
        WaitTime.Add(Stopwatch.GetElapsedTime(slept).TotalSeconds);
        return 1;
    }
}
