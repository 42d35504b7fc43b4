using LaunchNotify.Storage.Converters;
using LaunchNotify.Storage.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace LaunchNotify.Storage;

/// <summary>
/// One centre node's store. The publisher and subscriber of a centre share it. It also keeps the node's accounts
/// (ASP.NET Core Identity's users, roles and password hashes; docs/security.md).
/// </summary>
public class NodeDbContext(DbContextOptions<NodeDbContext> options) : IdentityDbContext<IdentityUser, IdentityRole, string>(options)
{
    public DbSet<OutboundMessage> OutboundMessages => Set<OutboundMessage>();
    public DbSet<Delivery> Deliveries => Set<Delivery>();
    public DbSet<OutboxEntry> Outbox => Set<OutboxEntry>();
    public DbSet<InboxMessage> Inbox => Set<InboxMessage>();
    public DbSet<ObservedLaunch> ObservedLaunches => Set<ObservedLaunch>();
    public DbSet<SequenceCounter> SequenceCounters => Set<SequenceCounter>();
    public DbSet<Alarm> Alarms => Set<Alarm>();
    public DbSet<Deadline> Deadlines => Set<Deadline>();
    public DbSet<InboundSequence> InboundSequences => Set<InboundSequence>();

    /// <summary>
    /// Whether a save inside a transaction writes the new rows of the hot path itself (<see cref="NewRows"/>) before
    /// EF Core saves the rest: set by the group committer on its writer, whose steps only add such rows.
    /// </summary>
    internal bool WritesNewRowsItself { get; set; }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        if (!WritesNewRowsItself || !acceptAllChangesOnSuccess || Database.CurrentTransaction is null)
            return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        var rows = NewRows.Find(this);
        return rows is null && _deferred is null
            ? base.SaveChangesAsync(true, cancellationToken)
            : SaveWithNewRowsAsync(rows, cancellationToken);
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        // The group committer's steps save asynchronously; a synchronous save still sends what was left to it first.
        FlushDeferred();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    private async Task<int> SaveWithNewRowsAsync(NewRows? rows, CancellationToken ct)
    {
        var deferred = TakeDeferred();
        List<object>? written = null;
        try
        {
            written = await NewRows.WriteAsync(this, rows, deferred, ct);
            return written.Count + await base.SaveChangesAsync(true, ct);
        }
        catch
        {
            if (written is null)
                // Not sent: the unit of work still owes them, as it still holds its rows.
                _deferred = deferred;
            else
                NewRows.TrackAgain(this, written);
            throw;
        }
    }

    // New rows of the hot path a step added with AddNew and its saves have not written yet, outside EF Core's tracking.
    private List<object>? _untracked;

    /// <summary>
    /// Adds a submitted message with its deliveries to the unit of work (<see cref="AddNewRow"/>).
    /// </summary>
    public void AddNew(OutboundMessage message)
    {
        if (!KeepsNewRowsUntracked)
        {
            OutboundMessages.Add(message);
            return;
        }
        // What EF Core's attach would have set: each delivery's key and navigation to its message.
        foreach (var delivery in message.Deliveries)
        {
            delivery.MessageId = message.MessageId;
            delivery.Message = message;
        }
        (_untracked ??= []).Add(message);
    }

    /// <summary>Adds an outbox entry to the unit of work (<see cref="AddNewRow"/>).</summary>
    public void AddNew(OutboxEntry entry) => AddNewRow(entry);

    /// <summary>Adds a deadline to the unit of work (<see cref="AddNewRow"/>).</summary>
    public void AddNew(Deadline deadline) => AddNewRow(deadline);

    /// <summary>
    /// A new row of the hot path, for the unit of work's next save. In the group committer's writer, inside its transaction,
    /// it is kept outside EF Core's tracking and written by <see cref="NewRows"/> at the step's next save (EF Core's attach of
    /// each row, its snapshot, and its detach once written were 7–8 % of the publisher's CPU in the closed loop); elsewhere
    /// it is tracked, as <c>Add</c> tracks it. Those who look at what a step adds see both (<see cref="AddedRows{T}"/>).
    /// </summary>
    private void AddNewRow(object row)
    {
        if (KeepsNewRowsUntracked)
            (_untracked ??= []).Add(row);
        else
            Add(row);
    }

