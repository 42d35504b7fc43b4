using LaunchNotify.Storage;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace LaunchNotify.Node.Inbox;

/// <summary>
/// Takes a message's identity, (sender, message id), in the inbox before anything else is written for it. One atomic
/// insert-if-absent on SQLite and PostgreSQL alike: of two consumers (or a redelivery and the first delivery) racing
/// on one message, exactly one gets the row and the other learns, without a failed insert or a logged error, that it
/// holds a duplicate. The row is completed by the same transaction (an update of the tracked entity); nobody sees it
/// before that transaction commits.
/// </summary>
internal static class InboxClaims
{
    public static async Task<bool> TryClaimAsync(NodeDbContext db, InboxMessage entry, CancellationToken ct) =>
        await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO "Inbox" ("Sender", "MessageId", "Kind", "Jws", "ReceivedAt", "Outcome")
            VALUES ({entry.Sender}, {entry.MessageId}, {entry.Kind}, {entry.Jws}, {entry.ReceivedAt.ToUnixTimeTicks()}, {entry.Outcome.ToString()})
            ON CONFLICT ("Sender", "MessageId") DO NOTHING
            """, ct) == 1;
}
