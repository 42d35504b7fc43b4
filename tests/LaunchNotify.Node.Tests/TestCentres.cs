using System.Text;
using System.Text.Json.Nodes;
using LaunchNotify.Domain.Alarms;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Alarms;
using LaunchNotify.Node.Deadlines;
using LaunchNotify.Node.Hosting;
using LaunchNotify.Node.Inbox;
using LaunchNotify.Node.Outbox;
using LaunchNotify.Node.Submission;
using LaunchNotify.Node.Timeliness;
using LaunchNotify.Protocol.Signing;
using LaunchNotify.Storage;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NodaTime;
using NodaTime.Testing;
using NodaTime.Text;

namespace LaunchNotify.Node.Tests;

/// <summary>
/// Centres on one fake clock, each with its own SQLite file (or a given store), sharing one key folder. The test plays
/// the broker: <see cref="DeliverAsync"/> hands one centre's unpublished outbox entries to another's inbox processor.
/// </summary>
public sealed class TestWorld : IAsyncDisposable
{
    public static readonly Instant Start = Instant.FromUtc(2026, 9, 1, 12, 0);

    /// <summary>
    /// The default for tests of the other deadlines: a person's acknowledgement falls due only after a year, so
    /// NOT_ACKNOWLEDGED (p5-demo: 5 min) stays out of their alarm lists and firing counts. AcknowledgementTests pass
    /// <c>new TimelinessSettings()</c> to get the agreement's own terms.
    /// </summary>
    public static readonly TimelinessSettings OtherDeadlinesOnly = new() { AcknowledgementDeadline = Duration.FromDays(365) };

    private readonly List<TestCentre> _centres = [];

    public TestWorld(params string[] centres)
    {
        Directory.CreateDirectory(Folder);
        foreach (var centre in centres.Length > 0 ? centres : ["US", "RU"])
            KeyStore.Generate(new CentreCode(centre), KeysDirectory, overwrite: true);
    }

    public FakeClock Clock { get; } = new(Start);
    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "launchnotify-node-tests", Guid.NewGuid().ToString("N"));
    public string KeysDirectory => Path.Combine(Folder, "keys");

    public StorageOptions SqliteStore(string name) => StorageOptions.SqliteFile(Path.Combine(Folder, name + ".db"));

    /// <summary>A centre process (publisher role: all deadline kinds including heartbeats) over <paramref name="store"/> (default: its own file).</summary>
    public async Task<TestCentre> StartAsync(string centre, StorageOptions? store = null, TimelinessSettings? timeliness = null, NodeRole role = NodeRole.Publisher,
        IClock? clock = null)
    {
        clock ??= Clock;
        var settings = new NodeSettings
        {
            Centre = new CentreCode(centre),
            Store = store ?? SqliteStore(centre),
            Broker = new BrokerConnection("127.0.0.1", 1, "launchnotify", centre, "unused"),
            KeysDirectory = KeysDirectory,
            Timeliness = timeliness ?? OtherDeadlinesOnly,
        };
        var logs = new RecordingLoggerProvider();
        var services = new ServiceCollection()
            .AddLogging(b => b.Services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(logs))
            .AddLaunchNotifyNode(settings, clock)
            .AddDeadlineWatcher(settings, role)
            .AddSingleton<IParkingLot, RecordingParkingLot>()
            .BuildServiceProvider();
        await services.InitializeNodeAsync(settings, CancellationToken.None);
        var node = new TestCentre(settings.Centre, services, clock, logs);
        _ = node.Watcher; // The watcher's start is the process's start (it tells deadlines that fell due while down).
        _centres.Add(node);
        return node;
    }

    /// <summary>Carries every unpublished outbox entry of <paramref name="from"/> addressed to <paramref name="to"/>, in order; returns the verdicts.</summary>
    public async Task<IReadOnlyList<InboxResult>> DeliverAsync(TestCentre from, TestCentre to, Func<OutboxEntry, bool>? which = null)
    {
        await using var db = from.NewDb();
        var entries = await db.Outbox.Where(o => o.PublishedAt == null && o.Recipient == to.Centre.Value).OrderBy(o => o.Id).ToListAsync();
        var results = new List<InboxResult>();
        foreach (var entry in entries.Where(e => which?.Invoke(e) ?? true))
        {
            entry.PublishedAt = Clock.GetCurrentInstant();
            await db.Deliveries.Where(d => d.MessageId == entry.MessageId && d.Recipient == entry.Recipient && d.Status == DeliveryStatus.Accepted)
                .ExecuteUpdateAsync(u => u.SetProperty(d => d.Status, DeliveryStatus.Published).SetProperty(d => d.PublishedAt, entry.PublishedAt));
            await db.SaveChangesAsync();
            results.Add(await to.Inbox.ProcessAsync(
                new InboundDelivery(entry.Body, from.Centre.Value, entry.RoutingKey, entry.MessageId.ToString("D"), entry.Kind, AmqpPublisher.ContentType),
                CancellationToken.None));
        }
        return results;
    }

    /// <summary>Drops <paramref name="from"/>'s unpublished entries to <paramref name="to"/> (lost on the way).</summary>
    public async Task DropAsync(TestCentre from, TestCentre to, Func<OutboxEntry, bool> which)
    {
        await using var db = from.NewDb();
        var entries = await db.Outbox.Where(o => o.PublishedAt == null && o.Recipient == to.Centre.Value).ToListAsync();
        db.Outbox.RemoveRange(entries.Where(which));
        await db.SaveChangesAsync();
    }

    public void Advance(Duration by) => Clock.Advance(by);

    public async ValueTask DisposeAsync()
    {
        foreach (var centre in _centres)
            await centre.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by the OS: the temp folder is cleaned some other day.
        }
    }
}

