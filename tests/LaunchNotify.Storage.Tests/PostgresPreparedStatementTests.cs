using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace LaunchNotify.Storage.Tests;

/// <summary>
/// A node's store on PostgreSQL prepares the statements it repeats (Npgsql's automatic preparation), unless the
/// operator's connection string chooses its own setting.
/// </summary>
public sealed class PostgresPreparedStatementTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task AStatementRunTwiceOnAConnection_IsPreparedOnTheServer()
    {
        await using var db = new NodeDbContext(postgres.Options.ToDbContextOptions());
        await db.Database.OpenConnectionAsync();
        var agreement = postgres.NewAgreement();
        // A text of its own (the tag is a comment in it): a pooled connection may hold other tests' prepared statements.
        var tag = Guid.NewGuid().ToString("N");

        var before = await PreparedCountAsync(db);
        await db.SequenceCounters.TagWith(tag).Where(c => c.AgreementId == agreement).CountAsync();
        Assert.Equal(before, await PreparedCountAsync(db));
        for (var i = 0; i < 2; i++)
            await db.SequenceCounters.TagWith(tag).Where(c => c.AgreementId == agreement).CountAsync();

        Assert.Equal(before + 1, await PreparedCountAsync(db));
    }

    [Fact]
    public async Task AnOperatorsOwnSetting_IsKept()
    {
        var off = new NpgsqlConnectionStringBuilder(postgres.Options.ConnectionString) { MaxAutoPrepare = 0 }.ToString();
        await using var db = new NodeDbContext(new StorageOptions(StorageProvider.PostgreSql, off).ToDbContextOptions());
        await db.Database.OpenConnectionAsync();
        var agreement = postgres.NewAgreement();

        var before = await PreparedCountAsync(db);
        for (var i = 0; i < 3; i++)
            await db.SequenceCounters.TagWith(Guid.Empty.ToString("N")).Where(c => c.AgreementId == agreement).CountAsync();

        Assert.Equal(before, await PreparedCountAsync(db));
        Assert.Equal(off, StorageOptions.WithPreparedStatements(off));
        var chosen = new NpgsqlConnectionStringBuilder(StorageOptions.WithPreparedStatements("Host=127.0.0.1;Max Auto Prepare=5"));
        Assert.Equal(5, chosen.MaxAutoPrepare);
        var defaulted = new NpgsqlConnectionStringBuilder(StorageOptions.WithPreparedStatements("Host=127.0.0.1"));
        Assert.Equal(StorageOptions.DefaultMaxAutoPrepare, defaulted.MaxAutoPrepare);
    }

    /// <summary>The statements prepared in this connection's session (the count is run unprepared: it is asked once per call with a new text).</summary>
    private static async Task<long> PreparedCountAsync(NodeDbContext db)
    {
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = $"SELECT count(*) FROM pg_prepared_statements /* {Guid.NewGuid():N} */";
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }
}
