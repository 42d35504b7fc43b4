using LaunchNotify.Node.Alarms;
using LaunchNotify.Node.Broker;
using LaunchNotify.Node.Hosting;
using LaunchNotify.Node.Inbox;
using LaunchNotify.Subscriber;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// A centre's subscriber: consumes the centre's inbox queue, stores each message once, answers with signed receipts.
// Content root = the binaries, not the working folder: there the store's WAL and the logs change on every message, and
// the configuration file watcher woke up for each change (7 % of the publisher's CPU samples, docs/performance.md).
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
var settings = NodeSettings.From(builder.Configuration);
builder.Services.AddLaunchNotifyNode(settings);
builder.Services.AddOutboxDispatcher(settings, NodeRole.Subscriber);
builder.Services.AddDeadlineWatcher(settings, NodeRole.Subscriber);
builder.Services.AddInboxConsumer(settings);
builder.Services.AddAlarmFeed(settings, NodeRole.Subscriber);

var host = builder.Build();
// Keys that cannot be used (a private key readable by others, no trust store) stop the node with the reason, not a stack trace.
if (!await host.Services.TryInitializeNodeAsync(settings, CancellationToken.None))
    return 2;
host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("LaunchNotify.Subscriber")
    .LogInformation("Subscriber for centre {Centre} consuming {Queue} (store {Store}, broker {Broker})",
        settings.Centre, BrokerTopology.InboxQueue(settings.Centre), settings.Store, settings.Broker);
await host.RunAsync();
return 0;