    private bool KeepsNewRowsUntracked => WritesNewRowsItself && Database.CurrentTransaction is not null;

    /// <summary>
    /// The rows of <typeparamref name="T"/> this unit of work adds and has not saved: those it tracks as added (values set
    /// before they were added; no change detection runs), then those <see cref="AddNew(OutboxEntry)"/> keeps untracked.
    /// </summary>
    public IEnumerable<T> AddedRows<T>() where T : class
    {
        foreach (var entry in ChangeTracker.WithoutDetecting<T>())
            if (entry.State == EntityState.Added)
                yield return entry.Entity;
        foreach (var row in _untracked ?? [])
            if (row is T added)
                yield return added;
    }

    /// <summary>The rows of <typeparamref name="T"/> that <see cref="AddNew(OutboxEntry)"/> keeps untracked and no save has written yet.</summary>
    public IEnumerable<T> UntrackedAdded<T>() where T : class => _untracked?.OfType<T>() ?? [];

    /// <summary>The rows <see cref="AddNew(OutboxEntry)"/> keeps untracked, for <see cref="NewRows"/> to write (null: none).</summary>
    internal List<object>? UntrackedNewRows => _untracked is { Count: > 0 } rows ? rows : null;

    /// <summary>They were written: the save took them.</summary>
    internal void ForgetUntrackedNewRows() => _untracked = null;

    /// <summary>
    /// The end of a group-commit step, or of its failure: what the unit of work held goes (its tracked entities, its
    /// untracked new rows, its unsaved audit entries), as it goes from a context that is disposed.
    /// </summary>
    internal void ClearStep()
    {
        ChangeTracker.Clear();
        _untracked = null;
        UnsavedBatchAudit = null;
    }

    /// <summary>A statement left to the writer's next command (<see cref="ModelCommands.ExecuteWithSaveAsync"/>): its cache key, command and values.</summary>
    internal sealed record DeferredStatement(string Key, Microsoft.EntityFrameworkCore.Storage.IRelationalCommand Command, Dictionary<string, object?> Values);

    // Statements a step left to the writer's next command: its next save's first, or the one the committer sends at the
    // step's end (PostgreSQL, the group committer's writer).
    private List<DeferredStatement>? _deferred;

    /// <summary>
    /// Whether a statement that returns nothing may wait for this context's next command of its own (the next save's first,
    /// or the committer's at the step's end): only on PostgreSQL (where a round trip per statement is what costs; on SQLite
    /// a statement is a call in the process) and in the group committer's writer, inside its transaction.
    /// </summary>
    internal bool DefersWrites => WritesNewRowsItself && Database.CurrentTransaction is not null && IsPostgres;

    /// <summary>
    /// Whether this store is PostgreSQL, looked up once per context: EF Core's <c>IsNpgsql()</c> and <c>IsSqlite()</c> read
    /// the provider assembly's name on every call (an allocation of a couple of KB), which the hot path asks per save.
    /// </summary>
    public bool IsPostgres => _isPostgres ??= Database.IsNpgsql();

    private bool? _isPostgres;

    internal async Task DeferAsync(DeferredStatement statement, CancellationToken ct)
    {
        // Statements sharing a parameter name cannot go in one command: those left earlier go now, in their order.
        if (_deferred is { } earlier && earlier.Exists(d => d.Command.Parameters.Any(p => statement.Values.ContainsKey(p.InvariantName))))
            await FlushDeferredAsync(ct);
        (_deferred ??= []).Add(statement);
    }

    /// <summary>
    /// Sends the statements left to a save that did not come, or to the end of the step (the group committer, at the end
    /// of each step), as one command; with <paramref name="thenSavepoint"/>, that command also makes the next step's
    /// savepoint, after them. True when it did (there was something to send).
    /// </summary>
    internal async Task<bool> FlushDeferredAsync(CancellationToken ct, string? thenSavepoint = null)
    {
        if (TakeDeferred() is not { } statements)
            return false;
        if (statements.Count == 1 && thenSavepoint is null)
        {
            await ModelCommands.ExecuteAsync(this, statements[0].Command, statements[0].Values, ct);
            return false;
        }
        var key = string.Join('|', statements.Select(d => d.Key).Append(thenSavepoint is null ? "" : "savepoint:" + thenSavepoint));
        var command = ModelCommands.Get(this, key, context => ModelCommands.Combine(context,
            [.. statements.Select(d => d.Command), .. thenSavepoint is null ? [] : new[] { ModelCommands.Savepoint(context, thenSavepoint) }]));
        var values = new Dictionary<string, object?>(statements.Sum(d => d.Values.Count));
        foreach (var statement in statements)
            foreach (var (name, value) in statement.Values)
                values.Add(name, value);
        await ModelCommands.ExecuteAsync(this, command, values, ct);
        return thenSavepoint is not null;
    }

