using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using LaunchNotify.Domain.Values;
using LaunchNotify.Integration.Tests.Exchange;
using LaunchNotify.Node.Broker;
using LaunchNotify.Node.Hosting;
using LaunchNotify.Node.Outbox;
using LaunchNotify.Protocol.Signing;
using LaunchNotify.Storage;
using NodaTime;
using Xunit.Abstractions;

namespace LaunchNotify.Integration.Tests.Federation;

[CollectionDefinition(Name)]
public sealed class FederationCollection : ICollectionFixture<FederationFixture>
{
    public const string Name = "federation";
}

/// <summary>
/// The federated set-up of infra/rabbitmq/federation.sh, shared by every federation test (five nodes take minutes to
/// start on a small machine): US on a 3-node cluster, RU and CN each on one node, each centre's broker provisioned
/// with its own user and TLS links (shovels, certificate login) to the two others. US's link to RU runs through a
/// <see cref="TcpLinkProxy"/> the tests cut and heal. Ports follow LAUNCHNOTIFY_FED_PORT_BASE like the script.
/// </summary>
public sealed class FederationFixture : IAsyncLifetime
{
    public static readonly CentreCode Us = new("US"), Ru = new("RU"), Cn = new("CN");
    public static readonly CentreCode[] Centres = [Us, Ru, Cn];

    public IReadOnlyDictionary<CentreCode, FederatedBroker> Brokers { get; private set; } = null!;
    public TcpLinkProxy UsToRuLine { get; private set; } = null!;
    public string KeysDirectory { get; private set; } = null!;
    public string Folder { get; private set; } = null!;
    public string Description { get; private set; } = "";

    public async Task InitializeAsync()
    {
        await InfraScript.RunAsync("infra/rabbitmq/federation.sh", TimeSpan.FromMinutes(8), "start");
        var described = JsonDocument.Parse(await InfraScript.RunAsync("infra/rabbitmq/federation.sh", TimeSpan.FromMinutes(1), "describe")).RootElement;
        Description = described.ToString();
        var brokers = new Dictionary<CentreCode, FederatedBroker>();
        foreach (var c in described.GetProperty("centres").EnumerateArray())
        {
            var centre = new CentreCode(c.GetProperty("centre").GetString()!);
            var nodes = c.GetProperty("nodes").EnumerateArray().Select(n => new FederatedNode(
                n.GetProperty("node").GetString()!, n.GetProperty("name").GetString()!, n.GetProperty("amqp").GetInt32(),
                n.GetProperty("amqps").GetInt32(), n.GetProperty("management").GetInt32())).ToList();
            var admin = new BrokerAdminOptions(new Uri($"http://127.0.0.1:{nodes[0].Management}/"), BrokerAdminOptions.DefaultUser,
                File.ReadAllText(c.GetProperty("adminPasswordFile").GetString()!).Trim());
            brokers[centre] = new FederatedBroker(centre, nodes, admin, c.GetProperty("tlsDir").GetString()!,
                Convert.ToHexString(RandomNumberGenerator.GetBytes(16)));
        }
        Brokers = brokers;
        UsToRuLine = new TcpLinkProxy(brokers[Ru].Nodes[0].Amqps);

        foreach (var broker in Brokers.Values)
        {
            using var provisioner = new BrokerProvisioner(broker.Admin);
            await provisioner.ProvisionAsync([new CentreCredential(broker.Centre, broker.Password)]);
            foreach (var other in Centres.Where(o => o != broker.Centre))
                await provisioner.ProvisionLinkAsync(broker.Centre, LinkTo(broker.Centre, other));
        }

        Folder = Directory.CreateTempSubdirectory("launchnotify-federation-").FullName;
        KeysDirectory = Path.Combine(Folder, "keys");
        foreach (var centre in Centres)
            KeyStore.Generate(centre, KeysDirectory);
    }

    /// <summary>The link as provisioned: US → RU through the test's line, every other link straight to the counterpart's TLS port.</summary>
    public CentreLink LinkTo(CentreCode from, CentreCode to)
    {
        var ports = from == Us && to == Ru ? [UsToRuLine.Port] : Brokers[to].Nodes.Select(n => n.Amqps).ToList();
        return new CentreLink(to, new Uri($"amqps://localhost:{ports[0]}"), LinkTls.InFolder(Brokers[from].TlsDirectory))
        {
            AlternateDestinations = [.. ports.Skip(1).Select(p => new Uri($"amqps://localhost:{p}"))],
            ReconnectDelaySeconds = 2,
            // The line's held-connection test must be rescued by the link monitor's restart, not by heartbeats: at the
            // broker's own 60 s (the lower of the two wins) a held connection is noticed only after about two minutes.
            HeartbeatSeconds = from == Us && to == Ru ? 60 : 15,
        };
    }

