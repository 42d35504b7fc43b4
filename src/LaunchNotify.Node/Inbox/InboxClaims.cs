using LaunchNotify.Storage;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace LaunchNotify.Node.Inbox;

/// <summary>
/// Takes a message's identity, (sender, message id), in the inbox before anything else is written for it. One atomic
/// insert-if-absent on SQLite and PostgreSQL alike: of two consumers (or a redelivery and the first delivery) racing
/// on one message, exactly one gets the row and the other learns, without a failed insert or a logged error, that it
/// holds a duplicate. The claim writes the whole row as it is known at that point; what the same transaction learns
/// later (its receipt, its acknowledgement deadline) is written by <see cref="CompleteAsync"/>, an update of those
/// columns alone. The row is never tracked by EF Core (tracking would snapshot and compare its blobs at every look at
/// the unit of work). Nobody sees the row before that transaction commits.
/// </summary>
public static class InboxClaims
{
    /// <summary>
    /// Whether (sender, id) is in the inbox: the cheap look before a message's step (nearly always no), by a statement
    /// built once per model; the claim in the step is what decides a race.
    /// </summary>
    public static Task<bool> IsStoredAsync(NodeDbContext db, string sender, Guid messageId, CancellationToken ct) =>
        ModelCommands.ExistsAsync<InboxMessage>(db, [sender, messageId], ct);

    /// <summary>Claims (sender, id) with <paramref name="entry"/>'s row. False, and nothing written, when the row exists.</summary>
    public static async Task<bool> TryClaimAsync(NodeDbContext db, InboxMessage entry, CancellationToken ct) =>
        await ModelCommands.ExecuteAsync(db, ClaimCommand(db), ClaimValues(db, entry), ct) == 1;

    // Every stored column of the row, as the model maps it, in one statement written once per model (ModelCommands).
    private static IRelationalCommand ClaimCommand(DbContext db) =>
        ModelCommands.Get(db, "inbox-claim", context =>
        {
            var inbox = context.Model.FindEntityType(typeof(InboxMessage))!;
            return ModelCommands.BuildInsert(context, inbox, ModelCommands.StoredProperties(inbox), rows: 1,
                """ON CONFLICT ("Sender", "MessageId") DO NOTHING""");
        });

    private static Dictionary<string, object?> ClaimValues(DbContext db, InboxMessage entry)
    {
        var columns = ModelCommands.StoredProperties(db.Model.FindEntityType(typeof(InboxMessage))!);
        var values = new Dictionary<string, object?>(columns.Count + 4);
        ModelCommands.AddRow(values, columns, 0, entry);
        return values;
    }

    /// <summary>
    /// Writes what the claiming transaction added to the row after the claim: its receipt and its acknowledgement
    /// deadline (nothing, when it has neither: a receipt or heartbeat is not answered).
    /// </summary>
    public static async Task CompleteAsync(NodeDbContext db, InboxMessage entry, CancellationToken ct)
    {
        if (entry.ReceiptMessageId is null && entry.ReceiptJws is null && entry.AcknowledgeDueAt is null)
            return;
        var command = ModelCommands.Statement(db, "inbox-complete",
            model => [.. new[] { "ReceiptMessageId", "ReceiptJws", "AcknowledgeDueAt", "Sender", "MessageId" }.Select(name => (name, model.FindEntityType(typeof(InboxMessage))!.FindProperty(name)!))],
            p => $"""
                UPDATE "Inbox" SET "ReceiptMessageId" = {p("ReceiptMessageId")}, "ReceiptJws" = {p("ReceiptJws")}, "AcknowledgeDueAt" = {p("AcknowledgeDueAt")}
                WHERE "Sender" = {p("Sender")} AND "MessageId" = {p("MessageId")}
                """);
        // On PostgreSQL it goes with the save's first command (ModelCommands.ExecuteWithSaveAsync): nothing reads the row before.
        await ModelCommands.ExecuteWithSaveAsync(db, "inbox-complete", command, new Dictionary<string, object?>
        {
            ["ReceiptMessageId"] = entry.ReceiptMessageId, ["ReceiptJws"] = entry.ReceiptJws, ["AcknowledgeDueAt"] = entry.AcknowledgeDueAt,
            ["Sender"] = entry.Sender, ["MessageId"] = entry.MessageId,
        }, ct);
    }
}
