using LaunchNotify.Node.Broker;
using LaunchNotify.Node.Hosting;
using LaunchNotify.Node.Timeliness;
using LaunchNotify.Protocol.Json;
using NodaTime;

namespace LaunchNotify.Publisher;

/// <summary>The centre's links to its counterparts' brokers (federated topology), as the link monitor last saw them.</summary>
public static class LinkEndpoints
{
    public static void MapLinkEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/links", (NodeSettings settings, LinkMonitor monitor) => Results.Json(View(settings, monitor.Snapshot), WireJson.Options))
            .WithName("ListLinks")
            .WithSummary("Federated topology: each link's condition (running, blocked, down, absent), shovel state, backlog, " +
                         "confirmed forwards, last forward and since when it has not forwarded. A hub centre has no links.")
            .RequireAuthorization(Security.ApiPolicies.ReadTraffic);
    }

    public static LinksView View(NodeSettings settings, LinksSnapshot snapshot) => new(
        settings.Topology.Kind.ToString().ToLowerInvariant(),
        snapshot.ObservedAt,
        snapshot.Error,
        settings.Topology.LinkSilentAfter,
        [.. snapshot.Links.Select(l => new LinkView(l.Counterpart.Value, l.Condition.ToString().ToLowerInvariant(), l.ShovelState, l.Reason, l.Node,
            l.Backlog, l.InFlight, l.Forwarded, l.LastForwardAt, l.NotForwardingSince))]);
}

public sealed record LinksView(string Topology, Instant? ObservedAt, string? Error, Duration SilentAfter, IReadOnlyList<LinkView> Links);

public sealed record LinkView(string Counterpart, string Condition, string? ShovelState, string? Reason, string? Node, long Backlog, long InFlight,
    long? Forwarded, Instant? LastForwardAt, Instant? NotForwardingSince);
