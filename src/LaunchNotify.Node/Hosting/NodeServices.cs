using LaunchNotify.Domain.Agreements;
using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Rules;
using LaunchNotify.Node.Broker;
using LaunchNotify.Node.Deadlines;
using LaunchNotify.Node.Inbox;
using LaunchNotify.Node.Keys;
using LaunchNotify.Node.Outbox;
using LaunchNotify.Node.Queries;
using LaunchNotify.Node.Submission;
using LaunchNotify.Node.Timeliness;
using LaunchNotify.Protocol.Agreements;
using LaunchNotify.Protocol.Schemas;
using LaunchNotify.Protocol.Signing;
using LaunchNotify.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace LaunchNotify.Node.Hosting;

/// <summary>
/// Which deployable hosts the node: each dispatches only the kinds it produces. <see cref="Both"/> is one process
/// doing both jobs (an in-process centre, e.g. in tests): one dispatcher then sends every kind.
/// </summary>
public enum NodeRole { Publisher, Subscriber, Both }

public static class NodeServices
{
    /// <summary>Everything a centre's publisher and subscriber share: identity, clock, store, keys, agreements, rules.</summary>
    public static IServiceCollection AddLaunchNotifyNode(this IServiceCollection services, NodeSettings settings, IClock? clock = null)
    {
        services.AddSingleton(settings);
        services.AddSingleton(settings.Identity);
        services.AddSingleton(clock ?? SystemClock.Instance);
        // Pooled: each store round trip used to build a context and resolve its EF services anew (lock contention in the profile).
        services.AddPooledDbContextFactory<NodeDbContext>((settings.ReadOnly ? settings.Store.AsReadOnly() : settings.Store).Configure);
        services.AddSingleton(new StoreWriteGate(settings.Store.Provider));
        services.AddSingleton(SchemaCatalog.Default);
        services.AddSingleton<IAgreementSource>(settings.AgreementsDirectory is { } dir ? AgreementCatalog.FromDirectory(dir) : AgreementCatalog.Default);
        services.AddSingleton<IMessageRules, AgreementRules>();
        // One key ring for signing and verifying; it reloads when the key files change (Keys/KeyFileWatcher).
        services.AddSingleton<KeyRing>();
        services.AddSingleton<IPayloadSigner>(sp => sp.GetRequiredService<KeyRing>());
        services.AddSingleton<ISignatureVerifier>(sp => sp.GetRequiredService<KeyRing>());
        services.AddSingleton<KeyAnnouncements>();
        services.AddHostedService(sp => new KeyFileWatcher(settings.KeysDirectory, sp.GetRequiredService<KeyRing>,
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<KeyFileWatcher>>()));
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<SubmissionService>();
        services.AddSingleton<StatusQueries>();
        services.AddSingleton<LaunchNotify.Node.Maps.MapQueries>();
        services.AddSingleton<GroupCommitter>();
        services.AddSingleton<InboxProcessor>();
        services.AddSingleton<Alarms.AlarmBook>();
        services.AddSingleton(settings.Timeliness);
        services.AddSingleton<DeadlineSignal>();
        services.AddSingleton<DeadlineBook>();
        services.AddSingleton<ReceiptDeadlines>();
        services.AddSingleton<MissingNotifications>();
        services.AddSingleton<LinkSilence>();
        services.AddSingleton<PostLaunchDeadlines>();
        services.AddSingleton<Acknowledgements.AcknowledgementDeadlines>();
        services.AddSingleton<Acknowledgements.AcknowledgementService>();
        services.AddSingleton<Acknowledgements.AwaitingAcknowledgementQuery>();
        services.AddSingleton<ReceivedTimeliness>();
        // What people read: the glossary and the centre's language and zone; readers override per request (docs/glossary.md).
        services.AddSingleton<Presentation.IGlossary>(Presentation.JsonGlossary.Default);
        services.AddSingleton(sp => new Presentation.RenderingLanguage(
            sp.GetRequiredService<Presentation.IGlossary>(), settings.Rendering.Language, settings.Rendering.Zone));
        services.AddSingleton<IParkingLot>(sp => new AmqpParkingLot(
            new AmqpPublisher(settings.Broker, BrokerTopology.ParkingExchange, $"launchnotify-parking-{settings.Centre}"), settings.Identity));
        return services;
    }

