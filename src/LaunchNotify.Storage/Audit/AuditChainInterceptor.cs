using System.Data.Common;
using System.Runtime.CompilerServices;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace LaunchNotify.Storage.Audit;

/// <summary>
/// Seals the audit entries of a unit of work as it saves: takes the chain's lock by updating its head row, numbers
/// the entries after the head, links and hashes them, writes them and moves the head, all in the transaction that saves
/// the state they record. Without a caller's transaction it opens one around the save, so an entry and its state change
/// commit together even then. Two statements per save whatever the number of entries: the reservation, and one
/// multi-row insert that also sets the head's hash (<see cref="ModelCommands"/>; EF Core wrote one insert per entry). In
/// the group committer's writer a batch's saves leave their entries to the batch's end, sealed together
/// (<see cref="SealBatchAsync"/>).
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

    // The entries this interceptor wrote in a save still under way (see TakeOver).
    private readonly ConditionalWeakTable<DbContext, List<AuditEntry>> _written = new();

    private AuditChainInterceptor()
    {
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        if (eventData.Context is not { } db || LeftUnsavedToBatch(db) || AuditChain.Pending(db) is not { Count: > 0 } pending)
            return result;
        try
        {
            if (LeftToBatch(db, pending))
                return result;
            if (db.Database.CurrentTransaction is null)
                _opened.AddOrUpdate(db, db.Database.BeginTransaction());
            AuditHead head;
            using (var reader = ReserveCommand(db, pending.Count, out var parameters).ExecuteReader(parameters))
                head = reader.Read() ? Head(reader, pending.Count) : throw new InvalidOperationException("The audit chain's head row was not returned.");
            var entries = TakeOver(db, pending);
            var hash = Seal(entries, head);
            try
            {
                foreach (var (_, command, values) in Writes(db, entries, hash))
                    ModelCommands.Execute(db, command, values);
            }
            catch (DbException e)
            {
                throw WriteFailed(e);
            }
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
        if (eventData.Context is not { } db || LeftUnsavedToBatch(db) || AuditChain.Pending(db) is not { Count: > 0 } pending)
            return result;
        try
        {
            if (LeftToBatch(db, pending))
                return result;
            if (db.Database.CurrentTransaction is null)
                _opened.AddOrUpdate(db, await db.Database.BeginTransactionAsync(cancellationToken));
            var head = await ReserveAsync(db, pending.Count, cancellationToken);
            var entries = TakeOver(db, pending);
            var hash = Seal(entries, head);
            try
            {
                foreach (var (_, command, values) in Writes(db, entries, hash))
                    await ModelCommands.ExecuteAsync(db, command, values, cancellationToken);
            }
            catch (DbException e)
            {
                throw WriteFailed(e);
            }
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
        ForgetWritten(eventData.Context);
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
        ForgetWritten(eventData.Context);
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

    /// <summary>
    /// In the group committer's writer, inside a batch on SQLite (<see cref="NodeDbContext.BatchAudit"/>), a save only takes
    /// its entries out of the unit of work and leaves them to the batch's end (<see cref="SealBatchAsync"/>): one reservation
    /// and one insert per 16 entries for the whole batch, where every step's save made its own. (The batch holds the
    /// store's only write lock from its BEGIN, so no other writer can append in between.)
    /// </summary>
    /// <summary>
    /// The entries a step of a group-commit batch appended since its last save (<see cref="NodeDbContext.UnsavedBatchAudit"/>),
    /// and any it tracks, left to the batch's end as <see cref="LeftToBatch"/> leaves them; false when it has none untracked.
    /// </summary>
    private bool LeftUnsavedToBatch(DbContext db)
    {
        if (db is not NodeDbContext { UnsavedBatchAudit: { Count: > 0 } unsaved, BatchAudit: { } batch } node || !node.AppendsToBatch)
            return false;
        node.UnsavedBatchAudit = null;
        // Tracked ones are there only when a failed save of this step gave them back (Abandon): appended before these.
        var tracked = AuditChain.Pending(db);
        var entries = tracked.Count == 0 ? unsaved : [.. TakeOver(db, tracked), .. unsaved];
        batch.AddRange(entries);
        _written.AddOrUpdate(db, entries);
        return true;
    }

    private bool LeftToBatch(DbContext db, List<Microsoft.EntityFrameworkCore.ChangeTracking.EntityEntry<AuditEntry>> pending)
    {
        if (db is not NodeDbContext { BatchAudit: { } batch } || db.Database.CurrentTransaction is null)
            return false;
        batch.AddRange(TakeOver(db, pending));
        return true;
    }

    /// <summary>
    /// Seals and writes the entries a group-commit batch left to its end, from <paramref name="start"/> on, in the order they
    /// were saved: one reservation for all of them (the chain's lock, held from here to the commit), then their multi-row
    /// inserts, the last of which sets the head's hash. On PostgreSQL the inserts go with the writer's next command (the
    /// batch end's save, or the flush before its commit): nothing reads the entries or the head's hash back before, and the
    /// head is locked. Called by the committer at the batch's end, in its transaction.
    /// </summary>
    internal static async Task SealBatchAsync(NodeDbContext db, List<AuditEntry> entries, int start, CancellationToken ct)
    {
        if (entries.Count <= start)
            return;
        var sealing = start == 0 ? entries : entries.GetRange(start, entries.Count - start);
        await WriteSealedAsync(db, sealing, Seal(sealing, await ReserveAsync(db, sealing.Count, ct)), ct);
    }

    /// <summary>
    /// The reservation for the first <paramref name="count"/> entries of a batch (zero: the chain's lock alone) and, after
    /// it, <paramref name="queries"/> (the batch's finishers'), on PostgreSQL as one command; returns the head and each
    /// query's rows. The entries are sealed with <see cref="SealReservedAsync"/>.
    /// </summary>
    internal static async Task<(AuditHead Head, List<IReadOnlyList<object?[]>> Rows)> ReserveWithAsync(NodeDbContext db, int count, IReadOnlyList<BatchQuery> queries,
        CancellationToken ct)
    {
        var rows = new List<IReadOnlyList<object?[]>>(queries.Count);
        if (!db.IsPostgres || queries.Count == 0)
        {
            // SQLite: one statement per command (a statement is a call in the process, not a round trip).
            var head = await ReserveAsync(db, count, ct);
            foreach (var query in queries)
                rows.Add(await ModelCommands.RowsAsync(db, query.Command, query.Values, ct));
            return (head, rows);
        }
        var key = string.Join('|', queries.Select(q => q.Key).Prepend("audit-reserve"));
        var command = ModelCommands.Reader(db, key, context => ModelCommands.Combine(context, [Reservation(context), .. queries.Select(q => q.Command)]));
        var values = new Dictionary<string, object?>(2 + queries.Sum(q => q.Values.Count));
        AddReservationValues(values, count);
        foreach (var query in queries)
            foreach (var (name, value) in query.Values)
                values.Add(name, value);
        await using var reader = await command.ExecuteReaderAsync(ModelCommands.Parameters(db, values), ct);
        var reserved = await reader.ReadAsync(ct) ? Head(reader, count) : throw new InvalidOperationException("The audit chain's head row was not returned.");
        foreach (var query in queries)
        {
            if (!await reader.DbDataReader.NextResultAsync(ct))
                throw new InvalidOperationException($"The batch end's statement {query.Key} returned no result.");
            rows.Add(await ModelCommands.ReadRowsAsync(reader.DbDataReader, ct));
        }
        return (reserved, rows);
    }

    /// <summary>Seals <paramref name="entries"/> (all of them) after <paramref name="head"/>, reserved for them, and writes them.</summary>
    internal static async Task SealReservedAsync(NodeDbContext db, List<AuditEntry> entries, AuditHead head, CancellationToken ct)
    {
        if (entries.Count > 0)
            await WriteSealedAsync(db, entries, Seal(entries, head), ct);
    }

    private static async Task WriteSealedAsync(NodeDbContext db, List<AuditEntry> sealing, string hash, CancellationToken ct)
    {
        try
        {
            foreach (var (key, command, values) in Writes(db, sealing, hash))
                if (db.DefersWrites)
                    await db.DeferAsync(new NodeDbContext.DeferredStatement(key, command, values), ct);
                else
                    await ModelCommands.ExecuteAsync(db, command, values, ct);
        }
        catch (DbException e)
        {
            throw WriteFailed(e);
        }
    }

    /// <summary>Moves the head's number past <paramref name="count"/> entries (the chain's lock, held to the commit) and returns it.</summary>
    private static async Task<AuditHead> ReserveAsync(DbContext db, int count, CancellationToken ct)
    {
        await using var reader = await ReserveCommand(db, count, out var parameters).ExecuteReaderAsync(parameters, ct);
        return await reader.ReadAsync(ct) ? Head(reader, count) : throw new InvalidOperationException("The audit chain's head row was not returned.");
    }

    /// <summary>Numbers, links and hashes the pending entries after <paramref name="head"/>; returns the new head hash.</summary>
    private static string Seal(List<AuditEntry> entries, AuditHead head)
    {
        // The reservation moved the head's number past the whole batch; its hash is still the previous entry's.
        var seq = head.Seq - entries.Count;
        var prev = head.Hash;
        foreach (var entry in entries)
        {
            entry.Seq = ++seq;
            entry.PrevHash = prev;
            entry.Hash = AuditChain.ComputeSealingHash(entry);
            prev = entry.Hash;
        }
        return prev;
    }

    /// <summary>
    /// The pending entries leave EF Core's tracking (this interceptor writes them, and EF Core must not insert them again);
    /// they are kept aside until the save ends, to be tracked again as added should it fail (<see cref="Abandon"/>), so
    /// that the unit of work still holds them, as it would had EF Core written them.
    /// </summary>
    private List<AuditEntry> TakeOver(DbContext db, List<Microsoft.EntityFrameworkCore.ChangeTracking.EntityEntry<AuditEntry>> pending)
    {
        var entries = new List<AuditEntry>(pending.Count);
        foreach (var entry in pending)
        {
            entries.Add(entry.Entity);
            entry.State = EntityState.Detached;
        }
        _written.AddOrUpdate(db, entries);
        return entries;
    }

    /// <summary>Entries per insert statement: the statements (one per count up to this) are built once per model.</summary>
    private const int RowsPerInsert = 16;

    /// <summary>
    /// The sealed entries as multi-row inserts, and the head's new hash set by the last of them (one command for a save's
    /// usual one to three entries, where EF Core ran one insert per entry and an update of the head).
    /// </summary>
    private static IEnumerable<(string Key, IRelationalCommand Command, Dictionary<string, object?> Values)> Writes(DbContext db, List<AuditEntry> entries, string headHash)
    {
        var table = db.Model.FindEntityType(typeof(AuditEntry))!;
        var columns = ModelCommands.StoredProperties(table);
        for (var start = 0; start < entries.Count; start += RowsPerInsert)
        {
            var rows = Math.Min(RowsPerInsert, entries.Count - start);
            var last = start + rows == entries.Count;
            var key = InsertKeys[rows, last ? 1 : 0];
            var command = ModelCommands.Get(db, key, context => ModelCommands.BuildInsert(context, table, columns, rows,
                last ? $"""; UPDATE "AuditChainHead" SET "Hash" = {ModelCommands.Placeholder(context, HeadHashParameter)} WHERE "Id" = {AuditChainHead.SingleRowId}""" : "",
                last ? [(HeadHashParameter, context.Model.FindEntityType(typeof(AuditChainHead))!.FindProperty(nameof(AuditChainHead.Hash))!)] : []));
            var values = new Dictionary<string, object?>(rows * columns.Count + 1);
            for (var row = 0; row < rows; row++)
                ModelCommands.AddRow(values, columns, row, entries[start + row]);
            if (last)
                values[HeadHashParameter] = headHash;
            yield return (key, command, values);
        }
    }

    private const string HeadHashParameter = "head_hash";

    // The cache keys of the inserts, by rows and whether the head's hash is set too, made once.
    private static readonly string[,] InsertKeys = MakeInsertKeys();

    private static string[,] MakeInsertKeys()
    {
        var keys = new string[RowsPerInsert + 1, 2];
        for (var rows = 0; rows <= RowsPerInsert; rows++)
            for (var head = 0; head < 2; head++)
                keys[rows, head] = $"audit-insert:{rows}:{(head == 1 ? "head" : "")}";
        return keys;
    }

    /// <summary>
    /// As EF Core reports a failed write of a save (when it wrote the entries, callers catching <see cref="DbUpdateException"/>
    /// saw their failures so); the store's own exception stays inside, for what tells a transient fault from others.
    /// </summary>
    private static DbUpdateException WriteFailed(DbException e) =>
        new($"Writing the audit entries of this save failed: {e.Message}", e);

    /// <summary>The save has ended, written: its entries are the store's now.</summary>
    private void ForgetWritten(DbContext? db)
    {
        if (db is null)
            return;
        _written.Remove(db);
    }

    private void Abandon(DbContext? db)
    {
        if (db is not null && _written.TryGetValue(db, out var entries))
        {
            // Not saved: the unit of work holds its entries again (sealed anew by its next save, if any), and a batch
            // they were left to does not seal them.
            _written.Remove(db);
            if (db is NodeDbContext { BatchAudit: { } batch })
                batch.RemoveAll(entries.Contains);
            db.Set<AuditEntry>().AddRange(entries);
        }
        if (db is null || !_opened.TryGetValue(db, out var tx))
            return;
        _opened.Remove(db);
        // Disposing an uncommitted transaction rolls it back (head and entries alike).
        tx.Dispose();
    }

    /// <summary>
    /// The reservation, a statement written once per model and run through EF Core's command pipeline (counted and traced
    /// like every other statement), as a command of its own for this save (<see cref="ModelCommands.Reader"/>: it is read
    /// through a data reader, which a command shared by every context must not be).
    /// </summary>
    private static IRelationalCommand ReserveCommand(DbContext db, int count, out RelationalCommandParameterObject parameters)
    {
        var values = new Dictionary<string, object?>(2);
        AddReservationValues(values, count);
        parameters = ModelCommands.Parameters(db, values);
        return ModelCommands.Reader(db, "audit-reserve", Reservation);
    }

    /// <summary>
    /// The reservation's statement (moves the head's number past <c>count</c> entries, returns the head's number and hash),
    /// written once per model; its values are <see cref="AddReservationValues"/>'.
    /// </summary>
    private static IRelationalCommand Reservation(DbContext db) =>
        ModelCommands.Statement(db, "audit-reserve-statement", model =>
            {
                var head = model.FindEntityType(typeof(AuditChainHead))!;
                return [("count", head.FindProperty(nameof(AuditChainHead.Seq))!), ("genesis", head.FindProperty(nameof(AuditChainHead.Hash))!)];
            },
            p => $"""
                INSERT INTO "AuditChainHead" ("Id", "Seq", "Hash") VALUES ({AuditChainHead.SingleRowId}, {p("count")}, {p("genesis")})
                ON CONFLICT ("Id") DO UPDATE SET "Seq" = "AuditChainHead"."Seq" + {p("count")}
                RETURNING "Seq", "Hash"
                """);

    private static void AddReservationValues(Dictionary<string, object?> values, int count)
    {
        values["count"] = (long)count;
        values["genesis"] = AuditChain.GenesisHash;
    }

    private static AuditHead Head(RelationalDataReader reader, int count) => new(reader.DbDataReader.GetInt64(0), reader.DbDataReader.GetString(1), count);
}

/// <summary>The audit chain's head right after a reservation for <see cref="Count"/> entries: its number moved past them, its hash still the last entry's.</summary>
internal sealed record AuditHead(long Seq, string Hash, int Count);
