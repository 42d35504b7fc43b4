using LaunchNotify.Node.Alarms;
using LaunchNotify.Storage;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace LaunchNotify.Node.Deadlines;

/// <summary>
/// Stores and settles deadlines inside the caller's unit of work (the caller saves and commits, then calls
/// <see cref="DeadlineSignal.Notify"/> so this process's watcher looks again).
/// </summary>
public sealed class DeadlineBook(AlarmBook alarms, IClock clock, IDbContextFactory<NodeDbContext> dbFactory)
{
    public async Task<Deadline?> FindAsync(NodeDbContext db, string key, CancellationToken ct) =>
        db.Deadlines.Local.FirstOrDefault(d => d.Key == key) ?? await db.Deadlines.SingleOrDefaultAsync(d => d.Key == key, ct);

    /// <summary>Adds a pending deadline unless one with this key exists (then returns the existing one unchanged).</summary>
    public async Task<Deadline> ScheduleAsync(NodeDbContext db, Deadline deadline, CancellationToken ct)
    {
        if (await FindAsync(db, deadline.Key, ct) is { } existing)
            return existing;
        deadline.State = DeadlineState.Pending;
        deadline.CreatedAt = clock.GetCurrentInstant();
        db.Deadlines.Add(deadline);
        return deadline;
    }

    /// <summary>
    /// Adds a pending deadline whose key names a message this unit of work has just claimed in the inbox (its sender and
    /// id): no deadline can have that key yet, so there is nothing to look for (two queries per received notification
    /// saved). The unique index on the key would still refuse a second one, failing the unit of work, never doubling it.
    /// </summary>
    public void ScheduleForNewMessage(NodeDbContext db, Deadline deadline)
    {
        deadline.State = DeadlineState.Pending;
        deadline.CreatedAt = clock.GetCurrentInstant();
        db.Deadlines.Add(deadline);
    }

    /// <summary>
    /// <see cref="ScheduleAsync"/> for many deadlines of one unit of work (one per recipient of a notification): one
    /// look at the tracked deadlines and one query for the keys already stored, instead of one of each per deadline.
    /// Each look at <c>Local</c> detects changes over every tracked entity, so one per recipient made a notification to
    /// 142 recipients quadratic in its own outbox entries, deliveries and deadlines.
    /// </summary>
    public async Task ScheduleManyAsync(NodeDbContext db, IReadOnlyList<Deadline> deadlines, CancellationToken ct)
    {
        if (deadlines.Count == 0)
            return;
        var keys = deadlines.Select(d => d.Key).ToList();
        var taken = db.Deadlines.Local.Select(d => d.Key).ToHashSet(StringComparer.Ordinal);
        taken.UnionWith(await db.Deadlines.Where(d => keys.Contains(d.Key)).Select(d => d.Key).ToListAsync(ct));
        var now = clock.GetCurrentInstant();
        foreach (var deadline in deadlines)
        {
            if (!taken.Add(deadline.Key))
                continue;
            deadline.State = DeadlineState.Pending;
            deadline.CreatedAt = now;
            db.Deadlines.Add(deadline);
        }
    }

    /// <summary>
    /// Stores <paramref name="deadline"/> on its own (at start-up, not inside another unit of work) unless its key exists;
    /// then <paramref name="rearm"/> may change the existing row and says whether it did. The centre's other processes
    /// may do the same at the same moment: the look and the write happen under the audit chain's lock, which every
    /// writer takes, so the second one sees the first one's row instead of failing on the unique key (a failure EF
    /// would log as an error at every start).
    /// </summary>
    public async Task EnsureAsync(Deadline deadline, Func<Deadline, bool> rearm, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await Audit.AuditLog.BeginLockedTransactionAsync(db, ct);
        if (await FindAsync(db, deadline.Key, ct) is { } existing)
        {
            if (!rearm(existing))
                return;
        }
        else
        {
            await ScheduleAsync(db, deadline, ct);
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// The awaited event happened: a pending deadline is cancelled (it will never fire); a fired one keeps its record
    /// and its alarm is resolved with <paramref name="resolution"/>. Returns the resolved alarm, if any.
    /// </summary>
    public async Task<Storage.Entities.Alarm?> SettleAsync(NodeDbContext db, Deadline deadline, string reason, string resolution, CancellationToken ct)
    {
        if (deadline.SettledAt is not null)
            return null;
        deadline.SettledAt = clock.GetCurrentInstant();
        deadline.SettledReason = reason;
        if (deadline.State == DeadlineState.Pending)
        {
            deadline.State = DeadlineState.Cancelled;
            return null;
        }
        return deadline.AlarmKey is { } key ? await alarms.ResolveByKeyAsync(db, key, resolution, ct) : null;
    }
}
