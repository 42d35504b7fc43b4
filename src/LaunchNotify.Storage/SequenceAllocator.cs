using Microsoft.EntityFrameworkCore;

namespace LaunchNotify.Storage;

/// <summary>Hands out sequence numbers atomically: one upsert statement, inside the caller's transaction.</summary>
public static class SequenceAllocator
{
    public const string NotificationStream = "notification";
    public const string ReceiptStream = "receipt";
    public const string HeartbeatStream = "heartbeat";

    /// <summary>
    /// The next number on a link. <c>INSERT … ON CONFLICT … DO UPDATE … RETURNING</c> is one atomic statement on both
    /// SQLite (3.35+) and PostgreSQL, so two submissions can never share a number.
    /// </summary>
    public static async Task<long> NextAsync(NodeDbContext db, string sender, string recipient, string agreementId, string stream, CancellationToken ct = default)
    {
        var numbers = await db.Database.SqlQueryRaw<long>(
            """
            INSERT INTO "SequenceCounters" ("Sender", "Recipient", "AgreementId", "Stream", "Last")
            VALUES ({0}, {1}, {2}, {3}, 1)
            ON CONFLICT ("Sender", "Recipient", "AgreementId", "Stream") DO UPDATE SET "Last" = "SequenceCounters"."Last" + 1
            RETURNING "Last" AS "Value"
            """,
            sender, recipient, agreementId, stream).ToListAsync(ct);
        return numbers.Single();
    }

    /// <summary>The last number used on a link (0: none yet), for heartbeats.</summary>
    public static async Task<long> LastAsync(NodeDbContext db, string sender, string recipient, string agreementId, string stream, CancellationToken ct = default) =>
        await db.SequenceCounters
            .Where(c => c.Sender == sender && c.Recipient == recipient && c.AgreementId == agreementId && c.Stream == stream)
            .Select(c => (long?)c.Last)
            .SingleOrDefaultAsync(ct) ?? 0;
}
