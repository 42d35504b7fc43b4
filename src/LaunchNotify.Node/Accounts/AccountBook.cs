using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using LaunchNotify.Node.Audit;
using LaunchNotify.Storage;
using LaunchNotify.Storage.Audit;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace LaunchNotify.Node.Accounts;

/// <summary>One account as listed: never its password hash or security stamp.</summary>
public sealed record AccountView(string Subject, string Name, IReadOnlyList<string> Roles, bool Disabled, int FailedAttempts, DateTimeOffset? LockedOutUntil);

/// <summary>Why a sign-in failed. Callers tell the person only "wrong user name or password" for the first two.</summary>
public enum SignInFailure { UnknownUser, WrongPassword, Disabled, LockedOut, NoRole }

/// <summary>A change to an account did not happen; the messages say why and what to do.</summary>
public sealed class AccountException(string message) : Exception(message);

/// <summary>
/// The node's accounts, kept by ASP.NET Core Identity in the node's store (user store, role store, its PBKDF2 password
/// hasher, lockout after repeated failures). Used by the publisher (token endpoint, dashboard login) and by
/// <c>launchnotify users</c>, which works on the store directly. Every change is audited with who made it.
/// </summary>
public sealed class AccountBook(UserManager<IdentityUser> users, RoleManager<IdentityRole> roles, NodeDbContext db, IClock clock)
{
    /// <summary>A password shorter than this is refused (length matters more than character classes).</summary>
    public const int MinPasswordLength = 12;

