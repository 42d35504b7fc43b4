using System.Text.Json;
using LaunchNotify.Node.Broker;
using LaunchNotify.Node.Hosting;
using LaunchNotify.Node.Outbox;
using LaunchNotify.Protocol.Json;
using LaunchNotify.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace LaunchNotify.Node.Alarms;

/// <summary>
/// Publishes every stored alarm change (raised, acknowledged, resolved) on the local alarm exchange
/// (<see cref="BrokerTopology.AlarmExchange"/>) with publisher confirms, then marks it published. Alarms are stored
/// first, by whoever raises them, so a broker outage delays the feed and loses nothing. Each process of a node may run
/// a feed: a feed claims pending rows for a lease before publishing, so two processes never publish the same change
/// (only a feed that stalls past its lease or dies mid-publish can cause a repeat; consumers keep the highest version).
/// </summary>
public sealed class AlarmFeed(
    IDbContextFactory<NodeDbContext> dbFactory,
    AmqpPublisher publisher,
    NodeIdentity node,
    IClock clock,
    AlarmFeedOptions options,
    ILogger<AlarmFeed> logger) : BackgroundService, IAsyncDisposable
{
    public const string MessageType = "alarm";
    public const string ContentType = "application/json";

    private bool _toldUnrouted;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        BrokerWorkLoop.RunAsync(PublishPendingAsync, ct => Task.Delay(options.PollInterval, ct), options.MaxBackoff, logger,
            "alarm feed", $"alarms stay stored and go out on {BrokerTopology.AlarmExchange} when it returns", stoppingToken);

    /// <summary>Claims a batch of unpublished alarm changes, publishes each with confirms, marks it published; returns how many went out.</summary>
    public async Task<int> PublishPendingAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetCurrentInstant();
        var token = Guid.NewGuid();
        var until = now + options.ClaimLease;
        var candidates = db.Alarms
            .Where(a => a.PublishPending && (a.ClaimedUntil == null || a.ClaimedUntil < now))
            .OrderBy(a => a.ChangedAt).Take(options.BatchSize).Select(a => a.Id);
        // The condition is repeated in the update itself: another process that claimed a row first makes it fail here.
        var claimed = await db.Alarms
            .Where(a => candidates.Contains(a.Id) && a.PublishPending && (a.ClaimedUntil == null || a.ClaimedUntil < now))
            .ExecuteUpdateAsync(u => u.SetProperty(a => a.ClaimToken, token).SetProperty(a => a.ClaimedUntil, until), ct);
        if (claimed == 0)
            return 0;

        var alarms = await db.Alarms.AsNoTracking().Where(a => a.ClaimToken == token).OrderBy(a => a.ChangedAt).ToListAsync(ct);
        var published = 0;
        foreach (var alarm in alarms)
        {
            var view = AlarmView.From(alarm, node.Centre);
            try
            {
                await publisher.PublishAsync(ToMessage(view), ct);
            }
            catch (UnroutableMessageException)
            {
                // The broker took it, but no system has bound a queue: the store keeps the alarm, and the API lists it.
                if (!_toldUnrouted)
                    logger.LogInformation("No queue is bound to {Exchange} for {RoutingKey}; alarms stay listed by GET /v1/alarms. " +
                                          "Bind a durable queue there to receive the feed (docs/alarms.md).", BrokerTopology.AlarmExchange, view.RoutingKey);
                _toldUnrouted = true;
            }
            catch (Exception e) when (e is BrokerUnavailableException or OperationCanceledException)
            {
                await ReleaseAsync(token);
                throw;
            }

            var version = alarm.Version;
            var publishedAt = clock.GetCurrentInstant();
            await db.Alarms.Where(a => a.Id == alarm.Id && a.ClaimToken == token).ExecuteUpdateAsync(u => u
                .SetProperty(a => a.PublishedVersion, version)
                .SetProperty(a => a.PublishedAt, publishedAt)
                // Changed again while this version went out: stays pending, and the next round publishes the newer one.
                .SetProperty(a => a.PublishPending, a => a.Version != version)
                .SetProperty(a => a.ClaimToken, (Guid?)null)
                .SetProperty(a => a.ClaimedUntil, (Instant?)null), ct);
            published++;
        }
        if (published > 0)
            logger.LogDebug("Published {Count} alarm change(s) on {Exchange}", published, BrokerTopology.AlarmExchange);
        return published;
    }

    /// <summary>The AMQP message for one alarm version: JSON body, <c>message_id</c> "&lt;id&gt;.v&lt;version&gt;".</summary>
    public static OutgoingMessage ToMessage(AlarmView view) =>
        new(view.Id, MessageType, view.RoutingKey, JsonSerializer.SerializeToUtf8Bytes(view, WireJson.Options), view.ChangedAt.ToUnixTimeSeconds())
        {
            ContentType = ContentType,
            AmqpMessageId = $"{view.Id:D}.v{view.Version}",
        };

    private async Task ReleaseAsync(Guid token)
    {
        // Let any process try again at once rather than after the lease.
        await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
        await db.Alarms.Where(a => a.ClaimToken == token).ExecuteUpdateAsync(u => u
            .SetProperty(a => a.ClaimToken, (Guid?)null)
            .SetProperty(a => a.ClaimedUntil, (Instant?)null), CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        Dispose();
        await publisher.DisposeAsync();
    }
}

public sealed record AlarmFeedOptions
{
    /// <summary>How often a feed looks for unpublished changes (alarms are raised in other transactions, other processes).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a claim keeps other processes off a row; far longer than a confirm takes.</summary>
    public Duration ClaimLease { get; init; } = Duration.FromSeconds(30);

    public int BatchSize { get; init; } = 100;
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(5);
}

public static class AlarmServices
{
    /// <summary>The alarm feed, as the centre's broker user (its topic permission allows <c>&lt;centre&gt;.#</c> on the alarm exchange).</summary>
    public static IServiceCollection AddAlarmFeed(this IServiceCollection services, NodeSettings settings, NodeRole role)
    {
        services.AddSingleton(new AlarmFeedOptions());
        services.AddHostedService(sp => ActivatorUtilities.CreateInstance<AlarmFeed>(sp,
            new AmqpPublisher(settings.Broker, BrokerTopology.AlarmExchange, $"launchnotify-alarms-{role.ToString().ToLowerInvariant()}-{settings.Centre}")));
        return services;
    }
}
