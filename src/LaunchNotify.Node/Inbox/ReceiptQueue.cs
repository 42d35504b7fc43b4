using System.Diagnostics;
using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Validation;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Outbox;
using LaunchNotify.Protocol.Signing;
using LaunchNotify.Storage;
using LaunchNotify.Storage.Entities;
using NodaTime;

namespace LaunchNotify.Node.Inbox;

/// <summary>
/// The receipts a batch of the inbox's group commit gives, numbered, signed and queued at the batch's end
/// (<see cref="IBatchFinisher"/>): one statement takes a link's numbers for all of them, in the order the steps left
/// them, where each step took its own. The receipt's id is chosen by its step (the stored message and its audit entry
/// name it); its number, signature and outbox entry come at the end, in the same transaction, so a receipt is still
/// stored, numbered and queued together with the message it answers, or not at all.
/// </summary>
/// <remarks>
/// On PostgreSQL a link's counter row is then locked from the batch's end to its commit, not from its first step:
/// another subscriber instance on the same inbox runs its steps meanwhile (docs/performance.md).
/// </remarks>
internal sealed class ReceiptQueue(NodeIdentity node, IPayloadSigner signer, OutboxSignal outboxSignal, IClock clock) : IBatchFinisher
{
    /// <summary>
    /// One receipt to give: for <see cref="Entry"/> (its row gets the receipt's JWS), or for a parked delivery (no row).
    /// <see cref="Queued"/> is the outbox entry once the batch's end made it.
    /// </summary>
    public sealed record Draft(Guid ReceiptId, InboxMessage? Entry, CentreCode To, Guid ReceiptFor, MessageKind ReceivedKind, AgreementId AgreementId,
        Instant ReceivedAt, ReceiptOutcome Outcome, IReadOnlyList<ValidationError> Reasons, IReadOnlyList<ValidationError> Findings)
    {
        /// <summary>The trace of the message answered (its outbox entry carries it back to the sender).</summary>
        public Activity? Caller { get; } = Activity.Current;
    }

    /// <summary>
    /// A duplicate of a message whose first copy is stored by an earlier step of the same batch: its receipt, not made yet,
    /// goes out again once it is (as a duplicate's receipt is repeated once it exists).
    /// </summary>
    public sealed record Repeat(Guid ReceiptId, Instant At)
    {
        /// <summary>The trace of the duplicate answered.</summary>
        public Activity? Caller { get; } = Activity.Current;
    }

    /// <summary>Leaves <paramref name="draft"/> to the end of the step's batch (outside a batch: queued now).</summary>
    public Task LeaveAsync(NodeDbContext db, Draft draft, CancellationToken ct) => db.LeaveToBatchEndAsync(this, draft, ct);

    /// <summary>Leaves <paramref name="repeat"/> to the end of the step's batch.</summary>
    public Task LeaveAsync(NodeDbContext db, Repeat repeat, CancellationToken ct) => db.LeaveToBatchEndAsync(this, repeat, ct);

    /// <summary>The drafts per link, in the order the steps left them, the links by first appearance.</summary>
    private static List<(CentreCode To, AgreementId Agreement, List<Draft> Drafts)> Links(IReadOnlyList<object> items) =>
        [.. items.OfType<Draft>().GroupBy(d => (d.To, d.AgreementId)).Select(g => (g.Key.To, g.Key.AgreementId, g.ToList()))];

    /// <summary>The numbers of a batch whose receipts all go on one link (nearly every batch), with the end's first command.</summary>
    public IReadOnlyList<BatchQuery> Queries(NodeDbContext db, IReadOnlyList<object> items) =>
        Links(items) is [var (to, agreement, drafts)]
            ? [SequenceAllocator.NextQuery(db, node.Centre.Value, to.Value, agreement.Value, SequenceAllocator.ReceiptStream, drafts.Count)]
            : [];

    public async Task FinishAsync(NodeDbContext db, IReadOnlyList<object> items, IReadOnlyList<IReadOnlyList<object?[]>> rows, CancellationToken ct)
    {
        // Per link, in the order the steps left them: numbers last - n + 1 … last.
        var links = Links(items);
        var made = new Dictionary<Guid, (CentreCode To, byte[] Jws)>();
        foreach (var (to, agreement, drafts) in links)
        {
            // One link: numbered by the end's first command (Queries); several: one statement each.
            var last = rows.Count == 1
                ? rows[0] is [[var numbered, ..]] ? Convert.ToInt64(numbered, System.Globalization.CultureInfo.InvariantCulture)
                    : throw new InvalidOperationException("The receipt counter's upsert returned no number.")
                : await SequenceAllocator.NextAsync(db, node.Centre, to.Value, agreement.Value, SequenceAllocator.ReceiptStream, drafts.Count, ct);
            var number = last - drafts.Count;
            foreach (var draft in drafts)
            {
                var receipt = SignedAnswers.Receipt(node.Centre, new Addressee(to, ++number), draft.ReceiptFor, draft.ReceivedKind, agreement, draft.ReceivedAt,
                    draft.Outcome, draft.Reasons, draft.Findings) with { MessageId = new MessageId(draft.ReceiptId) };
                byte[] jws;
                using (Continuing(draft.Caller))
                    jws = SignedAnswers.Queue(db, signer, receipt, draft.ReceivedAt);
                made[draft.ReceiptId] = (to, jws);
                if (draft.Entry is { } entry)
                {
                    entry.ReceiptJws = jws;
                    await InboxClaims.CompleteAsync(db, entry, ct);
                }
            }
        }
        foreach (var repeat in items.OfType<Repeat>())
            if (made.TryGetValue(repeat.ReceiptId, out var receipt))
                using (Continuing(repeat.Caller))
                    db.AddNew(new OutboxEntry
                    {
                        MessageId = repeat.ReceiptId,
                        Kind = MessageKind.Receipt.WireName(),
                        Recipient = receipt.To.Value,
                        RoutingKey = RoutingKeys.For(receipt.To, node.Centre, MessageKind.Receipt),
                        Body = receipt.Jws,
                        CreatedAt = repeat.At,
                    });
        // Claimed for this process's dispatcher in the same transaction, handed to it once committed.
        var claimed = outboxSignal.ClaimAdded(db, clock.GetCurrentInstant());
        db.AfterCommit(() => outboxSignal.HandOff(claimed));
    }

    /// <summary>Makes <paramref name="caller"/> the current activity until disposed (what is queued then carries its trace).</summary>
    private static Scope Continuing(Activity? caller)
    {
        var previous = Activity.Current;
        Activity.Current = caller;
        return new Scope(previous);
    }

    private readonly struct Scope(Activity? previous) : IDisposable
    {
        public void Dispose() => Activity.Current = previous;
    }
}
