using LaunchNotify.Domain.Agreements;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Validation;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Deadlines;
using LaunchNotify.Node.Outbox;
using LaunchNotify.Node.Timeliness;
using LaunchNotify.Protocol.Signing;
using LaunchNotify.Domain.Rules;
using LaunchNotify.Protocol.Json;
using LaunchNotify.Protocol.Schemas;
using LaunchNotify.Storage;
using LaunchNotify.Storage.Audit;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace LaunchNotify.Node.Submission;

/// <summary>
/// A national centre's intake: completes a draft into a message of this centre, checks it against its schema and
/// then its agreement's rules, and stores it signed with its deliveries and outbox entries in one transaction.
/// </summary>
public sealed class SubmissionService(
    IDbContextFactory<NodeDbContext> dbFactory,
    NodeIdentity node,
    IClock clock,
    IPayloadSigner signer,
    IAgreementSource agreements,
    IMessageRules rules,
    SchemaCatalog schemas,
    OutboxSignal outboxSignal,
    ReceiptDeadlines receiptDeadlines,
    DeadlineSignal deadlineSignal,
    GroupCommitter committer)
{
    private static readonly string[] SubmittableKinds =
        [MessageKind.PreNotification.WireName(), MessageKind.Amendment.WireName(), MessageKind.Cancellation.WireName(), MessageKind.PostLaunch.WireName()];

    /// <param name="draft">
    /// A message without the fields the node fills in: <c>kind</c> (default prenotification), <c>messageId</c>
    /// (give one to make retries idempotent), <c>sender</c>, <c>schemaVersion</c>, <c>issuedAt</c>; recipients may be
    /// plain centre codes. Sequence numbers are always the node's.
    /// </param>
    /// <param name="allowLate">The operator knowingly sends a notification later than the agreement's lead time.</param>
    /// <param name="expectedKind">The kind the caller's route submits (null: whatever the draft says, default prenotification).</param>
    public Task<SubmissionResult> SubmitAsync(ReadOnlyMemory<byte> draft, string? expectedKind, bool allowLate, CancellationToken ct) =>
        SubmitAsync(draft, expectedKind, allowLate, by: null, ct);

    /// <param name="by">The authenticated account submitting (null only for the node's own tools: seeding, tests).</param>
    public async Task<SubmissionResult> SubmitAsync(ReadOnlyMemory<byte> draft, string? expectedKind, bool allowLate, Actor? by, CancellationToken ct)
    {
        // The trace of the notification starts here (under the HTTP request's, when there is one); the outbox entries
        // stored below carry it to the dispatcher.
        using var activity = Telemetry.NodeTelemetry.Source.StartActivity("launchnotify.submit");
        var result = await SubmitCoreAsync(draft, expectedKind, allowLate, by, ct);
        activity?.SetTag("launchnotify.message_id", result.MessageId?.ToString("D"));
        activity?.SetTag("launchnotify.outcome", result.Status.ToString());
        Telemetry.NodeTelemetry.Submissions.Add(1, new KeyValuePair<string, object?>("outcome", result.Status.ToString()));
        return result;
    }

    private async Task<SubmissionResult> SubmitCoreAsync(ReadOnlyMemory<byte> draft, string? expectedKind, bool allowLate, Actor? by, CancellationToken ct)
    {
        if (draft.Length > node.MaxMessageBytes)
            return SubmissionResult.Malformed([new ValidationError("MESSAGE_TOO_LARGE", "node/limits", "", $"The submission is {draft.Length} bytes; this node accepts at most {node.MaxMessageBytes}.")
                { Args = RuleArgs.Of(("bytes", RuleArgs.Of(draft.Length)), ("max", RuleArgs.Of(node.MaxMessageBytes))) }]);

        var (document, parseError) = JsonBody.ParseObject(draft, "json", "Send the message as a JSON object of its schema (schemas/v1).");
        if (document is null)
            return SubmissionResult.Malformed([parseError!]);

        var now = clock.GetCurrentInstant();
        var completion = Complete(document, expectedKind, now);
        if (completion is not null)
            return completion;

        var parse = MessageParser.Parse(Utf8(document), schemas);
        if (parse.Message is not { } message)
            return SubmissionResult.Malformed(parse.Errors);

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // The cheap look for a resubmission (nearly always no); the primary key decides a race.
        if (await ModelCommands.ExistsAsync<OutboundMessage>(db, [message.MessageId.Value], ct))
            return await AlreadyAcceptedAsync(db, message, ct);

        if (!agreements.TryGet(message.AgreementId, out var agreement))
            return SubmissionResult.Refused(message.MessageId.Value, "AGREEMENT_UNKNOWN", "node/agreements", "/agreementId",
                $"This node does not know agreement '{message.AgreementId}'. Known agreements are listed by 'launchnotify agreements'.",
                RuleArgs.Of((RuleArgs.Form, "submission"), ("agreement", message.AgreementId.Value)));

        PreNotification? original = null;
        if (message.RelatesTo() is { } originalId)
        {
            var lookup = await EffectiveNotificationAsync(db, originalId, ct);
            if (lookup.Error is { } error)
                return SubmissionResult.Refused(message.MessageId.Value, [error]);
            original = lookup.Notification;
        }

        var outcome = rules.Evaluate(message, agreement, EvaluatingSide.Sender, node.Centre, now, original);
        var errors = outcome.Errors.ToList();
        var warnings = outcome.Findings.ToList();
        if (allowLate)
        {
            // A late notice is still better than none: the operator chose to send it; the recipient will alarm.
            warnings.AddRange(errors.Where(IsLeadTimeError));
            errors.RemoveAll(IsLeadTimeError);
        }
        if (errors.Count > 0)
            return SubmissionResult.Refused(message.MessageId.Value, errors, warnings);

        // The committed deliveries are the ones in memory: no read back (one round trip fewer per submission).
        IReadOnlyList<Addressee> stored;
        Instant? earliestDue;
        IReadOnlyList<OutboxEntry> handOff;
        try
        {
            (stored, earliestDue, handOff) = await StoreAsync(message, original, agreement, now, by, ct);
        }
        catch (DbUpdateException)
        {
            if (!await ModelCommands.ExistsAsync<OutboundMessage>(db, [message.MessageId.Value], ct))
                throw;
            // The race the look above cannot see: the same id submitted twice at once (a client's retry, two operators),
            // both past the look, one stored first (in the same batch, or another process on PostgreSQL). The primary key
            // refused this one (its step alone was rolled back); it is answered as the resubmission it is, from the row
            // committed by the time a failed step learns of its failure (GroupCommitter).
            return await AlreadyAcceptedAsync(db, message, ct);
        }
        outboxSignal.HandOff(handOff);
        if (earliestDue is not null)
            deadlineSignal.Notify(earliestDue);
        return new SubmissionResult(SubmissionStatus.Accepted, message.MessageId.Value, [], warnings,
            stored.OrderBy(d => d.Centre.Value, StringComparer.Ordinal).ToList());
    }

    /// <summary>The completed draft as UTF-8 JSON, written straight to bytes (no intermediate string).</summary>
    private static ReadOnlyMemory<byte> Utf8(JsonObject document)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
            document.WriteTo(writer);
        return buffer.WrittenMemory;
    }

    private static bool IsLeadTimeError(ValidationError e) => e.Code is "LEAD_TIME_TOO_SHORT" or "WINDOW_IN_PAST";

    /// <summary>Fills in what the node owns; returns a refusal if the draft claims something it may not.</summary>
    private SubmissionResult? Complete(JsonObject document, string? expectedKind, Instant now)
    {
        document["kind"] ??= expectedKind ?? MessageKind.PreNotification.WireName();
        var kind = document["kind"] is JsonValue k && k.TryGetValue<string>(out var s) ? s : null;
        if (expectedKind is not null && kind != expectedKind)
            return SubmissionResult.Malformed([new ValidationError("KIND_MISMATCH", "node/intake", "/kind",
                $"This endpoint takes a {expectedKind}, but the document says it is a {kind ?? "(not a string)"}.")
                { Args = kind is null ? RuleArgs.Of((RuleArgs.Form, "notText"), ("expected", expectedKind)) : RuleArgs.Of(("expected", expectedKind), ("value", RuleArgs.Echo(kind))) }]);
        if (kind is null || !SubmittableKinds.Contains(kind))
            return SubmissionResult.Malformed([new ValidationError("KIND_NOT_SUBMITTABLE", "node/intake", "/kind",
                $"Operators submit {string.Join(", ", SubmittableKinds)}; receipts and heartbeats are the node's own.")
                { Args = RuleArgs.Of(("kinds", string.Join(",", SubmittableKinds))) }]);

        if (document["sender"] is JsonValue senderValue && senderValue.TryGetValue<string>(out var sender) && sender != node.Centre.Value)
            return SubmissionResult.Refused(null, "SENDER_NOT_THIS_CENTRE", "node/intake", "/sender",
                $"This is centre {node.Centre}; it cannot send a message as {sender}.",
                RuleArgs.Of(("centre", node.Centre.Value), ("sender", RuleArgs.Echo(sender))));

        document["messageId"] ??= Guid.NewGuid().ToString("D");
        document["schemaVersion"] ??= SchemaVersions.LowestFor(document);
        document["sender"] = node.Centre.Value;
        document["issuedAt"] = InstantText(now);

        // Recipients may be given as plain codes; sequence numbers are assigned when stored (placeholder 1 until then).
        if (document["recipients"] is JsonArray recipients)
        {
            var normalized = new JsonArray();
            foreach (var r in recipients)
            {
                var centre = r switch
                {
                    JsonValue v when v.TryGetValue<string>(out var code) => code,
                    JsonObject o => o["centre"]?.DeepClone(),
                    _ => r?.DeepClone(),
                };
                normalized.Add(new JsonObject { ["centre"] = centre is JsonNode n ? n : JsonValue.Create((string?)centre), ["sequence"] = 1 });
            }
            document["recipients"] = normalized;
        }
        return null;
    }

    private static string InstantText(Instant instant) => NodaTime.Text.InstantPattern.ExtendedIso.Format(instant);

    /// <summary>The pre-notification as it stands after its amendments, or why it cannot be referred to.</summary>
    private async Task<(PreNotification? Notification, ValidationError? Error)> EffectiveNotificationAsync(NodeDbContext db, MessageId id, CancellationToken ct)
    {
        var path = "/" + "original";
        var original = await db.OutboundMessages.SingleOrDefaultAsync(m => m.MessageId == id.Value, ct);
        if (original is null || original.Kind != MessageKind.PreNotification.WireName())
            return (null, new ValidationError("UNKNOWN_ORIGINAL", "node/references", path,
                $"Message {id} is not a pre-notification sent by centre {node.Centre}.")
                { Args = RuleArgs.Of((RuleArgs.Form, "sent"), ("reference", id.ToString()), ("centre", node.Centre.Value)) });

        var related = await db.OutboundMessages.Where(m => m.RelatesTo == id.Value).OrderBy(m => m.IssuedAt).ToListAsync(ct);
        if (related.Any(m => m.Kind == MessageKind.Cancellation.WireName()))
            return (null, new ValidationError("ORIGINAL_CANCELLED", "node/references", path, $"Notification {id} has been cancelled.")
                { Args = RuleArgs.Of(("reference", id.ToString())) });

        var notification = (PreNotification)MessageParser.ReadStored(original.PayloadJson);
        var amendments = related.Where(m => m.Kind == MessageKind.Amendment.WireName()).Select(m => (Amendment)MessageParser.ReadStored(m.PayloadJson));
        return (notification.WithAmendments(amendments), null);
    }

    /// <summary>Numbers, signs and stores the message: one step of the process's group commit, committed when this returns.</summary>
    private Task<(IReadOnlyList<Addressee> Recipients, Instant? EarliestDue, IReadOnlyList<OutboxEntry> HandOff)> StoreAsync(Message draft, PreNotification? original, Agreement agreement, Instant now, Actor? by, CancellationToken ct) =>
        committer.RunAsync((db, stepCt) => StoreStepAsync(db, draft, original, agreement, now, by, stepCt), ct);

    private async Task<(IReadOnlyList<Addressee> Recipients, Instant? EarliestDue, IReadOnlyList<OutboxEntry> HandOff)> StoreStepAsync(NodeDbContext db, Message draft, PreNotification? original, Agreement agreement, Instant now, Actor? by, CancellationToken ct)
    {
        var numbers = await SequenceAllocator.NextForEachAsync(db, node.Centre, [.. draft.Recipients.Select(r => r.Centre.Value)], draft.AgreementId,
            SequenceAllocator.NotificationStream, ct);
        var recipients = draft.Recipients.Select(r => new Addressee(r.Centre, numbers[r.Centre.Value])).ToList();
        var message = draft with { Recipients = recipients };
        var payload = WireJson.SerializeToUtf8(message);
        var jws = signer.Sign(payload);
        var window = message switch
        {
            PreNotification p => p.LaunchWindow,
            Amendment a when original is not null => a.Changes.ApplyTo(original).LaunchWindow,
            _ => (LaunchWindow?)null,
        };

        db.AddNew(new OutboundMessage
        {
            MessageId = message.MessageId.Value,
            Kind = message.Kind.WireName(),
            AgreementId = message.AgreementId,
            Sender = node.Centre,
            RelatesTo = message.RelatesTo()?.Value,
            IssuedAt = message.IssuedAt,
            SubmittedAt = now,
            SubmittedBySubject = by?.Subject,
            SubmittedByName = by?.Name,
            Jws = jws,
            PayloadJson = Encoding.UTF8.GetString(payload),
            WindowStart = window?.Start,
            WindowEnd = window?.End,
            Deliveries = recipients.Select(r => new Delivery
            {
                Recipient = r.Centre,
                Sequence = r.Sequence,
                Status = DeliveryStatus.Accepted,
            }).ToList(),
        });
        foreach (var r in recipients)
        {
            db.AddNew(new OutboxEntry
            {
                MessageId = message.MessageId.Value,
                Kind = message.Kind.WireName(),
                Recipient = r.Centre,
                RoutingKey = RoutingKeys.For(r.Centre, node.Centre, message.Kind),
                Body = jws,
                CreatedAt = now,
            });
        }
        Audit.AuditLog.Append(db, Audit.AuditEvent.Submitted(message, payload, jws, now) with { By = by });
        // Each recipient owes a receipt: the deadline is stored with the message, so it survives any restart.
        receiptDeadlines.Schedule(db, message, agreement, now);
        var earliestDue = DeadlineSignal.EarliestPendingDue(db);
        var handOff = outboxSignal.ClaimAdded(db, now);
        await db.SaveChangesAsync(ct);
        return (recipients, earliestDue, handOff);
    }

    private static async Task<SubmissionResult> AlreadyAcceptedAsync(NodeDbContext db, Message message, CancellationToken ct)
    {
        var stored = await db.OutboundMessages.Include(m => m.Deliveries).SingleAsync(m => m.MessageId == message.MessageId.Value, ct);
        if (stored.Kind != message.Kind.WireName() || stored.AgreementId != message.AgreementId.Value)
            return SubmissionResult.Refused(message.MessageId.Value, "MESSAGE_ID_REUSED", "node/intake", "/messageId",
                $"Message id {message.MessageId} was already used for a {stored.Kind} under {stored.AgreementId}; use a new id.",
                RuleArgs.Of(("reference", message.MessageId.ToString()), ("kind", stored.Kind), ("agreement", stored.AgreementId)));
        return new SubmissionResult(SubmissionStatus.AlreadyAccepted, stored.MessageId, [], [],
            stored.Deliveries.OrderBy(d => d.Recipient).Select(d => new Addressee(new CentreCode(d.Recipient), d.Sequence)).ToList());
    }
}
