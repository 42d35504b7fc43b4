using LaunchNotify.Domain.Values;

namespace LaunchNotify.Node.Broker;

/// <summary>
/// Federated topology: the link from this centre's broker to <see cref="Counterpart"/>'s broker. A dynamic shovel on
/// this broker moves <see cref="BrokerTopology.LinkQueue"/> to the counterpart's exchange over TLS, presenting this
/// centre's client certificate, which the counterpart's broker logs in (EXTERNAL) as the broker user named by this
/// centre's code.
/// </summary>
/// <param name="Destination">The counterpart broker's AMQP-over-TLS listener, <c>amqps://host:port</c>.</param>
/// <param name="Tls">Files on the sender's broker host (every node of a cluster, same paths), readable by RabbitMQ.</param>
public sealed record CentreLink(CentreCode Counterpart, Uri Destination, LinkTls Tls)
{
    /// <summary>Further TLS listeners of the counterpart's broker when it is a cluster: the shovel connects to any that answers.</summary>
    public IReadOnlyList<Uri> AlternateDestinations { get; init; } = [];

    public IReadOnlyList<Uri> Destinations => [Destination, .. AlternateDestinations];

    /// <summary>Seconds the shovel waits before reconnecting after the counterpart's broker closed or refused the link.</summary>
    public int ReconnectDelaySeconds { get; init; } = 5;

    /// <summary>
    /// AMQP heartbeat of the shovel's connection to the counterpart, in seconds: a connection that stops carrying
    /// anything is dropped after about two of them (the link monitor's restart of a stalled link may come sooner).
    /// </summary>
    public int HeartbeatSeconds { get; init; } = 15;

    /// <summary>Messages in flight on the link (forwarded, not yet confirmed by the counterpart's broker).</summary>
    public int Prefetch { get; init; } = 100;

    /// <summary>Checks what comes from configuration or the command line; an empty list means the link is usable.</summary>
    public static IReadOnlyList<string> Problems(Uri destination, LinkTls tls)
    {
        var problems = new List<string>();
        if (destination.Scheme != "amqps")
            problems.Add($"The link's destination {destination} must be amqps://host:port (links run over TLS only).");
        if (destination.IsDefaultPort || destination.Port <= 0)
            problems.Add($"The link's destination {destination} has no port: give the counterpart broker's TLS port.");
        foreach (var (what, path) in new[] { ("CA certificate", tls.CaCertificateFile), ("client certificate", tls.CertificateFile), ("client key", tls.KeyFile) })
            if (!Path.IsPathFullyQualified(path))
                problems.Add($"The link's {what} must be an absolute path (the broker reads it, not this process): {path}");
        return problems;
    }

    /// <summary>The shovel's destination URI: verified TLS to the counterpart, EXTERNAL login with this centre's certificate.</summary>
    public string ShovelDestinationUri() => ShovelDestinationUri(Destination);

    private string ShovelDestinationUri(Uri destination)
    {
        static string Q(string v) => Uri.EscapeDataString(v);
        var vhost = Uri.EscapeDataString(BrokerTopology.VirtualHost);
        return $"amqps://{destination.Host}:{destination.Port}/{vhost}" +
            $"?cacertfile={Q(Tls.CaCertificateFile)}&certfile={Q(Tls.CertificateFile)}&keyfile={Q(Tls.KeyFile)}" +
            $"&verify=verify_peer&server_name_indication={Q(destination.Host)}&auth_mechanism=external&heartbeat={HeartbeatSeconds}";
    }

    /// <summary>The dynamic shovel parameter's value (management API <c>PUT /api/parameters/shovel/VHOST/NAME</c>).</summary>
    public object ShovelDefinition() => new Dictionary<string, object>
    {
        ["src-protocol"] = "amqp091",
        ["src-uri"] = $"amqp:///{Uri.EscapeDataString(BrokerTopology.VirtualHost)}",
        ["src-queue"] = BrokerTopology.LinkQueue(Counterpart),
        ["src-prefetch-count"] = Prefetch,
        ["src-delete-after"] = "never",
        ["dest-protocol"] = "amqp091",
        // A list when the counterpart is a cluster: the shovel picks one node and another when it is down.
        ["dest-uri"] = Destinations.Count == 1 ? ShovelDestinationUri() : Destinations.Select(ShovelDestinationUri).ToArray(),
        // Routing key and properties (user_id included) travel unchanged: the counterpart checks user_id against the link.
        ["dest-exchange"] = BrokerTopology.Exchange,
        ["dest-add-forward-headers"] = false,
        // Acked on the sender only once the counterpart's broker confirmed: an outage or crash redelivers, never drops.
        ["ack-mode"] = "on-confirm",
        ["reconnect-delay"] = ReconnectDelaySeconds,
    };

    public override string ToString() => $"link to {Counterpart} at {Destination.Host}:{Destination.Port}";
}

/// <summary>The link's TLS files: the CA that signed the counterpart broker's certificate, this centre's certificate and key.</summary>
public sealed record LinkTls(string CaCertificateFile, string CertificateFile, string KeyFile)
{
    /// <summary>The layout of <c>infra/rabbitmq/certs.sh</c>: <c>ca.pem</c>, <c>client.pem</c>, <c>client.key</c> in one folder.</summary>
    public static LinkTls InFolder(string folder) => new(
        Path.Combine(folder, "ca.pem"), Path.Combine(folder, "client.pem"), Path.Combine(folder, "client.key"));
}

/// <summary>
/// What the sender's broker says about one link at one moment (management API): the shovel's state, the link queue's
/// backlog and the cumulative count of forwards the counterpart confirmed (the shovel acks only then).
/// </summary>
/// <param name="ShovelState"><c>running</c>, <c>starting</c>, <c>terminated</c>; null when no shovel is defined.</param>
/// <param name="Forwarded">Confirmed forwards counted by the queue's leader; null when the broker has no figure yet.</param>
public sealed record LinkObservation(
    CentreCode Counterpart,
    bool Defined,
    string? ShovelState,
    string? Reason,
    string? Node,
    string? Destination,
    long Backlog,
    long InFlight,
    long? Forwarded)
{
    public bool QueueExists { get; init; } = true;
}
