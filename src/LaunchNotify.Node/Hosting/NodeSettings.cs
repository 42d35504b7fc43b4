using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Outbox;
using LaunchNotify.Node.Timeliness;
using LaunchNotify.Storage;
using Microsoft.Extensions.Configuration;

namespace LaunchNotify.Node.Hosting;

/// <summary>
/// One centre node's configuration (section <c>LaunchNotify</c>; environment variables <c>LaunchNotify__Centre</c>
/// etc.). Secrets come from configuration or files beside it, never from code.
/// </summary>
public sealed record NodeSettings
{
    public required CentreCode Centre { get; init; }

    /// <summary><c>sqlite:PATH</c> or <c>postgres:CONNECTION-STRING</c>.</summary>
    public required StorageOptions Store { get; init; }

    public required BrokerConnection Broker { get; init; }

    /// <summary>The folder with this centre's private key and the trusted public keys (see docs/signing.md).</summary>
    public required string KeysDirectory { get; init; }

    /// <summary>Agreement files to load instead of the reference set shipped in the binary.</summary>
    public string? AgreementsDirectory { get; init; }

    public int MaxMessageBytes { get; init; } = 256 * 1024;

    /// <summary>Where the publisher's HTTP API listens (loopback).</summary>
    public string HttpUrl { get; init; } = "http://127.0.0.1:5080";

    /// <summary>The compliance dashboard's login (null: the dashboard is closed).</summary>
    public Reports.DashboardCredentials? Dashboard { get; init; }
    /// <summary>Heartbeats, deadline watching and overrides of the agreements' deadlines (docs/timeliness.md).</summary>
    public TimelinessSettings Timeliness { get; init; } = new();

    /// <summary>Hub (centres share one broker) or federated (each centre its own broker, linked): docs/deployment.md.</summary>
    public TopologySettings Topology { get; init; } = new();

    public NodeIdentity Identity => new(Centre) { MaxMessageBytes = MaxMessageBytes };

    public static NodeSettings From(IConfiguration configuration)
    {
        var section = configuration.GetSection("LaunchNotify");
        string Required(string key) => section[key] is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"Configuration LaunchNotify:{key} is missing (environment variable LaunchNotify__{key.Replace(":", "__")}).");

        var centre = new CentreCode(Required("Centre"));
        var password = section["Broker:Password"];
        if (string.IsNullOrEmpty(password) && section["Broker:PasswordFile"] is { Length: > 0 } passwordFile)
            password = File.ReadAllText(passwordFile).Trim();
        if (string.IsNullOrEmpty(password))
            throw new InvalidOperationException(
                "The broker password is missing: set LaunchNotify:Broker:Password or LaunchNotify:Broker:PasswordFile (the demo writes one per centre under .local/).");

        return new NodeSettings
        {
            Centre = centre,
            Store = StorageOptions.Parse(Required("Store")),
            Broker = new BrokerConnection(
                section["Broker:Host"] ?? "127.0.0.1",
                int.Parse(section["Broker:Port"] ?? "5682"),
                section["Broker:VirtualHost"] ?? "launchnotify",
                section["Broker:User"] ?? centre.Value,
                password)
            {
                ClusterNodes = section["Broker:ClusterNodes"] is { Length: > 0 } nodes
                    ? [.. nodes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]
                    : [],
            },
            KeysDirectory = Required("KeysDirectory"),
            AgreementsDirectory = section["AgreementsDirectory"],
            MaxMessageBytes = int.Parse(section["MaxMessageBytes"] ?? (256 * 1024).ToString()),
            HttpUrl = section["HttpUrl"] ?? "http://127.0.0.1:5080",
            Dashboard = Reports.DashboardCredentials.From(section.GetSection("Dashboard")),
            Timeliness = TimelinessSettings.From(section.GetSection("Timeliness")),
            Topology = TopologySettings.From(section.GetSection("Topology")),
        };
    }
}
