using System.Security.Cryptography;
using System.Text.Json.Nodes;
using LaunchNotify.Domain.Alarms;
using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Broker;
using LaunchNotify.Node.Inbox;
using LaunchNotify.Protocol.Signing;
using LaunchNotify.Storage.Audit;
using LaunchNotify.Storage.Entities;
using NodaTime;

namespace LaunchNotify.Node.Audit;

/// <summary>The audit log's event types (docs/audit.md has what each records).</summary>
public static class AuditTypes
{
    public const string Submitted = "submitted";
    public const string Published = "published";
    public const string Received = "received";
    public const string Verified = "verified";
    public const string Rejected = "rejected";
    public const string Parked = "parked";
    public const string Confirmed = "confirmed";
    public const string AlarmRaised = "alarm-raised";
    public const string AlarmAcknowledged = "alarm-acknowledged";
    public const string AlarmResolved = "alarm-resolved";
    public const string AlarmEscalated = "alarm-escalated";
    public const string AlarmUpdated = "alarm-updated";
    public const string LinkRestarted = "link-restarted";
    public const string Acknowledged = "acknowledged";
    public const string ReadByPerson = "read-by-person";
    public const string KeysChanged = "keys-changed";
    public const string KeysReloadFailed = "keys-reload-failed";
    public const string KeysAnnounced = "keys-announced";
}

/// <summary>
/// One event for the audit log, built from the state change it records. Details hold strings and integers only;
/// <see cref="By"/> is the authenticated account that caused it, when a person did.
/// </summary>
public sealed record AuditEvent(Instant At, string Type, AuditSubject Subject, JsonObject Details)
{
    public Actor? By { get; init; }

    /// <summary>An operator's message was accepted, signed and stored with its deliveries (sender side).</summary>
    public static AuditEvent Submitted(Message message, byte[] payload, byte[] jws, Instant at) => new(at, AuditTypes.Submitted,
        new AuditSubject(message.MessageId.Value, null, message.AgreementId.Value),
        new JsonObject
        {
            ["kind"] = message.Kind.WireName(),
            ["sender"] = message.Sender.Value,
            ["recipients"] = new JsonArray(message.Recipients.Select(r => (JsonNode)new JsonObject { ["centre"] = r.Centre.Value, ["sequence"] = r.Sequence }).ToArray()),
            ["relatesTo"] = message.RelatesTo()?.Value.ToString("D"),
            ["issuedAt"] = AuditChain.FormatInstant(message.IssuedAt),
            ["kid"] = KidOf(jws),
            ["payloadSha256"] = Sha256(payload),
            ["jwsSha256"] = Sha256(jws),
        });

    /// <summary>The broker confirmed one outbox entry (any kind: notifications, receipts, heartbeats).</summary>
    public static AuditEvent Published(OutboxEntry entry, Instant at) => new(at, AuditTypes.Published,
        new AuditSubject(entry.MessageId, entry.Recipient),
        new JsonObject
        {
            ["kind"] = entry.Kind,
            ["routingKey"] = entry.RoutingKey,
            ["bodySha256"] = Sha256(entry.Body),
            ["failedAttempts"] = entry.Attempts,
        });

    /// <summary>
    /// An authentic message stored in the inbox (receiver side): <c>received</c> (with the key that signed it), then
    /// the verdict: <c>verified</c> (schema and agreement rules passed, with findings) or <c>rejected</c> (with reasons).
    /// </summary>
    public static IEnumerable<AuditEvent> Stored(InboxMessage entry)
    {
        var subject = new AuditSubject(entry.MessageId, entry.Sender, entry.AgreementId);
        var payload = Jws.TryParseFlattened(entry.Jws, out var parsed, out _) ? parsed : null;
        yield return new AuditEvent(entry.ReceivedAt, AuditTypes.Received, subject, new JsonObject
        {
            ["kind"] = entry.Kind,
            ["sequence"] = entry.Sequence,
            ["issuedAt"] = entry.IssuedAt is { } issued ? AuditChain.FormatInstant(issued) : null,
            ["kid"] = payload?.Header.Kid,
            ["payloadSha256"] = payload is null ? null : Sha256(payload.Payload),
            ["jwsSha256"] = Sha256(entry.Jws),
        });
        var accepted = entry.Outcome == InboxOutcome.Accepted;
        yield return new AuditEvent(entry.ReceivedAt, accepted ? AuditTypes.Verified : AuditTypes.Rejected, subject, new JsonObject
        {
            ["direction"] = "inbound",
            [accepted ? "findings" : "reasons"] = Errors(entry.DetailsJson),
            ["receipt"] = entry.ReceiptMessageId?.ToString("D"),
        });
    }

