using LaunchNotify.Storage;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace LaunchNotify.Node.Deadlines;

/// <summary>
/// Wakes this process's deadline watcher when a transaction here has stored a deadline, so one due sooner than the
/// watcher's next look fires on time. Deadlines stored by other processes are found by the watcher's poll.
/// </summary>
/// <remarks>
/// A transaction that says what it stored (<see cref="Notify(Instant?)"/>) wakes the watcher only if that falls due
/// before the watcher's next look anyway: a notification's deadlines are hours away, and waking for each of them cost
/// the watcher a query per message (docs/performance.md). Safe against the race with a look in progress: the watcher
/// marks itself awake before it reads the store (<see cref="Waking"/>), and while it is awake every notice wakes it
/// again; once it sleeps until X (<see cref="SleepingUntil"/>), it reads the store again at X at the latest, and what
/// was committed before the notice is there to be seen by then.
/// </remarks>
public sealed class DeadlineSignal : WakeSignal
{
    private const long Awake = long.MinValue;
    private long _sleepingUntilTicks = Awake;

    /// <summary>A transaction committed deadlines, the earliest pending one due at <paramref name="earliestDue"/> (null: none, or unknown).</summary>
    public void Notify(Instant? earliestDue)
    {
        var sleepingUntil = Interlocked.Read(ref _sleepingUntilTicks);
        if (earliestDue is { } due && sleepingUntil != Awake && due.ToUnixTimeTicks() >= sleepingUntil)
            return; // The watcher looks again by then on its own.
        Notify();
    }

    /// <summary>The watcher is about to read the store: until it sleeps again, every notice wakes it.</summary>
    public void Waking() => Interlocked.Exchange(ref _sleepingUntilTicks, Awake);

    /// <summary>The watcher has read the store and will look again at <paramref name="until"/> at the latest.</summary>
    public void SleepingUntil(Instant until) => Interlocked.Exchange(ref _sleepingUntilTicks, until.ToUnixTimeTicks());

    /// <summary>
    /// The earliest due instant among the pending deadlines <paramref name="db"/> is about to save (added or changed in
    /// this unit of work); null when it saves none. Call before <c>SaveChanges</c>.
    /// </summary>
    public static Instant? EarliestPendingDue(NodeDbContext db)
    {
        Instant? earliest = null;
        // Each tracked deadline's own change detection (a re-armed one is modified in place), not one over everything
        // the unit of work tracks: the save runs that one anyway.
        foreach (var entry in db.ChangeTracker.WithoutDetecting<Deadline>())
        {
            if (entry.State == EntityState.Unchanged)
                entry.DetectChanges();
            if (entry.State is not (EntityState.Added or EntityState.Modified) || entry.Entity.State != DeadlineState.Pending)
                continue;
            if (earliest is null || entry.Entity.DueAt < earliest)
                earliest = entry.Entity.DueAt;
        }
        foreach (var added in db.UntrackedAdded<Deadline>())
            if (added.State == DeadlineState.Pending && (earliest is null || added.DueAt < earliest))
                earliest = added.DueAt;
        return earliest;
    }
}
