using LaunchNotify.Storage;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace LaunchNotify.Node.Deadlines;

public sealed record DeadlineWatcherOptions
{
    /// <summary>The longest the watcher sleeps without looking at the store (it wakes sooner for a deadline it knows of).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Deadlines fire within this of falling due while a watcher runs; one that fell due longer before the watcher started fell due while the node was down.</summary>
    public Duration FiringTolerance { get; init; } = Duration.FromSeconds(1);

    public int BatchSize { get; init; } = 100;

    /// <summary>Names this watcher in <see cref="Deadline.FiredBy"/>.</summary>
    public string Name { get; init; } = $"{Environment.MachineName}/{Environment.ProcessId}";
}

/// <summary>
/// Fires due deadlines: sleeps until the next one falls due (at most <see cref="DeadlineWatcherOptions.PollInterval"/>,
/// sooner when <see cref="DeadlineSignal"/> says this process stored one), then claims and fires each in its own
/// transaction. The claim is one conditional update (<c>Pending → Fired</c> where still pending with the same due time)
/// in the transaction that raises the alarm, so however many processes share the store, each deadline fires once, and
/// a crash before the commit leaves it pending for the next watcher. Deadlines that fell due while no watcher ran fire
/// at start-up, marked as such.
/// </summary>
public sealed class DeadlineWatcher(
    IDbContextFactory<NodeDbContext> dbFactory,
    IEnumerable<IDeadlineHandler> handlers,
    DeadlineSignal signal,
    IClock clock,
    DeadlineWatcherOptions options,
    ILogger<DeadlineWatcher> log,
    StoreWriteGate? writeGate = null) : BackgroundService
{
    private readonly Instant _startedAt = clock.GetCurrentInstant();
    private readonly IReadOnlyDictionary<DeadlineKind, IDeadlineHandler> _handlers = handlers.ToDictionary(h => h.Kind);

    public IReadOnlyCollection<DeadlineKind> Kinds => [.. _handlers.Keys];

    /// <summary>When the watcher last finished a look at the store (null: not yet); readiness checks that it keeps up.</summary>
    public Instant? LastPassAt { get; private set; }

    public Instant StartedAt => _startedAt;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await PrepareAsync(stoppingToken);
        log.LogInformation("Deadline watcher {Name} started for {Kinds}", options.Name, string.Join(", ", Kinds));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                signal.Waking();
                var (_, next) = await FireDueCoreAsync(stoppingToken);
                LastPassAt = clock.GetCurrentInstant();
                var wait = WaitFor(next);
                signal.SleepingUntil(clock.GetCurrentInstant() + Duration.FromTimeSpan(wait));
                await signal.WaitAsync(wait, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A store outage must not end the watching: deadlines stay pending and fire once it is back.
                log.LogError(e, "Deadline watcher failed; retrying");
                await Task.Delay(options.PollInterval, stoppingToken);
            }
        }
    }

    /// <summary>Lets each handler arm what it needs (heartbeat schedules, link watches); retried until the store answers.</summary>
    public async Task PrepareAsync(CancellationToken ct)
    {
        foreach (var handler in _handlers.Values)
        {
            while (true)
            {
                try
                {
                    await handler.PrepareAsync(ct);
                    break;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    log.LogError(e, "Preparing {Kind} deadlines failed; retrying", handler.Kind);
                    await Task.Delay(options.PollInterval, ct);
                }
            }
        }
    }

    /// <summary>Fires every deadline due now that this watcher handles; returns how many it fired (others may have fired the rest).</summary>
    public async Task<int> FireDueAsync(CancellationToken ct) => (await FireDueCoreAsync(ct)).Fired;

    /// <summary>
    /// One turn of the watching loop without its wait: fires every deadline due now and says when the next pending one
    /// falls due (null: none pending). A simulation on its own clock moves the clock there next (the history seeder).
    /// </summary>
    public Task<(int Fired, Instant? NextDue)> FireDueAndPeekAsync(CancellationToken ct) => FireDueCoreAsync(ct);

    /// <summary>
    /// Reads the earliest pending deadlines and fires those due; again while it fired any (a handler may re-arm one
    /// soon, like the next heartbeat). Returns how many it fired and when the next one falls due.
    /// </summary>
    private async Task<(int Fired, Instant? Next)> FireDueCoreAsync(CancellationToken ct)
    {
        var fired = 0;
        var kinds = Kinds.ToList();
        while (true)
        {
            var now = clock.GetCurrentInstant();
            List<DueDeadline> pending;
            await using (var db = await dbFactory.CreateDbContextAsync(ct))
                pending = await EarliestPendingAsync(db, kinds, ct);
            var firedNow = 0;
            foreach (var d in pending.TakeWhile(d => d.DueAt <= now))
            {
                if (await TryFireAsync(d, ct))
                    firedNow++;
            }
            fired += firedNow;
            if (firedNow == 0)
                return (fired, pending.FirstOrDefault(d => d.DueAt > now)?.DueAt);
        }
    }

    private sealed record DueDeadline(long Id, Instant DueAt);

    /// <summary>
    /// The earliest pending deadlines of <paramref name="kinds"/>, at most <see cref="DeadlineWatcherOptions.BatchSize"/>:
    /// a statement written once per model, number of kinds and batch size. The watcher looks every
    /// <see cref="DeadlineWatcherOptions.PollInterval"/> and after every signal; the LINQ query it replaces, filtering by a
    /// list, was translated to SQL anew on every look (8.5 % of an idle publisher's samples in a perf of the benchmark's idle phase).
    /// </summary>
    private async Task<List<DueDeadline>> EarliestPendingAsync(NodeDbContext db, List<DeadlineKind> kinds, CancellationToken ct)
    {
        var key = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"deadlines-earliest-pending:{kinds.Count}:{options.BatchSize}");
        var look = ModelCommands.ReaderStatement(db, key, model =>
        {
            var deadline = model.FindEntityType(typeof(Deadline))!;
            return [("Pending", deadline.FindProperty(nameof(Deadline.State))!), .. kinds.Select((_, i) => ($"Kind{i}", deadline.FindProperty(nameof(Deadline.Kind))!))];
        }, p => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"""
            SELECT "Id", "DueAt" FROM "Deadlines" WHERE "State" = {p("Pending")} AND "Kind" IN ({string.Join(", ", kinds.Select((_, i) => p($"Kind{i}")))})
            ORDER BY "DueAt" LIMIT {options.BatchSize}
            """));
        var values = new Dictionary<string, object?>(kinds.Count + 1) { ["Pending"] = DeadlineState.Pending };
        for (var i = 0; i < kinds.Count; i++)
            values[$"Kind{i}"] = kinds[i];
        var dueAt = db.Model.FindEntityType(typeof(Deadline))!.FindProperty(nameof(Deadline.DueAt))!.GetTypeMapping().Converter!;
        var pending = new List<DueDeadline>();
        await using var reader = await look.ExecuteReaderAsync(ModelCommands.Parameters(db, values), ct);
        while (await reader.ReadAsync(ct))
            pending.Add(new DueDeadline(reader.DbDataReader.GetInt64(0), (Instant)dueAt.ConvertFromProvider(reader.DbDataReader.GetInt64(1))!));
        return pending;
    }

    private async Task<bool> TryFireAsync(DueDeadline due, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        using var turn = await (writeGate ?? StoreWriteGate.Open).EnterAsync(ct);
        // The audit chain's lock first, as every writer that may append takes it: firing can raise an alarm (an audit
        // entry), and taking the deadline row before the chain would deadlock against a receipt cancelling it (PostgreSQL).
        await using var tx = await Audit.AuditLog.BeginLockedTransactionAsync(db, ct);
        var now = clock.GetCurrentInstant();
        // The claim: only one transaction can move this row out of Pending at this due time; a concurrent one waits for
        // the row (PostgreSQL) or the database (SQLite) and then matches nothing.
        var claimed = await db.Deadlines
            .Where(d => d.Id == due.Id && d.State == DeadlineState.Pending && d.DueAt == due.DueAt)
            .ExecuteUpdateAsync(u => u
                .SetProperty(d => d.State, DeadlineState.Fired)
                .SetProperty(d => d.FiredAt, now)
                .SetProperty(d => d.FiredBy, options.Name), ct);
        if (claimed == 0)
            return false;

        var deadline = await db.Deadlines.SingleAsync(d => d.Id == due.Id, ct);
        var firing = new DeadlineFiring(db, deadline, now, afterRestart: due.DueAt + options.FiringTolerance < _startedAt);
        await _handlers[deadline.Kind].HandleAsync(firing, ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);

        if (deadline.Kind != DeadlineKind.Heartbeat)
            log.LogInformation("Deadline {Key} fired {Late:0} ms after falling due{Restart}", deadline.Key, (now - due.DueAt).TotalMilliseconds,
                firing.AfterRestart ? " (it fell due while the node was down)" : "");
        foreach (var action in firing.Committed)
            action();
        return true;
    }

    /// <summary>Until the next deadline falls due, at most the poll interval; never a spin (one another process is firing right now is looked at again shortly).</summary>
    private TimeSpan WaitFor(Instant? next)
    {
        if (next is null)
            return options.PollInterval;
        var wait = (next.Value - clock.GetCurrentInstant()).ToTimeSpan();
        return wait < TimeSpan.FromMilliseconds(20) ? TimeSpan.FromMilliseconds(20) : wait > options.PollInterval ? options.PollInterval : wait;
    }
}
