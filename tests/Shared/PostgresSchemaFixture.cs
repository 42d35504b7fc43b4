using LaunchNotify.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace LaunchNotify.Tests.Shared;

/// <summary>
/// The project-local PostgreSQL (infra/postgres/start.sh; LAUNCHNOTIFY_PG_PORT, default 5442), started when it does not
/// answer. Each fixture gets a schema of its own, created with this build's tables and dropped afterwards, so an older
/// set of tables in the shared database does not matter.
/// </summary>
public sealed class PostgresSchemaFixture : IAsyncLifetime
{
    private readonly string _schema = $"node_tests_{Guid.NewGuid():N}";
    private string _admin = "";

    public StorageOptions Store { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _admin = await LocalPostgres.EnsureRunningAsync();
        Store = new StorageOptions(StorageProvider.PostgreSql, _admin + $";Search Path={_schema}");

        await using (var db = new NodeDbContext(new StorageOptions(StorageProvider.PostgreSql, _admin).ToDbContextOptions()))
            await db.Database.ExecuteSqlRawAsync(SchemaSql("CREATE SCHEMA"));
        // Migrated like a node's store (a schema made from the model without a history would be taken for a pre-migration store).
        await StoreMigrator.MigrateAsync(Store);
    }

    public async Task DisposeAsync()
    {
        await using var db = new NodeDbContext(new StorageOptions(StorageProvider.PostgreSql, _admin).ToDbContextOptions());
        await db.Database.ExecuteSqlRawAsync(SchemaSql("DROP SCHEMA IF EXISTS", " CASCADE"));
    }

    /// <summary>A schema name cannot be a parameter; ours is made of a fixed prefix and a GUID's hex digits.</summary>
    private string SchemaSql(string statement, string rest = "") => statement + " \"" + _schema + "\"" + rest;
}
