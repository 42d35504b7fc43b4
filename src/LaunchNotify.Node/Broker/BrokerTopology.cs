using System.Text.RegularExpressions;
using LaunchNotify.Domain.Values;

namespace LaunchNotify.Node.Broker;

/// <summary>
/// The names and shapes on the broker that every centre agrees on: one vhost, one topic exchange routed by
/// <c>&lt;recipient&gt;.&lt;sender&gt;.&lt;kind&gt;</c>, a quorum inbox per centre that parks poison messages.
/// </summary>
/// <remarks>
/// The subscriber's MassTransit receive endpoint declares the inbox itself, so it must use
/// <see cref="InboxQueueArguments"/> verbatim: RabbitMQ refuses a redeclaration with other arguments.
/// </remarks>
public static class BrokerTopology
{
    public const string VirtualHost = "launchnotify";
    public const string Exchange = "launchnotify.exchange";
    public const string ParkingExchange = "launchnotify.parking";
    public const string AlarmExchange = "launchnotify.alarms";

    /// <summary>Deliveries of one message before the broker parks it (a poison message must not loop forever).</summary>
    public const int DeliveryLimit = 10;

    public static string InboxQueue(CentreCode centre) => $"launchnotify.inbox.{centre}";
    public static string ParkedQueue(CentreCode centre) => $"launchnotify.parked.{centre}";

    /// <summary>Binds a centre's inbox (on <see cref="Exchange"/>) and parked queue (on <see cref="ParkingExchange"/>).</summary>
    public static string CentreBindingKey(CentreCode centre) => $"{centre}.#";

    /// <summary>Where the broker dead-letters from the inbox (rejected, or past <see cref="DeliveryLimit"/>).</summary>
    public static string DeadLetterRoutingKey(CentreCode centre) => $"{centre}.dead";

    /// <summary>Routing key for a message a node parks itself, e.g. <c>RU.bad-signature</c>.</summary>
    public static string ParkingRoutingKey(CentreCode centre, string reason) => $"{centre}.{reason}";

    public static IReadOnlyDictionary<string, object> InboxQueueArguments(CentreCode centre) => new Dictionary<string, object>
    {
        ["x-queue-type"] = "quorum",
        ["x-dead-letter-exchange"] = ParkingExchange,
        ["x-dead-letter-routing-key"] = DeadLetterRoutingKey(centre),
        ["x-delivery-limit"] = DeliveryLimit,
    };

    public static IReadOnlyDictionary<string, object> ParkedQueueArguments { get; } = new Dictionary<string, object>
    {
        ["x-queue-type"] = "quorum",
    };

    /// <summary>
    /// Federated topology: on a centre's own broker, the durable quorum queue where messages for one counterpart wait
    /// (bound <c>&lt;CC&gt;.#</c> on <see cref="Exchange"/>) until the link's shovel has them confirmed by the counterpart's broker.
    /// </summary>
    public static string LinkQueue(CentreCode counterpart) => $"launchnotify.link.{counterpart}";

    /// <summary>The shovel (a dynamic shovel parameter on the sender's broker) that forwards <see cref="LinkQueue"/>.</summary>
    public static string LinkName(CentreCode counterpart) => $"launchnotify.link.{counterpart}";

    /// <summary>
    /// A link queue never dead-letters and has no delivery limit: a message the counterpart refuses stays (and the link
    /// shows it as not forwarding) rather than being dropped; an outage of any length only delays.
    /// </summary>
    public static IReadOnlyDictionary<string, object> LinkQueueArguments { get; } = new Dictionary<string, object>
    {
        ["x-queue-type"] = "quorum",
    };

    /// <summary>
    /// Federated topology, on <paramref name="receiver"/>'s broker: what the link of <paramref name="sender"/> may do.
    /// The link logs in with the sender's certificate as the broker user named by the sender's code, so the broker
    /// checks each message's <c>user_id</c> against it; it may only publish to <see cref="Exchange"/>, only messages
    /// from the sender to the receiver (no transit to third centres), and may read or declare nothing.
    /// </summary>
    public static CentrePermissions LinkPermissionsFor(CentreCode sender, CentreCode receiver) => new(
        Configure: "^$",
        Write: $"^{Regex.Escape(Exchange)}$",
        Read: "^$",
        Topic: [new TopicPermission(Exchange, Write: $@"^{receiver}\.{sender}\.[^.]+$", Read: "^$")]);

    /// <summary>
    /// What a centre's broker user may do: declare only its own inbox and the <c>_error</c>/<c>_skipped</c>
    /// queues and same-named exchanges MassTransit adds, publish on the shared, parking and alarm exchanges (with
    /// topic permissions fixing itself as the sender), and read only its own queues. No read on the shared
    /// exchange, so it cannot bind a queue there to snoop on other centres' traffic.
    /// </summary>
    public static CentrePermissions PermissionsFor(CentreCode centre)
    {
        var own = $@"launchnotify\.inbox\.{centre}(_error|_skipped)?";
        var shared = $"{Regex.Escape(Exchange)}|{Regex.Escape(ParkingExchange)}|{Regex.Escape(AlarmExchange)}";
        return new CentrePermissions(
            Configure: $"^{own}$",
            Write: $"^({own}|{shared})$",
            Read: $@"^({own}|launchnotify\.parked\.{centre})$",
            Topic:
            [
                // Any recipient, this centre as sender, one kind.
                new TopicPermission(Exchange, Write: $@"^[^.]+\.{centre}\.[^.]+$", Read: "^$"),
                new TopicPermission(ParkingExchange, Write: $@"^{centre}\.[^.]+$", Read: "^$"),
                new TopicPermission(AlarmExchange, Write: $@"^{centre}\..+$", Read: "^$"),
            ]);
    }
}

/// <summary>A broker user's configure/write/read regular expressions in the vhost, and its topic permissions.</summary>
public sealed record CentrePermissions(string Configure, string Write, string Read, IReadOnlyList<TopicPermission> Topic);

/// <summary>Which routing keys a user may publish (write) or bind (read) on one topic exchange.</summary>
public sealed record TopicPermission(string Exchange, string Write, string Read);