    /// <summary>A recipient's signed receipt settled one of this centre's deliveries (sender side): <c>confirmed</c> or <c>rejected</c>.</summary>
    public static AuditEvent ReceiptApplied(Receipt receipt, Instant appliedAt)
    {
        var accepted = receipt.Outcome == ReceiptOutcome.Accepted;
        return new AuditEvent(appliedAt, accepted ? AuditTypes.Confirmed : AuditTypes.Rejected,
            new AuditSubject(receipt.ReceiptFor.Value, receipt.Sender.Value, receipt.AgreementId.Value),
            new JsonObject
            {
                ["direction"] = "outbound",
                ["receipt"] = receipt.MessageId.Value.ToString("D"),
                ["recipientReceivedAt"] = AuditChain.FormatInstant(receipt.ReceivedAt),
                [accepted ? "findings" : "reasons"] = new JsonArray((accepted ? receipt.Findings : receipt.Reasons)
                    .Select(e => (JsonNode)new JsonObject { ["code"] = e.Code, ["rule"] = e.Rule, ["path"] = e.Path, ["message"] = e.Message }).ToArray()),
            });
    }

    /// <summary>A duty officer acknowledged a received notification (receiver side); the signed acknowledgement is queued back.</summary>
    public static AuditEvent Acknowledged(InboxMessage entry, Guid acknowledgementId, byte[] jws, Actor by) => new(entry.AcknowledgedAt!.Value, AuditTypes.Acknowledged,
        new AuditSubject(entry.MessageId, entry.Sender, entry.AgreementId),
        new JsonObject
        {
            ["kind"] = entry.Kind,
            ["by"] = by.Name,
            ["dueAt"] = entry.AcknowledgeDueAt is { } due ? AuditChain.FormatInstant(due) : null,
            ["acknowledgement"] = acknowledgementId.ToString("D"),
            ["jwsSha256"] = Sha256(jws),
        }) { By = by };

    /// <summary>A recipient's signed acknowledgement arrived (sender side): a person there read the delivery.</summary>
    public static AuditEvent AcknowledgementApplied(Acknowledgement acknowledgement, Delivery delivery) => new(delivery.AcknowledgementReceivedAt!.Value, AuditTypes.ReadByPerson,
        new AuditSubject(acknowledgement.AcknowledgementFor.Value, acknowledgement.Sender.Value, acknowledgement.AgreementId.Value),
        new JsonObject
        {
            ["direction"] = "outbound",
            ["acknowledgement"] = acknowledgement.MessageId.Value.ToString("D"),
            ["acknowledgedAt"] = AuditChain.FormatInstant(acknowledgement.AcknowledgedAt),
            ["recipientReceivedAt"] = AuditChain.FormatInstant(acknowledgement.ReceivedAt),
        });

    /// <summary>An unreadable or unauthentic delivery was parked, never stored as received.</summary>
    public static AuditEvent Parked(InboundDelivery delivery, string code, string reason, Guid? claimedMessageId, Guid? receiptId, Instant at) =>
        new(at, AuditTypes.Parked,
            new AuditSubject(claimedMessageId, CentreCode.IsValid(delivery.UserId) ? delivery.UserId : null),
            new JsonObject
            {
                ["code"] = code,
                ["reason"] = reason,
                ["userId"] = delivery.UserId,
                ["routingKey"] = delivery.RoutingKey,
                ["bodySha256"] = Sha256(delivery.Body.Span),
                ["receipt"] = receiptId?.ToString("D"),
            });

    public static AuditEvent AlarmRaised(Alarm alarm) => new(alarm.RaisedAt, AuditTypes.AlarmRaised, SubjectOf(alarm), new JsonObject
    {
        ["kind"] = alarm.Kind.Code(),
        ["severity"] = alarm.Severity.ToString(),
        ["summary"] = alarm.Summary,
        ["dedupeKey"] = alarm.DedupeKey,
        ["sequences"] = alarm.Sequences,
        ["dueAt"] = alarm.DueAt is { } due ? AuditChain.FormatInstant(due) : null,
        ["firedAfterRestart"] = alarm.FiredAfterRestart,
        // As text: alarm details may hold fractional numbers, which the canonical subset leaves out.
        ["detailsJson"] = alarm.DetailsJson,
    });