    private void FlushDeferred()
    {
        foreach (var statement in TakeDeferred() ?? [])
            ModelCommands.Execute(this, statement.Command, statement.Values);
    }

    /// <summary>A step that failed: what it left to its save goes with the rest of its work (its savepoint is rolled back).</summary>
    internal void DropDeferred()
    {
        _deferred = null;
    }

    private List<DeferredStatement>? TakeDeferred()
    {
        var taken = _deferred;
        _deferred = null;
        return taken;
    }

    /// <summary>
    /// The audit entries of the group committer's batch under way, in the order its steps saved them: the committer seals
    /// them all at the batch's end (<see cref="Audit.AuditChainInterceptor.SealBatchAsync"/>). Null outside such a batch
    /// (every other context, and this one between batches): a save seals its own entries.
    /// </summary>
    internal List<AuditEntry>? BatchAudit { get; set; }

    /// <summary>
    /// Inside the group committer's batch, the audit entries a step appended and has not saved yet (<see cref="Audit.AuditChain.Append"/>):
    /// kept here instead of in the unit of work's tracking (EF Core's attach, snapshot and detach of each entry were a few
    /// per cent of a node's CPU), taken into <see cref="BatchAudit"/> by the step's next save, dropped with the step's
    /// tracked entities when it ends without one.
    /// </summary>
    internal List<AuditEntry>? UnsavedBatchAudit { get; set; }

    /// <summary>Whether an audit entry appended now goes to <see cref="UnsavedBatchAudit"/> (a group-commit batch under way, in its transaction).</summary>
    internal bool AppendsToBatch => BatchAudit is not null && Database.CurrentTransaction is not null;

    /// <summary>What the group committer's batch under way holds for its end; null outside such a batch.</summary>
    internal BatchEnd? Batch { get; set; }

    /// <summary>
    /// Leaves <paramref name="item"/> to <paramref name="finisher"/> at the end of the group committer's batch this context
    /// runs (<see cref="IBatchFinisher"/>); outside a batch the finisher does it now, in the caller's unit of work.
    /// </summary>
    public Task LeaveToBatchEndAsync(IBatchFinisher finisher, object item, CancellationToken ct)
    {
        if (Batch is not { } batch)
            return FinishNowAsync(finisher, item, ct);
        batch.Items.Add((finisher, item));
        return Task.CompletedTask;
    }

    private async Task FinishNowAsync(IBatchFinisher finisher, object item, CancellationToken ct)
    {
        var rows = new List<IReadOnlyList<object?[]>>();
        foreach (var query in finisher.Queries(this, [item]))
            rows.Add(await ModelCommands.RowsAsync(this, query.Command, query.Values, ct));
        await finisher.FinishAsync(this, [item], rows, ct);
    }

    /// <summary>
    /// Runs <paramref name="action"/> once the group committer's batch under way has committed (not at all if it does not);
    /// outside a batch, now (the caller's transaction, if any, is its own to commit).
    /// </summary>
    public void AfterCommit(Action action)
    {
        if (Batch is { } batch)
            batch.AfterCommit.Add(action);
        else
            action();
    }

    /// <summary>
    /// For a group-commit step about to lock rows that other writers lock after the audit chain (a delivery, a deadline, an
    /// alarm: <see cref="Audit.AuditLog"/>'s writers take the chain first): takes the chain's lock now, for the rest of the
    /// batch, so that this batch keeps the same order. Only on PostgreSQL, and once per batch; on SQLite the batch holds the
    /// store's only write lock from its start, and outside a batch each save takes the chain's lock as it seals.
    /// </summary>
    public async Task LockAuditChainForBatchAsync(CancellationToken ct)
    {
        if (Batch is not { AuditLockedAtStep: null } batch || !IsPostgres)
            return;
        await Audit.AuditChain.LockAsync(this, ct);
        batch.AuditLockedAtStep = batch.Step;
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configuration)
    {
        configuration.Properties<Instant>().HaveConversion<InstantConverter>();
        configuration.Properties<Enum>().HaveConversion<string>().HaveMaxLength(32);
    }

