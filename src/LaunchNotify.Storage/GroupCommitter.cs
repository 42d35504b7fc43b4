using System.Diagnostics;
using System.Threading.Channels;
using LaunchNotify.Storage.Audit;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace LaunchNotify.Storage;

/// <summary>
/// Group commit for a process's busiest writers (the subscriber's inbox, the publisher's intake): the store steps of
/// work arriving at the same time run one after another in one transaction, each inside its own savepoint, and all
/// commit together. Each caller's task completes only after that commit, so a delivery is still acked, and a
/// submission still answered 202, only once everything it stored is durable; a step that throws is rolled back to its
/// savepoint alone and its caller gets the exception (the others commit); a failed commit fails every step of the
/// batch, and each caller's retry takes its work through again (claims and message ids make that idempotent).
/// </summary>
/// <remarks>
/// What every step would do on the same few rows is left to the batch's end and done there once
/// (<see cref="IBatchFinisher"/>, and the audit chain's seal): a link's receipt numbers, its sequence row, the chain's
/// head. On PostgreSQL, where a centre may run several subscriber instances on one inbox, those rows are then locked
/// from the end to the commit only, and the instances' steps run side by side (docs/performance.md, item 6).
/// One writer per process instead of one transaction per message: on SQLite, concurrent transactions queue on the
/// file's single write lock and each commit is an fsync; here a busy process pays one lock and one fsync per batch.
/// The batch is whatever is waiting when the previous commit ends, plus whatever arrived while it waited for the write
/// lock (never delayed to collect more), so an idle node commits each message at once. Writes go through the process's
/// <see cref="StoreWriteGate"/> like the dispatcher's and the deadline watcher's.
/// </remarks>
public sealed class GroupCommitter : IAsyncDisposable
{
    /// <summary>At most this many steps per transaction (bounds a transaction's length and the tracker's size).</summary>
    public const int MaxBatch = 64;

    private const string Savepoint = "group_step";

    private readonly IDbContextFactory<NodeDbContext> _dbFactory;
    private readonly StoreWriteGate _writeGate;
    private readonly ILogger<GroupCommitter> _logger;
    private readonly Channel<Step> _steps = Channel.CreateUnbounded<Step>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;
    private long _batches;
    private int _pending;

    // The writer's own context, its connection held open from one batch to the next (one writer per process: opening a
    // pooled connection, registering SQLite's functions and rolling the context back into its pool cost more than a
    // small batch's statements). Dropped after a batch that fails, so that a broken connection is not used again.
    private NodeDbContext? _writer;

    public GroupCommitter(IDbContextFactory<NodeDbContext> dbFactory, StoreWriteGate writeGate, ILogger<GroupCommitter> logger)
    {
        _dbFactory = dbFactory;
        _writeGate = writeGate;
        _logger = logger;
        // The loop must not inherit its creator's context (a trace, log scopes): each step runs in its caller's.
        using (ExecutionContext.SuppressFlow())
            _loop = Task.Run(() => LoopAsync(_stopping.Token));
    }

    /// <summary>Transactions committed since start (for the tests).</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Steps handed in and not yet ended (waiting for a batch or in the one being committed).</summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>
    /// Runs <paramref name="step"/> in the next batch's transaction; completes after that transaction commits. The step
    /// must only read and write through the context it is given and must not commit, roll back or open transactions.
    /// </summary>
    public Task<T> RunAsync<T>(Func<NodeDbContext, CancellationToken, Task<T>> step, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var entry = new Step<T>(this, step, ct);
        Interlocked.Increment(ref _pending);
        if (!_steps.Writer.TryWrite(entry))
        {
            Interlocked.Decrement(ref _pending);
            throw new OperationCanceledException("The node is shutting down; the broker delivers this again, or the client submits it again."); // not a fault: never parked
        }
        return entry.Task;
    }

