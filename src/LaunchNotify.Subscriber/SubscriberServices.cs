using LaunchNotify.Node.Broker;
using LaunchNotify.Node.Hosting;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace LaunchNotify.Subscriber;

public static class SubscriberServices
{
    /// <summary>
    /// MassTransit on the centre's inbox queue. The queue, its dead-lettering and its binding to the exchange belong to
    /// the broker provisioning, so MassTransit adds no consume topology.
    /// </summary>
    public static IServiceCollection AddInboxConsumer(this IServiceCollection services, NodeSettings settings, int prefetch = 32)
    {
        services.AddMassTransit(x =>
        {
            x.AddConsumer<InboxConsumer, InboxConsumerDefinition>();
            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(settings.Broker.Host, (ushort)settings.Broker.Port, settings.Broker.VirtualHost, $"launchnotify-subscriber-{settings.Centre}", h =>
                {
                    h.Username(settings.Broker.User);
                    h.Password(settings.Broker.Password);
                    // A clustered broker: MassTransit cycles through the nodes when a connection drops.
                    if (settings.Broker.ClusterNodes.Count > 0)
                        h.UseCluster(c =>
                        {
                            foreach (var node in settings.Broker.ClusterNodes)
                                c.Node(node);
                        });
                });
                cfg.ReceiveEndpoint(BrokerTopology.InboxQueue(settings.Centre), e =>
                {
                    e.ConfigureConsumeTopology = false;
                    e.PrefetchCount = prefetch;
                    // Must equal the provisioned queue's arguments: RabbitMQ refuses a redeclaration that differs.
                    e.SetQuorumQueue();
                    foreach (var (key, value) in BrokerTopology.InboxQueueArguments(settings.Centre).Where(a => a.Key != "x-queue-type"))
                        e.SetQueueArgument(key, value);
                    // MassTransit's error queue would republish with the sender's user_id, which the broker refuses:
                    // a message that keeps failing is requeued instead, and the broker parks it at the delivery limit.
                    e.PublishFaults = false;
                    e.RethrowFaultedMessages();
                    e.ClearSerialization();
                    e.UseRawJsonSerializer(RawSerializerOptions.AnyMessageType, isDefault: true);
                    foreach (var mediaType in JwsBodySerializerFactory.MediaTypes)
                        e.AddDeserializer(new JwsBodySerializerFactory(mediaType), isDefault: mediaType == JwsBodySerializerFactory.MediaTypes[0]);
                    e.ConfigureConsumer<InboxConsumer>(context);
                });
            });
        });
        return services;
    }
}
