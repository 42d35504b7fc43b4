using LaunchNotify.Node.Inbox;
using LaunchNotify.Node.Telemetry;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace LaunchNotify.Subscriber;

/// <summary>
/// One delivery from the centre's inbox: the processor stores it (or parks it) and only then does MassTransit ack.
/// Content never throws (docs/protocol.md §4), so every delivery ends at once in one outcome. A transient fault (store
/// or broker down) throws and is retried (see <see cref="InboxConsumerDefinition"/>), never acked unstored; any other
/// exception is a fault of this node, not of time: the delivery is parked as PROCESSING_FAILED instead of being retried.
/// </summary>
public sealed class InboxConsumer(InboxProcessor processor, ILogger<InboxConsumer> logger) : IConsumer<InboxBody>
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
        var delivery = new InboundDelivery(receive.Body.GetBytes(), userId, routingKey, messageId, type, contentType)
        {
            TraceParent = traceParent,
            TraceState = traceState,
        };
        try
        {
            await processor.ProcessAsync(delivery, context.CancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException && !TransientFaults.IsTransient(e))
        {
            logger.LogError(e, "Processing a delivery (user_id {UserId}, message id {MessageId}) failed permanently; parking it as PROCESSING_FAILED", userId, messageId);
            await processor.ParkFaultAsync(delivery, e, context.CancellationToken);
        }
    }
}

/// <summary>
/// Retry policy beside the consumer: only transient faults (<see cref="TransientFaults"/>) are retried, in process, with
/// backoff capped at 30 s and no limit, so a store outage delays messages and never parks a valid one (each requeue
/// would count towards the quorum queue's delivery limit). Nothing else is retried.
/// </summary>
public sealed class InboxConsumerDefinition : ConsumerDefinition<InboxConsumer>
{
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<InboxConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.UseMessageRetry(r =>
        {
            r.Handle<Exception>(TransientFaults.IsTransient);
            r.Exponential(int.MaxValue, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(500));
        });
    }
}
