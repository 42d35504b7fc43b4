namespace LaunchNotify.Storage;

/// <summary>
/// Work that group-commit steps leave to their batch's end (<see cref="NodeDbContext.LeaveToBatchEndAsync"/>), done once
/// for all of them: e.g. numbering a batch's receipts on one link with one statement, or applying a link's sequence
/// observations with one read and one write. On PostgreSQL that is also what keeps the rows every writer of a link
/// contends for (its counters, its sequence row, the audit chain's head) locked only from the batch's end to its commit,
/// not from its first step: two subscriber instances on one inbox then run their steps side by side, and take turns
/// only for the end.
/// </summary>
public interface IBatchFinisher
{
    /// <summary>
    /// Does the work of <paramref name="items"/> (what the steps left to this finisher, in the order they left them), in
    /// the batch's transaction, after its last step. It may add and change rows through <paramref name="db"/> (the
    /// committer saves them after the last finisher) and register what must happen once they are committed
    /// (<see cref="NodeDbContext.AfterCommit"/>). A throw fails the batch; the committer then runs each of its steps again
    /// alone, so that only the step whose work cannot be done fails: a step must be one that can run again (what it
    /// changes outside its context, it sets anew each time).
    /// </summary>
    Task FinishAsync(NodeDbContext db, IReadOnlyList<object> items, CancellationToken ct);
}

/// <summary>What the group committer's batch under way holds for its end (<see cref="NodeDbContext.Batch"/>).</summary>
internal sealed class BatchEnd
{
    /// <summary>Left by the steps that succeeded so far (a failed step's are taken out), in order.</summary>
    public List<(IBatchFinisher Finisher, object Item)> Items { get; } = [];

    /// <summary>To run once the batch has committed, in order.</summary>
    public List<Action> AfterCommit { get; } = [];

    /// <summary>The step running now (its index in the batch).</summary>
    public int Step { get; set; }

    /// <summary>The step whose savepoint holds the audit chain's lock on PostgreSQL, once one took it (<see cref="NodeDbContext.LockAuditChainForBatchAsync"/>).</summary>
    public int? AuditLockedAtStep { get; set; }

    /// <summary>Whether a finisher threw (the committer then runs each step again alone).</summary>
    public bool FinisherFailed { get; set; }

    /// <summary>The items grouped by finisher, each group in the order its items were left, the groups by first appearance.</summary>
    public List<(IBatchFinisher Finisher, List<object> Items)> Grouped()
    {
        var groups = new List<(IBatchFinisher Finisher, List<object> Items)>();
        foreach (var (finisher, item) in Items)
        {
            var index = groups.FindIndex(g => ReferenceEquals(g.Finisher, finisher));
            if (index < 0)
                groups.Add((finisher, [item]));
            else
                groups[index].Items.Add(item);
        }
        return groups;
    }
}
