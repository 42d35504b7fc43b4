using System.Diagnostics;
using LaunchNotify.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace LaunchNotify.Bench;

/// <summary>Stores prepared before a node starts: a SQLite inbox seeded in bulk, a fresh PostgreSQL schema.</summary>
public static class StoreSetup
{
    /// <summary>
    /// Writes <paramref name="rows"/> accepted CN → RU notifications (with their receipts) straight into the inbox
    /// table: one transaction, one prepared statement, no fsync until the end. Rows are the size of real ones
    /// (the same JWS bytes as evidence, a payload and a receipt each), on a link the run does not use.
    /// </summary>
    public static async Task<double> SeedInboxAsync(string sqlitePath, int rows, byte[] jws, Action<double> progress, CancellationToken ct)
    {
        var options = StorageOptions.SqliteFile(sqlitePath);
        await StoreMigrator.MigrateAsync(options, ct);
        if (rows <= 0)
            return 0;
        var watch = Stopwatch.StartNew();
        await using var connection = new SqliteConnection(options.ConnectionString);
        await connection.OpenAsync(ct);
        await using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA synchronous = OFF;";
            await pragma.ExecuteNonQueryAsync(ct);
        }
        var payload = System.Text.Encoding.UTF8.GetString(jws.Length > 0 ? jws : "{}"u8.ToArray());
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
        await using var insert = connection.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = """
            INSERT INTO Inbox (MessageId, Kind, Sender, AgreementId, Sequence, ReceivedAt, IssuedAt, Outcome, DetailsJson, Jws, PayloadJson,
                               WindowStart, WindowEnd, ReceiptMessageId, ReceiptJws)
            VALUES ($id, 'prenotification', 'CN', 'cn-ru-2009', $seq, $at, $at, 'Accepted', '[]', $jws, $payload, $at, $at, $receipt, $jws)
            """;
        var id = insert.Parameters.Add("$id", SqliteType.Text);
        var seq = insert.Parameters.Add("$seq", SqliteType.Integer);
        var at = insert.Parameters.Add("$at", SqliteType.Integer);
        var receipt = insert.Parameters.Add("$receipt", SqliteType.Text);
        insert.Parameters.Add("$jws", SqliteType.Blob).Value = jws;
        insert.Parameters.Add("$payload", SqliteType.Text).Value = payload;
        insert.Prepare();
        var t0 = (NodaTime.SystemClock.Instance.GetCurrentInstant() - NodaTime.Duration.FromDays(400)).ToUnixTimeTicks();
        for (var i = 1; i <= rows; i++)
        {
            // EF Core's SQLite mapping stores a Guid as upper-case text.
            id.Value = Guid.NewGuid().ToString("D").ToUpperInvariant();
            receipt.Value = Guid.NewGuid().ToString("D").ToUpperInvariant();
            seq.Value = i;
            at.Value = t0 + i * TimeSpan.TicksPerSecond;
            insert.ExecuteNonQuery();
            if (i % 20_000 == 0)
                progress((double)i / rows);
        }
        await tx.CommitAsync(ct);
        progress(1);
        return watch.Elapsed.TotalSeconds;
    }

    /// <summary>A fresh schema holding a node's tables, so scale-out runs start empty and leave the tests' tables alone.</summary>
    public static async Task<string> FreshPostgresSchemaAsync(string connectionString, string schema, CancellationToken ct)
    {
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE; CREATE SCHEMA \"{schema}\";", connection);
            await command.ExecuteNonQueryAsync(ct);
        }
        // Search Path puts the node's unqualified tables in the schema; the pool size keeps four instances under max_connections.
        var scoped = new NpgsqlConnectionStringBuilder(connectionString) { SearchPath = schema, MaxPoolSize = 20 }.ToString();
        // Migrated like any production store (a bare create script leaves no migration history, and the node's own
        // migration at start then collides with the tables it finds).
        await StoreMigrator.MigrateAsync(new StorageOptions(StorageProvider.PostgreSql, scoped), ct);
        return scoped;
    }
}
