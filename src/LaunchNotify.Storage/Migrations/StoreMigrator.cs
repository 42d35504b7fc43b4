using System.Data.Common;
using LaunchNotify.Storage.Migrations;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace LaunchNotify.Storage;

/// <summary>Where a store's schema stands against this build's migrations.</summary>
/// <param name="Applied">Migrations recorded in the store's history, known to this build.</param>
/// <param name="Pending">This build's migrations the store lacks.</param>
/// <param name="Unknown">Migrations recorded in the store that this build does not know: the store is newer.</param>
/// <param name="CreatedWithoutHistory">The tables exist without a migration history: a store made by a build from before migrations.</param>
public sealed record StoreSchemaStatus(
    IReadOnlyList<string> Applied, IReadOnlyList<string> Pending, IReadOnlyList<string> Unknown, bool CreatedWithoutHistory)
{
    public bool IsEmpty => Applied.Count == 0 && Unknown.Count == 0 && !CreatedWithoutHistory;
    public bool IsCurrent => Pending.Count == 0 && Unknown.Count == 0 && !CreatedWithoutHistory;
}

/// <summary>The store cannot be used by this build as it is (newer than the binary, or not migrated); the message says what to do.</summary>
public sealed class StoreSchemaException(string message) : Exception(message);

/// <summary>
/// Creates or upgrades a store with EF Core migrations (one migration set per provider, docs/operations.md). A store
/// made by a build from before migrations (its schema = the first migration) is baselined: its history
/// records the first migration as applied, and the later ones run. A store migrated by a newer build is refused.
/// </summary>
public static class StoreMigrator
{
    /// <summary>The first migration of each set: the schema builds from before migrations made.</summary>
    private const string BaselineName = "_InitialCreate";

    /// <summary>A table every store of those builds had.</summary>
    private const string BaselineProbeTable = "OutboundMessages";

    /// <summary>The context whose migration set fits the store's provider.</summary>
    public static NodeDbContext CreateMigrationContext(StorageOptions store) => store.Provider switch
    {
        StorageProvider.Sqlite => new SqliteStoreContext(store.ToDbContextOptions()),
        StorageProvider.PostgreSql => new PostgresStoreContext(store.ToDbContextOptions()),
        _ => throw new ArgumentOutOfRangeException(nameof(store)),
    };

    public static async Task<StoreSchemaStatus> InspectAsync(StorageOptions store, CancellationToken ct = default)
    {
        await using var db = CreateMigrationContext(store);
        return await InspectAsync(db, ct);
    }