    /// <summary>Empties every LaunchNotify queue on every broker (earlier tests' leftovers) and heals the line.</summary>
    public async Task ResetAsync()
    {
        if (UsToRuLine.IsCut) UsToRuLine.Heal();
        foreach (var broker in Brokers.Values)
        {
            // A node an earlier test killed and could not restart in its own time (a loaded machine) is started here.
            foreach (var node in broker.Nodes)
                if (!await AnswersAsync(broker, node))
                    await InfraScript.RunAsync("infra/rabbitmq/federation.sh", TimeSpan.FromMinutes(8), "start-node", node.Node);
            using var http = broker.Management();
            var queues = await http.GetFromJsonAsync<JsonElement>($"api/queues/{BrokerTopology.VirtualHost}?columns=name");
            foreach (var q in queues.EnumerateArray().Select(q => q.GetProperty("name").GetString()!).Where(n => n.StartsWith("launchnotify.", StringComparison.Ordinal)))
                (await http.DeleteAsync($"api/queues/{BrokerTopology.VirtualHost}/{Uri.EscapeDataString(q)}/contents")).EnsureSuccessStatusCode();
        }
    }

    private static async Task<bool> AnswersAsync(FederatedBroker broker, FederatedNode node)
    {
        using var http = broker.Management();
        http.BaseAddress = new Uri($"http://127.0.0.1:{node.Management}/");
        try
        {
            return (await http.GetAsync("api/overview")).IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    /// <summary>A centre configured as a federated deployment: its own broker (every node for US), its link monitor.</summary>
    /// <param name="linkRestart">When the centre's link monitor restarts a stalled link (default: the product's default).</param>
    public NodeSettings SettingsFor(CentreCode centre, string folder, Duration? linkSilentAfter = null, LinkRestartPolicy? linkRestart = null)
    {
        var broker = Brokers[centre];
        return new NodeSettings
        {
            Centre = centre,
            Store = StorageOptions.SqliteFile(Path.Combine(folder, $"{centre}.db")),
            Broker = new BrokerConnection("127.0.0.1", broker.Nodes[0].Amqp, BrokerTopology.VirtualHost, centre.Value, broker.Password)
            {
                ClusterNodes = broker.Nodes.Count > 1 ? [.. broker.Nodes.Select(n => $"127.0.0.1:{n.Amqp}")] : [],
            },
            KeysDirectory = KeysDirectory,
            Topology = new TopologySettings
            {
                Kind = TopologyKind.Federated,
                Management = broker.Admin,
                ManagementAlternates = [.. broker.Nodes.Skip(1).Select(n => new Uri($"http://127.0.0.1:{n.Management}/"))],
                LinkSilentAfter = linkSilentAfter ?? Duration.FromMinutes(5),
                LinkPollInterval = Duration.FromSeconds(1),
                LinkRestart = linkRestart ?? LinkRestartPolicy.Default,
            },
        };
    }

    public Task<CentreHost> StartCentreAsync(CentreCode centre, string folder, ITestOutputHelper output, Duration? linkSilentAfter = null,
        LinkRestartPolicy? linkRestart = null) =>
        CentreHost.StartAsync(SettingsFor(centre, folder, linkSilentAfter, linkRestart), output);

    public async Task DisposeAsync()
    {
        // A fixture whose start failed has no line or folder to clean up; its start's failure is what the tests report.
        if (UsToRuLine is not null) await UsToRuLine.DisposeAsync();
        // The brokers keep running (a rerun reuses them); infra/rabbitmq/federation.sh stop stops them.
        if (Folder is null) return;
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

public sealed record FederatedNode(string Node, string Name, int Amqp, int Amqps, int Management);

/// <summary>One centre's own broker: its nodes, administrator, TLS folder (ca.pem, client.pem, client.key) and the centre user's password.</summary>
public sealed record FederatedBroker(CentreCode Centre, IReadOnlyList<FederatedNode> Nodes, BrokerAdminOptions Admin, string TlsDirectory, string Password)
{
    public HttpClient Management()
    {
        var http = new HttpClient { BaseAddress = Admin.ManagementUri, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new("Basic",
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{Admin.User}:{Admin.Password}")));
        return http;
    }

    public BrokerProvisioner Provisioner() => new(Admin);
}
