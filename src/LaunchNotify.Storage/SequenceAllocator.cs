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
    /// The next <paramref name="count"/> numbers on a link, in one statement: returns the last of them (the first is
    /// <c>last - count + 1</c>). What <paramref name="count"/> calls of <see cref="NextAsync(NodeDbContext, string, string, string, string, CancellationToken)"/>
    /// would have given, one after the other.
    /// </summary>
    public static async Task<long> NextAsync(NodeDbContext db, string sender, string recipient, string agreementId, string stream, int count, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (count == 1)
            return await NextAsync(db, sender, recipient, agreementId, stream, ct);
        var command = ModelCommands.Statement(db, "sequence-next-n",
            model => [.. Parameters(model), ("Count", model.FindEntityType(typeof(Entities.SequenceCounter))!.FindProperty("Last")!)],
            p => $"""
                INSERT INTO "SequenceCounters" ("Sender", "Recipient", "AgreementId", "Stream", "Last")
                VALUES ({p("Sender")}, {p("Recipient")}, {p("AgreementId")}, {p("Stream")}, {p("Count")})
                ON CONFLICT ("Sender", "Recipient", "AgreementId", "Stream") DO UPDATE SET "Last" = "SequenceCounters"."Last" + {p("Count")}
                RETURNING "Last"
                """);
        var values = Values(sender, recipient, agreementId, stream);
        values["Count"] = (long)count;
        var last = await ModelCommands.ScalarAsync(db, command, values, ct);
        return Convert.ToInt64(last ?? throw new InvalidOperationException("The sequence counter's upsert returned no number."), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// <see cref="NextAsync(NodeDbContext, string, string, string, string, int, CancellationToken)"/> as a statement for the
    /// start of a group-commit batch's end (<see cref="IBatchFinisher.Queries"/>): its one row's one column is the last of
    /// the <paramref name="count"/> numbers. Its parameters are named apart from the other finishers'.
    /// </summary>
    public static BatchQuery NextQuery(NodeDbContext db, string sender, string recipient, string agreementId, string stream, int count)
    {
        const string key = "sequence-next-n-at-batch-end";
        var command = ModelCommands.ReaderStatement(db, key,
            model => [.. Parameters(model).Select(p => ("next" + p.Name, p.TypedAs)), ("nextCount", model.FindEntityType(typeof(Entities.SequenceCounter))!.FindProperty("Last")!)],
            p => $"""
                INSERT INTO "SequenceCounters" ("Sender", "Recipient", "AgreementId", "Stream", "Last")
                VALUES ({p("nextSender")}, {p("nextRecipient")}, {p("nextAgreementId")}, {p("nextStream")}, {p("nextCount")})
                ON CONFLICT ("Sender", "Recipient", "AgreementId", "Stream") DO UPDATE SET "Last" = "SequenceCounters"."Last" + {p("nextCount")}
                RETURNING "Last"
                """);
        return new BatchQuery(key, command, new Dictionary<string, object?>
        {
            ["nextSender"] = sender, ["nextRecipient"] = recipient, ["nextAgreementId"] = agreementId, ["nextStream"] = stream, ["nextCount"] = (long)count,
        });
    }

    /// <summary>
    /// The next number on the link from <paramref name="sender"/> to each of <paramref name="recipients"/>, in one statement
    /// (a multilateral notification to 142 centres is one round trip, not 142): a multi-row upsert returning each row's
    /// number, its rows in recipient order, so that two transactions numbering overlapping sets take the rows' locks in
    /// the same order. Each recipient gets what <see cref="NextAsync"/> would have given it.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, long>> NextForEachAsync(NodeDbContext db, string sender, IReadOnlyList<string> recipients,
        string agreementId, string stream, CancellationToken ct = default)
    {
        var ordered = recipients.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var numbers = new Dictionary<string, long>(ordered.Count, StringComparer.Ordinal);
        if (ordered.Count < 2 || ordered.Count != recipients.Count)
        {
            // One recipient (the common case, its statement shared with NextAsync), or a list naming one twice (the rules
            // refuse it before anything is numbered), which would number that link twice.
            foreach (var recipient in recipients)
                numbers[recipient] = await NextAsync(db, sender, recipient, agreementId, stream, ct);
            return numbers;
        }
        var rows = ordered.Count;
        var command = ModelCommands.ReaderStatement(db, $"sequence-next-{rows}", model => ParametersFor(model, rows), p => $"""
            INSERT INTO "SequenceCounters" ("Sender", "Recipient", "AgreementId", "Stream", "Last")
            VALUES {string.Join(", ", Enumerable.Range(0, rows).Select(i => $"({p("Sender")}, {p(RecipientParameter(i))}, {p("AgreementId")}, {p("Stream")}, 1)"))}
            ON CONFLICT ("Sender", "Recipient", "AgreementId", "Stream") DO UPDATE SET "Last" = "SequenceCounters"."Last" + 1
            RETURNING "Recipient", "Last"
            """);
        var values = new Dictionary<string, object?>(rows + 3) { ["Sender"] = sender, ["AgreementId"] = agreementId, ["Stream"] = stream };
        for (var i = 0; i < rows; i++)
            values[RecipientParameter(i)] = ordered[i];
        await using (var reader = await command.ExecuteReaderAsync(ModelCommands.Parameters(db, values), ct))
            while (await reader.ReadAsync(ct))
                numbers[reader.DbDataReader.GetString(0)] = reader.DbDataReader.GetInt64(1);
        if (numbers.Count != rows)
            throw new InvalidOperationException($"The sequence counters' upsert returned {numbers.Count} numbers for {rows} recipients.");
        return numbers;
    }

    private static string RecipientParameter(int i) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Recipient{i}");

    /// <summary><see cref="Parameters"/>, with one recipient parameter per row instead of the one.</summary>
    private static IReadOnlyList<(string Name, Microsoft.EntityFrameworkCore.Metadata.IProperty TypedAs)> ParametersFor(Microsoft.EntityFrameworkCore.Metadata.IModel model, int rows)
    {
        var single = Parameters(model);
        var recipient = single.Single(p => p.Name == "Recipient").TypedAs;
        return [.. single.Where(p => p.Name != "Recipient"), .. Enumerable.Range(0, rows).Select(i => (RecipientParameter(i), recipient))];
    }

    /// <summary>The upsert that takes the next number (returned as <c>Last</c>), its parameters named as <see cref="Parameters"/> lists them.</summary>
    public static string NextSql(Func<string, string> p) => $"""
        INSERT INTO "SequenceCounters" ("Sender", "Recipient", "AgreementId", "Stream", "Last")
        VALUES ({p("Sender")}, {p("Recipient")}, {p("AgreementId")}, {p("Stream")}, 1)
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
