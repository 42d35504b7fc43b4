using System.Security.Cryptography;
using LaunchNotify.Cli.Commands;
using LaunchNotify.Node.Accounts;
using NodaTime;

namespace LaunchNotify.Cli.Demo;

/// <summary>
/// The demo's accounts: at each centre an operator, a duty officer and a compliance officer, made on the centre's store
/// before its processes start, with random passwords held in memory only; then one signed-in client per account.
/// </summary>
public sealed class DemoAccounts : IDisposable
{
    public static readonly (string Prefix, string Role)[] People =
    [
        ("operator", NodeRoles.Operator),
        ("duty", NodeRoles.DutyOfficer),
        ("compliance", NodeRoles.ComplianceOfficer),
    ];

    private readonly Dictionary<(string Centre, string Role), string> _passwords = [];
    private readonly Dictionary<(string Centre, string Role), PublisherClient> _clients = [];

    public static string UserName(string prefix, string centre) => $"{prefix}-{centre.ToLowerInvariant()}";

    public async Task CreateAsync(IEnumerable<CentreNode> nodes, CancellationToken ct)
    {
        foreach (var node in nodes)
        {
            await using var store = await AccountStore.OpenAsync(Storage.StorageOptions.Parse(node.Store), SystemClock.Instance, ct);
            foreach (var (prefix, role) in People)
            {
                var password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
                await store.Book.AddAsync(UserName(prefix, node.Centre.Value), [role], password, AccountStore.LocalAdministrator(), ct);
                _passwords[(node.Centre.Value, role)] = password;
            }
        }
    }

    /// <summary>Signs every account in at its centre's publisher (the password grant, as 'launchnotify login' does).</summary>
    public async Task SignInAsync(IEnumerable<CentreNode> nodes, CancellationToken ct)
    {
        foreach (var node in nodes)
            foreach (var (prefix, role) in People)
            {
                var url = new Uri(node.HttpUrl);
                var (token, _) = await LoginCommand.RequestTokenAsync(url, UserName(prefix, node.Centre.Value), _passwords[(node.Centre.Value, role)], ct);
                _clients[(node.Centre.Value, role)] = new PublisherClient(url, token);
            }
    }

    public PublisherClient Client(string centre, string role) => _clients[(centre, role)];

    public void Dispose()
    {
        foreach (var client in _clients.Values)
            client.Dispose();
    }
}
