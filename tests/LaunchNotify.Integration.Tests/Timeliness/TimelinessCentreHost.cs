using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using LaunchNotify.Domain.Alarms;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Broker;
using LaunchNotify.Node.Hosting;
using LaunchNotify.Node.Outbox;
using LaunchNotify.Node.Submission;
using LaunchNotify.Node.Timeliness;
using LaunchNotify.Protocol.Signing;
using LaunchNotify.Storage;
using LaunchNotify.Storage.Entities;
using LaunchNotify.Subscriber;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NodaTime;
using NodaTime.Text;

namespace LaunchNotify.Integration.Tests.Timeliness;

/// <summary>
/// One centre as it is deployed, in process: a publisher host (outbox dispatcher, heartbeats, deadline watcher) and a
/// subscriber host (MassTransit inbox consumer, receipt dispatcher, deadline watcher) over one SQLite file, on the
/// real broker and the real clock. Each can be stopped and started again (a new host over the same store, as after a
/// restart). The timeliness tests' own host; the exchange tests have theirs.
/// </summary>
public sealed class TimelinessCentreHost : IAsyncDisposable
{
    private readonly NodeSettings _settings;
    private IHost? _publisher, _subscriber;

    public TimelinessCentreHost(BrokerFixture broker, CentreCode centre, string folder, string keysDirectory, TimelinessSettings timeliness)
    {
        _settings = new NodeSettings
        {
            Centre = centre,
            Store = StorageOptions.SqliteFile(Path.Combine(folder, centre.Value + ".db")),
            Broker = new BrokerConnection(BrokerFixture.Host, broker.AmqpPort, BrokerTopology.VirtualHost, centre.Value, broker.Credentials[centre].Password),
            KeysDirectory = keysDirectory,
            Timeliness = timeliness,
        };
    }

    public CentreCode Centre => _settings.Centre;

    /// <summary>Builds the publisher host without starting it: its submission service works, nothing is dispatched or watched yet.</summary>
    public async Task<IServiceProvider> BuildPublisherAsync()
    {
        if (_publisher is not null)
            return _publisher.Services;
        var builder = NewBuilder();
        builder.Services.AddLaunchNotifyNode(_settings);
        builder.Services.AddOutboxDispatcher(_settings, NodeRole.Publisher);
        builder.Services.AddDeadlineWatcher(_settings, NodeRole.Publisher);
        _publisher = builder.Build();
        await _publisher.Services.InitializeNodeAsync(_settings, CancellationToken.None);
        return _publisher.Services;
    }

    public async Task StartPublisherAsync()
    {
        await BuildPublisherAsync();
        await _publisher!.StartAsync();
    }

    public async Task StopPublisherAsync() => _publisher = await StopAsync(_publisher);

    public async Task StartSubscriberAsync()
    {
        var builder = NewBuilder();
        builder.Services.AddLaunchNotifyNode(_settings);
        builder.Services.AddOutboxDispatcher(_settings, NodeRole.Subscriber);
        builder.Services.AddDeadlineWatcher(_settings, NodeRole.Subscriber);
        builder.Services.AddInboxConsumer(_settings);
        // Start returns once the bus consumes, so a quick stop cannot race a start still under way (a bus started after its
        // host stopped would keep consuming the inbox with a disposed container).
        builder.Services.AddOptions<MassTransitHostOptions>().Configure(o =>
        {
            o.WaitUntilStarted = true;
            o.StartTimeout = TimeSpan.FromSeconds(30);
            o.StopTimeout = TimeSpan.FromSeconds(15);
        });
        _subscriber = builder.Build();
        await _subscriber.Services.InitializeNodeAsync(_settings, CancellationToken.None);
        await _subscriber.StartAsync();
    }

    public async Task StopSubscriberAsync() => _subscriber = await StopAsync(_subscriber);

    /// <summary>Submits a p5-demo pre-notification to <paramref name="recipient"/> whose window opens <paramref name="leadTime"/> from now.</summary>
    public async Task<Guid> NotifyAsync(CentreCode recipient, Duration leadTime, bool allowLate = false)
    {
        var services = await BuildPublisherAsync();
        var start = SystemClock.Instance.GetCurrentInstant() + leadTime;
        var draft = new JsonObject
        {
            ["agreementId"] = "p5-demo",
            ["recipients"] = new JsonArray(recipient.Value),
            ["launchWindow"] = new JsonObject { ["start"] = At(start), ["end"] = At(start + Duration.FromHours(2)) },
            ["missile"] = new JsonObject { ["class"] = "ICBM", ["type"] = "test", ["count"] = 1, ["groupLaunch"] = false, ["rangeKm"] = 6000 },
            ["launchArea"] = Circle("Launch area", 34.74, -120.57),
            ["impactAreas"] = new JsonArray(Circle("Impact area", 9.40, 167.47)),
        };
        var result = await services.GetRequiredService<SubmissionService>()
            .SubmitAsync(Encoding.UTF8.GetBytes(draft.ToJsonString()), "prenotification", allowLate, CancellationToken.None);
        Assert.True(result.IsAccepted, string.Join("; ", result.Errors));
        return result.MessageId!.Value;
    }

