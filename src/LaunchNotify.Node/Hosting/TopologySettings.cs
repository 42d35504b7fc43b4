using System.Globalization;
using LaunchNotify.Node.Broker;
using Microsoft.Extensions.Configuration;
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
/// Section <c>LaunchNotify:Topology</c>: <c>Kind</c> (<c>hub</c>, the default, or <c>federated</c>) and, for a federated
/// centre, how to watch its links: <c>Management:Url</c> (a cluster: every node's, comma-separated), <c>Management:User</c>, <c>Management:Password</c> or
/// <c>Management:PasswordFile</c> (a monitoring user of the centre's own broker), <c>LinkSilentAfter</c> (how long a link
/// may not forward before LINK_SILENT, default 00:05:00) and <c>LinkPollInterval</c> (default 00:00:05).
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

    public bool WatchesLinks => Kind == TopologyKind.Federated && Management is not null;

    public static TopologySettings From(IConfigurationSection section)
    {
        var kindText = section["Kind"];
        TopologyKind kind;
        if (string.IsNullOrEmpty(kindText))
            kind = TopologyKind.Hub;
        else if (!Enum.TryParse(kindText, ignoreCase: true, out kind) || !Enum.IsDefined(kind))
            throw new InvalidOperationException($"LaunchNotify:Topology:Kind is '{kindText}': use hub or federated (docs/deployment.md).");

        BrokerAdminOptions? management = null;
        var urls = new List<Uri>();
        foreach (var url in (section["Management:Url"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(url.EndsWith('/') ? url : url + "/", UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https"))
                throw new InvalidOperationException($"LaunchNotify:Topology:Management:Url has '{url}': give the broker's management API, e.g. http://127.0.0.1:15672/ " +
                    "(a cluster: every node's, comma-separated).");
            urls.Add(parsed);
        }
        if (urls.Count > 0)
        {
            var uri = urls[0];
            var password = section["Management:Password"];
            if (string.IsNullOrEmpty(password) && section["Management:PasswordFile"] is { Length: > 0 } file)
                password = File.ReadAllText(file).Trim();
            if (string.IsNullOrEmpty(password))
                throw new InvalidOperationException("LaunchNotify:Topology:Management needs Password or PasswordFile.");
            management = new BrokerAdminOptions(uri, section["Management:User"] ?? BrokerAdminOptions.DefaultUser, password);
        }
        if (kind == TopologyKind.Federated && management is null)
            throw new InvalidOperationException(
                "A federated centre watches its links: set LaunchNotify:Topology:Management:Url and Management:PasswordFile (docs/deployment.md).");

        Duration? Span(string key)
        {
            if (section[key] is not { Length: > 0 } text) return null;
            if (!TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) || span <= TimeSpan.Zero)
                throw new InvalidOperationException($"LaunchNotify:Topology:{key} is '{text}': give a positive duration such as 00:05:00.");
            return Duration.FromTimeSpan(span);
        }

        return new TopologySettings
        {
            Kind = kind,
            Management = management,
            ManagementAlternates = urls.Skip(1).ToList(),
            LinkSilentAfter = Span("LinkSilentAfter") ?? Duration.FromMinutes(5),
            LinkPollInterval = Span("LinkPollInterval") ?? Duration.FromSeconds(5),
        };
    }
}
