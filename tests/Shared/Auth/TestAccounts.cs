using System.Collections.Concurrent;
using System.Net.Http.Headers;
using LaunchNotify.Node.Accounts;
using LaunchNotify.Storage;
using NodaTime;

namespace LaunchNotify.Tests.Shared;

/// <summary>
/// Accounts and tokens for tests that call the publisher's API: an account per role made in the node's store (as
/// <c>launchnotify users add</c> does), and a bearer token from the publisher's token endpoint (as
/// <c>launchnotify login</c> does). The test calls the real endpoint: nothing about authentication is faked.
/// </summary>
public static class TestAccounts
{
    /// <summary>Every test account's password (tests only; at least <see cref="AccountBook.MinPasswordLength"/> characters).</summary>
    public const string Password = "test-password-not-for-production";

    /// <summary>One account per role, named after it (operator, duty-officer, compliance-officer, administrator).</summary>
    public static IReadOnlyList<string> Roles => NodeRoles.All;

    /// <summary>Adds the accounts (name, role) to the store, skipping those already there.</summary>
    public static async Task AddAsync(StorageOptions store, params (string Name, string Role)[] accounts)
    {
        await using var opened = await AccountStore.OpenAsync(store, SystemClock.Instance, CancellationToken.None);
        var existing = (await opened.Book.ListAsync(CancellationToken.None)).Select(a => a.Name).ToHashSet();
        foreach (var (name, role) in accounts.Where(a => !existing.Contains(a.Name)))
            await opened.Book.AddAsync(name, [role], Password, new("test:setup", "test setup", [NodeRoles.Administrator]), CancellationToken.None);
    }

    /// <summary>One account holding several roles (for tests about something else than who may do what).</summary>
    public static async Task AddWithRolesAsync(StorageOptions store, string name, IReadOnlyCollection<string> roles)
    {
        await using var opened = await AccountStore.OpenAsync(store, SystemClock.Instance, CancellationToken.None);
        if ((await opened.Book.ListAsync(CancellationToken.None)).All(a => a.Name != name))
            await opened.Book.AddAsync(name, roles, Password, new("test:setup", "test setup", [NodeRoles.Administrator]), CancellationToken.None);
    }

    /// <summary>One account per role, each named after its role.</summary>
    public static Task AddOnePerRoleAsync(StorageOptions store) => AddAsync(store, [.. Roles.Select(r => (r, r))]);

    /// <summary>The password grant at the publisher's /connect/token; fails the test with the publisher's reason.</summary>
    public static async Task<string> TokenAsync(HttpClient http, string user, string password = Password)
    {
        var response = await TokenClient.PasswordGrantAsync(http, user, password, CancellationToken.None);
        return response.AccessToken ?? throw new InvalidOperationException($"No token for {user}: HTTP {response.Status} {response.Error}: {response.ErrorDescription}");
    }

    public static HttpClient WithToken(this HttpClient http, string token)
    {
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    /// <summary>Tokens per (publisher, user), so a test class signs each account in once.</summary>
    public sealed class Cache
    {
        private readonly ConcurrentDictionary<string, Task<string>> _tokens = new();

        public Task<string> GetAsync(HttpClient http, string user) => _tokens.GetOrAdd(user, u => TokenAsync(http, u));
    }
}
