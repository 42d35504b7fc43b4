using System.Collections.Concurrent;
using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node;
using LaunchNotify.Node.Broker;
using LaunchNotify.Node.Outbox;
using LaunchNotify.Protocol.Json;
using LaunchNotify.Protocol.Signing;
using NodaTime;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace LaunchNotify.Bench;

/// <summary>
/// Many counterpart centres played by one lightweight process (the fan-out phase): for each centre one AMQP connection
/// as that centre's own broker user, consuming its inbox and publishing its receipts (so the broker vouches for the
/// receipt's <c>user_id</c>). Each delivery is checked as a receiver does before it answers: the broker's <c>user_id</c>
/// is the sender, the JWS verifies with the sender's trusted public key (<see cref="JwsSignatureVerifier"/>), the payload
/// reads and passes its schema (<see cref="MessageParser"/>) and is addressed to this centre. Then the receipt is built
/// and signed by the subscriber's own code (<see cref="SignedAnswers"/>) with the centre's private key, and published
/// persistent, mandatory and confirmed before the delivery is acked. No store and no agreement rules: a counterpart
/// that answers as fast as the broker lets it, so what is measured is the sender.
/// </summary>
public sealed class FanOutResponder : IAsyncDisposable
{
    private const int Prefetch = 32;
    private const int MaxErrorsKept = 20;

    private readonly CentreCode _sender;
    private readonly JwsSignatureVerifier _verifier;
    private readonly List<Counterpart> _counterparts = [];
    private readonly ConcurrentQueue<string> _errors = new();
    private long _notifications;
    private long _receipts;
    private long _rejections;
    private long _others;
    private long _refused;

    private FanOutResponder(CentreCode sender, JwsSignatureVerifier verifier)
    {
        _sender = sender;
        _verifier = verifier;
    }

    /// <summary>Notifications received, verified and answered with an accepted receipt (confirmed by the broker).</summary>
    public long Receipts => Interlocked.Read(ref _receipts);

    /// <summary>Authentic notifications answered with a rejection (unreadable or not addressed here).</summary>
    public long Rejections => Interlocked.Read(ref _rejections);

    /// <summary>Deliveries that are not notifications (heartbeats, key announcements): acked, never answered.</summary>
    public long Others => Interlocked.Read(ref _others);

    /// <summary>Deliveries refused without an answer: not from the sender per the broker, or a signature that does not verify.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    public long Notifications => Interlocked.Read(ref _notifications);

    public IReadOnlyList<string> Errors => [.. _errors];

    /// <summary>Connects every centre of <paramref name="centres"/> and starts consuming; their keys are in the cluster's key folder.</summary>
    public static async Task<FanOutResponder> StartAsync(BenchEnvironment env, NodeCluster cluster, CentreCode sender,
        IReadOnlyList<CentreCode> centres, Action<int> progress, CancellationToken ct)
    {
        var responder = new FanOutResponder(sender, new JwsSignatureVerifier(KeyStore.LoadTrustedKeys(cluster.KeysDirectory)));
        try
        {
            foreach (var centre in centres)
            {
                responder._counterparts.Add(await Counterpart.ConnectAsync(env, cluster, centre, responder, ct));
                progress(responder._counterparts.Count);
            }
        }
        catch
        {
            await responder.DisposeAsync();
            throw;
        }
        return responder;
    }

