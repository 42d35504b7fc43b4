using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace LaunchNotify.Storage.Migrations;

// EF Core's "multiple context types" approach to migrations for two providers (docs/operations.md): one derived
// context per provider, each with its own migration set (Migrations/Sqlite, Migrations/PostgreSql) in this assembly.
// Only StoreMigrator creates them; the rest of the code keeps using NodeDbContext, whose model they share.

/// <summary>The SQLite migration set's context (same model as <see cref="NodeDbContext"/>).</summary>
public sealed class SqliteStoreContext(DbContextOptions<NodeDbContext> options) : NodeDbContext(options);

/// <summary>The PostgreSQL migration set's context (same model as <see cref="NodeDbContext"/>).</summary>
public sealed class PostgresStoreContext(DbContextOptions<NodeDbContext> options) : NodeDbContext(options);

/// <summary>For <c>dotnet ef migrations add X --context SqliteStoreContext -o Migrations/Sqlite</c>; connects to nothing.</summary>
internal sealed class SqliteStoreContextDesignFactory : IDesignTimeDbContextFactory<SqliteStoreContext>
{
    public SqliteStoreContext CreateDbContext(string[] args) =>
        new(StorageOptions.SqliteFile("design-time.db").ToDbContextOptions());
}

/// <summary>For <c>dotnet ef migrations add X --context PostgresStoreContext -o Migrations/PostgreSql</c>; connects to nothing.</summary>
internal sealed class PostgresStoreContextDesignFactory : IDesignTimeDbContextFactory<PostgresStoreContext>
{
    public PostgresStoreContext CreateDbContext(string[] args) =>
        new(new StorageOptions(StorageProvider.PostgreSql, "Host=127.0.0.1;Database=design-time").ToDbContextOptions());
}
