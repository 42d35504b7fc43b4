using LaunchNotify.Storage.Entities;
using NodaTime;

namespace LaunchNotify.Storage.Tests;

/// <summary>A SQLite store and its -wal and -shm files are readable by their owner only, whatever the umask.</summary>
public sealed class StoreFileModeTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("launchnotify-mode-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task NewStore_AndItsWalAndShm_Are0600()
    {
        if (OperatingSystem.IsWindows())
            return;
        var path = Path.Combine(_folder, "node.db");
        var store = StorageOptions.SqliteFile(path);
        await StoreMigrator.MigrateAsync(store);
        // A connection held open for the whole check: SQLite deletes -wal and -shm when the last connection closes, and
        // another test class clearing the connection pools at the same time would close the pooled one.
        await using var held = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
        await held.OpenAsync();
        // SQLite reads the file (and joins the write-ahead log) only at a connection's first statement: without one, the
        // held connection would not keep -wal and -shm alive.
        await using (var read = held.CreateCommand())
        {
            read.CommandText = "SELECT count(*) FROM sqlite_master";
            await read.ExecuteScalarAsync();
        }
        // A write, so that SQLite creates the write-ahead log and its index.
        await using (var db = new NodeDbContext(store.ToDbContextOptions()))
        {
            db.Outbox.Add(new OutboxEntry
            {
                MessageId = Guid.NewGuid(), Kind = "prenotification", Recipient = "RU", RoutingKey = "RU.US.prenotification",
                Body = [1], CreatedAt = Instant.FromUtc(2026, 3, 10, 12, 0),
            });
            await db.SaveChangesAsync();
            Assert.True(File.Exists(path + "-wal") && File.Exists(path + "-shm"), "no -wal/-shm: the store is not in WAL mode");
            foreach (var file in new[] { path, path + "-wal", path + "-shm" })
                Assert.Equal(StoreInitializer.StoreFileMode, File.GetUnixFileMode(file));
        }
    }

    [Fact]
    public async Task StoreMadeWorldReadable_IsNarrowedAtStart()
    {
        if (OperatingSystem.IsWindows())
            return;
        var path = Path.Combine(_folder, "old.db");
        var store = StorageOptions.SqliteFile(path);
        await StoreMigrator.MigrateAsync(store);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.SetUnixFileMode(path, StoreInitializer.StoreFileMode | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        await StoreMigrator.MigrateAsync(store);

        Assert.Equal(StoreInitializer.StoreFileMode, File.GetUnixFileMode(path));
    }
}