    // Audit entries are numbered, linked and hashed as they save, in the saving transaction (docs/audit.md).
    /// <summary>Options made elsewhere than <see cref="StorageOptions.Configure"/> (tools, tests) get the audit chain too.</summary>
    protected override void OnConfiguring(DbContextOptionsBuilder options)
    {
        var interceptors = options.Options.FindExtension<Microsoft.EntityFrameworkCore.Infrastructure.CoreOptionsExtension>()?.Interceptors;
        if (interceptors?.Contains(Audit.AuditChainInterceptor.Instance) != true)
            options.AddInterceptors(Audit.AuditChainInterceptor.Instance);
    }

    protected override void OnModelCreating(ModelBuilder model)
    {
        base.OnModelCreating(model);
        // Newer entities carry their own IEntityTypeConfiguration beside them (Entities/*.cs).
        model.ApplyConfigurationsFromAssembly(typeof(NodeDbContext).Assembly);
        model.Entity<OutboundMessage>(e =>
        {
            e.HasKey(m => m.MessageId);
            e.Property(m => m.Kind).HasMaxLength(32);
            e.Property(m => m.AgreementId).HasMaxLength(64);
            e.Property(m => m.Sender).HasMaxLength(2);
            e.Property(m => m.SubmittedBySubject).HasMaxLength(Audit.Actor.MaxLength);
            e.Property(m => m.SubmittedByName).HasMaxLength(Audit.Actor.MaxLength);
            e.HasMany(m => m.Deliveries).WithOne(d => d.Message).HasForeignKey(d => d.MessageId);
            e.HasIndex(m => m.IssuedAt);
            e.HasIndex(m => m.RelatesTo);
        });
        model.Entity<Delivery>(e =>
        {
            e.HasKey(d => new { d.MessageId, d.Recipient });
            e.Property(d => d.Recipient).HasMaxLength(2);
            e.HasIndex(d => d.Status);
        });
        model.Entity<OutboxEntry>(e =>
        {
            e.HasKey(o => o.Id);
            e.Property(o => o.Kind).HasMaxLength(32);
            e.Property(o => o.Recipient).HasMaxLength(2);
            e.Property(o => o.RoutingKey).HasMaxLength(64);
            e.Property(o => o.TraceParent).HasMaxLength(64);
            // The dispatcher's query: unpublished entries in order.
            e.HasIndex(o => new { o.PublishedAt, o.Id });
        });
        model.Entity<InboxMessage>(e =>
        {
            // A message is (sender, id): a centre cannot pre-empt or shadow another centre's message by reusing its id.
            e.HasKey(m => new { m.Sender, m.MessageId });
            e.Property(m => m.Kind).HasMaxLength(32);
            e.Property(m => m.Sender).HasMaxLength(2);
            e.Property(m => m.AgreementId).HasMaxLength(64);
            e.HasIndex(m => m.ReceivedAt);
            e.HasIndex(m => new { m.Sender, m.AgreementId, m.Sequence });
            e.Property(m => m.AcknowledgedBySubject).HasMaxLength(Audit.Actor.MaxLength);
            e.Property(m => m.AcknowledgedByName).HasMaxLength(Audit.Actor.MaxLength);
            // The duty officer's list: notices still waiting for a person, by deadline.
            e.HasIndex(m => new { m.AcknowledgedAt, m.AcknowledgeDueAt });
        });
        model.Entity<SequenceCounter>(e =>
        {
            e.HasKey(c => new { c.Sender, c.Recipient, c.AgreementId, c.Stream });
            e.Property(c => c.Sender).HasMaxLength(2);
            e.Property(c => c.Recipient).HasMaxLength(2);
            e.Property(c => c.AgreementId).HasMaxLength(64);
            e.Property(c => c.Stream).HasMaxLength(16);
        });
    }
}