    /// <summary>Identity with this node's store and password policy; <see cref="AccountBook"/> per scope.</summary>
    public static IServiceCollection AddNodeAccounts(IServiceCollection services)
    {
        // Identity's stores want a scoped context; the node's contexts come from its factory (also with the audit chain).
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<NodeDbContext>>().CreateDbContext());
        services.AddIdentityCore<IdentityUser>(o =>
            {
                o.Password.RequiredLength = MinPasswordLength;
                o.Password.RequireNonAlphanumeric = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireDigit = false;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(5);
                o.Lockout.AllowedForNewUsers = true;
                o.User.AllowedUserNameCharacters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._@";
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<NodeDbContext>();
        services.AddScoped<AccountBook>();
        return services;
    }

    public async Task<AccountView> AddAsync(string name, IReadOnlyCollection<string> roleNames, string password, Actor by, CancellationToken ct)
    {
        CheckRoles(roleNames);
        if (await users.FindByNameAsync(name) is not null)
            throw new AccountException($"There is already an account '{name}'; use 'launchnotify users reset {name}' to change its password or roles.");
        var user = new IdentityUser(name) { LockoutEnabled = true };
        return await InTransactionAsync(async () =>
        {
            Check(await users.CreateAsync(user, password), $"account '{name}'");
            Check(await users.AddToRolesAsync(user, roleNames), $"roles of '{name}'");
            AuditLog.Append(db, Event("user-added", user, roleNames, by));
        }, user, ct);
    }

    public async Task<IReadOnlyList<AccountView>> ListAsync(CancellationToken ct)
    {
        var all = await db.Users.AsNoTracking().OrderBy(u => u.UserName).ToListAsync(ct);
        var memberships = await (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id select new { ur.UserId, r.Name }).ToListAsync(ct);
        return all.Select(u => View(u, memberships.Where(m => m.UserId == u.Id).Select(m => m.Name!).Order(StringComparer.Ordinal).ToList())).ToList();
    }

    /// <summary>Disables an account: it can no longer sign in, and its tokens stop working at their next use.</summary>
    public async Task<AccountView> DisableAsync(string name, Actor by, CancellationToken ct)
    {
        var user = await FindAsync(name);
        return await InTransactionAsync(async () =>
        {
            Check(await users.SetLockoutEnabledAsync(user, true), $"account '{name}'");
            Check(await users.SetLockoutEndDateAsync(user, DisabledUntil), $"account '{name}'");
            // A new stamp: tokens issued before now are refused (the bearer check compares stamps).
            Check(await users.UpdateSecurityStampAsync(user), $"account '{name}'");
            AuditLog.Append(db, Event("user-disabled", user, await users.GetRolesAsync(user), by));
        }, user, ct);
    }

    /// <summary>Sets a new password (and roles, if given), re-enables the account and ends its earlier tokens.</summary>
    public async Task<AccountView> ResetAsync(string name, string password, IReadOnlyCollection<string>? roleNames, Actor by, CancellationToken ct)
    {
        if (roleNames is not null)
            CheckRoles(roleNames);
        var user = await FindAsync(name);
        return await InTransactionAsync(async () =>
        {
            Check(await users.RemovePasswordAsync(user), $"password of '{name}'");
            Check(await users.AddPasswordAsync(user, password), $"password of '{name}'");
            Check(await users.SetLockoutEndDateAsync(user, null), $"account '{name}'");
            Check(await users.ResetAccessFailedCountAsync(user), $"account '{name}'");
            if (roleNames is not null)
            {
                Check(await users.RemoveFromRolesAsync(user, await users.GetRolesAsync(user)), $"roles of '{name}'");
                Check(await users.AddToRolesAsync(user, roleNames), $"roles of '{name}'");
            }
            Check(await users.UpdateSecurityStampAsync(user), $"account '{name}'");
            AuditLog.Append(db, Event("user-reset", user, await users.GetRolesAsync(user), by));
        }, user, ct);
    }

    /// <summary>
    /// Checks a user name and password; counts failures towards lockout. The actor carries the account's roles, the
    /// stamp is <see cref="StampHash"/> of its security stamp (changed by disable and reset).
    /// </summary>
    public async Task<(Actor? Actor, string? Stamp, SignInFailure? Failure)> SignInAsync(string name, string password)
    {
        var user = await users.FindByNameAsync(name);
        if (user is null)
        {
            // The same work as a real check, so timing does not tell which accounts exist.
            users.PasswordHasher.VerifyHashedPassword(new IdentityUser(name), DummyHash, password);
            return (null, null, SignInFailure.UnknownUser);
        }
        if (IsDisabled(user))
            return (null, null, SignInFailure.Disabled);
        if (await users.IsLockedOutAsync(user))
            return (null, null, SignInFailure.LockedOut);
        if (!await users.CheckPasswordAsync(user, password))
        {
            await users.AccessFailedAsync(user);
            return (null, null, SignInFailure.WrongPassword);
        }
        await users.ResetAccessFailedCountAsync(user);
        var roleNames = (await users.GetRolesAsync(user)).Where(NodeRoles.IsKnown).ToList();
        if (roleNames.Count == 0)
            return (null, null, SignInFailure.NoRole);
        return (new Actor(user.Id, user.UserName!, roleNames), StampHash(await users.GetSecurityStampAsync(user)), null);
    }

    /// <summary>
    /// Whether a token issued to <paramref name="subject"/> with <paramref name="stamp"/> still speaks for the account
    /// (enabled, password and roles unchanged), checked for every request a token makes: read straight from the store, the
    /// two columns it needs, without building Identity's user manager and stores per request (they were 6–7 % of the publisher's CPU under load),
    /// by a query compiled once per model (the LINQ query it replaces was parameterized, hashed and looked up in EF Core's
    /// cache on every request: 8 % of the publisher's CPU in a closed-loop profile, docs/performance.md).
    /// </summary>
    public static async Task<bool> IsCurrentAsync(IDbContextFactory<NodeDbContext> dbFactory, string subject, string stamp, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // A statement written once per model, read by hand: the compiled LINQ query it replaces still ran EF Core's query
        // pipeline per request (a query context, a shaper, a delegate made for each run); the whole check was 5 % of the
        // publisher's samples in the closed loop, most of it that pipeline and the connection's opening.
        var read = ModelCommands.ReaderStatement(db, "account-stamp", model => [("Id", model.FindEntityType(typeof(IdentityUser))!.FindProperty(nameof(IdentityUser.Id))!)],
            p => StampSql(db.Model, p));
        await using var reader = await read.ExecuteReaderAsync(ModelCommands.Parameters(db, new Dictionary<string, object?> { ["Id"] = subject }), ct);
        if (!await reader.ReadAsync(ct))
            return false;
        var current = await reader.DbDataReader.IsDBNullAsync(0, ct) ? null : reader.DbDataReader.GetString(0);
        var lockoutEnd = await reader.DbDataReader.IsDBNullAsync(1, ct) ? (DateTimeOffset?)null : reader.DbDataReader.GetFieldValue<DateTimeOffset>(1);
        return !IsDisabled(lockoutEnd) && current is not null && string.Equals(StampHash(current), stamp, StringComparison.Ordinal);
    }

    /// <summary><c>SELECT SecurityStamp, LockoutEnd FROM the users' table WHERE Id = …</c>, its names as the model maps them.</summary>
    private static string StampSql(IModel model, Func<string, string> p)
    {
        var users = model.FindEntityType(typeof(IdentityUser))!;
        var table = StoreObjectIdentifier.Table(users.GetTableName()!, users.GetSchema());
        string Column(string property) => $"\"{users.FindProperty(property)!.GetColumnName(table)}\"";
        var name = table.Schema is null ? $"\"{table.Name}\"" : $"\"{table.Schema}\".\"{table.Name}\"";
        return $"SELECT {Column(nameof(IdentityUser.SecurityStamp))}, {Column(nameof(IdentityUser.LockoutEnd))} FROM {name} WHERE {Column(nameof(IdentityUser.Id))} = {p("Id")}";
    }

    /// <summary>What a token carries of the account's security stamp: a hash, so the stamp itself never leaves the store.</summary>
    public static string StampHash(string securityStamp) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(securityStamp)))[..32];

    /// <summary>Creates the four roles if a store does not have them yet.</summary>
    public async Task EnsureRolesAsync()
    {
        foreach (var role in NodeRoles.All)
            if (!await roles.RoleExistsAsync(role))
                Check(await roles.CreateAsync(new IdentityRole(role)), $"role '{role}'");
    }

    private static readonly string DummyHash = new PasswordHasher<IdentityUser>().HashPassword(new IdentityUser("nobody"), Guid.NewGuid().ToString());

    /// <summary>A disabled account is locked out until the end of time (kept in whole seconds: PostgreSQL stores microseconds).</summary>
    private static readonly DateTimeOffset DisabledUntil = new(9999, 12, 31, 0, 0, 0, TimeSpan.Zero);

    private static bool IsDisabled(IdentityUser user) => IsDisabled(user.LockoutEnd);

    private static bool IsDisabled(DateTimeOffset? lockoutEnd) => lockoutEnd >= DisabledUntil;

    private async Task<IdentityUser> FindAsync(string name) =>
        await users.FindByNameAsync(name) ?? throw new AccountException($"There is no account '{name}'; 'launchnotify users list' shows them.");

    private async Task<AccountView> InTransactionAsync(Func<Task> change, IdentityUser user, CancellationToken ct)
    {
        await EnsureRolesAsync();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await change();
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return View(user, (await users.GetRolesAsync(user)).Order(StringComparer.Ordinal).ToList());
    }

    private AuditEvent Event(string type, IdentityUser user, IEnumerable<string> roleNames, Actor by) =>
        new(clock.GetCurrentInstant(), type, AuditSubject.None, new JsonObject
        {
            ["account"] = user.UserName,
            ["accountSubject"] = user.Id,
            ["roles"] = new JsonArray(roleNames.Order(StringComparer.Ordinal).Select(r => (JsonNode)JsonValue.Create(r)).ToArray()),
        }) { By = by };

    private static AccountView View(IdentityUser u, IReadOnlyList<string> roleNames) =>
        new(u.Id, u.UserName!, roleNames, IsDisabled(u), u.AccessFailedCount, IsDisabled(u) ? null : u.LockoutEnd);

    private static void CheckRoles(IReadOnlyCollection<string> roleNames)
    {
        if (roleNames.Count == 0)
            throw new AccountException($"Give at least one --role: {string.Join(", ", NodeRoles.All)}.");
        if (roleNames.FirstOrDefault(r => !NodeRoles.IsKnown(r)) is { } unknown)
            throw new AccountException($"'{unknown}' is not a role; use {string.Join(", ", NodeRoles.All)}.");
    }

    private static void Check(IdentityResult result, string what)
    {
        if (!result.Succeeded)
            throw new AccountException($"Could not change the {what}: {string.Join(" ", result.Errors.Select(e => e.Description))}");
    }
}
