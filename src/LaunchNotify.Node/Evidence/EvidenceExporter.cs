using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LaunchNotify.Domain.Alarms;
using LaunchNotify.Node.Audit;
using LaunchNotify.Protocol.Signing;
using LaunchNotify.Storage;
using LaunchNotify.Storage.Audit;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace LaunchNotify.Node.Evidence;

/// <summary>The bundle's fixed names (docs/evidence.md).</summary>
public static class EvidenceFormat
{
    public const string Version = "launchnotify-evidence/1";

    public static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}

/// <summary>A bundle and what the exporter could not put in it.</summary>
public sealed record EvidenceExport(JsonObject Bundle, IReadOnlyList<string> Warnings)
{
    public byte[] ToUtf8() => Encoding.UTF8.GetBytes(Bundle.ToJsonString(EvidenceFormat.Indented) + "\n");
}

/// <summary>
/// Gathers everything about one notification into one JSON document that an officer checks offline: the sender's
/// JWS, every signed receipt, the public keys that signed them, the timeline from the store, the alarms about it and
/// the audit entries about it. Works on the sender's store (receipts from every recipient) and on a recipient's
/// (the notification and this centre's own receipt).
/// </summary>
public sealed class EvidenceExporter(IDbContextFactory<NodeDbContext> dbFactory, JwkSet trustStore, IClock clock)
{
    /// <summary>
    /// The centres that sent a message with this id that the store holds (this centre for its own, each counterpart for
    /// what it received): a message is (sender, id), and two centres may use one id.
    /// </summary>
    public async Task<IReadOnlyList<string>> SendersOfAsync(Guid messageId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var own = await db.OutboundMessages.AsNoTracking().Where(m => m.MessageId == messageId).Select(m => m.Sender).ToListAsync(ct);
        var received = await db.Inbox.AsNoTracking().Where(m => m.MessageId == messageId).Select(m => m.Sender).ToListAsync(ct);
        return [.. own.Concat(received).Distinct().Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Null if the store holds no message with this id from <paramref name="sender"/> (null: from whoever holds it, which
    /// the caller makes sure is one centre with <see cref="SendersOfAsync"/>).
    /// </summary>
    public async Task<EvidenceExport?> ExportAsync(Guid messageId, CancellationToken ct, string? sender = null)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var warnings = new List<string>();
        var sent = await db.OutboundMessages.AsNoTracking().Include(m => m.Deliveries)
            .SingleOrDefaultAsync(m => m.MessageId == messageId && (sender == null || m.Sender == sender), ct);
        InboxMessage? received = null;
        if (sent is null)
        {
            received = await db.Inbox.AsNoTracking().Where(m => m.MessageId == messageId && (sender == null || m.Sender == sender))
                .OrderBy(m => m.Sender).FirstOrDefaultAsync(ct);
            if (received is null)
                return null;
        }

        var notificationJws = sent?.Jws ?? received!.Jws;
        var notification = Notification(notificationJws, warnings);
        var receipts = sent is not null
            ? await AnswersReceivedAsync(db, messageId, "receipt", "receiptFor", ct)
            : received!.ReceiptJws is { } ours ? [ours] : [];
        var receiptNodes = receipts.Select(r => Receipt(r, warnings)).OfType<JsonObject>().ToList();
        // The second receipts: a person at a recipient read it (received here by the sender; sent from here by a recipient).
        var acknowledgements = sent is not null
            ? await AnswersReceivedAsync(db, messageId, "acknowledgement", "acknowledgementFor", ct)
            : received!.AcknowledgementJws is { } ourAck ? [ourAck] : [];
        var acknowledgementNodes = acknowledgements.Select(a => Acknowledgement(a, warnings)).OfType<JsonObject>().ToList();

        var alarms = await db.Alarms.AsNoTracking().Where(a => a.MessageId == messageId).OrderBy(a => a.RaisedAt).ToListAsync(ct);
        var receiptIds = receiptNodes.Concat(acknowledgementNodes)
            .Select(r => Guid.TryParse((string?)r["messageId"], out var id) ? id : Guid.Empty).Where(id => id != Guid.Empty).ToList();
        var audit = await AuditQueries.AboutAsync(db, [messageId, .. receiptIds], alarms.Select(a => a.Id).ToList(), ct);
        var (headSeq, headHash) = await AuditQueries.HeadAsync(db, ct);

        var timeline = sent is not null ? SenderTimeline(sent, receiptNodes) : ReceiverTimeline(received!, receiptNodes);
        foreach (var alarm in alarms)
            timeline.AddRange(AlarmTimeline(alarm));

        var kids = new[] { notificationJws }.Concat(receipts).Concat(acknowledgements).Select(KidOf).OfType<string>().Distinct().ToList();
        var keys = new List<Jwk>();
        foreach (var kid in kids)
        {
            if (trustStore.TryFind(kid, out var key))
                keys.Add(key);
            else
                warnings.Add($"Key '{kid}' is not in this node's trust store, so the bundle cannot prove the signatures made with it. Import that centre's public key and export again.");
        }

        var bundle = new JsonObject
        {
            ["format"] = EvidenceFormat.Version,
            ["messageId"] = messageId.ToString("D"),
            ["exportedAt"] = AuditChain.FormatInstant(clock.GetCurrentInstant()),
            ["exportedBy"] = sent?.Sender ?? ReceiverCentre(received!),
            ["notification"] = notification,
            ["receipts"] = new JsonArray([.. receiptNodes]),
            ["acknowledgements"] = new JsonArray([.. acknowledgementNodes]),
            ["keys"] = JsonNode.Parse(new JwkSet(keys).ToJson()),
            ["timeline"] = new JsonArray([.. timeline.OrderBy(t => t.At).ThenBy(t => t.Order).Select(t => t.Node)]),
            ["alarms"] = new JsonArray([.. alarms.Select(AlarmNode)]),
            ["audit"] = new JsonObject
            {
                ["head"] = new JsonObject { ["seq"] = headSeq, ["hash"] = headHash },
                ["entries"] = new JsonArray([.. audit.Select(AuditEntryNode)]),
            },
        };
        return new EvidenceExport(bundle, warnings);
    }

    /// <summary>An audit entry as hashed (docs/audit.md) plus its stored hash: recompute SHA-256 over JCS of the object without "hash".</summary>
    public static JsonObject AuditEntryNode(AuditEntry e)
    {
        var node = (JsonObject)JsonNode.Parse(AuditChain.CanonicalEncoding(e))!;
        node["hash"] = e.Hash;
        return node;
    }

    private static Guid? ReceiptForOf(string payloadJson, string member) =>
        JsonNode.Parse(payloadJson)?[member] is JsonValue v && Guid.TryParse(v.GetValue<string>(), out var id) ? id : null;

    /// <summary>The accepted answers of one kind (receipt, acknowledgement) whose <paramref name="member"/> names the message.</summary>
    private static async Task<List<byte[]>> AnswersReceivedAsync(NodeDbContext db, Guid messageId, string kind, string member, CancellationToken ct)
    {
        // Answers name what they answer only inside their payload; narrow by text, then read each properly.
        var text = messageId.ToString("D");
        var candidates = await db.Inbox.AsNoTracking()
            .Where(m => m.Kind == kind && m.PayloadJson != null && m.PayloadJson.Contains(text))
            .OrderBy(m => m.ReceivedAt).ToListAsync(ct);
        return candidates.Where(m => ReceiptForOf(m.PayloadJson!, member) == messageId).Select(m => m.Jws).ToList();
    }

    private static JsonObject Notification(byte[] jws, List<string> warnings)
    {
        var node = new JsonObject();
        if (!Jws.TryParseFlattened(jws, out var parsed, out var error))
        {
            warnings.Add($"The stored notification is not a readable JWS ({error}); it is bundled as stored.");
            node["jws"] = Encoding.UTF8.GetString(jws);
            return node;
        }
        var payload = JsonNode.Parse(parsed.Payload) as JsonObject;
        node["kind"] = payload?["kind"]?.DeepClone();
        node["agreementId"] = payload?["agreementId"]?.DeepClone();
        node["sender"] = payload?["sender"]?.DeepClone();
        node["recipients"] = payload?["recipients"]?.DeepClone();
        node["payloadSha256"] = AuditEvent.Sha256(parsed.Payload);
        node["jws"] = JwsNode(parsed);
        return node;
    }

    private static JsonObject? Receipt(byte[] jws, List<string> warnings) => Answer(jws, "receipt", ["receiptFor", "outcome", "receivedAt"], warnings);

    private static JsonObject? Acknowledgement(byte[] jws, List<string> warnings) => Answer(jws, "acknowledgement", ["acknowledgementFor", "acknowledgedAt"], warnings);

    /// <summary>A signed answer (receipt, acknowledgement) as bundled: who sent it, its id, the given summary members, its JWS.</summary>
    private static JsonObject? Answer(byte[] jws, string what, string[] summary, List<string> warnings)
    {
        if (!Jws.TryParseFlattened(jws, out var parsed, out var error) || JsonNode.Parse(parsed.Payload) is not JsonObject payload)
        {
            warnings.Add($"A stored {what} is not a readable JWS ({error?.ToString() ?? "payload not an object"}); left out.");
            return null;
        }
        var node = new JsonObject { ["from"] = payload["sender"]?.DeepClone(), ["messageId"] = payload["messageId"]?.DeepClone() };
        foreach (var member in summary)
            node[member] = payload[member]?.DeepClone();
        node["jws"] = JwsNode(parsed);
        return node;
    }

    /// <summary>The flattened JWS as a JSON object: the three members exactly as signed (the signature covers these strings).</summary>
    private static JsonObject JwsNode(FlattenedJws jws) => new()
    {
        ["protected"] = jws.ProtectedEncoded,
        ["payload"] = jws.PayloadEncoded,
        // Strict parsing accepted only canonical base64url, so re-encoding gives back the received text.
        ["signature"] = System.Buffers.Text.Base64Url.EncodeToString(jws.Signature),
    };

    private static string? KidOf(byte[] jws) => Jws.TryParseFlattened(jws, out var parsed, out _) ? parsed.Header.Kid : null;

    private static string? ReceiverCentre(InboxMessage received) =>
        received.ReceiptJws is { } r && KidOf(r) is { Length: > 2 } kid ? kid[..2] : null;

    private sealed record TimelineItem(Instant At, int Order, JsonObject Node);

    private static TimelineItem Item(Instant at, int order, string evt, string? centre, string text) =>
        new(at, order, new JsonObject { ["at"] = AuditChain.FormatInstant(at), ["event"] = evt, ["centre"] = centre, ["text"] = text });

    private static List<TimelineItem> SenderTimeline(OutboundMessage m, List<JsonObject> receipts)
    {
        var items = new List<TimelineItem>
        {
            Item(m.SubmittedAt, 0, "submitted", m.Sender,
                $"{m.Sender} accepted, signed and stored the {m.Kind} for {string.Join(", ", m.Deliveries.OrderBy(d => d.Recipient).Select(d => $"{d.Recipient} (sequence {d.Sequence})"))}."),
        };
        foreach (var d in m.Deliveries.OrderBy(d => d.Recipient))
        {
            if (d.PublishedAt is { } published)
                items.Add(Item(published, 1, "published", d.Recipient, $"The broker confirmed the publish to {d.Recipient}."));
            if (d.RecipientReceivedAt is { } theirs)
                items.Add(Item(theirs, 2, "received-by-recipient", d.Recipient, $"{d.Recipient} received it, by its own clock (from its signed receipt)."));
            if (d.ReceiptAt is { } receiptAt)
                items.Add(Item(receiptAt, 3, d.Status == DeliveryStatus.Rejected ? "rejected" : "confirmed", d.Recipient,
                    $"{d.Recipient}'s signed receipt {d.ReceiptMessageId} {(d.Status == DeliveryStatus.Rejected ? "rejected" : "accepted")} it."));
            if (d.AcknowledgedAt is { } read)
                items.Add(Item(read, 3, "read-by-a-person", d.Recipient,
                    $"A person at {d.Recipient} read it, by {d.Recipient}'s clock (from its signed acknowledgement {d.AcknowledgementMessageId})."));
        }
        foreach (var r in receipts)
        {
            if (r["receivedAt"] is JsonValue v && NodaTime.Text.InstantPattern.ExtendedIso.Parse(v.GetValue<string>()) is { Success: true } at
                && !m.Deliveries.Any(d => d.ReceiptMessageId?.ToString("D") == (string?)r["messageId"]))
                items.Add(Item(at.Value, 2, "receipt-superseded", (string?)r["from"], $"Receipt {(string?)r["messageId"]} ({(string?)r["outcome"]}) from {(string?)r["from"]}, superseded by a later one."));
        }
        return items;
    }

    private static List<TimelineItem> ReceiverTimeline(InboxMessage m, List<JsonObject> receipts)
    {
        var items = new List<TimelineItem>();
        if (m.IssuedAt is { } issued)
            items.Add(Item(issued, 0, "issued", m.Sender, $"{m.Sender} issued it, by its own clock (signed issuedAt)."));
        items.Add(Item(m.ReceivedAt, 1, m.Outcome == InboxOutcome.Accepted ? "received" : "rejected", m.Sender,
            $"Received from {m.Sender} and {(m.Outcome == InboxOutcome.Accepted ? "accepted" : "rejected")}; receipt {m.ReceiptMessageId} queued."));
        if (m.AcknowledgedAt is { } read)
            items.Add(Item(read, 2, "acknowledged", m.Sender,
                $"Acknowledged as read by {m.AcknowledgedByName}; signed acknowledgement {m.AcknowledgementMessageId} queued to {m.Sender}."));
        return items;
    }

    private static IEnumerable<TimelineItem> AlarmTimeline(Alarm a)
    {
        yield return Item(a.RaisedAt, 4, "alarm-raised", a.Centre, $"Alarm {a.Kind.Code()} ({a.Severity}): {a.Summary}");
        if (a.AcknowledgedAt is { } ack)
            yield return Item(ack, 5, "alarm-acknowledged", a.Centre, $"Alarm {a.Kind.Code()} acknowledged by {a.AcknowledgedBy}{Comment(a.AcknowledgeComment)}.");
        if (a.ResolvedAt is { } resolved)
            yield return Item(resolved, 6, "alarm-resolved", a.Centre, $"Alarm {a.Kind.Code()} resolved by {a.ResolvedBy}{Comment(a.ResolveComment)}.");
    }

    private static string Comment(string? comment) => string.IsNullOrWhiteSpace(comment) ? "" : $": {comment}";

    private static JsonNode AlarmNode(Alarm a) => new JsonObject
    {
        ["id"] = a.Id.ToString("D"),
        ["kind"] = a.Kind.Code(),
        ["severity"] = a.Severity.ToString(),
        ["state"] = a.State.ToString(),
        ["centre"] = a.Centre,
        ["agreementId"] = a.AgreementId,
        ["summary"] = a.Summary,
        ["raisedAt"] = AuditChain.FormatInstant(a.RaisedAt),
        ["dueAt"] = a.DueAt is { } due ? AuditChain.FormatInstant(due) : null,
        ["acknowledgedAt"] = a.AcknowledgedAt is { } ack ? AuditChain.FormatInstant(ack) : null,
        ["acknowledgedBy"] = a.AcknowledgedBy,
        ["resolvedAt"] = a.ResolvedAt is { } res ? AuditChain.FormatInstant(res) : null,
        ["resolvedBy"] = a.ResolvedBy,
    };
}
