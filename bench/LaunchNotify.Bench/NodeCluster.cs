using System.Diagnostics;
using System.Security.Cryptography;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Accounts;
using LaunchNotify.Node.Broker;
using LaunchNotify.Storage;
using NodaTime;
using LaunchNotify.Protocol.Signing;

namespace LaunchNotify.Bench;

/// <summary>
/// The two centres of the run (US sends, RU receives), their keys and broker users, and the node processes started
/// for them. Each process is a deployable's build output started like the demo does.
/// </summary>
public sealed class NodeCluster(BenchEnvironment env, string folder, IReadOnlyDictionary<string, string> passwords) : IAsyncDisposable
{
    public static readonly CentreCode Sender = new("US");
    public static readonly CentreCode Receiver = new("RU");

    private readonly List<NodeProcess> _processes = [];

    public string Folder => folder;
    public string KeysDirectory => Path.Combine(folder, "keys");

    /// <summary>The agreements the nodes load instead of the built-in set (a bench-only agreement), or null.</summary>
    public string? AgreementsDirectory { get; set; }
    public IReadOnlyList<NodeProcess> Processes => _processes;

    public static int HttpPort => int.TryParse(Environment.GetEnvironmentVariable("LAUNCHNOTIFY_BENCH_HTTP_PORT"), out var p) ? p
        : (int.TryParse(Environment.GetEnvironmentVariable("LAUNCHNOTIFY_DEMO_HTTP_PORT"), out var demo) ? demo : 5181) + 20;

    public Uri PublisherUrl => new($"http://127.0.0.1:{HttpPort}");

    public string StorePath(CentreCode centre) => Path.Combine(folder, centre.Value, "node.db");

    /// <summary>Keys for both centres; broker users with fresh passwords unless the caller's are given (a test fixture's).</summary>
    public static Task<NodeCluster> PrepareAsync(BenchEnvironment env, string folder, IReadOnlyDictionary<string, string>? existing, CancellationToken ct) =>
        PrepareAsync(env, folder, existing, [Sender, Receiver], [], ct);

    /// <summary>
    /// Keys for <paramref name="brokerCentres"/> (with broker users, their inboxes purged) and for
    /// <paramref name="keyOnlyCentres"/> (trusted keys without a broker user: another centre's key a forger might hold).
    /// </summary>
    public static async Task<NodeCluster> PrepareAsync(BenchEnvironment env, string folder, IReadOnlyDictionary<string, string>? existing,
        IReadOnlyList<CentreCode> brokerCentres, IReadOnlyList<CentreCode> keyOnlyCentres, CancellationToken ct)
    {
        Directory.CreateDirectory(folder);
        var passwords = new Dictionary<string, string>();
        var fresh = new List<CentreCredential>();
        foreach (var centre in keyOnlyCentres)
            KeyStore.Generate(centre, Path.Combine(folder, "keys"), overwrite: true).Dispose();
        foreach (var centre in brokerCentres)
        {
            Directory.CreateDirectory(Path.Combine(folder, centre.Value));
            KeyStore.Generate(centre, Path.Combine(folder, "keys"), overwrite: true);
            if (existing?.TryGetValue(centre.Value, out var known) == true)
            {
                passwords[centre.Value] = known;
            }
            else
            {
                passwords[centre.Value] = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
                fresh.Add(new CentreCredential(centre, passwords[centre.Value]));
            }
        }
        if (fresh.Count > 0)
        {
            using var provisioner = new BrokerProvisioner(env.Admin);
            await provisioner.ProvisionAsync(fresh, ct);
        }
        // Leftovers of an earlier run would be counted as this run's deliveries.
        await using var admin = await env.ConnectAsAdminAsync("bench-purge", ct);
        await using var channel = await admin.CreateChannelAsync(cancellationToken: ct);
        foreach (var centre in brokerCentres)
        {
            await channel.QueuePurgeAsync(BrokerTopology.InboxQueue(centre), ct);
            await channel.QueuePurgeAsync(BrokerTopology.ParkedQueue(centre), ct);
        }
        // The benchmark submits as an operator of the sending centre, with a token like any client (docs/security.md).
        await using (var accounts = await AccountStore.OpenAsync(StorageOptions.Parse("sqlite:" + Path.Combine(folder, Sender.Value, "node.db")), SystemClock.Instance, ct))
        {
            if ((await accounts.Book.ListAsync(ct)).All(a => a.Name != OperatorName))
                await accounts.Book.AddAsync(OperatorName, [NodeRoles.Operator], OperatorPassword, AccountStore.LocalAdministrator(), ct);
            else
                await accounts.Book.ResetAsync(OperatorName, OperatorPassword, [NodeRoles.Operator], AccountStore.LocalAdministrator(), ct);
        }
        return new NodeCluster(env, folder, passwords);
    }

