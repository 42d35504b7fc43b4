using LaunchNotify.Node.Inbox;
using LaunchNotify.Node.Telemetry;
using MassTransit;

namespace LaunchNotify.Subscriber;

/// <summary>
/// One delivery from the centre's inbox: the processor stores it (or parks it) and only then does MassTransit ack.
/// A store failure throws, so the message is retried, never acked unstored.
/// </summary>
public sealed class InboxConsumer(InboxProcessor processor) : IConsumer<InboxBody>
{
    public async Task Consume(ConsumeContext<InboxBody> context)
    {
        var receive = context.ReceiveContext;
        string? userId = null, routingKey = null, messageId = null, type = null, contentType = receive.ContentType?.MediaType, traceParent = null, traceState = null;
        if (receive.TryGetPayload<RabbitMqBasicConsumeContext>(out var amqp))
        {
            userId = amqp.Properties.UserId;
            routingKey = amqp.RoutingKey;
            messageId = amqp.Properties.MessageId;
            type = amqp.Properties.Type;
            contentType = amqp.Properties.ContentType ?? contentType;
            traceParent = NodeTelemetry.HeaderText(amqp.Properties.Headers, NodeTelemetry.TraceParentHeader);
            traceState = NodeTelemetry.HeaderText(amqp.Properties.Headers, NodeTelemetry.TraceStateHeader);
        }
        await processor.ProcessAsync(new InboundDelivery(receive.Body.GetBytes(), userId, routingKey, messageId, type, contentType)
        {
            TraceParent = traceParent,
            TraceState = traceState,
        }, context.CancellationToken);
    }
}

/// <summary>Retry policy beside the consumer: transient store errors are retried in process before MassTransit gives up.</summary>
public sealed class InboxConsumerDefinition : ConsumerDefinition<InboxConsumer>
{
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<InboxConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.UseMessageRetry(r => r.Exponential(8, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(500)));
    }
}
