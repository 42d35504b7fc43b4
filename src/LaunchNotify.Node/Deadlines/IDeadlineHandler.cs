using LaunchNotify.Storage;
using LaunchNotify.Storage.Entities;
using NodaTime;

namespace LaunchNotify.Node.Deadlines;

/// <summary>What to do when a deadline of one <see cref="Kind"/> falls due; one handler per kind.</summary>
public interface IDeadlineHandler
{
    DeadlineKind Kind { get; }

    /// <summary>
    /// Runs inside the transaction that claimed the deadline: whatever it adds to <see cref="DeadlineFiring.Db"/>
    /// (an alarm, an outbox entry) commits with the claim, or not at all.
    /// </summary>
    Task HandleAsync(DeadlineFiring firing, CancellationToken ct);

    /// <summary>Called once when the watcher starts, e.g. to arm recurring deadlines for configured links.</summary>
    Task PrepareAsync(CancellationToken ct) => Task.CompletedTask;
}

/// <summary>One deadline being fired: the claimed row, in the claiming transaction.</summary>
public sealed class DeadlineFiring(NodeDbContext db, Deadline deadline, Instant now, bool afterRestart)
{
    private readonly List<Action> _committed = [];

    public NodeDbContext Db => db;
    public Deadline Deadline => deadline;
    public Instant Now => now;

    /// <summary>It fell due before this watcher started (more than the firing tolerance before): the node was down.</summary>
    public bool AfterRestart => afterRestart;

    /// <summary>Keeps the row for the next occurrence instead of leaving it fired (heartbeats).</summary>
    public void RescheduleAt(Instant due)
    {
        deadline.State = DeadlineState.Pending;
        deadline.DueAt = due;
    }

    /// <summary>Runs after the transaction committed (e.g. wake the outbox dispatcher).</summary>
    public void OnCommitted(Action action) => _committed.Add(action);

    internal IReadOnlyList<Action> Committed => _committed;
}
