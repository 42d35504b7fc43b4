using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Broker;
using LaunchNotify.Protocol.Signing;
using NodaTime;
using NodaTime.Text;
using RabbitMQ.Client;

namespace LaunchNotify.Bench.Faults;

/// <summary>
/// Another centre publishing straight to the broker with RabbitMQ.Client, as a counterpart without LaunchNotify's node
/// would (docs/protocol.md): its own broker user, a flattened JWS body, mandatory and persistent, with confirms. What it
/// signs and with which key is up to the caller: the fault suite sends poison, replays, re-used ids and forgeries.
/// </summary>
public sealed class Counterpart : IAsyncDisposable
{
    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private readonly string _keys;

    public CentreCode Centre { get; }

    private Counterpart(CentreCode centre, IConnection connection, IChannel channel, string keys)
    {
        Centre = centre;
        _connection = connection;
        _channel = channel;
        _keys = keys;
    }

    public static async Task<Counterpart> ConnectAsync(BenchEnvironment env, NodeCluster cluster, CentreCode centre, CancellationToken ct)
    {
        var connection = await env.ConnectAsync(centre.Value, cluster.Password(centre), $"fault-suite-{centre}", ct);
        var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true), ct);
        return new Counterpart(centre, connection, channel, cluster.KeysDirectory);
    }

    /// <summary>Signs <paramref name="payload"/> with <paramref name="signer"/>'s private key (the sender's own, or a forger's pick).</summary>
    public byte[] Sign(byte[] payload, CentreCode signer)
    {
        using var key = KeyStore.LoadPrivate(_keys, signer);
        return new JwsPayloadSigner(key).Sign(payload);
    }

    /// <summary>One publish to <paramref name="recipient"/>'s inbox as this centre's broker user, awaited until the broker confirms it.</summary>
    public async Task PublishAsync(CentreCode recipient, string kind, Guid messageId, byte[] body, CancellationToken ct)
    {
        var props = new BasicProperties
        {
            MessageId = messageId.ToString("D"),
            Type = kind,
            ContentType = "application/jose+json",
            DeliveryMode = DeliveryModes.Persistent,
            UserId = Centre.Value,
            Timestamp = new AmqpTimestamp(SystemClock.Instance.GetCurrentInstant().ToUnixTimeSeconds()),
        };
        await _channel.BasicPublishAsync(BrokerTopology.Exchange, $"{recipient}.{Centre}.{kind}", mandatory: true, props, body, ct);
    }

    /// <summary>
    /// A CN → RU pre-notification under cn-ru-2009 (the shipped example, 30 h ahead, with an azimuth), valid unless <paramref name="change"/>
    /// makes it otherwise. <paramref name="raw"/> replaces a string value "@RAW@" with JSON text no serializer writes (1e-400, a lone surrogate).
    /// </summary>
    public static byte[] CnToRu(string repoRoot, Guid messageId, long sequence, Instant now, Action<JsonObject>? change = null, string? raw = null)
    {
        var example = JsonNode.Parse(File.ReadAllText(Path.Combine(repoRoot, "schemas", "examples", "valid", "prenotification-cn-slv-jiuquan.json")))!;
        var doc = example["document"]!.AsObject();
        string At(Instant i) => InstantPattern.ExtendedIso.Format(i);
        doc["messageId"] = messageId.ToString("D");
        doc["recipients"] = new JsonArray(new JsonObject { ["centre"] = "RU", ["sequence"] = sequence });
        doc["issuedAt"] = At(now);
        doc["launchWindow"] = new JsonObject { ["start"] = At(now + Duration.FromHours(30)), ["end"] = At(now + Duration.FromHours(30) + Duration.FromMinutes(45)) };
        // cn-ru-2009 requires the planned azimuth, which the shipped example (valid against the schema only) leaves out.
        doc["plannedAzimuthDeg"] = 45.0;
        change?.Invoke(doc);
        var text = doc.ToJsonString();
        if (raw is not null)
            text = text.Replace("\"@RAW@\"", raw, StringComparison.Ordinal);
        return Encoding.UTF8.GetBytes(text);
    }

    /// <summary>The protected header and signature of <paramref name="jws"/> over another payload: an altered message.</summary>
    public static byte[] WithPayloadSwapped(byte[] jws, byte[] otherPayload)
    {
        using var document = JsonDocument.Parse(jws);
        var root = document.RootElement;
        return JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
        {
            ["protected"] = root.GetProperty("protected").GetString()!,
            ["payload"] = Base64Url.EncodeToString(otherPayload),
            ["signature"] = root.GetProperty("signature").GetString()!,
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _channel.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
