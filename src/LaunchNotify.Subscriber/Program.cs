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
var builder = Host.CreateApplicationBuilder(args);
var settings = NodeSettings.From(builder.Configuration);
builder.Services.AddLaunchNotifyNode(settings);
builder.Services.AddOutboxDispatcher(settings, NodeRole.Subscriber);
builder.Services.AddDeadlineWatcher(settings, NodeRole.Subscriber);
builder.Services.AddInboxConsumer(settings);
builder.Services.AddAlarmFeed(settings, NodeRole.Subscriber);

var host = builder.Build();
await host.Services.InitializeNodeAsync(settings, CancellationToken.None);
host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("LaunchNotify.Subscriber")
    .LogInformation("Subscriber for centre {Centre} consuming {Queue} (store {Store}, broker {Broker})",
        settings.Centre, BrokerTopology.InboxQueue(settings.Centre), settings.Store, settings.Broker);
await host.RunAsync();