    public static IServiceCollection AddOutboxDispatcher(this IServiceCollection services, NodeSettings settings, NodeRole role)
    {
        // Acknowledgements are made through the publisher's API (a duty officer), so the publisher sends them too.
        MessageKind[] published = [MessageKind.PreNotification, MessageKind.Amendment, MessageKind.Cancellation, MessageKind.PostLaunch, MessageKind.Heartbeat,
            MessageKind.Acknowledgement];
        IReadOnlyCollection<string> kinds = role switch
        {
            NodeRole.Publisher => [.. published.Select(k => k.WireName()), KeyAnnouncement.Kind],
            NodeRole.Subscriber => [MessageKind.Receipt.WireName()],
            _ => [.. published.Append(MessageKind.Receipt).Select(k => k.WireName()), KeyAnnouncement.Kind],
        };
        services.AddSingleton(new OutboxDispatcherOptions
        {
            Kinds = kinds,
            Owner = $"{settings.Centre}-{role.ToString().ToLowerInvariant()}/{Environment.MachineName}",
        });
        services.AddSingleton(_ => new AmqpPublisher(settings.Broker, BrokerTopology.Exchange, $"launchnotify-{role.ToString().ToLowerInvariant()}-{settings.Centre}"));
        services.AddHostedService<OutboxDispatcher>();
        return services;
    }

    /// <summary>
    /// The deadline watcher. Both deployables run one for the alarm deadlines (claims keep each firing single), so a
    /// centre keeps its alarms while either process is down; the publisher, which dispatches heartbeats, also sends them.
    /// </summary>
    public static IServiceCollection AddDeadlineWatcher(this IServiceCollection services, NodeSettings settings, NodeRole role)
    {
        services.AddSingleton<IDeadlineHandler>(sp => sp.GetRequiredService<ReceiptDeadlines>());
        services.AddSingleton<IDeadlineHandler>(sp => sp.GetRequiredService<MissingNotifications>());
        services.AddSingleton<IDeadlineHandler>(sp => sp.GetRequiredService<LinkSilence>());
        services.AddSingleton<IDeadlineHandler>(sp => sp.GetRequiredService<PostLaunchDeadlines>());
        services.AddSingleton<IDeadlineHandler>(sp => sp.GetRequiredService<Acknowledgements.AcknowledgementDeadlines>());
        // Whoever dispatches heartbeats sends them (a subscriber only dispatches receipts).
        if (role != NodeRole.Subscriber)
            services.AddSingleton<IDeadlineHandler, HeartbeatSender>();
        services.AddSingleton(new DeadlineWatcherOptions
        {
            PollInterval = settings.Timeliness.WatchInterval,
            Name = $"{settings.Centre}-{role.ToString().ToLowerInvariant()}/{Environment.MachineName}/{Environment.ProcessId}",
        });
        services.AddHostedService<DeadlineWatcher>();
        return services;
    }

    /// <summary>Federated topology: watches the centre's links on its own broker (state for the API, LINK_SILENT). A hub centre has none.</summary>
    /// <param name="watch">False for a read-only node: the last state can be shown, nothing is polled or raised.</param>
    public static IServiceCollection AddLinkMonitor(this IServiceCollection services, NodeSettings settings, bool watch = true)
    {
        services.AddSingleton(settings.Topology);
        services.AddSingleton<LinkMonitor>();
        services.AddSingleton<ILinkStates>(sp => sp.GetRequiredService<LinkMonitor>());
        if (watch && settings.Topology.WatchesLinks)
            services.AddHostedService(sp => sp.GetRequiredService<LinkMonitor>());
        return services;
    }

    /// <summary>
    /// Creates or upgrades the store (or, read-only or with Migrations=Manual, checks that it needs nothing) and loads the
    /// keys now, so a misconfigured node fails at start, saying why (<see cref="StoreSchemaException"/> for the store).
    /// </summary>
    public static async Task InitializeNodeAsync(this IServiceProvider services, NodeSettings settings, CancellationToken ct)
    {
        if (settings.ReadOnly)
            await StoreMigrator.RequireCurrentAsync(settings.Store.AsReadOnly(), ct);
        else if (settings.Migrations == StoreMigrations.Manual)
            await StoreMigrator.RequireCurrentAsync(settings.Store, ct);
        else
            await StoreMigrator.MigrateAsync(settings.Store, ct);
        _ = services.GetRequiredService<IPayloadSigner>();
        _ = services.GetRequiredService<ISignatureVerifier>();
    }
}
