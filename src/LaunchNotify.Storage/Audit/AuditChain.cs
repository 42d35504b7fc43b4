using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using NodaTime;
using NodaTime.Text;

namespace LaunchNotify.Storage.Audit;

/// <summary>What an audit entry is about; any part may be absent.</summary>
public sealed record AuditSubject(Guid? MessageId = null, string? Centre = null, string? AgreementId = null, Guid? AlarmId = null)
{
    public static AuditSubject None { get; } = new();
}

/// <summary>
/// The audit log's chain: how an entry is encoded and hashed (docs/audit.md), and how entries join the caller's unit
/// of work. <see cref="Append"/> only adds the entry to the context; <see cref="AuditChainInterceptor"/> numbers,
/// links and hashes it when that context saves, inside the same transaction and under the chain's lock.
/// </summary>
public static class AuditChain
{
    /// <summary>The <c>prev</c> of entry 1.</summary>
    public static readonly string GenesisHash = new('0', 64);

    /// <summary>
    /// Adds an entry to <paramref name="db"/>'s unit of work. It is written by the caller's next
    /// <c>SaveChanges</c>, in the same transaction as the state change it records, or not at all.
    /// </summary>
    public static AuditEntry Append(DbContext db, Instant at, string type, AuditSubject subject, JsonObject details, Actor? actor = null)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(subject);
        if (type.Length is 0 or > 32 || !type.All(c => c is (>= 'a' and <= 'z') or '-'))
            throw new ArgumentException($"Audit type '{type}' must be 1-32 lower-case letters or '-'.", nameof(type));
        if (subject.Centre is { } centre && (centre.Length != 2 || !centre.All(char.IsAsciiLetterUpper)))
            throw new ArgumentException($"Audit subject centre '{centre}' must be a centre code (two upper-case letters).", nameof(subject));
        if (subject.AgreementId is { Length: > 64 })
            throw new ArgumentException("Audit subject agreement ids are at most 64 characters.", nameof(subject));