/// <summary>One process of a centre: its services over its store, and a deadline watcher built when it "started".</summary>
public sealed class TestCentre(CentreCode centre, ServiceProvider services, IClock clock, RecordingLoggerProvider logs) : IAsyncDisposable
{
    public CentreCode Centre => centre;

    /// <summary>Every log entry at Error or above (EF Core's included), with its category.</summary>
    public IReadOnlyList<string> Errors => logs.Errors;
    public ServiceProvider Services => services;
    public SubmissionService Submissions => services.GetRequiredService<SubmissionService>();
    public InboxProcessor Inbox => services.GetRequiredService<InboxProcessor>();
    public AlarmBook Alarms => services.GetRequiredService<AlarmBook>();

    /// <summary>The watcher as the host would run it (constructed, i.e. started, when first asked for).</summary>
    public DeadlineSignal DeadlineSignal => services.GetRequiredService<DeadlineSignal>();
    public DeadlineWatcher Watcher => services.GetServices<IHostedService>().OfType<DeadlineWatcher>().Single();

    public NodeDbContext NewDb() => services.GetRequiredService<IDbContextFactory<NodeDbContext>>().CreateDbContext();

    public Task<int> FireDueAsync() => Watcher.FireDueAsync(CancellationToken.None);

    /// <summary>What the watcher does first when the host starts: arm heartbeat schedules and link watches.</summary>
    public Task PrepareAsync() => Watcher.PrepareAsync(CancellationToken.None);

    public async Task<IReadOnlyList<Alarm>> AlarmsAsync(AlarmKind? kind = null) =>
        await Alarms.ListAsync(new AlarmFilter(Kind: kind), CancellationToken.None);

    public async Task<IReadOnlyList<Deadline>> DeadlinesAsync(DeadlineKind kind)
    {
        await using var db = NewDb();
        return await db.Deadlines.AsNoTracking().Where(d => d.Kind == kind).OrderBy(d => d.Id).ToListAsync();
    }

    /// <summary>Submits a pre-notification under p5-demo whose window opens <paramref name="leadTime"/> from now.</summary>
    public Task<SubmissionResult> NotifyAsync(string recipient, Duration leadTime, Duration? window = null, string agreement = "p5-demo", bool allowLate = false) =>
        SubmitAsync(Drafts.PreNotification(agreement, recipient, clock.GetCurrentInstant() + leadTime, window ?? Duration.FromHours(2)), "prenotification", allowLate);

