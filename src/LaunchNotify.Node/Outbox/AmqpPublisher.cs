using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

using LaunchNotify.Node.Broker;

namespace LaunchNotify.Node.Outbox;

/// <summary>How to reach the broker as this centre (the centre's own broker user).</summary>
public sealed record BrokerConnection(string Host, int Port, string VirtualHost, string User, string Password)
{
    public ConnectionFactory CreateFactory(string clientName) => new()
    {
        HostName = Host,
        Port = Port,
        VirtualHost = VirtualHost,
        UserName = User,
        Password = Password,
        ClientProvidedName = clientName,
        AutomaticRecoveryEnabled = false, // the dispatcher reconnects itself and re-reads the outbox
        RequestedConnectionTimeout = TimeSpan.FromSeconds(5),
    };

    /// <summary>
    /// Every node of the centre's broker when it is a cluster (<c>host:port</c> each, <see cref="Host"/>:<see cref="Port"/>
    /// first when empty): a connection goes to the first that answers, a reconnection to any that is up.
    /// </summary>
    public IReadOnlyList<string> ClusterNodes { get; init; } = [];

    public IReadOnlyList<AmqpTcpEndpoint> Endpoints =>
        ClusterNodes.Count == 0 ? [new AmqpTcpEndpoint(Host, Port)] : [.. ClusterNodes.Select(ParseEndpoint)];

    /// <summary>Connects to the first node of <see cref="Endpoints"/> that answers.</summary>
    public Task<IConnection> ConnectAsync(string clientName, CancellationToken ct) =>
        CreateFactory(clientName).CreateConnectionAsync(Endpoints, ct);

    /// <summary><c>host:port</c> (IPv4 or a name); throws <see cref="FormatException"/> saying what is expected.</summary>
    public static AmqpTcpEndpoint ParseEndpoint(string node)
    {
        var colon = node.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(node[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            throw new FormatException($"A broker node is host:port, e.g. 127.0.0.1:5682; got '{node}'.");
        return new AmqpTcpEndpoint(node[..colon], port);
    }

    public override string ToString() => ClusterNodes.Count == 0
        ? $"amqp://{User}@{Host}:{Port}/{VirtualHost}"
        : $"amqp://{User}@[{string.Join(",", ClusterNodes)}]/{VirtualHost}";
}

/// <summary>
/// Publishes signed messages to the exchange with persistent delivery, the broker-validated <c>user_id</c>,
/// mandatory routing and publisher confirms: a publish returns only once the broker has taken responsibility.
/// </summary>
public sealed class AmqpPublisher(BrokerConnection connection, string exchange, string clientName) : IAsyncDisposable
{
    public const string ContentType = "application/jose+json";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private IConnection? _connection;
    private IChannel? _channel;

    public async Task PublishAsync(OutgoingMessage message, CancellationToken ct)
    {
        var channel = await ChannelAsync(ct);
        var properties = new BasicProperties
        {
            MessageId = message.AmqpMessageId ?? message.MessageId.ToString("D"),
            Type = message.Kind,
            ContentType = message.ContentType,
            DeliveryMode = DeliveryModes.Persistent,
            UserId = connection.User,
            Timestamp = new AmqpTimestamp(message.TimestampUnixSeconds),
            Headers = message.Headers,
        };
        try
        {
            // With confirmation tracking on, this completes when the broker confirms, and throws on a nack or return.
            await channel.BasicPublishAsync(exchange, message.RoutingKey, mandatory: true, properties, message.Body, ct);
        }
        catch (PublishException e) when (e.IsReturn)
        {
            throw new UnroutableMessageException(
                $"The broker could not route {message.RoutingKey}: no inbox is bound for the recipient. Provision it (launchnotify broker provision).", e);
        }
        catch (Exception e) when (e is AlreadyClosedException or OperationInterruptedException or PublishException or IOException)
        {
            await ResetAsync();
            throw new BrokerUnavailableException($"Publishing to {connection} failed: {e.Message}", e);
        }
    }

    /// <summary>Opens the connection and channel now, so the first message does not wait for them (throws if the broker is down).</summary>
    public Task ConnectAsync(CancellationToken ct) => ChannelAsync(ct);

    private async Task<IChannel> ChannelAsync(CancellationToken ct)
    {
        if (_channel is { IsOpen: true })
            return _channel;
        await _gate.WaitAsync(ct);
        try
        {
            if (_channel is { IsOpen: true })
                return _channel;
            await ResetAsync();
            try
            {
                _connection = await connection.ConnectAsync(clientName, ct);
                _channel = await _connection.CreateChannelAsync(
                    new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct);
                return _channel;
            }
            catch (Exception e) when (e is BrokerUnreachableException or OperationInterruptedException or IOException)
            {
                await ResetAsync();
                throw new BrokerUnavailableException(
                    $"Cannot reach the broker at {connection}: {e.Message}. Is it running? Start it with infra/rabbitmq/start.sh.", e);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task ResetAsync()
    {
        var channel = _channel;
        var conn = _connection;
        _channel = null;
        _connection = null;
        try
        {
            if (channel is not null) await channel.DisposeAsync();
            if (conn is not null) await conn.DisposeAsync();
        }
        catch (Exception)
        {
            // Already broken; nothing more to release.
        }
    }

    public async ValueTask DisposeAsync() => await ResetAsync();
}

public sealed record OutgoingMessage(Guid MessageId, string Kind, string RoutingKey, byte[] Body, long TimestampUnixSeconds)
{
    public IDictionary<string, object?>? Headers { get; init; }

    /// <summary>Signed messages are JWS; the alarm feed sends plain JSON.</summary>
    public string ContentType { get; init; } = AmqpPublisher.ContentType;

    /// <summary>The AMQP <c>message_id</c> when it is not <see cref="MessageId"/> (an alarm's id and version).</summary>
    public string? AmqpMessageId { get; init; }
}

public sealed class UnroutableMessageException(string message, Exception inner) : Exception(message, inner);
