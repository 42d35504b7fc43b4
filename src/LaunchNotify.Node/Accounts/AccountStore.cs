using LaunchNotify.Storage;
using LaunchNotify.Storage.Audit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace LaunchNotify.Node.Accounts;

/// <summary>
/// A node's accounts opened on its store directly, without a running node: for <c>launchnotify users</c>, the demo and
/// tests (as other admin commands work on the store). Creates the store's tables if they are not there yet.
/// </summary>
public sealed class AccountStore : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly AsyncServiceScope _scope;

    private AccountStore(ServiceProvider services)
    {
        _services = services;
        _scope = services.CreateAsyncScope();
        Book = _scope.ServiceProvider.GetRequiredService<AccountBook>();
    }

    public AccountBook Book { get; }

    public static async Task<AccountStore> OpenAsync(StorageOptions store, IClock clock, CancellationToken ct)
    {
        await StoreMigrator.MigrateAsync(store, ct);
        var services = new ServiceCollection()
            .AddLogging(l => l.SetMinimumLevel(LogLevel.Warning))
            .AddSingleton(clock)
            .AddSingleton<IDbContextFactory<NodeDbContext>>(new StoreContextFactory(store));
        AccountBook.AddNodeAccounts(services);
        var opened = new AccountStore(services.BuildServiceProvider());
        await opened.Book.EnsureRolesAsync();
        return opened;
    }

    /// <summary>Who acts when an account is changed on the store directly: the operating-system user running the command.</summary>
    public static Actor LocalAdministrator() => new("local:" + Environment.UserName, Environment.UserName, [NodeRoles.Administrator]);

    public async ValueTask DisposeAsync()
    {
        await _scope.DisposeAsync();
        await _services.DisposeAsync();
    }
}