    private async Task HandleAsync(Counterpart me, BasicDeliverEventArgs delivery)
    {
        var receivedAt = SystemClock.Instance.GetCurrentInstant();
        try
        {
            if (delivery.BasicProperties.UserId != _sender.Value)
            {
                Refuse($"{me.Centre}: a delivery whose broker user_id is '{delivery.BasicProperties.UserId}', not {_sender}");
                return;
            }
            var signature = _verifier.Verify(delivery.Body.Span, _sender);
            if (!signature.IsValid)
            {
                Refuse($"{me.Centre}: {signature.ErrorCode}: {signature.Reason}");
                return;
            }
            var parse = MessageParser.Parse(signature.Payload);
            var kind = parse.Message?.Kind ?? (MessageKinds.TryParse(parse.Header?.Kind, out var k) ? k : (MessageKind?)null);
            if (kind is not { } known || !known.IsNotification() || parse.Header?.MessageId is not { } messageId
                || !AgreementId.TryParse(parse.Header.AgreementId, out var agreement))
            {
                Interlocked.Increment(ref _others);
                return;
            }
            Interlocked.Increment(ref _notifications);
            var errors = parse.Errors.ToList();
            if (parse.Message is { } message && !message.Recipients.Any(r => r.Centre == me.Centre))
                errors.Add(new Domain.Validation.ValidationError("NOT_ADDRESSED_HERE", "bench/responder", "/recipients", $"Not addressed to {me.Centre}."));
            var accepted = errors.Count == 0 && parse.Message is not null;
            var receipt = SignedAnswers.Receipt(me.Centre, new Addressee(_sender, me.NextSequence()), messageId, known, agreement, receivedAt,
                accepted ? ReceiptOutcome.Accepted : ReceiptOutcome.Rejected, accepted ? [] : errors, []);
            await me.PublishAsync(_sender, receipt, SignedAnswers.Sign(me.Signer, receipt));
            Interlocked.Increment(ref accepted ? ref _receipts : ref _rejections);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Reported with the phase's result: a receipt that did not go out shows as one not applied at the sender.
            Refuse($"{me.Centre}: {e.GetType().Name}: {e.Message}");
        }
        finally
        {
            await me.AckAsync(delivery.DeliveryTag);
        }
    }

    private void Refuse(string error)
    {
        Interlocked.Increment(ref _refused);
        if (_errors.Count < MaxErrorsKept)
            _errors.Enqueue(error);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var counterpart in _counterparts)
            await counterpart.DisposeAsync();
        _counterparts.Clear();
    }

    /// <summary>One counterpart centre: its connection, a consuming channel and a confirmed publishing channel, its signing key.</summary>
    private sealed class Counterpart(CentreCode centre, IConnection connection, IChannel consume, IChannel publish, CentreKey key) : IAsyncDisposable
    {
        private long _sequence;

        public CentreCode Centre => centre;
        public IPayloadSigner Signer { get; } = new JwsPayloadSigner(key);

        /// <summary>The receipt stream's sequence towards the sender: 1, 2, … (the sender's store is fresh each run).</summary>
        public long NextSequence() => Interlocked.Increment(ref _sequence);

        public static async Task<Counterpart> ConnectAsync(BenchEnvironment env, NodeCluster cluster, CentreCode centre, FanOutResponder owner, CancellationToken ct)
        {
            var connection = await env.ConnectAsync(centre.Value, cluster.Password(centre), $"bench-fanout-{centre}", ct);
            try
            {
                var publish = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct);
                var consume = await connection.CreateChannelAsync(cancellationToken: ct);
                await consume.BasicQosAsync(0, Prefetch, false, ct);
                var me = new Counterpart(centre, connection, consume, publish, KeyStore.LoadPrivate(cluster.KeysDirectory, centre));
                var consumer = new AsyncEventingBasicConsumer(consume);
                consumer.ReceivedAsync += (_, delivery) => owner.HandleAsync(me, delivery);
                await consume.BasicConsumeAsync(BrokerTopology.InboxQueue(centre), autoAck: false, consumer, ct);
                return me;
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }
        }

        /// <summary>Returns once the broker has confirmed the receipt (throws on a nack or if it could not be routed).</summary>
        public async Task PublishAsync(CentreCode to, Receipt receipt, byte[] jws)
        {
            var properties = new BasicProperties
            {
                MessageId = receipt.MessageId.Value.ToString("D"),
                Type = receipt.Kind.WireName(),
                ContentType = AmqpPublisher.ContentType,
                DeliveryMode = DeliveryModes.Persistent,
                UserId = centre.Value,
                Timestamp = new AmqpTimestamp(receipt.IssuedAt.ToUnixTimeSeconds()),
            };
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await publish.BasicPublishAsync(BrokerTopology.Exchange, RoutingKeys.For(to, centre, receipt.Kind), mandatory: true, properties, jws, timeout.Token);
        }

        public async Task AckAsync(ulong tag)
        {
            if (consume.IsOpen)
                await consume.BasicAckAsync(tag, multiple: false);
        }

        public async ValueTask DisposeAsync()
        {
            await consume.DisposeAsync();
            await publish.DisposeAsync();
            await connection.DisposeAsync();
            key.Dispose();
        }
    }
}
