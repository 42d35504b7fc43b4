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
    /// Statements whose rows <see cref="FinishAsync"/> needs (e.g. a link's next receipt numbers), run at the start of the
    /// end, right after the audit chain's reservation: on PostgreSQL in the same command, one round trip for the
    /// reservation and every finisher's. Each must return one result (a <c>RETURNING</c> clause), and their parameter
    /// names must differ from every other finisher's.
    /// </summary>
    IReadOnlyList<BatchQuery> Queries(NodeDbContext db, IReadOnlyList<object> items) => [];

    /// <summary>
    /// Does the work of <paramref name="items"/> (what the steps left to this finisher, in the order they left them), in
    /// the batch's transaction, after its last step. It may add and change rows through <paramref name="db"/> (the
    /// committer saves them after the last finisher) and register what must happen once they are committed
    /// (<see cref="NodeDbContext.AfterCommit"/>). A throw fails the batch; the committer then runs each of its steps again
    /// alone, so that only the step whose work cannot be done fails: a step must be one that can run again (what it
    /// changes outside its context, it sets anew each time).
    /// </summary>
    /// <param name="rows">The rows of each of <see cref="Queries"/>' statements, in their order.</param>
    Task FinishAsync(NodeDbContext db, IReadOnlyList<object> items, IReadOnlyList<IReadOnlyList<object?[]>> rows, CancellationToken ct);
}

/// <summary>A statement an <see cref="IBatchFinisher"/> runs at the start of the batch's end, and whose rows it reads.</summary>
public sealed record BatchQuery(string Key, Microsoft.EntityFrameworkCore.Storage.IRelationalCommand Command, IReadOnlyDictionary<string, object?> Values);

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
    public List<(IBatchFinisher Finisher, List<object> Items)> Grouped() =>
        [.. Items.GroupBy(i => (object)i.Finisher, ReferenceEqualityComparer.Instance).Select(g => ((IBatchFinisher)g.Key!, g.Select(i => i.Item).ToList()))];
}
