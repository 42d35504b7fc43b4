using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using LaunchNotify.Storage.Migrations;
using LaunchNotify.Tests.Shared;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;

namespace LaunchNotify.Storage.Tests;

/// <summary>
/// Test data made on 2026-12-06 by the code as it was before migrations existed (commit 97c351f, EnsureCreated):
/// Data/ensurecreated-*.sql is the schema it created on each provider (<c>dotnet ef dbcontext script</c>), and
/// Data/seeded-year-*.us.db.gz is US's store after <c>launchnotify seed --centres US,RU --days 365</c> (1007 audit entries).
/// </summary>
internal static class Baseline
{
    public static string DataFile(string name) => Path.Combine(AppContext.BaseDirectory, "Data", name);
    public static string SqliteScript => File.ReadAllText(DataFile("ensurecreated-2026-12-06.sqlite.sql"));
    public static string PostgresScript => File.ReadAllText(DataFile("ensurecreated-2026-12-06.postgres.sql"));

    /// <summary>The tables the code made before migrations.</summary>
    public static readonly string[] Tables =
        ["Alarms", "AuditChainHead", "AuditEntries", "Deadlines", "InboundSequences", "Inbox", "ObservedLaunches", "OutboundMessages", "Outbox", "SequenceCounters", "Deliveries"];

    public static string UnpackSeededStore(string folder)
    {
        var path = Path.Combine(folder, "node.db");
        using var input = new GZipStream(File.OpenRead(DataFile("seeded-year-2026-12-06.us.db.gz")), CompressionMode.Decompress);
        using var output = File.Create(path);
        input.CopyTo(output);
        return path;
    }
}