    private async Task LoopAsync(CancellationToken stopping)
    {
        var reader = _steps.Reader;
        var batch = new List<Step>(MaxBatch);
        try
        {
            while (await reader.WaitToReadAsync(stopping))
            {
                batch.Clear();
                TakeWaiting(batch);
                if (batch.Count > 0)
                    await CommitAsync(batch, stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        finally
        {
            while (reader.TryRead(out var left))
                left.Fail(new OperationCanceledException("The node stopped before this was stored; the broker delivers it again, or the client submits it again."));
        }
    }

    /// <summary>Adds the steps waiting now to <paramref name="batch"/>, up to <see cref="MaxBatch"/> (a cancelled one is ended, not added).</summary>
    private void TakeWaiting(List<Step> batch)
    {
        while (batch.Count < MaxBatch && _steps.Reader.TryRead(out var next))
        {
            if (next.Token.IsCancellationRequested) next.Cancel();
            else batch.Add(next);
        }
    }

    private async Task CommitAsync(List<Step> batch, CancellationToken stopping)
    {
        var succeeded = new List<Step>(batch.Count);
        var failed = new List<(Step Step, Exception Error)>();
        BatchEnd? end = null;
        try
        {
            using var turn = await _writeGate.EnterAsync(stopping);
            var db = _writer ??= await OpenWriterAsync(stopping);
            await using var tx = await db.Database.BeginTransactionAsync(stopping);
            // What arrived while this batch waited for the store's write lock (the centre's other process held it, or
            // this process's dispatcher) joins it: a wait for the lock grows the batch instead of leaving the newcomers
            // a lock wait of their own.
            TakeWaiting(batch);
            var alone = batch.Count == 1;
            // On PostgreSQL a release is a round trip of its own: the next step's savepoint of the same name hides this
            // one (a rollback goes to the newest of that name), and the commit ends them all, so they are left to it. On
            // SQLite a release is a call in the process, and it keeps the savepoints from nesting.
            var onPostgres = db.IsPostgres;
            // The steps' audit entries are sealed together at the end, one reservation and one insert per 16 entries for
            // the batch where each step's save made its own (AuditChainInterceptor.SealBatchAsync), and what the steps
            // left to the end (IBatchFinisher: a link's receipt numbers, its sequence row) is done there once. On SQLite
            // the batch holds the store's only write lock from its BEGIN. On PostgreSQL the chain's head and the links'
            // rows are then locked from the end to the commit only, so that another instance's batch on the same inbox
            // runs its steps meanwhile; a step that locks rows other writers lock after the chain (a delivery, a deadline)
            // takes the chain's lock first (NodeDbContext.LockAuditChainForBatchAsync), the order every writer keeps.
            var batchAudit = new List<AuditEntry>();
            end = new BatchEnd();
            db.BatchAudit = batchAudit;
            db.Batch = end;
            var savepointMade = false;
            for (var i = 0; i < batch.Count; i++)
            {
                var step = batch[i];
                var auditMark = batchAudit.Count;
                var itemMark = end.Items.Count;
                var afterMark = end.AfterCommit.Count;
                end.Step = i;
                if (!alone && !savepointMade) await tx.CreateSavepointAsync(Savepoint, stopping);
                savepointMade = false;
                // The step continues its caller's trace: what it starts or stamps (a receipt applied, the traceparent an
                // outbox entry carries) belongs to the caller's message, not to the loop.
                Activity.Current = step.CallerActivity;
                try
                {
                    await step.RunAsync(db, step.Token);
                    // What the step left to a save it did not make goes now, inside its savepoint
                    // (ModelCommands.ExecuteWithSaveAsync); on PostgreSQL with the next step's savepoint in the same
                    // command, when a step follows.
                    savepointMade = await db.FlushDeferredAsync(step.Token, onPostgres && i + 1 < batch.Count ? Savepoint : null);
                    if (!onPostgres && !alone) await tx.ReleaseSavepointAsync(Savepoint, stopping);
                    succeeded.Add(step);
                    // Saved rows need no tracking; a tracker that kept every step's entities would make each later
                    // SaveChanges scan them all (quadratic in the batch).
                    db.ClearStep();
                }
                catch (Exception e) when (!alone)
                {
                    // This step's writes go; the others' stay. A savepoint that cannot be rolled back (the connection
                    // broke) throws out of here and fails the whole batch below. (A failed command made no savepoint: the
                    // statements before it in that command failed with it.)
                    savepointMade = false;
                    await tx.RollbackToSavepointAsync(Savepoint, stopping);
                    db.ClearStep();
                    db.DropDeferred();
                    // Its audit entries and what it left to the end go with its writes, and so does a lock its savepoint took.
                    batchAudit.RemoveRange(auditMark, batchAudit.Count - auditMark);
                    end.Items.RemoveRange(itemMark, end.Items.Count - itemMark);
                    end.AfterCommit.RemoveRange(afterMark, end.AfterCommit.Count - afterMark);
                    if (end.AuditLockedAtStep == i)
                        end.AuditLockedAtStep = null;
                    failed.Add((step, e));
                }
            }
            Activity.Current = null;
            await FinishAsync(db, end, batchAudit, stopping);
            await tx.CommitAsync(stopping);
            db.BatchAudit = null;
            db.Batch = null;
            Interlocked.Increment(ref _batches);
            foreach (var action in end.AfterCommit)
                RunAfterCommit(action);
            foreach (var step in succeeded)
                step.Complete();
        }
        catch (Exception e)
        {
            // (The writer goes below, and with it the batch's unsealed entries and what it left to its next command.)
            await DropWriterAsync();
            if (end is { FinisherFailed: true } && succeeded.Count > 1 && !stopping.IsCancellationRequested)
            {
                // The work the steps left to the end failed for the whole batch: each step goes again, alone, so that only
                // one whose own work cannot be done fails (as a step that throws fails alone), and the others commit. (A
                // failed save, seal or commit fails the batch as before: the store's fault, each caller retries.)
                _logger.LogWarning("The end of a batch of {Count} steps failed ({Error}); each step runs again alone", succeeded.Count, e.Message);
                foreach (var step in succeeded)
                    if (step.Token.IsCancellationRequested) step.Cancel();
                    else await CommitAsync([step], stopping);
            }
            else
            {
                if (batch.Count > 1)
                    _logger.LogWarning("A batch of {Count} steps was not committed ({Error}); each caller retries or answers", batch.Count, e.Message);
                foreach (var step in batch.Where(b => !failed.Exists(f => f.Step == b)))
                    step.Fail(e);
            }
        }
        // A failed step learns of its failure only once the batch has ended: whatever it reads next (e.g. the row a
        // racing step of the same batch stored) is committed by then.
        foreach (var (step, error) in failed)
            step.Fail(error);
    }

    /// <summary>
    /// The batch's end, after its last step: the audit chain's reservation for the steps' entries (it takes the chain's
    /// lock, which every writer takes before the links' rows) with the statements the finishers need the rows of (on
    /// PostgreSQL one command), the steps' entries sealed, the work the steps left to the end (<see cref="IBatchFinisher"/>,
    /// each finisher once with its items), its rows saved, and the audit entries that work added sealed after the steps'.
    /// </summary>
    private static async Task FinishAsync(NodeDbContext db, BatchEnd end, List<AuditEntry> batchAudit, CancellationToken ct)
    {
        var sealedCount = batchAudit.Count;
        if (end.Items.Count == 0)
        {
            await AuditChainInterceptor.SealBatchAsync(db, batchAudit, 0, ct);
            await db.FlushDeferredAsync(ct);
            return;
        }
        var groups = end.Grouped();
        var queries = groups.Select(g => g.Finisher.Queries(db, g.Items)).ToList();
        var (head, rows) = await AuditChainInterceptor.ReserveWithAsync(db, sealedCount, [.. queries.SelectMany(q => q)], ct);
        await AuditChainInterceptor.SealReservedAsync(db, sealedCount == batchAudit.Count ? batchAudit : batchAudit.GetRange(0, sealedCount), head, ct);
        try
        {
            var next = 0;
            for (var g = 0; g < groups.Count; g++)
            {
                await groups[g].Finisher.FinishAsync(db, groups[g].Items, rows.GetRange(next, queries[g].Count), ct);
                next += queries[g].Count;
            }
        }
        catch
        {
            end.FinisherFailed = true;
            throw;
        }
        // (The steps' audit inserts, left to the writer's next command on PostgreSQL, go with this save's.)
        await db.SaveChangesAsync(ct);
        db.ClearStep();
        await AuditChainInterceptor.SealBatchAsync(db, batchAudit, sealedCount, ct);
        await db.FlushDeferredAsync(ct);
    }

    private void RunAfterCommit(Action action)
    {
        try
        {
            action();
        }
        catch (Exception e)
        {
            // What runs after the commit only signals (a dispatcher, a watcher), each of which also polls.
            _logger.LogError(e, "An action after a group commit failed; what it would have signalled is found by the next poll");
        }
    }

    private async Task<NodeDbContext> OpenWriterAsync(CancellationToken ct)
    {
        var db = await _dbFactory.CreateDbContextAsync(ct);
        try
        {
            // The steps' savepoints are ours: EF's own one around each SaveChanges would only add statements.
            db.Database.AutoSavepointsEnabled = false;
            // A step adds its outbox entries, deadlines and outbound messages and ends: they are written as statements
            // built once per model, not by EF Core's per-row save (NewRows).
            db.WritesNewRowsItself = true;
            // Opened here, EF leaves it open after each command and transaction (it closes only what it opened itself).
            await db.Database.OpenConnectionAsync(ct);
            // The same few dozen statements run for every message on this connection: on SQLite they stay prepared
            // (PostgreSQL's driver prepares them itself).
            SqliteStatementCache.Enable(db.Database.GetDbConnection());
            return db;
        }
        catch
        {
            await db.DisposeAsync();
            throw;
        }
    }

    private async Task DropWriterAsync()
    {
        if (_writer is not { } db)
            return;
        _writer = null;
        try
        {
            // The context goes back to its pool: nothing of this writer's may stay on it (a statement left to the next
            // command would go with the next user's).
            db.DropDeferred();
            db.BatchAudit = null;
            db.ClearStep();
            db.Batch = null;
            db.WritesNewRowsItself = false;
            await db.DisposeAsync();
        }
        catch (Exception e)
        {
            _logger.LogDebug(e, "The store writer's context did not close cleanly after a failed batch");
        }
    }

    public async ValueTask DisposeAsync()
    {
        _steps.Writer.TryComplete();
        await _stopping.CancelAsync();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        // The loop has ended: nothing uses the writer any more.
        await DropWriterAsync();
        _stopping.Dispose();
    }

    private abstract class Step(GroupCommitter owner, CancellationToken token)
    {
        public CancellationToken Token { get; } = token;

        /// <summary>The caller's activity when it handed the step in.</summary>
        public Activity? CallerActivity { get; } = Activity.Current;

        /// <summary>Counts the step out of <see cref="Pending"/> the first time it ends.</summary>
        protected void Ended(bool first)
        {
            if (first) Interlocked.Decrement(ref owner._pending);
        }

        public abstract Task RunAsync(NodeDbContext db, CancellationToken ct);

        public abstract void Complete();

        public abstract void Fail(Exception e);

        public abstract void Cancel();
    }

    private sealed class Step<T>(GroupCommitter owner, Func<NodeDbContext, CancellationToken, Task<T>> run, CancellationToken token) : Step(owner, token)
    {
        private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;

        public Task<T> Task => _done.Task;

        public override async Task RunAsync(NodeDbContext db, CancellationToken ct) => _result = await run(db, ct);

        public override void Complete() => Ended(_done.TrySetResult(_result!));

        public override void Fail(Exception e) => Ended(_done.TrySetException(e));

        public override void Cancel() => Ended(_done.TrySetCanceled(Token));
    }
}