        // In a group-commit batch the entry waits for the step's save outside the tracking (NodeDbContext.UnsavedBatchAudit).
        var unsaved = db is NodeDbContext { AppendsToBatch: true } node ? node.UnsavedBatchAudit ??= [] : null;
        var order = 1L;
        if (unsaved is not null)
            order = unsaved.Count == 0 ? 1 : unsaved[^1].AppendOrder + 1;
        else
            foreach (var pending in db.ChangeTracker.WithoutDetecting<AuditEntry>())
                if (pending.State == EntityState.Added && pending.Entity.AppendOrder >= order)
                    order = pending.Entity.AppendOrder + 1;
        var entry = new AuditEntry
        {
            // A temporary key, unique in this context until the interceptor assigns the real one.
            Seq = -order,
            AppendOrder = order,
            // Hashed as stored: the store keeps 100 ns ticks, so a finer instant (a simulated clock's) would hash
            // differently from what verification reads back and break the chain (seen on seeded stores).
            At = Instant.FromUnixTimeTicks(at.ToUnixTimeTicks()),
            Type = type,
            MessageId = subject.MessageId,
            Centre = subject.Centre,
            AgreementId = subject.AgreementId,
            AlarmId = subject.AlarmId,
            ActorSubject = actor?.Subject,
            ActorName = actor?.Name,
            ActorRoles = actor is null ? null : string.Join(',', actor.Roles),
            DetailsJson = CanonicalJson.Serialize(details),
        };
        if (unsaved is not null)
            unsaved.Add(entry);
        else
            db.Set<AuditEntry>().Add(entry);
        return entry;
    }

    /// <summary>
    /// Takes the chain's lock now, inside the caller's transaction, instead of at its save. For a writer that locks
    /// other rows before it saves (the outbox dispatcher updates deliveries first): every writer then takes the chain
    /// lock before those rows, as the save does, so two writers cannot wait for each other.
    /// </summary>
    public static async Task LockAsync(DbContext db, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("The audit chain lock is held until commit: begin the transaction first.");
        await db.Database.ExecuteSqlRawAsync(
            """
            INSERT INTO "AuditChainHead" ("Id", "Seq", "Hash") VALUES (1, 0, {0})
            ON CONFLICT ("Id") DO UPDATE SET "Seq" = "AuditChainHead"."Seq"
            """, [GenesisHash], ct);
    }

    /// <summary>
    /// The bytes that are hashed: the RFC 8785 canonical JSON of
    /// <c>{"actor"?:{"name","roles","sub"},"at","details","prev","seq","subject":{"agreement","alarm","centre","message"},"type"}</c>
    /// in UTF-8. <c>actor</c> is there only when a person acted, so entries written before accounts existed keep their hash.
    /// </summary>
    public static byte[] CanonicalEncoding(AuditEntry entry) =>
        // A stored entry's details are canonicalized again: what is read back is hashed as its canonical form.
        Encode(entry, CanonicalJson.Serialize(JsonNode.Parse(entry.DetailsJson)));

    /// <summary>
    /// The same bytes as <see cref="CanonicalEncoding"/> for an entry that <see cref="Append"/> made in this process,
    /// whose details are canonical already (Append wrote them so): they go in as they are, not parsed and written again.
    /// </summary>
    internal static string ComputeSealingHash(AuditEntry entry) => Convert.ToHexStringLower(SHA256.HashData(Encode(entry, entry.DetailsJson)));

    /// <summary>
    /// Writes the canonical object directly (members in the order RFC 8785 sorts their names: actor, at, details, prev,
    /// seq, subject, type; name, roles, sub; agreement, alarm, centre, message), the strings escaped as
    /// <see cref="CanonicalJson"/> escapes them: the bytes a JSON tree of the same members gives, without building it.
    /// </summary>
    private static byte[] Encode(AuditEntry entry, string canonicalDetails)
    {
        if (Math.Abs(entry.Seq) > CanonicalJson.MaxSafeInteger)
            throw new FormatException($"The number {entry.Seq} is outside the integers canonical JSON keeps exact.");
        var text = new StringBuilder(320 + canonicalDetails.Length);
        text.Append('{');
        if (entry.ActorSubject is not null)
        {
            text.Append("\"actor\":{\"name\":");
            CanonicalJson.WriteStringOrNull(text, entry.ActorName);
            text.Append(",\"roles\":[");
            var first = true;
            foreach (var role in (entry.ActorRoles ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                if (!first)
                    text.Append(',');
                first = false;
                CanonicalJson.WriteStringOrNull(text, role);
            }
            text.Append("],\"sub\":");
            CanonicalJson.WriteStringOrNull(text, entry.ActorSubject);
            text.Append("},");
        }
        text.Append("\"at\":");
        CanonicalJson.WriteStringOrNull(text, FormatInstant(entry.At));
        text.Append(",\"details\":").Append(canonicalDetails).Append(",\"prev\":");
        CanonicalJson.WriteStringOrNull(text, entry.PrevHash);
        text.Append(",\"seq\":").Append(entry.Seq.ToString(CultureInfo.InvariantCulture)).Append(",\"subject\":{\"agreement\":");
        CanonicalJson.WriteStringOrNull(text, entry.AgreementId);
        text.Append(",\"alarm\":");
        CanonicalJson.WriteStringOrNull(text, entry.AlarmId?.ToString("D"));
        text.Append(",\"centre\":");
        CanonicalJson.WriteStringOrNull(text, entry.Centre);
        text.Append(",\"message\":");
        CanonicalJson.WriteStringOrNull(text, entry.MessageId?.ToString("D"));
        text.Append("},\"type\":");
        CanonicalJson.WriteStringOrNull(text, entry.Type);
        text.Append('}');
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>Lower-case hex SHA-256 of <see cref="CanonicalEncoding"/>.</summary>
    public static string ComputeHash(AuditEntry entry) => Convert.ToHexStringLower(SHA256.HashData(CanonicalEncoding(entry)));

    /// <summary>RFC 3339 in UTC with 'Z', fractional seconds only as far as needed (e.g. <c>2026-11-20T14:00:00.25Z</c>).</summary>
    public static string FormatInstant(Instant instant) => InstantPattern.ExtendedIso.Format(instant);

    /// <summary>The entries added by <see cref="Append"/> and not yet saved, in the order they were appended.</summary>
    internal static List<EntityEntry<AuditEntry>> Pending(DbContext db) =>
        // SaveChanges detects changes itself right after; doing it here too would only cost time.
        db.ChangeTracker.WithoutDetecting<AuditEntry>().Where(e => e.State == EntityState.Added).OrderBy(e => e.Entity.AppendOrder).ToList();
}