public sealed class SqliteMigrationTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ln-migrations-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private StorageOptions NewStore(string name = "node.db") => StorageOptions.SqliteFile(Path.Combine(_folder, name));

    [Fact]
    public async Task FirstMigration_MakesTheSchemaEnsureCreatedMadeBeforeMigrations()
    {
        var before = NewStore("ensure-created.db");
        await ExecuteAsync(before, Baseline.SqliteScript);
        var migrated = NewStore("migrated.db");
        await using (var db = StoreMigrator.CreateMigrationContext(migrated))
            await db.GetService<IMigrator>().MigrateAsync(db.Database.GetMigrations().First());

        var expected = await SqliteSchemaAsync(before);
        Assert.Equal(Baseline.Tables.Length, expected.Count(l => l.StartsWith("table ", StringComparison.Ordinal)));
        Assert.Equal(expected, await SqliteSchemaAsync(migrated));
    }

    [Fact]
    public async Task Migrate_EmptyStore_CreatesEveryTableAndRecordsEveryMigration()
    {
        var store = NewStore();

        var status = await StoreMigrator.MigrateAsync(store);

        Assert.True(status.IsCurrent);
        await using var db = StoreMigrator.CreateMigrationContext(store);
        Assert.Equal(db.Database.GetMigrations(), status.Applied);
        Assert.Equal(0, await db.Alarms.CountAsync());
    }

    [Fact]
    public async Task Migrate_StoreCreatedBeforeMigrations_IsBaselinedAndKeepsItsRows()
    {
        var store = NewStore();
        await ExecuteAsync(store, Baseline.SqliteScript);
        await ExecuteAsync(store, """INSERT INTO "SequenceCounters" ("Sender","Recipient","AgreementId","Stream","Last") VALUES ('US','RU','hcoc','notification',42)""");
        Assert.True((await StoreMigrator.InspectAsync(store)).CreatedWithoutHistory);

        var status = await StoreMigrator.MigrateAsync(store);

        Assert.True(status.IsCurrent);
        Assert.EndsWith("_InitialCreate", status.Applied[0]);
        await using var db = new NodeDbContext(store.ToDbContextOptions());
        Assert.Equal(42, (await db.SequenceCounters.SingleAsync()).Last);
    }

    [Fact]
    public async Task Migrate_StoreNewerThanThisBuild_IsRefusedNamingTheUnknownMigration()
    {
        var store = NewStore();
        await StoreMigrator.MigrateAsync(store);
        await ExecuteAsync(store, """INSERT INTO "__EFMigrationsHistory" ("MigrationId","ProductVersion") VALUES ('29991231000000_FromTheFuture','99.0.0')""");

        var e = await Assert.ThrowsAsync<StoreSchemaException>(() => StoreMigrator.MigrateAsync(store));
        Assert.Contains("newer LaunchNotify build", e.Message);
        Assert.Contains("29991231000000_FromTheFuture", e.Message);
        var refused = await Assert.ThrowsAsync<StoreSchemaException>(() => StoreMigrator.RequireCurrentAsync(store));
        Assert.Contains("29991231000000_FromTheFuture", refused.Message);
    }

    [Fact]
    public async Task RequireCurrent_StoreCreatedBeforeMigrations_SaysToRunStoreMigrate()
    {
        var store = NewStore();
        await ExecuteAsync(store, Baseline.SqliteScript);

        var e = await Assert.ThrowsAsync<StoreSchemaException>(() => StoreMigrator.RequireCurrentAsync(store));

        Assert.Contains("launchnotify store migrate", e.Message);
    }

    /// <summary>The upgrade as an operator runs it, with the CLI as a process: migrate a year's store, then verify the chain.</summary>
    [Fact]
    public async Task StoreMigrate_OnASeededYearMadeBeforeMigrations_KeepsEveryRowAndTheAuditChainVerifies()
    {
        var path = Baseline.UnpackSeededStore(_folder);
        var store = $"sqlite:{path}";
        var before = await SqliteContentDigestsAsync(path);
        Assert.Equal(1007, before["AuditEntries"].Rows);

        var migrate = await Cli.RunAsync("store", "migrate", "--store", store);
        Assert.True(migrate.ExitCode == 0, migrate.Output);
        Assert.Contains("Baselined", migrate.Output);
        Assert.Contains("_OutboxTraceParent", migrate.Output); // and the later migrations ran on it

        Assert.Equal(before, await SqliteContentDigestsAsync(path));
        var verify = await Cli.RunAsync("audit", "verify", "--store", store);
        Assert.True(verify.ExitCode == 0, verify.Output);
        Assert.Contains("1007 entries checked", verify.Output);
        Assert.Contains("✓ intact", verify.Output);
        var status = await Cli.RunAsync("store", "status", "--store", store);
        Assert.True(status.ExitCode == 0, status.Output);
    }

    [Fact]
    public async Task StoreMigrate_StoreNewerThanTheCli_ExitsTwoSayingWhatToRun()
    {
        var store = NewStore();
        await StoreMigrator.MigrateAsync(store);
        await ExecuteAsync(store, """INSERT INTO "__EFMigrationsHistory" ("MigrationId","ProductVersion") VALUES ('29991231000000_FromTheFuture','99.0.0')""");
        SqliteConnection.ClearAllPools();

        var result = await Cli.RunAsync("store", "migrate", "--store", $"sqlite:{Path.Combine(_folder, "node.db")}");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("newer LaunchNotify build", Cli.Unwrapped(result.Output));
    }

    private static async Task ExecuteAsync(StorageOptions store, string sql)
    {
        await using var connection = new SqliteConnection(store.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Every table, column (type, null, default, key), index and foreign key, in a stable order.</summary>
    private static async Task<List<string>> SqliteSchemaAsync(StorageOptions store)
    {
        await using var connection = new SqliteConnection(store.ConnectionString);
        await connection.OpenAsync();
        var lines = new List<string>();
        var tables = await QueryAsync(connection, "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE '\\_\\_EF%' ESCAPE '\\' AND name <> 'sqlite_sequence' ORDER BY name");
        foreach (var table in tables.Select(t => t[0]))
        {
            lines.Add($"table {table}");
            lines.AddRange((await QueryAsync(connection, $"SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info('{table}') ORDER BY cid"))
                .Select(c => $"  column {string.Join(" ", c)}"));
            foreach (var index in await QueryAsync(connection, $"SELECT name, \"unique\" FROM pragma_index_list('{table}') ORDER BY name"))
            {
                var columns = await QueryAsync(connection, $"SELECT name FROM pragma_index_info('{index[0]}') ORDER BY seqno");
                lines.Add($"  index {index[0]} unique={index[1]} ({string.Join(",", columns.Select(c => c[0]))})");
            }
            lines.AddRange((await QueryAsync(connection, $"SELECT \"table\", \"from\", \"to\", on_delete FROM pragma_foreign_key_list('{table}') ORDER BY id, seq"))
                .Select(f => $"  fk {string.Join(" ", f)}"));
        }
        return lines;
    }

    /// <summary>
    /// Per table of the old schema: row count and a SHA-256 over every row of its old columns (those of the pinned
    /// EnsureCreated script; later migrations may add columns), rows sorted.
    /// </summary>
    internal static async Task<Dictionary<string, (long Rows, string Sha256)>> SqliteContentDigestsAsync(string path)
    {
        SqliteConnection.ClearAllPools();
        var reference = Path.Combine(Path.GetDirectoryName(path)!, $"columns-{Guid.NewGuid():N}.db");
        await using (var script = new SqliteConnection($"Data Source={reference}"))
        {
            await script.OpenAsync();
            await using var create = script.CreateCommand();
            create.CommandText = Baseline.SqliteScript;
            await create.ExecuteNonQueryAsync();
        }
        await using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly");
        await connection.OpenAsync();
        var digests = new Dictionary<string, (long, string)>();
        foreach (var table in Baseline.Tables)
        {
            await using var columnsOf = new SqliteConnection($"Data Source={reference};Mode=ReadOnly");
            await columnsOf.OpenAsync();
            var columns = (await QueryAsync(columnsOf, $"SELECT name FROM pragma_table_info('{table}') ORDER BY cid")).Select(c => $"\"{c[0]}\"");
            var rows = await QueryAsync(connection, $"SELECT {string.Join(", ", columns)} FROM \"{table}\"");
            var text = string.Join("\n", rows.Select(r => string.Join("\u001f", r)).Order(StringComparer.Ordinal));
            digests[table] = (rows.Count, Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text))));
        }
        SqliteConnection.ClearAllPools();
        return digests;
    }

    private static async Task<List<string[]>> QueryAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string[]>();
        while (await reader.ReadAsync())
            rows.Add([.. Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "NULL" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)!)]);
        return rows;
    }
}

