using System.Runtime.InteropServices;
using LaunchNotify.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace LaunchNotify.Compliance.Tests;

/// <summary>
/// Tells when a writer is blocked on another writer's lock, so a race test goes on at the moment the race is on
/// instead of after a guessed sleep: on SQLite the connection's busy handler is called, on PostgreSQL the backend
/// shows a lock wait in <c>pg_stat_activity</c>.
/// </summary>
internal static class LockWait
{
    /// <summary>Opens <paramref name="db"/>'s connection; the task returned completes once it waits for a lock.</summary>
    public static async Task<Task> ObserveAsync(NodeDbContext db)
    {
        await db.Database.OpenConnectionAsync();
        return db.Database.GetDbConnection() switch
        {
            SqliteConnection sqlite => SqliteBusy(sqlite),
            NpgsqlConnection postgres => PostgresLockWait(await BackendPidAsync(postgres), db.Database.GetConnectionString()!),
            var other => throw new NotSupportedException(other.GetType().Name),
        };
    }

    private static Task SqliteBusy(SqliteConnection connection)
    {
        var blocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Replaces the store's busy timeout on this connection with a handler that says so, then keeps waiting as long.
        SqliteNative.BusyHandler handler = (_, attempt) =>
        {
            blocked.TrySetResult();
            SqliteNative.sqlite3_sleep(1);
            return attempt < 30_000 ? 1 : 0;
        };
        Handlers.Add(connection, handler); // alive as long as the connection: SQLite calls it from native code
        var rc = SqliteNative.sqlite3_busy_handler(connection.Handle!.DangerousGetHandle(), handler, IntPtr.Zero);
        return rc == 0 ? blocked.Task : throw new InvalidOperationException($"sqlite3_busy_handler returned {rc}");
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<SqliteConnection, SqliteNative.BusyHandler> Handlers = new();

    /// <summary>SQLitePCLRaw 2.1 does not expose sqlite3_busy_handler; the bundled library does.</summary>
    private static class SqliteNative
    {
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        public delegate int BusyHandler(IntPtr state, int attempt);

        [DllImport("e_sqlite3", CallingConvention = CallingConvention.Cdecl)]
        public static extern int sqlite3_busy_handler(IntPtr db, BusyHandler handler, IntPtr state);

        [DllImport("e_sqlite3", CallingConvention = CallingConvention.Cdecl)]
        public static extern int sqlite3_sleep(int milliseconds);
    }

    private static async Task<int> BackendPidAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand("SELECT pg_backend_pid()", connection);
        return (int)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Watched from a connection of its own (the writer's is busy waiting) until the backend waits for a lock.</summary>
    private static Task PostgresLockWait(int pid, string connectionString) => Task.Run(async () =>
    {
        await using var observer = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ToString());
        await observer.OpenAsync();
        await using var query = new NpgsqlCommand("SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1", observer);
        query.Parameters.Add(new NpgsqlParameter { Value = pid });
        while (await query.ExecuteScalarAsync() as string != "Lock")
            await Task.Delay(5);
    });
}
