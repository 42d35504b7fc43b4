using LaunchNotify.Domain.Agreements;
using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Rules;
using LaunchNotify.Node.Broker;
using LaunchNotify.Node.Inbox;
using LaunchNotify.Node.Outbox;
using LaunchNotify.Node.Queries;
using LaunchNotify.Node.Submission;
using LaunchNotify.Protocol.Agreements;
using LaunchNotify.Protocol.Schemas;
using LaunchNotify.Protocol.Signing;
using LaunchNotify.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace LaunchNotify.Node.Hosting;

/// <summary>Which deployable hosts the node: each dispatches only the kinds it produces.</summary>
public enum NodeRole { Publisher, Subscriber }

public static class NodeServices
{
    /// <summary>Everything a centre's publisher and subscriber share: identity, clock, store, keys, agreements, rules.</summary>
    public static IServiceCollection AddLaunchNotifyNode(this IServiceCollection services, NodeSettings settings, IClock? clock = null)
    {
        services.AddSingleton(settings);
        services.AddSingleton(settings.Identity);
        services.AddSingleton(clock ?? SystemClock.Instance);
        // Pooled: each store round trip used to build a context and resolve its EF services anew (lock contention in the profile).
        services.AddPooledDbContextFactory<NodeDbContext>(settings.Store.Configure);
        services.AddSingleton(SchemaCatalog.Default);
        services.AddSingleton<IAgreementSource>(settings.AgreementsDirectory is { } dir ? AgreementCatalog.FromDirectory(dir) : AgreementCatalog.Default);
        services.AddSingleton<IMessageRules, AgreementRules>();
        services.AddSingleton<IPayloadSigner>(_ => new JwsPayloadSigner(KeyStore.LoadPrivate(settings.KeysDirectory, settings.Centre)));
        services.AddSingleton<ISignatureVerifier>(_ => new JwsSignatureVerifier(KeyStore.LoadTrustedKeys(settings.KeysDirectory)));
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<SubmissionService>();
        services.AddSingleton<StatusQueries>();
        services.AddSingleton<InboxProcessor>();
        services.AddSingleton<Alarms.AlarmBook>();
        services.AddSingleton<IParkingLot>(sp => new AmqpParkingLot(
            new AmqpPublisher(settings.Broker, BrokerTopology.ParkingExchange, $"launchnotify-parking-{settings.Centre}"), settings.Identity));
        return services;
    }

    public static IServiceCollection AddOutboxDispatcher(this IServiceCollection services, NodeSettings settings, NodeRole role)
    {
        IReadOnlyCollection<string> kinds = role == NodeRole.Publisher
            ? [.. new[] { MessageKind.PreNotification, MessageKind.Amendment, MessageKind.Cancellation, MessageKind.PostLaunch, MessageKind.Heartbeat }.Select(k => k.WireName())]
            : [MessageKind.Receipt.WireName()];
        services.AddSingleton(new OutboxDispatcherOptions { Kinds = kinds });
        services.AddSingleton(_ => new AmqpPublisher(settings.Broker, BrokerTopology.Exchange, $"launchnotify-{role.ToString().ToLowerInvariant()}-{settings.Centre}"));
        services.AddHostedService<OutboxDispatcher>();
        return services;
    }

    /// <summary>Creates the store if needed and loads the keys now, so a misconfigured node fails at start, saying why.</summary>
    public static async Task InitializeNodeAsync(this IServiceProvider services, NodeSettings settings, CancellationToken ct)
    {
        await StoreInitializer.EnsureCreatedAsync(settings.Store, ct);
        _ = services.GetRequiredService<IPayloadSigner>();
        _ = services.GetRequiredService<ISignatureVerifier>();
    }
}
