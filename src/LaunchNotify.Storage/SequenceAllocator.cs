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
        // One statement per model, written once (ModelCommands): it runs for every message a node numbers.
        var command = ModelCommands.Statement(db, "sequence-next",
            model => [.. new[] { "Sender", "Recipient", "AgreementId", "Stream" }.Select(name => (name, model.FindEntityType(typeof(Entities.SequenceCounter))!.FindProperty(name)!))],
            p => $"""
                INSERT INTO "SequenceCounters" ("Sender", "Recipient", "AgreementId", "Stream", "Last")
                VALUES ({p("Sender")}, {p("Recipient")}, {p("AgreementId")}, {p("Stream")}, 1)
                ON CONFLICT ("Sender", "Recipient", "AgreementId", "Stream") DO UPDATE SET "Last" = "SequenceCounters"."Last" + 1
                RETURNING "Last"
                """);
        var last = await ModelCommands.ScalarAsync(db, command,
            new Dictionary<string, object?> { ["Sender"] = sender, ["Recipient"] = recipient, ["AgreementId"] = agreementId, ["Stream"] = stream }, ct);
        return Convert.ToInt64(last ?? throw new InvalidOperationException("The sequence counter's upsert returned no number."), System.Globalization.CultureInfo.InvariantCulture);
    }

    public static async Task<long> LastAsync(NodeDbContext db, string sender, string recipient, string agreementId, string stream, CancellationToken ct = default) =>
        await db.SequenceCounters
            .Where(c => c.Sender == sender && c.Recipient == recipient && c.AgreementId == agreementId && c.Stream == stream)
            .Select(c => (long?)c.Last)
            .SingleOrDefaultAsync(ct) ?? 0;
}