    public NodeDbContext OpenStore() => new(_settings.Store.ToDbContextOptions());

    public async Task<IReadOnlyList<Alarm>> AlarmsAsync(AlarmKind kind)
    {
        await using var db = OpenStore();
        return await db.Alarms.AsNoTracking().Where(a => a.Kind == kind).OrderBy(a => a.RaisedAt).ToListAsync();
    }

    /// <summary>Polls the store until <paramref name="probe"/> finds what it waits for (no fixed sleeps).</summary>
    public async Task<T> EventuallyAsync<T>(Func<NodeDbContext, Task<T?>> probe, TimeSpan within, string what) where T : class
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < within)
        {
            await using (var db = OpenStore())
            {
                if (await probe(db) is { } found)
                    return found;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"{Centre}: {what} did not happen within {within.TotalSeconds:0} s.");
    }

    /// <summary>From falling due to the watcher's claim of the deadline that raised <paramref name="alarm"/>.</summary>
    public async Task<Duration> FiringLatencyAsync(Alarm alarm)
    {
        await using var db = OpenStore();
        var deadline = await db.Deadlines.AsNoTracking().SingleAsync(d => d.AlarmKey == alarm.DedupeKey);
        return deadline.FiredAt!.Value - deadline.DueAt;
    }

    public Task WaitUntilAsync(Func<NodeDbContext, Task<bool>> condition, TimeSpan within, string what) =>
        EventuallyAsync(async db => await condition(db) ? new object() : null, within, what);

    public async ValueTask DisposeAsync()
    {
        await StopPublisherAsync();
        await StopSubscriberAsync();
    }

    private static HostApplicationBuilder NewBuilder()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // LAUNCHNOTIFY_TEST_LOGS=1 shows the hosts' logs when a test needs explaining.
        if (Environment.GetEnvironmentVariable("LAUNCHNOTIFY_TEST_LOGS") == "1")
            builder.Logging.AddSimpleConsole(o => o.TimestampFormat = "HH:mm:ss.fff ").SetMinimumLevel(LogLevel.Information).AddFilter("Microsoft", LogLevel.Warning);
        return builder;
    }

    private static async Task<IHost?> StopAsync(IHost? host)
    {
        if (host is null)
            return null;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await host.StopAsync(timeout.Token);
        }
        catch (InvalidOperationException)
        {
            // Built but never started.
        }
        if (host is IAsyncDisposable asyncDisposable)
            await asyncDisposable.DisposeAsync();
        else
            host.Dispose();
        return null;
    }

    private static string At(Instant instant) => InstantPattern.ExtendedIso.Format(instant);

    private static JsonObject Circle(string name, double lat, double lon) => new()
    {
        ["type"] = "circle", ["name"] = name, ["centre"] = new JsonObject { ["lat"] = lat, ["lon"] = lon }, ["radiusKm"] = 10,
    };
}

/// <summary>Two centres, US and RU, with fresh keys and stores; their inboxes are purged before and after.</summary>
public sealed class TimelinessPair : IAsyncDisposable
{
    private readonly BrokerFixture _broker;
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "launchnotify-timeliness", Guid.NewGuid().ToString("N"));

    public static readonly CentreCode UsCode = new("US"), RuCode = new("RU");

    private TimelinessPair(BrokerFixture broker, TimelinessSettings us, TimelinessSettings ru)
    {
        _broker = broker;
        var keys = Path.Combine(_folder, "keys");
        KeyStore.Generate(UsCode, keys, overwrite: true);
        KeyStore.Generate(RuCode, keys, overwrite: true);
        Us = new TimelinessCentreHost(broker, UsCode, _folder, keys, us);
        Ru = new TimelinessCentreHost(broker, RuCode, _folder, keys, ru);
    }

    public TimelinessCentreHost Us { get; }
    public TimelinessCentreHost Ru { get; }

    public static async Task<TimelinessPair> CreateAsync(BrokerFixture broker, TimelinessSettings us, TimelinessSettings ru)
    {
        await PurgeAsync(broker);
        return new TimelinessPair(broker, us, ru);
    }

    private static Task PurgeAsync(BrokerFixture broker) =>
        broker.PurgeAsync(BrokerTopology.InboxQueue(UsCode), BrokerTopology.InboxQueue(RuCode));

    public async ValueTask DisposeAsync()
    {
        await Us.DisposeAsync();
        await Ru.DisposeAsync();
        await PurgeAsync(_broker);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // Left for the temp folder's own cleanup.
        }
    }
}
