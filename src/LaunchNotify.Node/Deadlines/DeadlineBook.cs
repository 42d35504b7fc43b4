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
    /// <summary>The deadline with <paramref name="key"/>: one this unit of work tracks (a key never changes, so no change detection is needed to find it), else the stored one.</summary>
    public async Task<Deadline?> FindAsync(NodeDbContext db, string key, CancellationToken ct) =>
        db.ChangeTracker.WithoutDetecting<Deadline>().Find(d => d.Entity.Key == key)?.Entity
        ?? db.UntrackedAdded<Deadline>().FirstOrDefault(d => d.Key == key)
        ?? await ModelCommands.Query(db, "deadline-by-key", () => EF.CompileAsyncQuery(
            (NodeDbContext context, string k, CancellationToken token) => context.Deadlines.SingleOrDefault(d => d.Key == k)))(db, key, ct);

    /// <summary>Adds a pending deadline unless one with this key exists (then returns the existing one unchanged).</summary>
    public async Task<Deadline> ScheduleAsync(NodeDbContext db, Deadline deadline, CancellationToken ct)
    {
        if (await FindAsync(db, deadline.Key, ct) is { } existing)
            return existing;
        deadline.State = DeadlineState.Pending;
        deadline.CreatedAt = clock.GetCurrentInstant();
        db.AddNew(deadline);
        return deadline;
    }

    /// <summary>
    /// Adds a pending deadline whose key names a message this unit of work has just claimed in the inbox (its sender and
    /// id, or a submission's new id): no deadline can have that key yet, so there is nothing to look for (one query per
    /// deadline saved), nor a look at the tracked ones (which detects changes over every tracked entity: per recipient
    /// of a notification to 142 centres, that was quadratic). The unique index on the key would still refuse a second
    /// one, failing the unit of work, never doubling it.
    /// </summary>
    public void ScheduleForNewMessage(NodeDbContext db, Deadline deadline)
    {
        deadline.State = DeadlineState.Pending;
        deadline.CreatedAt = clock.GetCurrentInstant();
        db.AddNew(deadline);
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

    /// <summary>A deadline read without tracking, as much of it as settling it needs (<see cref="SettleAsync(NodeDbContext, Snapshot, string, string, CancellationToken)"/>).</summary>
    public sealed record Snapshot(long Id, string Key, DeadlineState State, Instant DueAt, Instant? SettledAt);

    /// <summary>
    /// As <see cref="SettleAsync(NodeDbContext, Deadline, string, string, CancellationToken)"/>, for a deadline read without
    /// tracking (the caller holds the lock every writer of deadlines takes first: the audit chain's, or SQLite's only write
    /// lock). A pending one, nearly always, is cancelled by a statement written once per model, on PostgreSQL sent with the
    /// step's next command; a fired one is loaded and settled as a tracked entity, since its alarm is resolved too.
    /// </summary>
    public async Task SettleAsync(NodeDbContext db, Snapshot deadline, string reason, string resolution, CancellationToken ct)
    {
        if (deadline.SettledAt is not null)
            return;
        if (deadline.State != DeadlineState.Pending)
        {
            if (await FindAsync(db, deadline.Key, ct) is { } tracked)
                await SettleAsync(db, tracked, reason, resolution, ct);
            return;
        }
        const string key = "deadline-cancel-pending";
        var command = ModelCommands.Statement(db, key, model =>
        {
            var entity = model.FindEntityType(typeof(Deadline))!;
            var state = entity.FindProperty(nameof(Deadline.State))!;
            return [("Cancelled", state), ("SettledAt", entity.FindProperty(nameof(Deadline.SettledAt))!), ("SettledReason", entity.FindProperty(nameof(Deadline.SettledReason))!),
                ("Id", entity.FindProperty(nameof(Deadline.Id))!), ("Pending", state)];
        }, p => $"""
            UPDATE "Deadlines" SET "State" = {p("Cancelled")}, "SettledAt" = {p("SettledAt")}, "SettledReason" = {p("SettledReason")}
            WHERE "Id" = {p("Id")} AND "State" = {p("Pending")}
            """);
        await ModelCommands.ExecuteWithSaveAsync(db, key, command, new Dictionary<string, object?>
        {
            ["Cancelled"] = DeadlineState.Cancelled, ["SettledAt"] = clock.GetCurrentInstant(), ["SettledReason"] = reason,
            ["Id"] = deadline.Id, ["Pending"] = DeadlineState.Pending,
        }, ct);
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
