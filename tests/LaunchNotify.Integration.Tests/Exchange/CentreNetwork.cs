using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Broker;
using LaunchNotify.Node.Submission;
using LaunchNotify.Protocol.Signing;
using NodaTime;
using NodaTime.Text;
using RabbitMQ.Client;
using Xunit.Abstractions;

namespace LaunchNotify.Integration.Tests.Exchange;

/// <summary>
/// The centres of one test: a temporary folder with every fixture centre's key pair in one shared keys folder (so each
/// trusts the others' public keys) and a store per centre; the inbox and parked queues emptied of earlier tests' messages.
/// </summary>
public sealed class CentreNetwork : IAsyncDisposable
{
    private readonly BrokerFixture _broker;
    private readonly ITestOutputHelper? _output;
    private readonly List<CentreHost> _hosts = [];

    private CentreNetwork(BrokerFixture broker, ITestOutputHelper? output)
    {
        _broker = broker;
        _output = output;
        Folder = Directory.CreateTempSubdirectory("launchnotify-exchange-").FullName;
        KeysDirectory = Path.Combine(Folder, "keys");
        foreach (var centre in BrokerFixture.Centres)
            KeyStore.Generate(centre, KeysDirectory);
    }

    public string Folder { get; }
    public string KeysDirectory { get; }

    public static async Task<CentreNetwork> CreateAsync(BrokerFixture broker, ITestOutputHelper? output)
    {
        var network = new CentreNetwork(broker, output);
        await broker.PurgeAsync([.. BrokerFixture.Centres.SelectMany(c => new[] { BrokerTopology.InboxQueue(c), BrokerTopology.ParkedQueue(c) })]);
        return network;
    }

    /// <summary>Starts the centres side by side (each start returns once its inbox is being consumed).</summary>
    public async Task<CentreHost[]> StartAsync(params CentreCode[] centres)
    {
        var hosts = await Task.WhenAll(centres.Select(c => CentreHost.StartAsync(c, _broker, KeysDirectory, Folder, _output)));
        _hosts.AddRange(hosts);
        return hosts;
    }

    /// <summary>
    /// Starts one centre over a key folder of its own, as a real deployment has: its private key and, to begin with, the
    /// same trusted keys as the shared folder. What it learns later (imports, announcements) stays in its folder.
    /// </summary>
    public async Task<CentreHost> StartWithOwnKeysAsync(CentreCode centre)
    {
        var dir = OwnKeysDirectory(centre);
        Directory.CreateDirectory(KeyStore.CentreDirectory(dir, centre));
        foreach (var file in new[] { KeyStore.PrivateKeyFile, KeyStore.PublicKeyFile })
            File.Copy(Path.Combine(KeyStore.CentreDirectory(KeysDirectory, centre), file), Path.Combine(KeyStore.CentreDirectory(dir, centre), file));
        File.Copy(KeyStore.TrustStorePath(KeysDirectory), KeyStore.TrustStorePath(dir));
        var host = await CentreHost.StartAsync(centre, _broker, dir, Folder, _output);
        _hosts.Add(host);
        return host;
    }

    public string OwnKeysDirectory(CentreCode centre) => Path.Combine(Folder, $"keys-{centre}");

    public CentreKey PrivateKey(CentreCode centre) => KeyStore.LoadPrivate(KeysDirectory, centre);

    public Jwk PublicKey(CentreCode centre) => KeyStore.LoadPublic(KeysDirectory, centre);

    /// <summary>Publishes a body as <paramref name="sender"/> with plain RabbitMQ.Client, the way docs/protocol.md §2 says.</summary>
    public async Task PublishAsync(CentreCode sender, string routingKey, byte[] body, Guid messageId, string type)
    {
        await using var connection = await _broker.ConnectAsync(sender);
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        var properties = new BasicProperties
        {
            MessageId = messageId.ToString("D"),
            Type = type,
            ContentType = "application/jose+json",
            DeliveryMode = DeliveryModes.Persistent,
            UserId = sender.Value,
            Timestamp = new AmqpTimestamp(SystemClock.Instance.GetCurrentInstant().ToUnixTimeSeconds()),
        };
        await channel.BasicPublishAsync(BrokerTopology.Exchange, routingKey, mandatory: true, properties, body);
    }