/// <summary>The same on the project-local PostgreSQL, each test in a schema of its own.</summary>
public sealed class PostgresMigrationTests : IAsyncLifetime
{
    private string _admin = "";
    private readonly List<string> _schemas = [];

    public async Task InitializeAsync() => _admin = await LocalPostgres.EnsureRunningAsync();

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        foreach (var schema in _schemas)
            await ExecuteAsync(_admin, $"DROP SCHEMA IF EXISTS {schema} CASCADE");
    }

    private async Task<StorageOptions> NewSchemaAsync()
    {
        var schema = $"migration_{Guid.NewGuid():N}"[..26];
        _schemas.Add(schema);
        await ExecuteAsync(_admin, $"CREATE SCHEMA {schema}");
        return new StorageOptions(StorageProvider.PostgreSql, $"{_admin};Search Path={schema}");
    }

    [Fact]
    public async Task FirstMigration_MakesTheSchemaEnsureCreatedMadeBeforeMigrations()
    {
        var before = await NewSchemaAsync();
        await ExecuteAsync(before.ConnectionString, Baseline.PostgresScript);
        var migrated = await NewSchemaAsync();
        await using (var db = StoreMigrator.CreateMigrationContext(migrated))
            await db.GetService<IMigrator>().MigrateAsync(db.Database.GetMigrations().First());

        var expected = await PostgresSchemaAsync(before);
        Assert.Equal(Baseline.Tables.Length, expected.Count(l => l.StartsWith("table ", StringComparison.Ordinal)));
        Assert.Equal(expected, await PostgresSchemaAsync(migrated));
    }

    [Fact]
    public async Task Migrate_SchemaCreatedBeforeMigrations_IsBaselinedKeepsItsRows_AndANewerOneIsRefused()
    {
        var store = await NewSchemaAsync();
        await ExecuteAsync(store.ConnectionString, Baseline.PostgresScript);
        await ExecuteAsync(store.ConnectionString, """INSERT INTO "SequenceCounters" ("Sender","Recipient","AgreementId","Stream","Last") VALUES ('US','RU','hcoc','notification',42)""");

        var status = await StoreMigrator.MigrateAsync(store);

        Assert.True(status.IsCurrent);
        Assert.EndsWith("_InitialCreate", status.Applied[0]);
        await using (var db = new NodeDbContext(store.ToDbContextOptions()))
            Assert.Equal(42, (await db.SequenceCounters.SingleAsync()).Last);

        await ExecuteAsync(store.ConnectionString, """INSERT INTO "__EFMigrationsHistory" ("MigrationId","ProductVersion") VALUES ('29991231000000_FromTheFuture','99.0.0')""");
        var e = await Assert.ThrowsAsync<StoreSchemaException>(() => StoreMigrator.MigrateAsync(store));
        Assert.Contains("29991231000000_FromTheFuture", e.Message);
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<List<string>> PostgresSchemaAsync(StorageOptions store)
    {
        await using var connection = new NpgsqlConnection(store.ConnectionString);
        await connection.OpenAsync();
        var lines = new List<string>();
        async Task AddAsync(string sql, string prefix)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                lines.Add(prefix + string.Join(" ", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "NULL" : reader.GetValue(i).ToString())));
        }
        await AddAsync("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name NOT LIKE '\\_\\_EF%' ORDER BY table_name", "table ");
        await AddAsync("""
            SELECT table_name, column_name, data_type, character_maximum_length, is_nullable, column_default, is_identity, identity_generation
            FROM information_schema.columns WHERE table_schema = current_schema() AND table_name NOT LIKE '\_\_EF%' ORDER BY table_name, ordinal_position
            """, "column ");
        await AddAsync("SELECT tablename, indexname, replace(indexdef, current_schema() || '.', '') FROM pg_indexes WHERE schemaname = current_schema() AND tablename NOT LIKE '\\_\\_EF%' ORDER BY tablename, indexname", "index ");
        await AddAsync("""
            SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
            WHERE connamespace = current_schema()::regnamespace AND conrelid::regclass::text NOT LIKE '%EFMigrations%' ORDER BY 1, 2
            """, "constraint ");
        return lines;
    }
}

/// <summary>The CLI as a process, as an operator runs it (the project reference builds it first).</summary>
internal static class Cli
{
    public static async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        var info = new System.Diagnostics.ProcessStartInfo("dotnet", [CliPath, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        info.Environment.Remove("LaunchNotify__Store");
        using var process = System.Diagnostics.Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>Spectre.Console wraps long error lines.</summary>
    public static string Unwrapped(string output) => System.Text.RegularExpressions.Regex.Replace(output, @"\s+", " ");

    private static string CliPath
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}") ? "Debug" : "Release";
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "LaunchNotify.sln")))
                    return Path.Combine(dir.FullName, "src", "LaunchNotify.Cli", "bin", configuration, "net10.0", "launchnotify.dll");
            throw new InvalidOperationException("LaunchNotify.sln not found above " + AppContext.BaseDirectory);
        }
    }
}