    /// <summary>Brings the store to this build's schema (creating it when empty). Refuses a newer store.</summary>
    public static async Task<StoreSchemaStatus> MigrateAsync(StorageOptions store, CancellationToken ct = default)
    {
        CreateSqliteFolder(store);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var db = CreateMigrationContext(store);
                var status = await InspectAsync(db, ct);
                RefuseNewer(store, status);
                if (status.CreatedWithoutHistory)
                    await BaselineAsync(db, ct);
                // EF takes a migration lock (SQLite: a lock table; PostgreSQL: a table lock), so the publisher and the
                // subscriber of one centre starting together apply each migration once.
                await db.Database.MigrateAsync(ct);
                if (store.Provider == StorageProvider.Sqlite)
                {
                    await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
                    StoreInitializer.OwnerOnlyCompanions(new SqliteConnectionStringBuilder(store.ConnectionString).DataSource);
                }
                return await InspectAsync(db, ct);
            }
            catch (Exception e) when (attempt < 5 && e is SqliteException or DbException or DbUpdateException)
            {
                // The other process of the same node is baselining or migrating right now: look again.
                await Task.Delay(200 * attempt, ct);
            }
        }
    }

    /// <summary>For a node that must not change the store (read-only, or migrations left to <c>launchnotify store migrate</c>).</summary>
    public static async Task<StoreSchemaStatus> RequireCurrentAsync(StorageOptions store, CancellationToken ct = default)
    {
        var status = await InspectAsync(store, ct);
        RefuseNewer(store, status);
        if (status.IsEmpty)
            throw new StoreSchemaException($"The store {store} has no LaunchNotify tables. Create it with 'launchnotify store migrate --store {store}' (or set LaunchNotify:Store:Migrate=OnStart).");
        if (!status.IsCurrent)
            throw new StoreSchemaException(
                $"The store {store} needs migrations before this build can use it ({Describe(status)}). Back it up, then run 'launchnotify store migrate --store {store}' (or set LaunchNotify:Store:Migrate=OnStart).");
        return status;
    }

    public static string Describe(StoreSchemaStatus status)
    {
        if (status.IsEmpty)
            return "empty";
        var parts = new List<string>();
        if (status.CreatedWithoutHistory)
            parts.Add("created before migrations: will be baselined at the first migration");
        if (status.Applied.Count > 0)
            parts.Add($"at {status.Applied[^1]}");
        if (status.Pending.Count > 0)
            parts.Add($"{status.Pending.Count} pending: {string.Join(", ", status.Pending)}");
        if (status.Unknown.Count > 0)
            parts.Add($"newer than this build: {string.Join(", ", status.Unknown)}");
        return string.Join("; ", parts);
    }

    private static void RefuseNewer(StorageOptions store, StoreSchemaStatus status)
    {
        if (status.Unknown.Count > 0)
            throw new StoreSchemaException(
                $"The store {store} was migrated by a newer LaunchNotify build (migrations {string.Join(", ", status.Unknown)} are unknown to this one). " +
                "Run a build at least as new as the one that last migrated it; this build does not downgrade a store.");
    }

    private static async Task<StoreSchemaStatus> InspectAsync(NodeDbContext db, CancellationToken ct)
    {
        var known = db.Database.GetMigrations().ToList();
        var history = db.GetService<IHistoryRepository>();
        var applied = await history.ExistsAsync(ct)
            ? (await history.GetAppliedMigrationsAsync(ct)).Select(r => r.MigrationId).ToList()
            : [];
        var createdWithoutHistory = applied.Count == 0 && await TableExistsAsync(db, BaselineProbeTable, ct);
        return new StoreSchemaStatus(
            [.. applied.Where(known.Contains)],
            [.. known.Where(m => !applied.Contains(m) && !(createdWithoutHistory && m.EndsWith(BaselineName, StringComparison.Ordinal)))],
            [.. applied.Where(m => !known.Contains(m))],
            createdWithoutHistory);
    }

    /// <summary>Records the first migration as applied: the tables it would create are there already.</summary>
    private static async Task BaselineAsync(NodeDbContext db, CancellationToken ct)
    {
        var first = db.Database.GetMigrations().First();
        if (!first.EndsWith(BaselineName, StringComparison.Ordinal))
            throw new InvalidOperationException($"The first migration is {first}, not the baseline *{BaselineName}.");
        var history = db.GetService<IHistoryRepository>();
        var version = typeof(DbContext).Assembly.GetName().Version!;
        var script = history.GetCreateIfNotExistsScript() + Environment.NewLine +
                     history.GetInsertScript(new HistoryRow(first, $"{version.Major}.{version.Minor}.{version.Build}"));
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlRawAsync(script, ct);
        await transaction.CommitAsync(ct);
    }

    /// <summary>In the store's own schema only (PostgreSQL's search path), unlike EF's HasTables, which looks at every schema.</summary>
    private static async Task<bool> TableExistsAsync(NodeDbContext db, string table, CancellationToken ct)
    {
        var sql = db.Database.IsSqlite()
            ? "SELECT COUNT(*) AS \"Value\" FROM sqlite_master WHERE type = 'table' AND name = {0}"
            : "SELECT COUNT(*)::int AS \"Value\" FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = {0}";
        return await db.Database.SqlQueryRaw<int>(sql, table).SingleAsync(ct) > 0;
    }

    /// <summary>The folder, and the file made 0600 before SQLite creates it with the umask's mode.</summary>
    private static void CreateSqliteFolder(StorageOptions store)
    {
        if (store.Provider != StorageProvider.Sqlite)
            return;
        var path = new SqliteConnectionStringBuilder(store.ConnectionString).DataSource;
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
            Directory.CreateDirectory(folder);
        StoreInitializer.OwnerOnly(path);
    }
}
