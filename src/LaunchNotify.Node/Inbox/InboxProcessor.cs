using System.Text;
using System.Text.Json;
using LaunchNotify.Domain.Agreements;
using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Rules;
using LaunchNotify.Domain.Validation;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Deadlines;
using LaunchNotify.Node.Outbox;
using LaunchNotify.Node.Timeliness;
using LaunchNotify.Protocol.Json;
using LaunchNotify.Protocol.Schemas;
using LaunchNotify.Protocol.Signing;
using LaunchNotify.Storage;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace LaunchNotify.Node.Inbox;

/// <summary>
/// A subscriber's verdict on one delivery from its inbox queue. Whatever the body, it ends in exactly one of these,
/// and the caller acks only after this returns (everything it stored is committed).
/// </summary>
public sealed class InboxProcessor(
    IDbContextFactory<NodeDbContext> dbFactory,
    NodeIdentity node,
    IClock clock,
    ISignatureVerifier verifier,
    IPayloadSigner signer,
    IAgreementSource agreements,
    IMessageRules rules,
    SchemaCatalog schemas,
    IParkingLot parking,
    OutboxSignal outboxSignal,
    ReceivedTimeliness timeliness,
    DeadlineSignal deadlineSignal,
    ILogger<InboxProcessor> logger)
{
    /// <summary>
    /// Checks, in order: size; a JWS at all; broker identity (the broker-validated <c>user_id</c> equals the claimed
    /// sender); addressed to this centre; known key of that sender and a valid signature; then a message already in
    /// the inbox is answered with its first receipt (its verdict stands); otherwise schema, then the agreement's rules
    /// as the receiving side with this node's clock. Unauthentic or unreadable bodies are parked with their reason and
    /// never stored as received; authentic messages are stored, accepted or rejected, with a signed receipt queued in
    /// the same transaction.
    /// </summary>
    public async Task<InboxResult> ProcessAsync(InboundDelivery delivery, CancellationToken ct)
    {
        var receivedAt = clock.GetCurrentInstant();
        if (delivery.Body.Length > node.MaxMessageBytes)
            return await ParkAsync(delivery, "MESSAGE_TOO_LARGE",
                $"The body is {delivery.Body.Length} bytes; this node accepts at most {node.MaxMessageBytes}.", null, ct);

        var unverified = verifier.ReadUnverifiedPayload(delivery.Body.Span, out var jwsError);
        if (unverified is null)
            return await ParkAsync(delivery, "JWS_MALFORMED", $"The body is not a flattened JWS: {jwsError}", null, ct);

        var claim = Claim.Read(unverified);
        if (claim.Error is not null)
            return await ParkAsync(delivery, "PAYLOAD_MALFORMED", claim.Error, null, ct);

        if (string.IsNullOrEmpty(delivery.UserId))
            return await ParkAsync(delivery, "BROKER_IDENTITY_MISSING",
                "The message has no user_id property, so the broker did not vouch for its sender.", claim, ct);
        if (delivery.UserId != claim.Sender)
            return await ParkAsync(delivery, "BROKER_IDENTITY_MISMATCH",
                $"The broker says centre {delivery.UserId} published this message, but it claims to be from {claim.Sender}.", claim, ct);
        if (!claim.IsAddressedTo(node.Centre))
            return await ParkAsync(delivery, "NOT_ADDRESSED_HERE",
                $"The message is addressed to {string.Join(", ", claim.Recipients)}, not to this centre ({node.Centre}).", claim, ct);

        var signature = verifier.Verify(delivery.Body.Span, new CentreCode(claim.Sender!));
        if (!signature.IsValid)
            return await ParkAsync(delivery, signature.ErrorCode ?? "SIGNATURE_INVALID", signature.Reason ?? "The signature does not verify.", claim, ct);

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var existing = await db.Inbox.AsNoTracking().SingleOrDefaultAsync(m => m.MessageId == claim.MessageId, ct);
        if (existing is not null)
            return await AnswerDuplicateAsync(db, existing, delivery, receivedAt, ct);

        var parse = MessageParser.Parse(signature.Payload, schemas);
        if (parse.Message is not { } message)
        {
            // The sequence number still counts: an authentic message arrived, even if it cannot be read.
            var claimed = AgreementId.TryParse(claim.AgreementId, out var claimedId) && agreements.TryGet(claimedId, out var a) ? a : null;
            return await StoreAsync(db, delivery, claim, null, claimed, null, receivedAt, parse.Errors, [], ct);
        }

        if (!agreements.TryGet(message.AgreementId, out var agreement))
            return await StoreAsync(db, delivery, claim, message, null, null, receivedAt,
                [new ValidationError("AGREEMENT_UNKNOWN", "node/agreements", "/agreementId", $"Centre {node.Centre} does not know agreement '{message.AgreementId}'.")], [], ct);

        PreNotification? original = null;
        var referenceErrors = new List<ValidationError>();
        if (message.RelatesTo() is { } originalId)
        {
            var lookup = await EffectiveNotificationAsync(db, message.Sender, originalId, ct);
            original = lookup.Notification;
            if (lookup.Error is not null)
                referenceErrors.Add(lookup.Error);
        }

        var outcome = rules.Evaluate(message, agreement, EvaluatingSide.Receiver, node.Centre, receivedAt, original);
        return await StoreAsync(db, delivery, claim, message, agreement, original, receivedAt, [.. referenceErrors, .. outcome.Errors], outcome.Findings, ct);
    }

    private async Task<InboxResult> StoreAsync(NodeDbContext db, InboundDelivery delivery, Claim claim, Message? message, Agreement? agreement,
        PreNotification? original, Instant receivedAt, IReadOnlyList<ValidationError> errors, IReadOnlyList<ValidationError> findings, CancellationToken ct)
    {
        var accepted = errors.Count == 0;
        var kind = message?.Kind ?? (MessageKinds.TryParse(claim.Kind, out var k) ? k : (MessageKind?)null);
        var window = message switch
        {
            PreNotification p => p.LaunchWindow,
            _ => (LaunchWindow?)null,
        };
        var entry = new InboxMessage
        {
            MessageId = claim.MessageId,
            Kind = claim.Kind ?? "unknown",
            Sender = claim.Sender!,
            AgreementId = claim.AgreementId,
            Sequence = message?.SequenceFor(node.Centre) ?? claim.SequenceFor(node.Centre),
            RelatesTo = message is null ? null : message.RelatesTo()?.Value,
            ReceivedAt = receivedAt,
            IssuedAt = message?.IssuedAt,
            Outcome = accepted ? InboxOutcome.Accepted : InboxOutcome.Rejected,
            DetailsJson = JsonSerializer.Serialize(accepted ? findings : errors, WireJson.Options),
            Jws = delivery.Body.ToArray(),
            PayloadJson = message is null ? null : Encoding.UTF8.GetString(WireJson.SerializeToUtf8(message)),
            WindowStart = window?.Start,
            WindowEnd = window?.End,
        };

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.Inbox.Add(entry);

        // Receipts and heartbeats are not answered (an answer to an answer would never end).
        var answers = kind is { } known && known.IsNotification() && AgreementId.IsValid(claim.AgreementId);
        if (answers)
        {
            var agreementId = new AgreementId(claim.AgreementId!);
            var receipt = await QueueReceiptAsync(db, claim, kind!.Value, agreementId, receivedAt,
                accepted ? ReceiptOutcome.Accepted : ReceiptOutcome.Rejected, accepted ? [] : errors, accepted ? findings : [], ct);
            entry.ReceiptMessageId = receipt.MessageId;
            entry.ReceiptJws = receipt.Jws;
        }
        Audit.AuditLog.Append(db, Audit.AuditEvent.Stored(entry));
        if (accepted && message is Receipt r)
            await ApplyReceiptAsync(db, r, ct);
        await timeliness.OnStoredAsync(db, entry, message, agreement, original, accepted, findings, ct);

        try
        {
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch (DbUpdateException)
        {
            await tx.RollbackAsync(ct);
            if (!await IsStoredAsync(claim.MessageId, ct))
                throw;
            // Another consumer (a second instance, or a redelivery racing this one) stored it first: a duplicate.
            db.ChangeTracker.Clear();
            var first = await db.Inbox.AsNoTracking().SingleAsync(m => m.MessageId == claim.MessageId, ct);
            return await AnswerDuplicateAsync(db, first, delivery, receivedAt, ct);
        }
        if (answers)
            outboxSignal.Notify();
        deadlineSignal.Notify();

        if (accepted)
            logger.LogInformation("Received {Kind} {MessageId} from {Sender}: accepted{Findings}", entry.Kind, entry.MessageId, entry.Sender,
                findings.Count > 0 ? " with findings " + string.Join("; ", findings.Select(f => f.Code)) : "");
        else
            logger.LogWarning("Received {Kind} {MessageId} from {Sender}: rejected: {Reasons}", entry.Kind, entry.MessageId, entry.Sender,
                string.Join("; ", errors.Select(e => e.ToString())));
        return new InboxResult(accepted ? InboxDisposition.Accepted : InboxDisposition.Rejected, claim.MessageId, entry.Kind, entry.Sender,
            accepted ? findings : errors, entry.ReceiptMessageId);
    }

    private async Task<bool> IsStoredAsync(Guid messageId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Inbox.AnyAsync(m => m.MessageId == messageId, ct);
    }

    /// <summary>A redelivery or a replay: the first verdict stands, and its receipt goes out again (idempotent at the sender).</summary>
    private async Task<InboxResult> AnswerDuplicateAsync(NodeDbContext db, InboxMessage existing, InboundDelivery delivery, Instant now, CancellationToken ct)
    {
        if (!existing.Jws.AsSpan().SequenceEqual(delivery.Body.Span))
            logger.LogWarning("Message {MessageId} from {Sender} arrived again with a different body; the first one stands", existing.MessageId, existing.Sender);
        if (existing.ReceiptJws is not null && existing.ReceiptMessageId is { } receiptId)
        {
            db.Outbox.Add(new OutboxEntry
            {
                MessageId = receiptId,
                Kind = MessageKind.Receipt.WireName(),
                Recipient = existing.Sender,
                RoutingKey = RoutingKeys.For(new CentreCode(existing.Sender), node.Centre, MessageKind.Receipt),
                Body = existing.ReceiptJws,
                CreatedAt = now,
            });
            await db.SaveChangesAsync(ct);
            outboxSignal.Notify();
        }
        logger.LogInformation("Duplicate {Kind} {MessageId} from {Sender}: stored once, receipt repeated", existing.Kind, existing.MessageId, existing.Sender);
        return new InboxResult(InboxDisposition.Duplicate, existing.MessageId, existing.Kind, existing.Sender, [], existing.ReceiptMessageId);
    }

    private async Task<(Guid MessageId, byte[] Jws)> QueueReceiptAsync(NodeDbContext db, Claim claim, MessageKind receivedKind, AgreementId agreementId,
        Instant receivedAt, ReceiptOutcome outcome, IReadOnlyList<ValidationError> reasons, IReadOnlyList<ValidationError> findings, CancellationToken ct)
    {
        var sender = new CentreCode(claim.Sender!);
        var sequence = await SequenceAllocator.NextAsync(db, node.Centre, sender, agreementId, SequenceAllocator.ReceiptStream, ct);
        var receipt = new Receipt
        {
            MessageId = MessageId.New(),
            AgreementId = agreementId,
            Sender = node.Centre,
            Recipients = [new Addressee(sender, sequence)],
            IssuedAt = receivedAt,
            ReceiptFor = new MessageId(claim.MessageId),
            ReceivedKind = receivedKind,
            ReceivedAt = receivedAt,
            Outcome = outcome,
            Reasons = reasons,
            Findings = findings,
        };
        var jws = signer.Sign(WireJson.SerializeToUtf8(receipt));
        db.Outbox.Add(new OutboxEntry
        {
            MessageId = receipt.MessageId.Value,
            Kind = MessageKind.Receipt.WireName(),
            Recipient = sender,
            RoutingKey = RoutingKeys.For(sender, node.Centre, MessageKind.Receipt),
            Body = jws,
            CreatedAt = receivedAt,
        });
        return (receipt.MessageId.Value, jws);
    }

    /// <summary>A counterpart's receipt for something this centre sent: the delivery is confirmed or rejected.</summary>
    private async Task ApplyReceiptAsync(NodeDbContext db, Receipt receipt, CancellationToken ct)
    {
        var deliveryRow = await db.Deliveries.SingleOrDefaultAsync(
            d => d.MessageId == receipt.ReceiptFor.Value && d.Recipient == receipt.Sender.Value, ct);
        if (deliveryRow is null)
        {
            logger.LogWarning("Receipt {ReceiptId} from {Sender} refers to {MessageId}, which this centre did not send to it", receipt.MessageId, receipt.Sender, receipt.ReceiptFor);
            return;
        }
        // The first receipt stands, except that an acceptance overrides a rejection of a copy that failed authentication.
        if (deliveryRow.ReceiptMessageId is not null && !(deliveryRow.Status == DeliveryStatus.Rejected && receipt.Outcome == ReceiptOutcome.Accepted))
            return;
        deliveryRow.Status = receipt.Outcome == ReceiptOutcome.Accepted ? DeliveryStatus.Confirmed : DeliveryStatus.Rejected;
        deliveryRow.ReceiptAt = clock.GetCurrentInstant();
        deliveryRow.RecipientReceivedAt = receipt.ReceivedAt;
        deliveryRow.ReceiptMessageId = receipt.MessageId.Value;
        deliveryRow.ReceiptDetailsJson = JsonSerializer.Serialize(
            receipt.Outcome == ReceiptOutcome.Accepted ? receipt.Findings : receipt.Reasons, WireJson.Options);
        deliveryRow.PublishedAt ??= deliveryRow.ReceiptAt;
        Audit.AuditLog.Append(db, Audit.AuditEvent.ReceiptApplied(receipt, deliveryRow));
        await timeliness.OnReceiptAppliedAsync(db, deliveryRow, receipt, deliveryRow.ReceiptAt.Value, ct);
    }

    /// <summary>The sender's pre-notification as it stands after the amendments already received.</summary>
    private static async Task<(PreNotification? Notification, ValidationError? Error)> EffectiveNotificationAsync(
        NodeDbContext db, CentreCode sender, MessageId id, CancellationToken ct)
    {
        const string path = "/original";
        var original = await db.Inbox.AsNoTracking().SingleOrDefaultAsync(m => m.MessageId == id.Value && m.Sender == sender.Value, ct);
        if (original is null || original.Kind != MessageKind.PreNotification.WireName() || original.PayloadJson is null || original.Outcome != InboxOutcome.Accepted)
            return (null, new ValidationError("UNKNOWN_ORIGINAL", "node/references", path,
                $"Message {id} is not a pre-notification this centre accepted from {sender}."));

        var related = await db.Inbox.AsNoTracking()
            .Where(m => m.RelatesTo == id.Value && m.Sender == sender.Value && m.Outcome == InboxOutcome.Accepted && m.PayloadJson != null)
            .OrderBy(m => m.ReceivedAt).ToListAsync(ct);
        var notification = (PreNotification)MessageParser.ReadStored(original.PayloadJson);
        if (related.Any(m => m.Kind == MessageKind.Cancellation.WireName()))
            return (notification, new ValidationError("ORIGINAL_CANCELLED", "node/references", path, $"Notification {id} has been cancelled."));
        var amendments = related.Where(m => m.Kind == MessageKind.Amendment.WireName()).Select(m => (Amendment)MessageParser.ReadStored(m.PayloadJson!));
        return (notification.WithAmendments(amendments), null);
    }

    private async Task<InboxResult> ParkAsync(InboundDelivery delivery, string code, string reason, Claim? claim, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        var error = new ValidationError(code, "node/inbox", "", reason);
        await parking.ParkAsync(new ParkedMessage(delivery, code, reason, now), ct);
        logger.LogWarning("Parked a delivery (user_id {UserId}, routing key {RoutingKey}): {Code}: {Reason}", delivery.UserId, delivery.RoutingKey, code, reason);

        // The broker vouches for user_id, so that centre learns its message was refused, and why. Nothing is stored
        // as received: a forged copy must not pre-empt the genuine message with the same id.
        Guid? receiptId = null;
        if (claim is { Kind: var kindText, AgreementId: var agreementText } && MessageKinds.TryParse(kindText, out var kind) && kind.IsNotification()
            && CentreCode.TryParse(delivery.UserId, out var publisher) && AgreementId.TryParse(agreementText, out var agreementId))
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var receipt = await QueueReceiptAsync(db, claim with { Sender = publisher.Value }, kind, agreementId, now, ReceiptOutcome.Rejected, [error], [], ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            outboxSignal.Notify();
            receiptId = receipt.MessageId;
        }
        await Audit.AuditLog.AppendAsync(dbFactory, Audit.AuditEvent.Parked(delivery, code, reason, claim?.MessageId, receiptId, now), ct);
        return new InboxResult(InboxDisposition.Parked, claim?.MessageId, claim?.Kind, delivery.UserId, [error], receiptId);
    }

    /// <summary>What the payload says about itself, read before anything is trusted.</summary>
    private sealed record Claim(Guid MessageId, string? Kind, string? Sender, string? AgreementId, IReadOnlyList<(string Centre, long? Sequence)> RecipientList, string? Error)
    {
        public IEnumerable<string> Recipients => RecipientList.Select(r => r.Centre);

        public bool IsAddressedTo(CentreCode centre) => RecipientList.Any(r => r.Centre == centre.Value);

        public long? SequenceFor(CentreCode centre) => RecipientList.FirstOrDefault(r => r.Centre == centre.Value).Sequence;

        public static Claim Read(byte[] payload)
        {
            try
            {
                using var doc = JsonDocument.Parse(payload);
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                    return Fail("The payload is not a JSON object.");
                if (!root.TryGetProperty("messageId", out var idValue) || !Guid.TryParse(idValue.GetString(), out var id) || id == Guid.Empty)
                    return Fail("The payload has no valid messageId.");
                if (!root.TryGetProperty("sender", out var senderValue) || senderValue.ValueKind != JsonValueKind.String)
                    return Fail("The payload has no sender.");
                var recipients = new List<(string, long?)>();
                if (root.TryGetProperty("recipients", out var list) && list.ValueKind == JsonValueKind.Array)
                {
                    foreach (var r in list.EnumerateArray())
                    {
                        if (r.ValueKind == JsonValueKind.Object && r.TryGetProperty("centre", out var c) && c.ValueKind == JsonValueKind.String)
                            recipients.Add((c.GetString()!, r.TryGetProperty("sequence", out var s) && s.TryGetInt64(out var n) ? n : null));
                    }
                }
                return new Claim(id, Text(root, "kind"), senderValue.GetString(), Text(root, "agreementId"), recipients, null);
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            {
                return Fail($"The payload is not well-formed JSON: {e.Message}");
            }
        }

        private static string? Text(JsonElement root, string name) =>
            root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

        private static Claim Fail(string error) => new(Guid.Empty, null, null, null, [], error);
    }
}

/// <summary>One delivery as the broker handed it over: the body and the properties that matter for trust.</summary>
public sealed record InboundDelivery(ReadOnlyMemory<byte> Body, string? UserId, string? RoutingKey, string? AmqpMessageId, string? Type, string? ContentType);

public enum InboxDisposition
{
    /// <summary>Authentic and valid: stored, accepted receipt queued.</summary>
    Accepted,
    /// <summary>Authentic but against the schema or the agreement: stored as evidence, rejection receipt queued.</summary>
    Rejected,
    /// <summary>Already in the inbox: not stored again, its receipt repeated.</summary>
    Duplicate,
    /// <summary>Unreadable or unauthentic: not stored as received, parked with its reason.</summary>
    Parked,
}

public sealed record InboxResult(
    InboxDisposition Disposition,
    Guid? MessageId,
    string? Kind,
    string? Sender,
    IReadOnlyList<ValidationError> Details,
    Guid? ReceiptMessageId);
