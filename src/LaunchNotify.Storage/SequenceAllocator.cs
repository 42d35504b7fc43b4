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
        var command = ModelCommands.Statement(db, "sequence-next", Parameters, p => NextSql(p));
        var last = await ModelCommands.ScalarAsync(db, command, Values(sender, recipient, agreementId, stream), ct);
        return Convert.ToInt64(last ?? throw new InvalidOperationException("The sequence counter's upsert returned no number."), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The upsert that takes the next number (returned as <c>Last</c>), its parameters named as <see cref="Parameters"/>
    /// lists them; with <paramref name="onlyWithARowOf"/> (a common table expression of the same statement) it numbers only
    /// when that gives a row, and returns nothing otherwise (the inbox's claim and its receipt's number in one statement).
    /// </summary>
    public static string NextSql(Func<string, string> p, string? onlyWithARowOf = null) => $"""
        INSERT INTO "SequenceCounters" ("Sender", "Recipient", "AgreementId", "Stream", "Last")
        {(onlyWithARowOf is null ? "VALUES (" : "SELECT ")}{p("Sender")}, {p("Recipient")}, {p("AgreementId")}, {p("Stream")}, 1{(onlyWithARowOf is null ? ")" : " FROM " + onlyWithARowOf)}
        ON CONFLICT ("Sender", "Recipient", "AgreementId", "Stream") DO UPDATE SET "Last" = "SequenceCounters"."Last" + 1
        RETURNING "Last"
        """;

    /// <summary>The parameters of <see cref="NextSql"/>, each typed by the counter's column it fills.</summary>
    public static IReadOnlyList<(string Name, Microsoft.EntityFrameworkCore.Metadata.IProperty TypedAs)> Parameters(Microsoft.EntityFrameworkCore.Metadata.IModel model) =>
        [.. new[] { "Sender", "Recipient", "AgreementId", "Stream" }.Select(name => (name, model.FindEntityType(typeof(Entities.SequenceCounter))!.FindProperty(name)!))];

    /// <summary>The values of <see cref="NextSql"/>'s parameters for one counter.</summary>
    public static Dictionary<string, object?> Values(string sender, string recipient, string agreementId, string stream) =>
        new() { ["Sender"] = sender, ["Recipient"] = recipient, ["AgreementId"] = agreementId, ["Stream"] = stream };

    public static async Task<long> LastAsync(NodeDbContext db, string sender, string recipient, string agreementId, string stream, CancellationToken ct = default) =>
        await db.SequenceCounters
            .Where(c => c.Sender == sender && c.Recipient == recipient && c.AgreementId == agreementId && c.Stream == stream)
            .Select(c => (long?)c.Last)
            .SingleOrDefaultAsync(ct) ?? 0;
}
