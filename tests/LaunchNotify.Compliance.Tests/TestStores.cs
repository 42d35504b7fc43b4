using LaunchNotify.Storage;
using LaunchNotify.Tests.Shared;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace LaunchNotify.Compliance.Tests;

/// <summary>A node store of its own for one test: a SQLite file, or a schema in the project-local PostgreSQL.</summary>
public interface ITestStore : IAsyncDisposable
{
    StorageOptions Options { get; }
    IDbContextFactory<NodeDbContext> Factory { get; }
    NodeDbContext NewContext() => new(Options.ToDbContextOptions());

    /// <summary>Raw SQL, as someone with write access to the database would tamper with it.</summary>
    async Task ExecuteAsync(string sql, params object[] parameters)
    {
        await using var db = NewContext();
        await db.Database.ExecuteSqlRawAsync(sql, parameters);
    }
}


public sealed class SqliteTestStore : ITestStore
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"launchnotify-compliance-{Guid.NewGuid():N}.db");

    public StorageOptions Options { get; }
    public IDbContextFactory<NodeDbContext> Factory { get; }
    public string File => _file;

    private SqliteTestStore()
    {
        Options = StorageOptions.SqliteFile(_file);
        Factory = new StoreContextFactory(Options);
    }

    public static async Task<SqliteTestStore> CreateAsync()
    {
        var store = new SqliteTestStore();
        await StoreMigrator.MigrateAsync(store.Options);
        return store;
    }

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        foreach (var f in new[] { _file, _file + "-wal", _file + "-shm" })
            System.IO.File.Delete(f);
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// The project-local PostgreSQL (infra/postgres/start.sh; port LAUNCHNOTIFY_PG_PORT or 5442), started when it does not
/// answer; failing to start fails the tests. Each store is a fresh schema (the chain is one per store), dropped after.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private string _connectionString = "";

    // Several test classes share this fixture type, one instance each, and xunit runs classes in parallel: the schemas of
    // crashed earlier runs are dropped once per test run, before any class makes its own (a second instance dropping
    // them again would drop the schemas a class running meanwhile is using).
    private static readonly SemaphoreSlim Preparing = new(1, 1);
    private static bool _prepared;

    public async Task InitializeAsync()
    {
        _connectionString = await LocalPostgres.EnsureRunningAsync();
        await Preparing.WaitAsync();
        try
        {
            if (!_prepared)
                await PrepareAsync();
            _prepared = true;
        }
        finally
        {
            Preparing.Release();
        }
    }

    private async Task PrepareAsync()
    {
        // EnsureCreated (used by the other test projects on this database) does nothing once any schema holds
        // tables. So: no schemas of crashed earlier runs, and the shared public tables exist before ours.
        await using (var connection = new NpgsqlConnection(_connectionString))
        {
            await connection.OpenAsync();
            await using var find = new NpgsqlCommand("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'compliance\\_%'", connection);
            var leftovers = new List<string>();
            await using (var reader = await find.ExecuteReaderAsync())
                while (await reader.ReadAsync())
                    leftovers.Add(reader.GetString(0));
            foreach (var schema in leftovers)
            {
                await using var drop = new NpgsqlCommand($"DROP SCHEMA \"{schema}\" CASCADE", connection);
                await drop.ExecuteNonQueryAsync();
            }
        }
        await StoreMigrator.MigrateAsync(new StorageOptions(StorageProvider.PostgreSql, _connectionString));
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public async Task<PostgresTestStore> CreateStoreAsync()
    {
        var schema = $"compliance_{Guid.NewGuid():N}"[..24];
        await using (var connection = new NpgsqlConnection(_connectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE SCHEMA {schema}", connection);
            await create.ExecuteNonQueryAsync();
        }
        var options = new StorageOptions(StorageProvider.PostgreSql, $"{_connectionString};Search Path={schema}");
        // Migrated in its own schema, like a node's store.
        await StoreMigrator.MigrateAsync(options);
        return new PostgresTestStore(options, _connectionString, schema);
    }


}

public sealed class PostgresTestStore(StorageOptions options, string adminConnectionString, string schema) : ITestStore
{
    public StorageOptions Options { get; } = options;
    public IDbContextFactory<NodeDbContext> Factory { get; } = new StoreContextFactory(options);

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP SCHEMA {schema} CASCADE", connection);
        await drop.ExecuteNonQueryAsync();
    }
}

public static class RepoPaths
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "LaunchNotify.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("LaunchNotify.sln not found above " + AppContext.BaseDirectory);
    }
}
