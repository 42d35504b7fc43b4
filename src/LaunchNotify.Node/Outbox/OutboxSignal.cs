using System.Collections.Concurrent;
using LaunchNotify.Storage;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace LaunchNotify.Node.Outbox;

/// <summary>
/// Wakes the outbox dispatcher, and hands it what this process has just committed. A step that queues messages this
/// process's dispatcher sends (a submission's notifications, the inbox's receipts) claims them for the dispatcher in
/// the same transaction (<see cref="ClaimAdded"/>) and, once committed, hands them over (<see cref="HandOff"/>): they go
/// out at once, without the dispatcher reading the outbox and claiming them in a transaction of its own (one store
/// round trip and one commit fewer per message, docs/performance.md). The claim is the dispatcher's own, with its lease:
/// whatever is claimed but never handed over (the process died between the commit and the hand-off) is taken back at the
/// next start of the same dispatcher, or by another when the lease ends, exactly as a claim the dispatcher made itself.
/// </summary>
public sealed class OutboxSignal : WakeSignal
{
    private readonly ConcurrentQueue<OutboxEntry> _handedOff = new();
    private volatile Claimant? _claimant;
    private int _pollWanted = 1;

    /// <summary>Something was queued that was not handed over (a heartbeat, a repeated receipt, a retry): the dispatcher reads the outbox.</summary>
    public override void Notify()
    {
        Volatile.Write(ref _pollWanted, 1);
        base.Notify();
    }

    /// <summary>The dispatcher's side: whether it was asked to read the outbox since it last asked; clears the request.</summary>
    public bool TakePollRequest() => Interlocked.Exchange(ref _pollWanted, 0) == 1;

    /// <summary>The dispatcher this process runs, once it runs: only then are entries claimed for it.</summary>
    public void Attach(Guid token, Duration lease, IReadOnlyCollection<string> kinds) => _claimant = new Claimant(token, lease, kinds);

    public void Detach() => _claimant = null;

    /// <summary>Claims, for this process's dispatcher, the outbox entries <paramref name="db"/> is about to add; call it just before the step's last save.</summary>
    public IReadOnlyList<OutboxEntry> ClaimAdded(NodeDbContext db, Instant now)
    {
        if (_claimant is not { } claimant)
            return [];
        List<OutboxEntry>? claimed = null;
        // Added entries, and values set before they were added: nothing that needs change detection over the unit of work.
        foreach (var entry in db.AddedRows<OutboxEntry>())
        {
            if (entry.ClaimToken is not null || entry.NextAttemptAt is not null || !claimant.Kinds.Contains(entry.Kind))
                continue;
            entry.ClaimToken = claimant.Token;
            entry.ClaimedUntil = now + claimant.Lease;
            (claimed ??= []).Add(entry);
        }
        return claimed ?? (IReadOnlyList<OutboxEntry>)[];
    }

    /// <summary>
    /// After the commit: the claimed entries go to the dispatcher, which is woken. Nothing claimed (no dispatcher ran yet)
    /// or a claim of a dispatcher run that has ended: it is asked to read the outbox instead.
    /// </summary>
    public void HandOff(IReadOnlyList<OutboxEntry> committed)
    {
        var token = _claimant?.Token;
        var allInHand = committed.Count > 0;
        foreach (var entry in committed)
            if (entry.ClaimToken == token) _handedOff.Enqueue(entry);
            else allInHand = false;
        if (allInHand) base.Notify(); // what it needs is in hand: no read of the outbox
        else Notify();
    }

    /// <summary>The dispatcher's side: up to <paramref name="max"/> entries handed over, oldest first.</summary>
    public List<OutboxEntry> TakeHandedOff(int max)
    {
        var taken = new List<OutboxEntry>();
        while (taken.Count < max && _handedOff.TryDequeue(out var entry))
            taken.Add(entry);
        taken.Sort((a, b) => a.Id.CompareTo(b.Id));
        return taken;
    }

    private sealed record Claimant(Guid Token, Duration Lease, IReadOnlyCollection<string> Kinds);
}
