using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace LaunchNotify.Storage;

/// <summary>
/// Lets SQLite itself wait for another writer's lock (its busy handler retries after 1, 2, 5, 10 … ms) instead of
/// Microsoft.Data.Sqlite's own retry, which blocks the thread for 150 ms per attempt: with the publisher and the
/// subscriber of a centre writing one file, that sleep was the largest cost of a notification (docs/performance.md).
/// </summary>
internal sealed class SqliteBusyTimeout(int milliseconds) : DbConnectionInterceptor
{
    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    private void Apply(DbConnection connection)
    {
        if (connection is SqliteConnection { Handle: { } handle })
            SQLitePCL.raw.sqlite3_busy_timeout(handle, milliseconds);
    }
}
