using LaunchNotify.Storage;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace LaunchNotify.Node.Audit;

/// <summary>Reads the audit log: filtered listings and the head to anchor.</summary>
public static class AuditQueries
{
    /// <summary>
    /// Entries in sequence order. <paramref name="subject"/> matches a message or alarm id (a UUID), a centre (two
    /// letters) or an agreement id.
    /// </summary>
    public static async Task<IReadOnlyList<AuditEntry>> ListAsync(NodeDbContext db, Instant? since, string? subject, int limit, CancellationToken ct)
    {
        var query = db.Set<AuditEntry>().AsNoTracking();
        if (since is { } from)
            query = query.Where(e => e.At >= from);
        if (!string.IsNullOrWhiteSpace(subject))
        {
            subject = subject.Trim();
            if (Guid.TryParse(subject, out var id))
                query = query.Where(e => e.MessageId == id || e.AlarmId == id);
            else if (subject.Length == 2)
                query = query.Where(e => e.Centre == subject.ToUpperInvariant());
            else
                query = query.Where(e => e.AgreementId == subject);
        }
        return await query.OrderBy(e => e.Seq).Take(limit).ToListAsync(ct);
    }

    /// <summary>Entries whose subject is one of these messages or alarms, in sequence order.</summary>
    public static async Task<IReadOnlyList<AuditEntry>> AboutAsync(NodeDbContext db, IReadOnlyCollection<Guid> messageIds, IReadOnlyCollection<Guid> alarmIds, CancellationToken ct) =>
        await db.Set<AuditEntry>().AsNoTracking()
            .Where(e => (e.MessageId != null && messageIds.Contains(e.MessageId.Value)) || (e.AlarmId != null && alarmIds.Contains(e.AlarmId.Value)))
            .OrderBy(e => e.Seq).ToListAsync(ct);

    /// <summary>The last entry's number and hash (0 and the genesis hash for an empty log), as stored in the head row.</summary>
    public static async Task<(long Seq, string Hash)> HeadAsync(NodeDbContext db, CancellationToken ct)
    {
        var head = await db.Set<AuditChainHead>().AsNoTracking().SingleOrDefaultAsync(h => h.Id == AuditChainHead.SingleRowId, ct);
        return head is null ? (0, Storage.Audit.AuditChain.GenesisHash) : (head.Seq, head.Hash);
    }
}
