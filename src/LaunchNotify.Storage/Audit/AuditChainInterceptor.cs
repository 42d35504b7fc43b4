using System.Runtime.CompilerServices;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace LaunchNotify.Storage.Audit;

/// <summary>
/// Seals the audit entries of a unit of work as it saves: takes the chain's lock by updating its head row, numbers
/// the entries after the head, links and hashes them, and moves the head, all in the transaction that saves the
/// state they record. Without a caller's transaction it opens one around the save, so an entry and its state change
/// commit together even then.
/// </summary>
/// <remarks>
/// The head update is the lock: PostgreSQL holds the row lock until commit (a second appender waits, then reads the
/// new head), and on SQLite it is a write, which needs the database's single write lock (a LaunchNotify transaction
/// is <c>BEGIN IMMEDIATE</c>, so it already holds it). Sequence numbers are the primary key, so even a bug here
/// could not store two entries with one number: the chain cannot fork.
/// </remarks>
public sealed class AuditChainInterceptor : SaveChangesInterceptor
{
    public static AuditChainInterceptor Instance { get; } = new();

    // Transactions this interceptor opened because the caller had none; committed or rolled back with the save.
    private readonly ConditionalWeakTable<DbContext, IDbContextTransaction> _opened = new();

    // The head row as each context tracks it, so that its move is one more UPDATE in the save's own batch (one round trip
    // fewer per audited unit of work on PostgreSQL) instead of a statement of its own.
    private readonly ConditionalWeakTable<DbContext, AuditChainHead> _heads = new();

    private AuditChainInterceptor()
    {
    }

    private const string ReserveSql =
        """
        INSERT INTO "AuditChainHead" ("Id", "Seq", "Hash") VALUES (1, {0}, {1})
        ON CONFLICT ("Id") DO UPDATE SET "Seq" = "AuditChainHead"."Seq" + {0}
        RETURNING "Seq", "Hash"
        """;

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        if (eventData.Context is not { } db || AuditChain.Pending(db) is not { Count: > 0 } pending)
            return result;
        try
        {
            if (db.Database.CurrentTransaction is null)
                _opened.AddOrUpdate(db, db.Database.BeginTransaction());
            HeadRow head;
            using (var reader = ReserveCommand(db, pending.Count, out var parameters).ExecuteReader(parameters))
                head = reader.Read() ? Head(reader) : throw new InvalidOperationException("The audit chain's head row was not returned.");
            MoveHead(db, head.Seq, Seal(pending, head));
            return result;
        }
        catch
        {
            Abandon(db);
            throw;
        }
    }

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        if (eventData.Context is not { } db || AuditChain.Pending(db) is not { Count: > 0 } pending)
            return result;
        try
        {
            if (db.Database.CurrentTransaction is null)
                _opened.AddOrUpdate(db, await db.Database.BeginTransactionAsync(cancellationToken));
            HeadRow head;
            await using (var reader = await ReserveCommand(db, pending.Count, out var parameters).ExecuteReaderAsync(parameters, cancellationToken))
                head = await reader.ReadAsync(cancellationToken) ? Head(reader) : throw new InvalidOperationException("The audit chain's head row was not returned.");
            MoveHead(db, head.Seq, Seal(pending, head));
            return result;
        }
        catch
        {
            Abandon(db);
            throw;
        }
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        ForgetHead(eventData.Context);
        if (eventData.Context is { } db && _opened.TryGetValue(db, out var tx))
        {
            _opened.Remove(db);
            using (tx)
                tx.Commit();
        }
        return result;
    }

    public override async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        ForgetHead(eventData.Context);
        if (eventData.Context is { } db && _opened.TryGetValue(db, out var tx))
        {
            _opened.Remove(db);
            await using (tx)
                await tx.CommitAsync(cancellationToken);
        }
        return result;
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => Abandon(eventData.Context);

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Abandon(eventData.Context);
        return Task.CompletedTask;
    }

    public override void SaveChangesCanceled(DbContextEventData eventData) => Abandon(eventData.Context);

    public override Task SaveChangesCanceledAsync(DbContextEventData eventData, CancellationToken cancellationToken = default)
    {
        Abandon(eventData.Context);
        return Task.CompletedTask;
    }

    /// <summary>Numbers, links and hashes the pending entries after <paramref name="head"/>; returns the new head hash.</summary>
    private static string Seal(List<Microsoft.EntityFrameworkCore.ChangeTracking.EntityEntry<AuditEntry>> pending, HeadRow head)
    {
        // The reservation moved the head's number past the whole batch; its hash is still the previous entry's.
        var seq = head.Seq - pending.Count;
        var prev = head.Hash;
        foreach (var entry in pending.Select(p => p.Entity))
        {
            entry.Seq = ++seq;
            entry.PrevHash = prev;
            entry.Hash = AuditChain.ComputeSealingHash(entry);
            prev = entry.Hash;
        }
        return prev;
    }

    /// <summary>
    /// Sets the head's hash in this save's batch: the head row is tracked (attached as it now stands, the reservation
    /// having moved its number) with only its hash marked changed, so the save writes it with the entries; detached
    /// again once the save has ended (<see cref="ForgetHead"/>).
    /// </summary>
    private void MoveHead(DbContext db, long seq, string hash)
    {
        ForgetHead(db);
        var row = new AuditChainHead { Id = AuditChainHead.SingleRowId, Seq = seq, Hash = hash };
        db.Attach(row);
        _heads.AddOrUpdate(db, row);
        // Only the hash is written: the reservation already moved the number.
        db.Entry(row).Property(h => h.Hash).IsModified = true;
    }

    /// <summary>
    /// The head is tracked for one save only: saved or not, the context's next save reserves and reads the head afresh,
    /// and a head left tracked could write an old hash over another writer's.
    /// </summary>
    private void ForgetHead(DbContext? db)
    {
        if (db is not null && _heads.TryGetValue(db, out var head))
        {
            _heads.Remove(db);
            db.Entry(head).State = EntityState.Detached;
        }
    }

    private void Abandon(DbContext? db)
    {
        ForgetHead(db);
        if (db is null || !_opened.TryGetValue(db, out var tx))
            return;
        _opened.Remove(db);
        // Disposing an uncommitted transaction rolls it back (head and entries alike).
        tx.Dispose();
    }

    /// <summary>
    /// The reservation as a raw command of the context's own connection and transaction, with EF Core's command logging
    /// and diagnostics (so it is counted and traced like every other statement), without the LINQ pipeline a raw query
    /// goes through (expression caching, parameter extraction, a shaper): it runs on every audited save.
    /// </summary>
    private static IRelationalCommand ReserveCommand(DbContext db, int count, out RelationalCommandParameterObject parameters)
    {
        var raw = db.GetService<IRawSqlCommandBuilder>().Build(ReserveSql, [count, AuditChain.GenesisHash], db.Model);
        parameters = new RelationalCommandParameterObject(db.GetService<IRelationalConnection>(), raw.ParameterValues, null, db,
            db.GetService<IRelationalCommandDiagnosticsLogger>(), CommandSource.FromSqlQuery);
        return raw.RelationalCommand;
    }

    private static HeadRow Head(RelationalDataReader reader) => new(reader.DbDataReader.GetInt64(0), reader.DbDataReader.GetString(1));

    private sealed record HeadRow(long Seq, string Hash);
}
