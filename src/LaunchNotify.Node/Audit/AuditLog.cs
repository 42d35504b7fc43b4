using LaunchNotify.Storage;
using LaunchNotify.Storage.Audit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace LaunchNotify.Node.Audit;

/// <summary>
/// Appends events to the node's hash-chained audit log. <see cref="Append(NodeDbContext, AuditEvent)"/> joins the
/// caller's unit of work: call it right before the <c>SaveChanges</c> that stores the state change, and the entry
/// commits with it or not at all (numbering, linking and hashing happen in that save, under the chain's lock).
/// </summary>
public static class AuditLog
{
    public static void Append(NodeDbContext db, AuditEvent e) => AuditChain.Append(db, e.At, e.Type, e.Subject, e.Details, e.By);

    public static void Append(NodeDbContext db, IEnumerable<AuditEvent> events)
    {
        foreach (var e in events)
            Append(db, e);
    }

    /// <summary>
    /// A transaction that holds the audit chain's lock from its start: for writers that lock rows (e.g. with
    /// <c>ExecuteUpdate</c>) before they save, so that they take locks in the same order as every other writer.
    /// </summary>
    public static async Task<IDbContextTransaction> BeginLockedTransactionAsync(NodeDbContext db, CancellationToken ct)
    {
        var tx = await db.Database.BeginTransactionAsync(ct);
        try
        {
            await AuditChain.LockAsync(db, ct);
            return tx;
        }
        catch
        {
            // The caller never gets it to dispose: roll it back here, or the context goes back to its pool mid-transaction.
            await tx.DisposeAsync();
            throw;
        }
    }

    /// <summary>For events whose state change is not in this store (a parked delivery): appended in a transaction of its own.</summary>
    public static async Task AppendAsync(IDbContextFactory<NodeDbContext> dbFactory, AuditEvent e, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        Append(db, e);
        await db.SaveChangesAsync(ct);
    }
}
