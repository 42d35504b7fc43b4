using LaunchNotify.Domain.Agreements;
using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Deadlines;
using LaunchNotify.Node.Outbox;
using LaunchNotify.Protocol.Json;
using LaunchNotify.Protocol.Signing;
using LaunchNotify.Storage;
using LaunchNotify.Storage.Entities;
using NodaTime;

namespace LaunchNotify.Node.Timeliness;

/// <summary>
/// Sends each configured counterpart a signed heartbeat per shared agreement every heartbeat interval, carrying the last
/// notification sequence number sent on that link. The schedule is a recurring deadline, so however many processes
/// of the centre run it, each beat is sent once, through the outbox like any message.
/// </summary>
public sealed class HeartbeatSender(
    TimelinessSettings settings,
    IAgreementSource agreements,
    NodeIdentity node,
    IPayloadSigner signer,
    OutboxSignal outboxSignal,
    DeadlineBook deadlines,
    IClock clock) : IDeadlineHandler
{
    public DeadlineKind Kind => DeadlineKind.Heartbeat;

    public static string KeyFor(CentreCode sender, CentreCode recipient, AgreementId agreement) => $"HEARTBEAT:{sender}>{recipient}/{agreement}";

    /// <summary>The first beat on each configured link goes out at start-up.</summary>
    public async Task PrepareAsync(CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        foreach (var (counterpart, agreement) in settings.LinksOf(node.Centre, agreements))
        {
            var schedule = new Deadline
            {
                Kind = Kind,
                Key = KeyFor(node.Centre, counterpart, agreement.Id),
                DueAt = now,
                Centre = counterpart,
                AgreementId = agreement.Id,
            };
            await deadlines.EnsureAsync(schedule, existing =>
            {
                if (existing.State == DeadlineState.Pending && existing.DueAt <= now)
                    return false; // Due already: it goes out now.
                existing.State = DeadlineState.Pending;
                existing.DueAt = now;
                return true;
            }, ct);
        }
    }

    public async Task HandleAsync(DeadlineFiring firing, CancellationToken ct)
    {
        var d = firing.Deadline;
        var recipient = new CentreCode(d.Centre!);
        if (!agreements.TryGet(new AgreementId(d.AgreementId!), out var agreement))
            return; // The agreement was withdrawn from this node's set: the schedule ends here.
        var interval = settings.TermsFor(agreement).HeartbeatInterval;

        var db = firing.Db;
        var sequence = await SequenceAllocator.NextAsync(db, node.Centre, recipient, agreement.Id, SequenceAllocator.HeartbeatStream, ct);
        var heartbeat = new Heartbeat
        {
            MessageId = MessageId.New(),
            AgreementId = agreement.Id,
            Sender = node.Centre,
            Recipients = [new Addressee(recipient, sequence)],
            IssuedAt = firing.Now,
            LastNotificationSequence = await SequenceAllocator.LastAsync(db, node.Centre, recipient, agreement.Id, SequenceAllocator.NotificationStream, ct),
            // The wire counts whole seconds; sub-second intervals (tests) round up.
            IntervalSeconds = (int)Math.Max(1, Math.Ceiling(interval.TotalSeconds)),
        };
        db.AddNew(new OutboxEntry
        {
            MessageId = heartbeat.MessageId.Value,
            Kind = MessageKind.Heartbeat.WireName(),
            Recipient = recipient,
            RoutingKey = RoutingKeys.For(recipient, node.Centre, MessageKind.Heartbeat),
            Body = signer.Sign(WireJson.SerializeToUtf8(heartbeat)),
            CreatedAt = firing.Now,
        });

        // The next beat keeps the rhythm; after a pause (the node was down) it counts from now.
        var next = d.DueAt + interval;
        firing.RescheduleAt(next > firing.Now ? next : firing.Now + interval);
        firing.OnCommitted(outboxSignal.Notify);
    }
}