    /// <summary>Waits for one message on a queue (read as the administrator, acked), or null at the deadline.</summary>
    public async Task<BasicGetResult?> GetAsync(string queue, TimeSpan timeout)
    {
        await using var connection = await _broker.ConnectAsAdminAsync();
        await using var channel = await connection.CreateChannelAsync();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var result = await channel.BasicGetAsync(queue, autoAck: true);
            if (result is not null || clock.Elapsed > timeout)
                return result;
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_hosts.Select(h => h.DisposeAsync().AsTask()));
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A SQLite handle still closing; the temp folder goes with the machine's temp cleanup.
        }
    }
}

/// <summary>Polls with a deadline instead of sleeping: returns as soon as the condition holds, fails saying what it last saw.</summary>
internal static class Eventually
{
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = await probe();
            if (done(value))
                return value;
            if (clock.Elapsed > timeout)
                throw new Xunit.Sdk.XunitException($"Waited {timeout.TotalSeconds:0} s for {what}; last seen: {Describe(value)}");
            await Task.Delay(50);
        }
    }

    private static string Describe<T>(T value) => value switch
    {
        null => "nothing",
        System.Collections.IEnumerable list and not string => "[" + string.Join(", ", list.Cast<object?>()) + "]",
        _ => value.ToString() ?? "",
    };
}

/// <summary>Operator drafts relative to now: valid under their agreement, so a receiver accepts them.</summary>
internal static class Drafts
{
    /// <summary>A Minuteman III test notified to Russia 30 hours ahead (the agreement asks for 24).</summary>
    public static byte[] UsToRu(Instant now, string? remarks = null) => Encoding.UTF8.GetBytes(new JsonObject
    {
        ["agreementId"] = "us-ru-bmlna-1988",
        ["recipients"] = new JsonArray("RU"),
        ["launchWindow"] = Window(now, hoursAhead: 30, hoursLong: 4),
        ["missile"] = Missile("ICBM", "LGM-30G Minuteman III", 6760),
        ["launchArea"] = Circle("Vandenberg SFB, LF-10", 34.74, -120.57, 10),
        ["impactAreas"] = new JsonArray(Circle("Reagan Test Site, Kwajalein Atoll", 9.40, 167.47, 50)),
        ["plannedAzimuthDeg"] = 247.0,
        ["remarks"] = remarks ?? "Operational test launch, unarmed re-entry vehicle.",
    }.ToJsonString());

    /// <summary>A drill under p5-demo to several of the five (lead time there is one hour).</summary>
    public static byte[] P5Drill(Instant now, params CentreCode[] recipients) => Encoding.UTF8.GetBytes(new JsonObject
    {
        ["agreementId"] = "p5-demo",
        ["recipients"] = new JsonArray([.. recipients.Select(r => (JsonNode)JsonValue.Create(r.Value))]),
        ["launchWindow"] = Window(now, hoursAhead: 3, hoursLong: 2),
        ["missile"] = Missile("SLBM", "Trident II D5", 7400),
        ["launchArea"] = Circle("Eastern Range, off Cape Canaveral", 28.5, -79.0, 20),
        ["impactAreas"] = new JsonArray(Circle("South Atlantic impact area", -5.0, -20.0, 60)),
    }.ToJsonString());

    public static string At(Instant instant) => InstantPattern.ExtendedIso.Format(instant);

    private static JsonObject Window(Instant now, int hoursAhead, int hoursLong) => new()
    {
        ["start"] = At(now + Duration.FromHours(hoursAhead)),
        ["end"] = At(now + Duration.FromHours(hoursAhead + hoursLong)),
    };

    private static JsonObject Circle(string name, double lat, double lon, double radiusKm) => new()
    {
        ["type"] = "circle", ["name"] = name, ["centre"] = new JsonObject { ["lat"] = lat, ["lon"] = lon }, ["radiusKm"] = radiusKm,
    };

    private static JsonObject Missile(string cls, string type, long rangeKm) => new()
    {
        ["class"] = cls, ["type"] = type, ["count"] = 1, ["groupLaunch"] = false, ["rangeKm"] = rangeKm,
    };

    /// <summary>Submits and insists the node accepted it; returns the message id.</summary>
    public static async Task<Guid> SubmitAcceptedAsync(this CentreHost host, byte[] draft)
    {
        var result = await host.Submission.SubmitAsync(draft, "prenotification", allowLate: false, CancellationToken.None);
        Assert.True(result.Status == SubmissionStatus.Accepted,
            $"{host} did not accept the draft: {result.Status} {string.Join("; ", result.Errors.Select(e => e.ToString()))}");
        return result.MessageId!.Value;
    }
}
