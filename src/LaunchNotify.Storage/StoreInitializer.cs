using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace LaunchNotify.Storage;

/// <summary>Creates the store's tables if they are not there (the publisher and subscriber may race to do it).</summary>
public static class StoreInitializer
{
    /// <summary>A store holds a centre's evidence: its files are the owner's alone (0600), however the umask is set.</summary>
    public const UnixFileMode StoreFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates the file 0600 if it is not there (before SQLite does, with the umask's mode); narrows a wider one.</summary>
    private static void OwnerOnly(string path)
    {
        if (OperatingSystem.IsWindows() || path is "" or ":memory:")
            return;
        if (!File.Exists(path))
        {
            try
            {
                using var _ = new FileStream(path, new FileStreamOptions
                {
                    Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = StoreFileMode,
                });
            }
            catch (IOException) when (File.Exists(path))
            {
                // The centre's other process created it first; its mode is checked below.
            }
        }
        if (File.GetUnixFileMode(path) != StoreFileMode)
            File.SetUnixFileMode(path, StoreFileMode);
    }

    public static async Task EnsureCreatedAsync(StorageOptions options, CancellationToken ct = default)
    {
        if (options.Provider == StorageProvider.Sqlite)
        {
            var path = new SqliteConnectionStringBuilder(options.ConnectionString).DataSource;
            var folder = Path.GetDirectoryName(Path.GetFullPath(path));
            if (folder is not null)
                Directory.CreateDirectory(folder);
            OwnerOnly(path);
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var db = new NodeDbContext(options.ToDbContextOptions());
                await db.Database.EnsureCreatedAsync(ct);
                if (options.Provider == StorageProvider.Sqlite)
                {
                    await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
                    // SQLite gives -wal and -shm the main file's mode; ones left by an older build may be wider.
                    var path = new SqliteConnectionStringBuilder(options.ConnectionString).DataSource;
                    foreach (var companion in new[] { path + "-wal", path + "-shm", path + "-journal" })
                        if (File.Exists(companion))
                            OwnerOnly(companion);
                }
                return;
            }
            catch (Exception e) when (attempt < 5 && e is SqliteException or DbUpdateException or InvalidOperationException)
            {
                // Another process of the same node is creating the tables right now.
                await Task.Delay(200 * attempt, ct);
            }
        }
    }
}