    /// <summary>A centre's broker password, to connect as that centre (a counterpart publishing by hand).</summary>
    public string Password(CentreCode centre) => passwords[centre.Value];

    public const string OperatorName = "bench-operator";

    /// <summary>This run's operator password: random, in memory only.</summary>
    private static readonly string OperatorPassword = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    /// <summary>A bearer token for the sending centre's operator, from its publisher (once it is up).</summary>
    public async Task<string> OperatorTokenAsync(CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = PublisherUrl, Timeout = TimeSpan.FromSeconds(30) };
        var response = await TokenClient.PasswordGrantAsync(http, OperatorName, OperatorPassword, ct);
        return response.AccessToken ?? throw new InvalidOperationException($"The publisher refused the bench operator a token: {response.ErrorDescription}");
    }

    /// <summary>The centre's publisher; <paramref name="brokerPort"/> puts something (a fault proxy) between it and the broker.</summary>
    public NodeProcess StartPublisher(CentreCode centre, int? brokerPort = null) =>
        Start(centre, "LaunchNotify.Publisher", "publisher", "sqlite:" + StorePath(centre), brokerPort);

    public NodeProcess StartSubscriber(CentreCode centre, string? store = null, string? name = null, int? brokerPort = null) =>
        Start(centre, "LaunchNotify.Subscriber", name ?? "subscriber", store ?? "sqlite:" + StorePath(centre), brokerPort);

    private NodeProcess Start(CentreCode centre, string project, string role, string store, int? brokerPort)
    {
        var environment = new Dictionary<string, string>
        {
            ["LaunchNotify__Centre"] = centre.Value,
            ["LaunchNotify__Store"] = store,
            ["LaunchNotify__Broker__Password"] = passwords[centre.Value],
            ["LaunchNotify__Broker__Port"] = (brokerPort ?? env.AmqpPort).ToString(),
            ["LaunchNotify__KeysDirectory"] = KeysDirectory,
            ["LaunchNotify__HttpUrl"] = PublisherUrl.ToString().TrimEnd('/'),
        };
        if (AgreementsDirectory is { } agreements)
            environment["LaunchNotify__AgreementsDirectory"] = agreements;
        // A restarted node appends to its log: what happened before a kill stays readable.
        var process = NodeProcess.Start($"{centre} {role}", env.NodeBinary(project), environment, Path.Combine(folder, centre.Value, role + ".log"));
        _processes.Add(process);
        return process;
    }

    public async Task StopAsync(NodeProcess process)
    {
        _processes.Remove(process);
        await process.DisposeAsync();
    }

    /// <summary>kill -9: no shutdown, no flush, whatever was in flight is cut off.</summary>
    public async Task KillAsync(NodeProcess process)
    {
        _processes.Remove(process);
        await process.KillAsync();
    }

    /// <summary>Ready = the publisher answers /health (if started) and each inbox has as many consumers as expected.</summary>
    public async Task WaitUntilReadyAsync(bool publisher, IReadOnlyDictionary<CentreCode, int> consumers, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var waited = Stopwatch.StartNew();
        var publisherUp = !publisher;
        while (waited.Elapsed < TimeSpan.FromSeconds(90))
        {
            if (_processes.FirstOrDefault(p => p.HasExited) is { } dead)
                throw new InvalidOperationException($"{dead.Name} exited while starting; see {dead.LogPath}.");
            try
            {
                publisherUp = publisherUp || (await http.GetAsync(new Uri(PublisherUrl, "/health"), ct)).IsSuccessStatusCode;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
            }
            var consuming = true;
            foreach (var (centre, expected) in consumers)
            {
                try
                {
                    consuming &= await env.ConsumerCountAsync(BrokerTopology.InboxQueue(centre), ct) >= expected;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
                {
                    consuming = false;
                }
            }
            if (publisherUp && consuming)
                return;
            await Task.Delay(200, ct);
        }
        throw new InvalidOperationException($"The nodes did not become ready within 90 s; see the logs under {folder}.");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes.ToList())
            await process.DisposeAsync();
        _processes.Clear();
    }
}
