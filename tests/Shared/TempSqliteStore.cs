using LaunchNotify.Storage;

namespace LaunchNotify.Tests.Shared;

/// <summary>A migrated SQLite store in a file of its own under the temp folder, deleted (with its WAL files) afterwards.</summary>
public sealed class TempSqliteStore(string name) : IAsyncLifetime
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"launchnotify-{name}-{Guid.NewGuid():N}.db");

    public StorageOptions Options { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Options = StorageOptions.SqliteFile(_file);
        await StoreMigrator.MigrateAsync(Options);
    }

    public Task DisposeAsync()
    {
        // This store's pooled connections only (ClearAllPools would close every other test's too).
        Options?.ReleaseSqliteConnections();
        foreach (var f in new[] { _file, _file + "-wal", _file + "-shm" })
            File.Delete(f);
        return Task.CompletedTask;
    }
}
