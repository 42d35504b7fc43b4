using System.Diagnostics;
using LaunchNotify.Node.Broker;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace LaunchNotify.Bench;

/// <summary>
/// The broker's floor with the pipeline's guarantees and nothing else: plain RabbitMQ.Client publishing persistent,
/// mandatory messages of the pipeline's size through the topic exchange with publisher confirms, into a quorum
/// queue consumed with manual acks, publisher and consumer running at once.
/// </summary>
public static class FloorBenchmark
{
    private const string Queue = "launchnotify.bench.floor";
    private const string BindingKey = "benchfloor.#";
    private const string RoutingKey = "benchfloor.XX.prenotification";

    public static async Task<FloorResult> RunAsync(BenchEnvironment env, int messages, byte[] body, int window, ushort prefetch,
        Action<string, double> progress, CancellationToken ct)
    {
        await using var admin = await env.ConnectAsAdminAsync("bench-floor-setup", ct);
        await using (var setup = await admin.CreateChannelAsync(cancellationToken: ct))
        {
            await setup.QueueDeclareAsync(Queue, durable: true, exclusive: false, autoDelete: false,
                arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" }, cancellationToken: ct);
            await setup.QueueBindAsync(Queue, BrokerTopology.Exchange, BindingKey, cancellationToken: ct);
            await setup.QueuePurgeAsync(Queue, ct);
        }
        try
        {
            var sequential = await MeasureAsync(env, Math.Min(300, messages), body, window: 1, prefetch, (_, f) => progress("floor: one at a time", f), ct);
            var pipelined = await MeasureAsync(env, messages, body, window, prefetch, (_, f) => progress("floor: pipelined", f), ct);
            return new FloorResult(messages, body.Length, window, prefetch, pipelined.Seconds, Math.Round(messages / pipelined.Seconds, 1),
                pipelined.Latency, sequential.Latency);
        }
        finally
        {
            await using var cleanup = await admin.CreateChannelAsync(cancellationToken: CancellationToken.None);
            await cleanup.QueueDeleteAsync(Queue, ifUnused: false, ifEmpty: false, cancellationToken: CancellationToken.None);
        }
    }

    private static async Task<(double Seconds, LatencySummary Latency)> MeasureAsync(BenchEnvironment env, int messages, byte[] body, int window,
        ushort prefetch, Action<string, double> progress, CancellationToken ct)
    {
        var published = new long[messages];
        var delivered = new long[messages];
        var received = 0;
        var allReceived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var nextDelivery = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        await using var consumerConnection = await env.ConnectAsAdminAsync("bench-floor-consumer", ct);
        await using var consumerChannel = await consumerConnection.CreateChannelAsync(cancellationToken: ct);
        await consumerChannel.BasicQosAsync(0, prefetch, false, ct);
        var consumer = new AsyncEventingBasicConsumer(consumerChannel);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            var now = Stopwatch.GetTimestamp();
            if (int.TryParse(delivery.BasicProperties.MessageId, out var index) && index < messages)
                delivered[index] = now;
            await consumerChannel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
            var count = Interlocked.Increment(ref received);
            Volatile.Read(ref nextDelivery).TrySetResult();
            if (count == messages)
                allReceived.TrySetResult();
        };
        await consumerChannel.BasicConsumeAsync(Queue, autoAck: false, consumer, ct);

        await using var publisherConnection = await env.ConnectAsAdminAsync("bench-floor-publisher", ct);
        await using var channel = await publisherConnection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct);
        using var inFlight = new SemaphoreSlim(window, window);
        var pending = new List<Task>(messages);
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < messages; i++)
        {
            await inFlight.WaitAsync(ct);
            if (window == 1)
                Volatile.Write(ref nextDelivery, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            var properties = new BasicProperties
            {
                MessageId = i.ToString(),
                Type = "prenotification",
                ContentType = "application/jose+json",
                DeliveryMode = DeliveryModes.Persistent,
                UserId = env.Admin.User,
            };
            published[i] = Stopwatch.GetTimestamp();
            pending.Add(PublishAsync(channel, properties, body, inFlight, ct));
            if (window == 1)
            {
                // One message in the system at a time: the broker's latency floor for one hop.
                await pending[^1];
                await nextDelivery.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
            }
            if (i % 500 == 0)
                progress("", (double)received / messages);
        }
        await Task.WhenAll(pending);
        using (var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(250)))
        {
            while (!allReceived.Task.IsCompleted)
            {
                progress("", (double)Volatile.Read(ref received) / messages);
                await Task.WhenAny(allReceived.Task, tick.WaitForNextTickAsync(ct).AsTask()).WaitAsync(TimeSpan.FromSeconds(60), ct);
            }
        }
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        progress("", 1);
        var latencies = Enumerable.Range(0, messages).Where(i => delivered[i] != 0)
            .Select(i => Stopwatch.GetElapsedTime(published[i], delivered[i]).TotalMilliseconds);
        return (seconds, LatencySummary.From(latencies));
    }

    private static async Task PublishAsync(IChannel channel, BasicProperties properties, byte[] body, SemaphoreSlim inFlight, CancellationToken ct)
    {
        try
        {
            // Confirm tracking on: completes when the broker confirms (throws on a nack or a return).
            await channel.BasicPublishAsync(BrokerTopology.Exchange, RoutingKey, mandatory: true, properties, body, ct);
        }
        finally
        {
            inFlight.Release();
        }
    }
}
