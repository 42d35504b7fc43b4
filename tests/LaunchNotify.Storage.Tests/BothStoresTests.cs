using LaunchNotify.Tests.Shared;
using Microsoft.Extensions.Logging.Abstractions;

namespace LaunchNotify.Storage.Tests;

/// <summary>
/// A test class whose theories run on both stores (<c>[InlineData("sqlite")]</c>, <c>[InlineData("postgres")]</c>): a
/// migrated SQLite file of its own, named <paramref name="name"/>, and the PostgreSQL schema of its class fixture.
/// </summary>
public abstract class BothStoresTests(PostgresSchemaFixture postgres, string name) : IClassFixture<PostgresSchemaFixture>, IAsyncLifetime
{
    private readonly TempSqliteStore _sqlite = new(name);

    public Task InitializeAsync() => _sqlite.InitializeAsync();

    public Task DisposeAsync() => _sqlite.DisposeAsync();

    protected StorageOptions Store(string provider) => provider == "postgres" ? postgres.Store : _sqlite.Options;

    protected static GroupCommitter Committer(StorageOptions store) =>
        new(new StoreContextFactory(store), new StoreWriteGate(store.Provider), NullLogger<GroupCommitter>.Instance);
}
