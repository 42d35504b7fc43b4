using System.Text.Json;
using LaunchNotify.Domain.Alarms;
using LaunchNotify.Node.Deadlines;
using LaunchNotify.Protocol.Signing;
using LaunchNotify.Storage;
using LaunchNotify.Storage.Entities;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using NodaTime;

namespace LaunchNotify.Node.Hosting;

/// <summary>
/// Liveness (<c>/health/live</c>: the process answers) and readiness (<c>/health/ready</c>: store reachable, broker
/// connected, signing key loaded, deadline watcher keeping up, outbox backlog under its threshold) for both deployables,
/// with ASP.NET Core health checks. Read-only nodes check only what they use: the store and the keys.
/// </summary>
public static class NodeHealth
{
    public const string ReadyTag = "ready";

    public static IHealthChecksBuilder AddNodeHealthChecks(this IServiceCollection services, NodeSettings settings)
    {
        var checks = services.AddHealthChecks()
            .AddCheck<StoreHealthCheck>("store", tags: [ReadyTag])
            .AddCheck<SigningKeyHealthCheck>("signing-key", tags: [ReadyTag]);
        if (!settings.ReadOnly)
        {
            checks.AddCheck<BrokerHealthCheck>("broker", tags: [ReadyTag])
                .AddCheck<DeadlineWatcherHealthCheck>("deadline-watcher", tags: [ReadyTag])
                .AddCheck<OutboxBacklogHealthCheck>("outbox-backlog", tags: [ReadyTag]);
        }
        return checks;
    }

    public static void MapNodeHealth(this IEndpointRouteBuilder app, NodeSettings settings, string role)
    {
        // Probes are open to all (an orchestrator has no account): they say whether the node works, nothing of its traffic.
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = Writer(settings, role) }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = Writer(settings, role) }).AllowAnonymous();
    }

    /// <summary>JSON: overall status and each check's status, description and data, for people and probes alike.</summary>
    private static Func<HttpContext, HealthReport, Task> Writer(NodeSettings settings, string role) => (context, report) =>
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            centre = settings.Centre.Value,
            role,
            readOnly = settings.ReadOnly,
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString(),
                description = e.Value.Description,
                data = e.Value.Data.Count == 0 ? null : e.Value.Data,
            }),
        }, new JsonSerializerOptions(JsonSerializerDefaults.Web)));
    };
}

internal sealed class StoreHealthCheck(IDbContextFactory<NodeDbContext> dbFactory) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var messages = await db.OutboundMessages.CountAsync(ct);
            return HealthCheckResult.Healthy("The store answers.", new Dictionary<string, object> { ["outboundMessages"] = messages });
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"The store does not answer: {e.Message}");
        }
    }
}

internal sealed class SigningKeyHealthCheck(IServiceProvider services) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            var signer = services.GetRequiredService<IPayloadSigner>();
            var data = new Dictionary<string, object> { ["centre"] = signer.Centre.Value };
            if (signer is JwsPayloadSigner jws)
                data["kid"] = jws.Kid;
            return Task.FromResult(HealthCheckResult.Healthy("The signing key is loaded.", data));
        }
        catch (Exception e)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"The signing key is not loaded: {e.Message}"));
        }
    }
}

/// <summary>Opens (and closes) an AMQP connection as the centre's broker user: reachable, and the credentials still work.</summary>
internal sealed class BrokerHealthCheck(NodeSettings settings) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            await using var connection = await settings.Broker.CreateFactory($"launchnotify-health-{settings.Centre}").CreateConnectionAsync(ct);
            return HealthCheckResult.Healthy($"Connected to {settings.Broker}.");
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"Cannot connect to the broker at {settings.Broker}: {e.Message}");
        }
    }
}

internal sealed class DeadlineWatcherHealthCheck(IEnumerable<IHostedService> hosted, IClock clock, NodeSettings settings) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        if (hosted.OfType<DeadlineWatcher>().FirstOrDefault() is not { } watcher)
            return Task.FromResult(HealthCheckResult.Healthy("This process runs no deadline watcher."));
        var now = clock.GetCurrentInstant();
        var since = now - (watcher.LastPassAt ?? watcher.StartedAt);
        var allowed = Duration.FromTimeSpan(settings.Health.DeadlineWatcherLag);
        var data = new Dictionary<string, object> { ["secondsSinceLastPass"] = Math.Round(since.TotalSeconds, 3) };
        return Task.FromResult(since <= allowed
            ? HealthCheckResult.Healthy("The deadline watcher keeps up.", data)
            : HealthCheckResult.Unhealthy($"The deadline watcher has not finished a pass for {since.TotalSeconds:0} s (allowed {allowed.TotalSeconds:0} s).", data: data));
    }
}

