using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace LaunchNotify.Storage;

public enum StorageProvider { Sqlite, PostgreSql }

/// <summary>Where a node keeps its state: a SQLite file by default, PostgreSQL by connection string.</summary>
public sealed record StorageOptions(StorageProvider Provider, string ConnectionString)
{
    public static StorageOptions SqliteFile(string path) =>
        new(StorageProvider.Sqlite, new SqliteConnectionStringBuilder
        {
            DataSource = path,
            // Publisher and subscriber share the file: wait for the other's write instead of failing.
            DefaultTimeout = 30,
            Pooling = true,
        }.ToString());

    /// <summary>Reads <c>sqlite:PATH</c> or <c>postgres:CONNECTION-STRING</c> (e.g. from configuration).</summary>
    public static StorageOptions Parse(string text)
    {
        if (text.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
            return SqliteFile(text["sqlite:".Length..]);
        if (text.StartsWith("postgres:", StringComparison.OrdinalIgnoreCase))
            return new(StorageProvider.PostgreSql, text["postgres:".Length..]);
        throw new FormatException($"Storage '{text}' must start with 'sqlite:' (a file path) or 'postgres:' (a connection string).");
    }

    /// <summary>
    /// The same store opened so that nothing can write to it: SQLite <c>Mode=ReadOnly</c> (the file is never changed;
    /// it must exist), PostgreSQL <c>default_transaction_read_only</c> (every transaction refuses writes).
    /// </summary>
    public StorageOptions AsReadOnly() => Provider switch
    {
        StorageProvider.Sqlite => this with { ConnectionString = new SqliteConnectionStringBuilder(ConnectionString) { Mode = SqliteOpenMode.ReadOnly }.ToString() },
        _ => this with { ConnectionString = new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString) { Options = "-c default_transaction_read_only=on" }.ToString() },
    };

    public void Configure(DbContextOptionsBuilder builder)
    {
        // The audit chain is part of every store (also pooled contexts, which may not add it in OnConfiguring).
        builder.AddInterceptors(Audit.AuditChainInterceptor.Instance);
        _ = Provider switch
        {
            // The same wait as the connection's command timeout (DefaultTimeout, seconds), done by SQLite's busy handler.
            // Statements kept prepared on a connection that asks for it (the group committer's: SqliteStatementCache).
            StorageProvider.Sqlite => builder.UseSqlite(ConnectionString).AddInterceptors(
                new SqliteBusyTimeout(new SqliteConnectionStringBuilder(ConnectionString).DefaultTimeout * 1000), SqliteStatementCache.Instance),
            StorageProvider.PostgreSql => builder.UseNpgsql(WithPreparedStatements(ConnectionString)),
            _ => throw new ArgumentOutOfRangeException(nameof(Provider)),
        };
    }

    /// <summary>Statements prepared once per connection when the connection string does not choose otherwise.</summary>
    public const int DefaultMaxAutoPrepare = 64;

    /// <summary>
    /// A node repeats a few dozen statements for every message. Unless the connection string says otherwise
    /// (<c>Max Auto Prepare</c>), Npgsql prepares each after its second use on a connection, so the server parses and
    /// plans it once per connection instead of once per execution; pooled connections keep theirs.
    /// </summary>
    public static string WithPreparedStatements(string connectionString)
    {
        // Npgsql's builder answers "contains" for every keyword it knows; the keys actually written are the plain builder's.
        var written = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        if (written.Keys.Cast<string>().Any(k => k.Replace(" ", "", StringComparison.Ordinal).Equals("MaxAutoPrepare", StringComparison.OrdinalIgnoreCase)))
            return connectionString;
        return new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { MaxAutoPrepare = DefaultMaxAutoPrepare, AutoPrepareMinUsages = 2 }.ToString();
    }

    /// <summary>
    /// Closes the idle pooled connections of this SQLite store (read-write and read-only), so that its file can be deleted
    /// or replaced; connections in use close when returned. Only this store's pools: <c>ClearAllPools</c> would also
    /// clear every other store's pool in the process. Nothing to do for PostgreSQL.
    /// </summary>
    public void ReleaseSqliteConnections()
    {
        if (Provider != StorageProvider.Sqlite)
            return;
        foreach (var options in new[] { this, AsReadOnly() })
        {
            using var connection = new SqliteConnection(options.ConnectionString);
            SqliteConnection.ClearPool(connection);
        }
    }

    public DbContextOptions<NodeDbContext> ToDbContextOptions()
    {
        var builder = new DbContextOptionsBuilder<NodeDbContext>();
        Configure(builder);
        return builder.Options;
    }

    public override string ToString() => Provider == StorageProvider.Sqlite
        ? $"sqlite:{new SqliteConnectionStringBuilder(ConnectionString).DataSource}"
        : $"postgres:{Redact(ConnectionString)}";

    private static string Redact(string connectionString) =>
        string.Join(';', connectionString.Split(';').Select(p => p.TrimStart().StartsWith("Password", StringComparison.OrdinalIgnoreCase) ? "Password=***" : p));
}
