using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace LaunchNotify.Storage;

/// <summary>Creates the store's tables if they are not there (the publisher and subscriber may race to do it).</summary>
public static class StoreInitializer
{
    public static async Task EnsureCreatedAsync(StorageOptions options, CancellationToken ct = default)
    {
        if (options.Provider == StorageProvider.Sqlite)
        {
            var path = new SqliteConnectionStringBuilder(options.ConnectionString).DataSource;
            var folder = Path.GetDirectoryName(Path.GetFullPath(path));
            if (folder is not null)
                Directory.CreateDirectory(folder);
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var db = new NodeDbContext(options.ToDbContextOptions());
                await db.Database.EnsureCreatedAsync(ct);
                if (options.Provider == StorageProvider.Sqlite)
                    await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
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