internal sealed class OutboxBacklogHealthCheck(IDbContextFactory<NodeDbContext> dbFactory, NodeSettings settings) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var backlog = await db.Outbox.CountAsync(o => o.PublishedAt == null, ct);
        var data = new Dictionary<string, object> { ["unpublished"] = backlog, ["threshold"] = settings.Health.OutboxBacklogThreshold };
        return backlog < settings.Health.OutboxBacklogThreshold
            ? HealthCheckResult.Healthy($"{backlog} outbox entries wait to be published.", data)
            : HealthCheckResult.Unhealthy($"{backlog} outbox entries wait to be published (threshold {settings.Health.OutboxBacklogThreshold}): is the broker reachable?", data: data);
    }
}

/// <summary>Samples what the metrics report as gauges (open alarms by kind and centre, outbox backlog) every few seconds.</summary>
public sealed class NodeGaugeSampler : BackgroundService
{
    private readonly IDbContextFactory<NodeDbContext> _dbFactory;
    private readonly Microsoft.Extensions.Logging.ILogger<NodeGaugeSampler> _logger;
    private volatile IReadOnlyList<(string Kind, string? Centre, int Count)> _openAlarms = [];
    private long _backlog;

    /// <param name="links">The centre's links (federated topology only; a hub centre has none and reports no link gauges).</param>
    public NodeGaugeSampler(IDbContextFactory<NodeDbContext> dbFactory, System.Diagnostics.Metrics.IMeterFactory meters,
        Microsoft.Extensions.Logging.ILogger<NodeGaugeSampler> logger, Timeliness.ILinkStates? links = null)
    {
        _dbFactory = dbFactory;
        _logger = logger;
        // A meter of this container (the static NodeTelemetry.Meter has the same name): two nodes in one test process keep their own gauges.
        var meter = meters.Create(new System.Diagnostics.Metrics.MeterOptions(Telemetry.NodeTelemetry.Name));
        meter.CreateObservableGauge("launchnotify.alarms.open",
            () => _openAlarms.Select(a => new System.Diagnostics.Metrics.Measurement<int>(a.Count,
                new KeyValuePair<string, object?>("kind", a.Kind), new KeyValuePair<string, object?>("centre", a.Centre))),
            unit: "{alarm}", description: "Open alarms by kind and counterpart centre; kind LINK_SILENT is the state of each link.");
        meter.CreateObservableGauge("launchnotify.outbox.backlog", () => Interlocked.Read(ref _backlog),
            unit: "{entry}", description: "Outbox entries not yet published.");
        // Each link's state as its broker last reported it (LinkMonitor's poll): one series per counterpart and condition,
        // 1 for the condition the link is in and 0 for the others, so an alert can say "link to RU down".
        meter.CreateObservableGauge("launchnotify.link.state",
            () => (links?.Snapshot.Links ?? []).SelectMany(l => Enum.GetValues<Broker.LinkCondition>().Select(c =>
                new System.Diagnostics.Metrics.Measurement<int>(l.Condition == c ? 1 : 0,
                    new KeyValuePair<string, object?>("counterpart", l.Counterpart.Value), new KeyValuePair<string, object?>("condition", c.ToString())))),
            unit: "{link}", description: "Each link to a counterpart's broker: 1 for its condition (Running, Blocked, Down, Absent), 0 for the others.");
        meter.CreateObservableGauge("launchnotify.link.backlog",
            () => (links?.Snapshot.Links ?? []).Select(l => new System.Diagnostics.Metrics.Measurement<long>(l.Backlog + l.InFlight,
                new KeyValuePair<string, object?>("counterpart", l.Counterpart.Value))),
            unit: "{message}", description: "Messages waiting on the centre's broker for the link to a counterpart (ready and in flight).");
        meter.CreateObservableGauge("launchnotify.link.last_forward_age",
            () => (links?.Snapshot.Links ?? []).Where(l => l.LastForwardAt is not null).Select(l => new System.Diagnostics.Metrics.Measurement<double>(
                (l.ObservedAt - l.LastForwardAt!.Value).TotalSeconds, new KeyValuePair<string, object?>("counterpart", l.Counterpart.Value))),
            unit: "s", description: "How long before the last observation the link last forwarded a confirmed message.");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var db = await _dbFactory.CreateDbContextAsync(stoppingToken);
                var open = await db.Alarms.Where(a => a.State != AlarmState.Resolved)
                    .GroupBy(a => new { a.Kind, a.Centre }).Select(g => new { g.Key.Kind, g.Key.Centre, Count = g.Count() }).ToListAsync(stoppingToken);
                _openAlarms = [.. open.Select(a => (a.Kind.Code(), a.Centre, a.Count))];
                Interlocked.Exchange(ref _backlog, await db.Outbox.CountAsync(o => o.PublishedAt == null, stoppingToken));
                await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                Microsoft.Extensions.Logging.LoggerExtensions.LogWarning(_logger, e, "Could not sample the gauges; trying again");
                await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken);
            }
        }
    }
}
