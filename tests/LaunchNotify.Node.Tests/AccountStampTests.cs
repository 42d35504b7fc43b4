using LaunchNotify.Node.Accounts;
using LaunchNotify.Storage;
using LaunchNotify.Tests.Shared;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace LaunchNotify.Node.Tests;

/// <summary>
/// The check every request's token goes through (<see cref="AccountBook.IsCurrentAsync"/>), read by a statement of its
/// own: current only for an account that exists, is not disabled, and whose security stamp the token's hash matches, on
/// SQLite and PostgreSQL alike (a lockout that has ended does not disable; the stamp's change ends every older token).
/// </summary>
public sealed class AccountStampTests(PostgresSchemaFixture postgres) : IClassFixture<PostgresSchemaFixture>, IAsyncLifetime
{
    private readonly TempSqliteStore _sqlite = new("account-stamp");

    public Task InitializeAsync() => _sqlite.InitializeAsync();

    public Task DisposeAsync() => _sqlite.DisposeAsync();

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task IsCurrent_OnlyForAnEnabledAccountWhoseStampTheTokenCarries(string provider)
    {
        var store = provider == "sqlite" ? _sqlite.Options : postgres.Store;
        IDbContextFactory<NodeDbContext> factory = new StoreContextFactory(store);
        var suffix = Guid.NewGuid().ToString("N")[..8];
        IdentityUser Account(string name, string? stamp, DateTimeOffset? lockoutEnd) =>
            new($"{name}-{suffix}") { Id = $"{name}-{suffix}", SecurityStamp = stamp, LockoutEnd = lockoutEnd, LockoutEnabled = true };
        var active = Account("active", "stamp-1", null);
        var lockoutOver = Account("lockout-over", "stamp-2", DateTimeOffset.UtcNow.AddHours(-1));
        var lockedNow = Account("locked-now", "stamp-3", DateTimeOffset.UtcNow.AddMinutes(10));
        var disabled = Account("disabled", "stamp-4", new DateTimeOffset(9999, 12, 31, 0, 0, 0, TimeSpan.Zero));
        var noStamp = Account("no-stamp", null, null);
        await using (var db = factory.CreateDbContext())
        {
            db.Users.AddRange(active, lockoutOver, lockedNow, disabled, noStamp);
            await db.SaveChangesAsync();
        }

        Task<bool> IsCurrent(IdentityUser user, string stamp) => AccountBook.IsCurrentAsync(factory, user.Id, AccountBook.StampHash(stamp), default);

        Assert.True(await IsCurrent(active, "stamp-1"));
        Assert.False(await IsCurrent(active, "stamp-0"));
        Assert.True(await IsCurrent(lockoutOver, "stamp-2"));
        // A temporary lockout stops sign-in (Identity's sign-in manager), not the tokens already issued; disabling does.
        Assert.True(await IsCurrent(lockedNow, "stamp-3"));
        Assert.False(await IsCurrent(disabled, "stamp-4"));
        Assert.False(await IsCurrent(noStamp, ""));
        Assert.False(await AccountBook.IsCurrentAsync(factory, "nobody-" + suffix, AccountBook.StampHash("stamp-1"), default));

        // A new stamp (password reset, roles changed) ends the token made with the old one.
        await using (var db = factory.CreateDbContext())
        {
            var stored = await db.Users.FindAsync(active.Id);
            stored!.SecurityStamp = "stamp-1b";
            await db.SaveChangesAsync();
        }
        Assert.False(await IsCurrent(active, "stamp-1"));
        Assert.True(await IsCurrent(active, "stamp-1b"));
    }
}