    public async Task<SubmissionResult> SubmitAsync(JsonObject draft, string kind, bool allowLate = false)
    {
        var result = await Submissions.SubmitAsync(Encoding.UTF8.GetBytes(draft.ToJsonString()), kind, allowLate, CancellationToken.None);
        Assert.True(result.IsAccepted, string.Join("; ", result.Errors.Select(e => e.ToString())));
        return result;
    }

    public async ValueTask DisposeAsync() => await services.DisposeAsync();
}

public static class Drafts
{
    public static string At(Instant instant) => InstantPattern.ExtendedIso.Format(instant);

    public static JsonObject Window(Instant start, Duration length) => new() { ["start"] = At(start), ["end"] = At(start + length) };

    public static JsonObject PreNotification(string agreement, string recipient, Instant windowStart, Duration windowLength) => new()
    {
        ["agreementId"] = agreement,
        ["recipients"] = new JsonArray(recipient),
        ["launchWindow"] = Window(windowStart, windowLength),
        ["missile"] = new JsonObject { ["class"] = "ICBM", ["type"] = "test", ["count"] = 1, ["groupLaunch"] = false, ["rangeKm"] = 6000 },
        ["launchArea"] = Circle("Launch area", 34.74, -120.57),
        ["impactAreas"] = new JsonArray(Circle("Impact area", 9.40, 167.47)),
        ["plannedAzimuthDeg"] = 247.0,
    };

    public static JsonObject Amendment(string agreement, string recipient, Guid amends, Instant windowStart, Duration windowLength) => new()
    {
        ["kind"] = "amendment",
        ["agreementId"] = agreement,
        ["recipients"] = new JsonArray(recipient),
        ["amends"] = amends.ToString(),
        ["reason"] = "test",
        ["changes"] = new JsonObject { ["launchWindow"] = Window(windowStart, windowLength) },
    };

    public static JsonObject Cancellation(string agreement, string recipient, Guid cancels) => new()
    {
        ["kind"] = "cancellation",
        ["agreementId"] = agreement,
        ["recipients"] = new JsonArray(recipient),
        ["cancels"] = cancels.ToString(),
        ["reason"] = "test",
    };

    public static JsonObject PostLaunch(string agreement, string recipient, Guid reportsOn, Instant launchedAt) => new()
    {
        ["kind"] = "postlaunch",
        ["agreementId"] = agreement,
        ["recipients"] = new JsonArray(recipient),
        ["reportsOn"] = reportsOn.ToString(),
        ["outcome"] = "launched",
        ["launchedAt"] = At(launchedAt),
        ["missilesLaunched"] = 1,
    };

    private static JsonObject Circle(string name, double lat, double lon) => new()
    {
        ["type"] = "circle", ["name"] = name, ["centre"] = new JsonObject { ["lat"] = lat, ["lon"] = lon }, ["radiusKm"] = 10,
    };
}

/// <summary>Keeps Error-and-above log entries (message and exception type) so a test can require there are none.</summary>
public sealed class RecordingLoggerProvider : Microsoft.Extensions.Logging.ILoggerProvider
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _errors = new();

    public IReadOnlyList<string> Errors => _errors.ToList();

    public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => new Logger(categoryName, _errors);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, System.Collections.Concurrent.ConcurrentQueue<string> errors) : Microsoft.Extensions.Logging.ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => logLevel >= Microsoft.Extensions.Logging.LogLevel.Error;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
                errors.Enqueue($"{category}: {formatter(state, exception)} {exception?.GetType().Name}");
        }
    }
}

public sealed class RecordingParkingLot : IParkingLot
{
    public List<ParkedMessage> Parked { get; } = [];

    public Task ParkAsync(ParkedMessage message, CancellationToken ct)
    {
        Parked.Add(message);
        return Task.CompletedTask;
    }
}
