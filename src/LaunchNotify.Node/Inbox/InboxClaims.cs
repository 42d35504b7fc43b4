using System.Text;
using LaunchNotify.Storage;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace LaunchNotify.Node.Inbox;

/// <summary>
/// Takes a message's identity, (sender, message id), in the inbox before anything else is written for it. One atomic
/// insert-if-absent on SQLite and PostgreSQL alike: of two consumers (or a redelivery and the first delivery) racing
/// on one message, exactly one gets the row and the other learns, without a failed insert or a logged error, that it
/// holds a duplicate. The claim writes the whole row as it is known at that point (every column but the receipt's and
/// the acknowledgement's), and the claimed entity is then tracked as stored: what the same transaction adds to it later
/// (its receipt, its acknowledgement deadline) is an update of those columns alone, not a second write of the message.
/// Nobody sees the row before that transaction commits.
/// </summary>
public static class InboxClaims
{
    /// <summary>
    /// Every column of <see cref="InboxMessage"/> with its value as the store keeps it (instants as Unix ticks,
    /// InstantConverter; the outcome as its name), as the model maps them (a test holds this list to the model).
    /// </summary>
    public static readonly IReadOnlyList<(string Column, Func<InboxMessage, object?> Value)> Columns =
    [
        ("Sender", e => e.Sender), ("MessageId", e => e.MessageId), ("Kind", e => e.Kind), ("AgreementId", e => e.AgreementId),
        ("Sequence", e => e.Sequence), ("RelatesTo", e => e.RelatesTo), ("ReceivedAt", e => e.ReceivedAt.ToUnixTimeTicks()),
        ("IssuedAt", e => e.IssuedAt?.ToUnixTimeTicks()), ("Outcome", e => e.Outcome.ToString()), ("DetailsJson", e => e.DetailsJson),
        ("Jws", e => e.Jws), ("PayloadJson", e => e.PayloadJson), ("WindowStart", e => e.WindowStart?.ToUnixTimeTicks()),
        ("WindowEnd", e => e.WindowEnd?.ToUnixTimeTicks()), ("ReceiptMessageId", e => e.ReceiptMessageId), ("ReceiptJws", e => e.ReceiptJws),
        ("AcknowledgeDueAt", e => e.AcknowledgeDueAt?.ToUnixTimeTicks()), ("AcknowledgedAt", e => e.AcknowledgedAt?.ToUnixTimeTicks()),
        ("AcknowledgedBySubject", e => e.AcknowledgedBySubject), ("AcknowledgedByName", e => e.AcknowledgedByName),
        ("AcknowledgementMessageId", e => e.AcknowledgementMessageId), ("AcknowledgementJws", e => e.AcknowledgementJws),
    ];

    /// <summary>
    /// Whether (sender, id) is in the inbox: the cheap look before a message's step (nearly always no), by a statement
    /// built once per model; the claim in the step is what decides a race.
    /// </summary>
    public static Task<bool> IsStoredAsync(NodeDbContext db, string sender, Guid messageId, CancellationToken ct)
    {
        var inbox = db.Model.FindEntityType(typeof(InboxMessage))!;
        return ModelCommands.ExistsAsync(db, inbox, inbox.FindPrimaryKey()!.Properties, [sender, messageId], ct);
    }

    /// <summary>
    /// Claims (sender, id) with <paramref name="entry"/>'s row; on success the entity is tracked as unchanged, so that
    /// later changes to it are saved as an update of the changed columns. False, and nothing written, when the row exists.
    /// </summary>
    public static async Task<bool> TryClaimAsync(NodeDbContext db, InboxMessage entry, CancellationToken ct)
    {
        // A column without a value is left out (it is NULL): a raw statement's parameter cannot carry a typed null.
        var names = new StringBuilder();
        var placeholders = new StringBuilder();
        var values = new List<object>(Columns.Count);
        foreach (var (column, read) in Columns)
        {
            if (read(entry) is not { } value)
                continue;
            if (values.Count > 0)
            {
                names.Append(", ");
                placeholders.Append(", ");
            }
            names.Append('"').Append(column).Append('"');
            placeholders.Append('{').Append(values.Count).Append('}');
            values.Add(value);
        }
        var sql = $"""INSERT INTO "Inbox" ({names}) VALUES ({placeholders}) ON CONFLICT ("Sender", "MessageId") DO NOTHING""";
        if (await db.Database.ExecuteSqlRawAsync(sql, values, ct) != 1)
            return false;
        db.Inbox.Attach(entry);
        return true;
    }
}
