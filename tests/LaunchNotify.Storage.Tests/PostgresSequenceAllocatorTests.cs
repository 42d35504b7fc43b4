using LaunchNotify.Tests.Shared;
using Microsoft.EntityFrameworkCore;

namespace LaunchNotify.Storage.Tests;

/// <summary>
/// The project-local PostgreSQL (infra/postgres/start.sh, 127.0.0.1:5442 or LAUNCHNOTIFY_PG_PORT), started here when
/// it does not answer; a failure to start fails the tests. Password from LAUNCHNOTIFY_PG_PASSWORD or
/// .local/postgres/password. Tables are created once and kept; each test uses its own agreement id (<see cref="NewAgreement"/>).
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    // Every agreement id of this fixture's tests starts with it, so that the fixture of another class, ending while this
    // one's tests still count, deletes only its own counters (it once deleted every "test-" counter, and a counting test
    // of this class then saw its numbers start again).
    private readonly string _prefix = $"test-{Guid.NewGuid().ToString("N")[..12]}-";

    public StorageOptions Options { get; private set; } = null!;

    /// <summary>An agreement id of this fixture's own, new for each call.</summary>
    public string NewAgreement() => _prefix + Guid.NewGuid().ToString("N")[..16];

    public async Task InitializeAsync()
    {
        Options = new StorageOptions(StorageProvider.PostgreSql, await LocalPostgres.EnsureRunningAsync());
        await StoreMigrator.MigrateAsync(Options);
    }

    public async Task DisposeAsync()
    {
        await using var db = new NodeDbContext(Options.ToDbContextOptions());
        await db.SequenceCounters.Where(c => c.AgreementId.StartsWith(_prefix)).ExecuteDeleteAsync();
    }
}

public sealed class PostgresSequenceAllocatorTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private readonly string _agreement = postgres.NewAgreement();

    [Fact]
    public async Task Next_OnPostgreSql_StartsAtOneAndCountsPerLinkAndStream()
    {
        await using var db = new NodeDbContext(postgres.Options.ToDbContextOptions());

        Assert.Equal(1, await SequenceAllocator.NextAsync(db, "US", "RU", _agreement, SequenceAllocator.NotificationStream));
        Assert.Equal(2, await SequenceAllocator.NextAsync(db, "US", "RU", _agreement, SequenceAllocator.NotificationStream));
        Assert.Equal(1, await SequenceAllocator.NextAsync(db, "US", "RU", _agreement, SequenceAllocator.HeartbeatStream));
        Assert.Equal(2, await SequenceAllocator.LastAsync(db, "US", "RU", _agreement, SequenceAllocator.NotificationStream));
        Assert.Equal(0, await SequenceAllocator.LastAsync(db, "RU", "US", _agreement, SequenceAllocator.NotificationStream));
    }

    [Fact]
    public async Task NextForEach_OnPostgreSql_NumbersEachRecipientsLink_AsNextWould()
    {
        await using var db = new NodeDbContext(postgres.Options.ToDbContextOptions());
        await SequenceAllocator.NextAsync(db, "US", "RU", _agreement, SequenceAllocator.NotificationStream);

        var first = await SequenceAllocator.NextForEachAsync(db, "US", ["RU", "IN", "CN"], _agreement, SequenceAllocator.NotificationStream);
        var second = await SequenceAllocator.NextForEachAsync(db, "US", ["CN", "RU", "IN"], _agreement, SequenceAllocator.NotificationStream);

        Assert.Equal(new Dictionary<string, long> { ["RU"] = 2, ["IN"] = 1, ["CN"] = 1 }, first);
        Assert.Equal(new Dictionary<string, long> { ["RU"] = 3, ["IN"] = 2, ["CN"] = 2 }, second);
        Assert.Equal(3, await SequenceAllocator.NextAsync(db, "US", "IN", _agreement, SequenceAllocator.NotificationStream));
    }

    [Fact]
    public async Task NextForEach_OnPostgreSql_FromConcurrentTransactionsWithOverlappingRecipients_NeverSharesANumber()
    {
        var numbers = await Task.WhenAll(Enumerable.Range(0, 16).Select(async i =>
        {
            await using var db = new NodeDbContext(postgres.Options.ToDbContextOptions());
            await using var tx = await db.Database.BeginTransactionAsync();
            IReadOnlyList<string> recipients = i % 2 == 0 ? ["RU", "CN", "IN"] : ["IN", "CN", "RU"];
            var n = await SequenceAllocator.NextForEachAsync(db, "US", recipients, _agreement, SequenceAllocator.NotificationStream);
            await tx.CommitAsync();
            return n;
        }));

        foreach (var link in new[] { "RU", "CN", "IN" })
            Assert.Equal(Enumerable.Range(1, 16).Select(i => (long)i), numbers.Select(n => n[link]).Order());
    }

    [Fact]
    public async Task Next_OnPostgreSqlFromManyConcurrentTransactions_NeverHandsOutANumberTwice()
    {
        var numbers = await Task.WhenAll(Enumerable.Range(0, 40).Select(async _ =>
        {
            await using var db = new NodeDbContext(postgres.Options.ToDbContextOptions());
            await using var tx = await db.Database.BeginTransactionAsync();
            var n = await SequenceAllocator.NextAsync(db, "CN", "RU", _agreement, SequenceAllocator.NotificationStream);
            await tx.CommitAsync();
            return n;
        }));

        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), numbers.Order());
    }

    [Fact]
    public async Task Next_OnPostgreSqlInATransactionThatRollsBack_IsNotConsumed()
    {
        await using (var db = new NodeDbContext(postgres.Options.ToDbContextOptions()))
        {
            await using var tx = await db.Database.BeginTransactionAsync();
            Assert.Equal(1, await SequenceAllocator.NextAsync(db, "IN", "PK", _agreement, SequenceAllocator.NotificationStream));
            await tx.RollbackAsync();
        }
        await using var again = new NodeDbContext(postgres.Options.ToDbContextOptions());
        Assert.Equal(1, await SequenceAllocator.NextAsync(again, "IN", "PK", _agreement, SequenceAllocator.NotificationStream));
    }
}
