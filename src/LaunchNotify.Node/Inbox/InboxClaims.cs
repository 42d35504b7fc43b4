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
        // Every stored column of the row, as the model maps it, in one statement written once per model (ModelCommands).
        var inbox = db.Model.FindEntityType(typeof(InboxMessage))!;
        var columns = ModelCommands.StoredProperties(inbox);
        var claim = ModelCommands.Get(db, "inbox-claim", context =>
            ModelCommands.BuildInsert(context, inbox, columns, rows: 1, """ON CONFLICT ("Sender", "MessageId") DO NOTHING"""));
        var values = new Dictionary<string, object?>(columns.Count);
        ModelCommands.AddRow(values, columns, 0, entry);
        if (await ModelCommands.ExecuteAsync(db, claim, values, ct) != 1)
            return false;
        db.Inbox.Attach(entry);
        return true;
    }
}