    public static AuditEvent AlarmAcknowledged(Alarm alarm, Actor by) => new(alarm.AcknowledgedAt ?? alarm.RaisedAt, AuditTypes.AlarmAcknowledged, SubjectOf(alarm),
        new JsonObject { ["kind"] = alarm.Kind.Code(), ["by"] = alarm.AcknowledgedBy, ["comment"] = alarm.AcknowledgeComment }) { By = by };

    /// <param name="by">The account that resolved it; null when the node resolved it because the condition cleared.</param>
    public static AuditEvent AlarmResolved(Alarm alarm, Actor? by) => new(alarm.ResolvedAt ?? alarm.RaisedAt, AuditTypes.AlarmResolved, SubjectOf(alarm),
        new JsonObject { ["kind"] = alarm.Kind.Code(), ["by"] = alarm.ResolvedBy, ["comment"] = alarm.ResolveComment }) { By = by };

    public static AuditEvent AlarmEscalated(Alarm alarm, Instant at) => new(at, AuditTypes.AlarmEscalated, SubjectOf(alarm),
        new JsonObject { ["kind"] = alarm.Kind.Code(), ["severity"] = alarm.Severity.ToString(), ["summary"] = alarm.Summary });

    /// <summary>An open alarm's summary (and perhaps severity) changed because its condition did (a stalled link restarted, then backed off).</summary>
    public static AuditEvent AlarmUpdated(Alarm alarm, Instant at) => new(at, AuditTypes.AlarmUpdated, SubjectOf(alarm),
        new JsonObject { ["kind"] = alarm.Kind.Code(), ["severity"] = alarm.Severity.ToString(), ["summary"] = alarm.Summary });

    /// <summary>
    /// The link monitor restarted (or tried to restart) the shovel of a stalled link to <paramref name="counterpart"/>
    /// (sender side, federated topology; docs/deployment.md).
    /// </summary>
    /// <param name="outcome"><c>restarted</c>, <c>not-running</c> (the broker runs no such shovel) or <c>failed</c> (with <paramref name="error"/>).</param>
    public static AuditEvent LinkRestarted(CentreCode counterpart, Instant at, string outcome, string reason, LinkState link,
        Instant stalledSince, int restartsInWindow, LinkRestartPolicy policy, string? error) =>
        new(at, AuditTypes.LinkRestarted, new AuditSubject(Centre: counterpart.Value), new JsonObject
        {
            ["outcome"] = outcome,
            ["reason"] = reason,
            ["shovelState"] = link.ShovelState,
            ["node"] = link.Node,
            ["inFlight"] = link.InFlight,
            ["backlog"] = link.Backlog,
            ["lastForwardAt"] = link.LastForwardAt is { } last ? AuditChain.FormatInstant(last) : null,
            ["stalledSince"] = AuditChain.FormatInstant(stalledSince),
            ["restartsInWindow"] = restartsInWindow,
            ["maxRestarts"] = policy.MaxRestarts,
            ["windowSeconds"] = (long)policy.Window.TotalSeconds,
            ["error"] = error,
        });

    private static AuditSubject SubjectOf(Alarm alarm) =>
        new(alarm.MessageId, CentreCode.IsValid(alarm.Centre) ? alarm.Centre : null, alarm.AgreementId, alarm.Id);

    public static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static string? KidOf(byte[] jws) => Jws.TryParseFlattened(jws, out var parsed, out _) ? parsed.Header.Kid : null;

    /// <summary>Stored reasons or findings (a JSON array of {code, rule, path, message}), embedded as JSON.</summary>
    private static JsonNode Errors(string? json)
    {
        if (string.IsNullOrEmpty(json))
            return new JsonArray();
        try
        {
            var node = JsonNode.Parse(json) ?? new JsonArray();
            _ = CanonicalJson.Serialize(node);
            return node;
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or FormatException)
        {
            // Outside the canonical subset (not expected for validation errors): kept verbatim as text.
            return JsonValue.Create(json);
        }
    }
}
