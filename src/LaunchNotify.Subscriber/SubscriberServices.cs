using LaunchNotify.Node.Broker;
using LaunchNotify.Node.Hosting;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace LaunchNotify.Subscriber;

public static class SubscriberServices
{
    /// <summary>
    /// MassTransit on the centre's inbox queue. The queue, its dead-lettering and its binding belong to the broker
    /// provisioning (infra), so MassTransit only consumes: no consume topology, no queue binding.
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
                });
                cfg.ReceiveEndpoint(BrokerTopology.InboxQueue(settings.Centre), e =>
                {
                    e.ConfigureConsumeTopology = false;
                    e.BindQueue = false;
                    e.PrefetchCount = prefetch;
                    BrokerTopology.ApplyInboxQueueArguments(e, settings.Centre);
                    e.ClearSerialization();
                    foreach (var mediaType in JwsBodySerializerFactory.MediaTypes)
                        e.AddDeserializer(new JwsBodySerializerFactory(mediaType), isDefault: mediaType == JwsBodySerializerFactory.MediaTypes[0]);
                    e.ConfigureConsumer<InboxConsumer>(context);
                });
            });
        });
        return services;
    }
}
