using LaunchNotify.Node.Alarms;
using LaunchNotify.Node.Broker;
using LaunchNotify.Node.Hosting;
using LaunchNotify.Node.Security;
using LaunchNotify.Subscriber;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// A centre's subscriber: consumes the centre's inbox queue, stores each message once, answers with signed receipts.
// It serves only /health/live, /health/ready (open) and /metrics (a bearer token of any role, as on the publisher), on
// LaunchNotify:Subscriber:HttpUrl: off loopback only with TLS, like the publisher's API.
// Content root = the binaries, not the working folder: there the store's WAL and the logs change on every message, and
// the configuration file watcher woke up for each change (7 % of the publisher's CPU samples, docs/performance.md).
return await NodeHosting.RunGuardedAsync(async () =>
{
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
    var settings = builder.AddNodeHosting(NodeRole.Subscriber);
    if (settings.ReadOnly)
        throw new SettingsException([NodeOptionsValidation.Line("LaunchNotify:ReadOnly", "true",
            "must be false for the subscriber: it stores what it receives (run the publisher read-only to look at a store)")]);
    if (TransportGuard.Check(builder.Configuration, settings.Subscriber.HttpUrl, "LaunchNotify:Subscriber:HttpUrl") is { Count: > 0 } transportProblems)
        throw new SettingsException([.. transportProblems]);
    builder.AddScrapeAuthentication(settings);
    builder.Services.AddLaunchNotifyNode(settings);
    builder.Services.AddOutboxDispatcher(settings, NodeRole.Subscriber);
    builder.Services.AddDeadlineWatcher(settings, NodeRole.Subscriber);
    builder.Services.AddInboxConsumer(settings, settings.Subscriber.Prefetch);
    builder.Services.AddAlarmFeed(settings, NodeRole.Subscriber);

    var app = builder.Build();
    await app.Services.InitializeNodeAsync(settings, CancellationToken.None);
    app.UseAuthentication();
    app.UseAuthorization();
    app.MapNodeEndpoints(settings, NodeRole.Subscriber, metrics => metrics.RequireAuthorization(NodeBearer.AnyRolePolicy));
    await app.StartAsync();
    var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
    app.Logger.LogInformation("Subscriber for centre {Centre} consuming {Queue} (store {Store}, broker {Broker}); health and metrics on {Addresses}",
        settings.Centre, BrokerTopology.InboxQueue(settings.Centre), settings.Store, settings.Broker, string.Join(", ", addresses));
    await app.WaitForShutdownAsync();
});
