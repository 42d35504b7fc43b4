using LaunchNotify.Node.Broker;
using NodaTime;

namespace LaunchNotify.Node.Hosting;

/// <summary>How the centres' brokers are arranged. The wire (JWS, routing key, schemas) is the same in both.</summary>
public enum TopologyKind
{
    /// <summary>Every centre connects to one shared broker, each as its own broker user.</summary>
    Hub,

    /// <summary>Each centre runs its own broker; shovels over TLS link it to each counterpart's broker.</summary>
    Federated,
}

/// <summary>
/// The validated section <c>LaunchNotify:Topology</c> (<see cref="TopologyOptions"/>): <c>Kind</c> (<c>hub</c>, the
/// default, or <c>federated</c>) and, for a federated centre, how to watch its links (the centre's own broker's
/// management API: a cluster, every node's), how long a link may not forward before LINK_SILENT, how often to look, and
/// when a stalled link's shovel is restarted.
/// </summary>
public sealed record TopologySettings
{
    public TopologyKind Kind { get; init; } = TopologyKind.Hub;

    /// <summary>The centre's own broker's management API (federated only): the link monitor reads the links' state there.</summary>
    public BrokerAdminOptions? Management { get; init; }

    /// <summary>Further management API addresses of the same broker when it is a cluster: the monitor moves on when one does not answer.</summary>
    public IReadOnlyList<Uri> ManagementAlternates { get; init; } = [];

    public IReadOnlyList<BrokerAdminOptions> ManagementNodes => Management is null ? []
        : [Management, .. ManagementAlternates.Select(u => Management with { ManagementUri = u })];

    public Duration LinkSilentAfter { get; init; } = Duration.FromMinutes(5);

    public Duration LinkPollInterval { get; init; } = Duration.FromSeconds(5);

    /// <summary>When the link monitor restarts a stalled link's shovel, and how often at most (<see cref="LinkRecovery"/>).</summary>
    public LinkRestartPolicy LinkRestart { get; init; } = LinkRestartPolicy.Default;

    public bool WatchesLinks => Kind == TopologyKind.Federated && Management is not null;

    /// <summary>From options that passed <see cref="NodeOptionsValidation"/>; <paramref name="password"/> is the management password (read from its file already).</summary>
    public static TopologySettings From(TopologyOptions options, string? password)
    {
        var urls = (options.Management.Url ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(url => new Uri(url.EndsWith('/') ? url : url + "/", UriKind.Absolute)).ToList();
        var management = urls.Count > 0 && password is { Length: > 0 }
            ? new BrokerAdminOptions(urls[0], options.Management.User is { Length: > 0 } user ? user : BrokerAdminOptions.DefaultUser, password)
            : null;
        return new TopologySettings
        {
            Kind = options.Kind,
            Management = management,
            ManagementAlternates = urls.Skip(1).ToList(),
            LinkSilentAfter = Duration.FromTimeSpan(options.LinkSilentAfter),
            LinkPollInterval = Duration.FromTimeSpan(options.LinkPollInterval),
            LinkRestart = new LinkRestartPolicy(Duration.FromTimeSpan(options.StalledLinkRestartAfter), options.StalledLinkRestarts,
                Duration.FromTimeSpan(options.StalledLinkRestartWindow)),
        };
    }
}
