using System.Collections.Immutable;
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
    Keys.KeyAnnouncements keyAnnouncements,
    GroupCommitter committer,
    ILogger<InboxProcessor> logger)
{
    /// <summary>
    /// Checks, in order: size; a JWS at all; its payload a JSON object naming its id and sender (the one parse,
    /// <see cref="MessageParser"/>, also checks schema and content now, so no later pass reads the payload again);
    /// broker identity (the broker-validated <c>user_id</c> equals the claimed sender); addressed to this centre; known
    /// key of that sender and a valid signature; then a message already in the inbox under (sender, id) is answered
    /// with its first receipt (its verdict stands); otherwise the parse's verdict, then the agreement's rules as the
    /// receiving side with this node's clock. Unauthentic or unreadable bodies are parked with their reason and never
    /// stored as received; authentic messages are stored, accepted or rejected, with a signed receipt queued in the
    /// same transaction. Content never throws; what does throw is a fault of the store or the broker, to be retried.
    /// </summary>
    public async Task<InboxResult> ProcessAsync(InboundDelivery delivery, CancellationToken ct)
    {
        // Continues the sender's trace (traceparent header); the receipt queued below carries it back.
        using var activity = Telemetry.NodeTelemetry.StartContinuing("launchnotify.inbox", System.Diagnostics.ActivityKind.Consumer, delivery.TraceParent, delivery.TraceState);
        var result = await ProcessCoreAsync(delivery, ct);
        activity?.SetTag("launchnotify.message_id", result.MessageId?.ToString("D"));
        activity?.SetTag("launchnotify.kind", result.Kind);
        activity?.SetTag("launchnotify.disposition", result.Disposition.ToString());
        Telemetry.NodeTelemetry.InboxDeliveries.Add(1, new KeyValuePair<string, object?>("disposition", result.Disposition.ToString()));
        return result;
    }

    private async Task<InboxResult> ProcessCoreAsync(InboundDelivery delivery, CancellationToken ct)
    {
        var receivedAt = clock.GetCurrentInstant();
        if (delivery.Body.Length > node.MaxMessageBytes)
            return await ParkAsync(delivery, "MESSAGE_TOO_LARGE",
                $"The body is {delivery.Body.Length} bytes; this node accepts at most {node.MaxMessageBytes}.", null, ct,
                RuleArgs.Of((RuleArgs.Form, "delivery"), ("bytes", RuleArgs.Of(delivery.Body.Length)), ("max", RuleArgs.Of(node.MaxMessageBytes))));

        // A JWS body is ASCII; anything that is not even Unicode text is no JWS (and would trip the JSON reader later).
        if (JsonText.FindInvalidUnicode(delivery.Body.Span) is { } notText)
            return await ParkAsync(delivery, "JWS_MALFORMED", $"The body is not a flattened JWS: {notText}", null, ct, NoFigures);
        var unverified = verifier.ReadUnverifiedPayload(delivery.Body.Span, out var jwsError);
        if (unverified is null)
            return await ParkAsync(delivery, "JWS_MALFORMED", $"The body is not a flattened JWS: {jwsError}", null, ct, NoFigures);

        var parse = MessageParser.Parse(unverified, schemas);
        if (parse.Header is not { } header)
            return await ParkAsync(delivery, "PAYLOAD_MALFORMED", $"The payload is not JSON: {string.Join("; ", parse.Errors.Select(e => e.Message))}", null, ct, Form("notJson"));
        if (header.MessageId is not { } messageId)
            return await ParkAsync(delivery, "PAYLOAD_MALFORMED", "The payload is not a JSON object with a valid messageId (a UUID).", null, ct, Form("noMessageId"));
        if (header.Sender is null)
            return await ParkAsync(delivery, "PAYLOAD_MALFORMED", "The payload names no sender.", null, ct, Form("noSender"));
        var claim = new Claim(messageId, header);

        if (string.IsNullOrEmpty(delivery.UserId))
            return await ParkAsync(delivery, "BROKER_IDENTITY_MISSING",
                "The message has no user_id property, so the broker did not vouch for its sender.", claim, ct, NoFigures);
        if (delivery.UserId != header.Sender)
            return await ParkAsync(delivery, "BROKER_IDENTITY_MISMATCH",
                $"The broker says centre {delivery.UserId} published this message, but it claims to be from {Shorten(header.Sender)}.", claim, ct,
                RuleArgs.Of(("value", RuleArgs.Echo(delivery.UserId)), ("sender", RuleArgs.Echo(header.Sender))));
        if (!CentreCode.TryParse(header.Sender, out var sender))
            return await ParkAsync(delivery, "PAYLOAD_MALFORMED", $"The sender '{Shorten(header.Sender)}' is not a centre code.", claim, ct,
                RuleArgs.Of((RuleArgs.Form, "senderNotCentre"), ("value", RuleArgs.Echo(header.Sender))));
        if (!header.IsAddressedTo(node.Centre))
        {
            var addressees = string.Join(", ", header.Recipients.Select(r => r.Centre));
            return await ParkAsync(delivery, "NOT_ADDRESSED_HERE", $"The message is addressed to {Shorten(addressees)}, not to this centre ({node.Centre}).",
                claim, ct, RuleArgs.Of(("centre", node.Centre.Value), ("parties", RuleArgs.Echo(addressees))));
        }

        var signature = verifier.Verify(delivery.Body.Span, sender);
        if (!signature.IsValid)
            return await ParkAsync(delivery, signature.ErrorCode ?? "SIGNATURE_INVALID", signature.Reason ?? "The signature does not verify.", claim, ct, NoFigures);

        // Identity is (sender, id): another centre's message with the same id is a different message. The claim in the
        // store step decides whether it is stored already, and answers a duplicate there with its first receipt, as here;
        // a look before is needed only where something happens before that step: a key announcement is applied to the
        // trust store, an acknowledgement is checked against the delivery it acknowledges (a repeated one would be refused
        // as ACKNOWLEDGEMENT_REPEATED, not answered as the duplicate it is). Every other message saves the round trip.
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var looksFirst = claim.Header.Kind == KeyAnnouncement.Kind || parse.Message is Acknowledgement;
        var existing = looksFirst && await InboxClaims.IsStoredAsync(db, sender.Value, messageId, ct)
            ? await db.Inbox.AsNoTracking().SingleAsync(m => m.Sender == sender.Value && m.MessageId == messageId, ct)
            : null;
        if (existing is not null)
            return await AnswerDuplicateAsync(existing, delivery, receivedAt, ct);

        // A counterpart's signed key change (docs/signing.md): applied to the trust store, then stored like any message.
        if (claim.Header.Kind == KeyAnnouncement.Kind)
            return await StoreAsync(delivery, claim, null, null, null, receivedAt,
                await keyAnnouncements.ApplyAsync(signature.Payload, signature.SignedBy!.Value, ct), [], ct);

        if (parse.Message is not { } message)
        {
            // The sequence number still counts: an authentic message arrived, even if it cannot be read.
            var claimed = AgreementId.TryParse(header.AgreementId, out var claimedId) && agreements.TryGet(claimedId, out var a) ? a : null;
            return await StoreAsync(delivery, claim, null, claimed, null, receivedAt, parse.Errors, [], ct);
        }

        // An acknowledgement must answer a delivery of this centre's that is still waiting for one; anything else is parked
        // with its reason (never stored as applied, never thrown), like an unauthentic message.
        if (message is Acknowledgement acknowledgement && await RefuseAcknowledgementAsync(db, acknowledgement, receivedAt, ct) is { } refusal)
            return await ParkAsync(delivery, refusal.Code, refusal.Reason, claim, ct, refusal.Args);

        if (!agreements.TryGet(message.AgreementId, out var agreement))
            return await StoreAsync(delivery, claim, message, null, null, receivedAt,
                [new ValidationError("AGREEMENT_UNKNOWN", "node/agreements", "/agreementId", $"Centre {node.Centre} does not know agreement '{message.AgreementId}'.")
                { Args = RuleArgs.Of((RuleArgs.Form, "receiver"), ("centre", node.Centre.Value), ("agreement", message.AgreementId.Value)) }], [], ct);

        PreNotification? original = null;
        var referenceErrors = new List<ValidationError>();
        if (message.RelatesTo() is { } originalId)
        {
            var lookup = await EffectiveNotificationAsync(db, message.Sender, originalId, ct);
            original = lookup.Notification;
            if (lookup.Error is not null)
                referenceErrors.Add(lookup.Error);
        }

        var outcome = Evaluate(message, agreement, receivedAt, original);
        return await StoreAsync(delivery, claim, message, agreement, original, receivedAt, [.. referenceErrors, .. outcome.Errors], outcome.Findings, ct);
    }

    /// <summary>
    /// The rules are pure and total on a parsed message; should one still throw, that is a fault of this receiver, not
    /// a transient one: retrying would block the inbox for nothing. The message is answered, rejected, with a code
    /// that says so, and the fault is logged with its stack trace for the operator.
    /// </summary>
    private RuleOutcome Evaluate(Message message, Agreement agreement, Instant receivedAt, PreNotification? original)
    {
        try
        {
            return rules.Evaluate(message, agreement, EvaluatingSide.Receiver, node.Centre, receivedAt, original);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "The agreement rules failed on {Kind} {MessageId} from {Sender}: a fault in this receiver; the message is rejected as RECEIVER_FAULT",
                message.Kind.WireName(), message.MessageId, message.Sender);
            return new RuleOutcome([new ValidationError(ReceiverFault, "node/rules", "",
                $"Centre {node.Centre} could not evaluate this message's rules (a fault in the receiver, logged there). Ask its operator; send it again once fixed.")
                { Args = RuleArgs.Of(("centre", node.Centre.Value)) }], []);
        }
    }

    public const string ReceiverFault = "RECEIVER_FAULT";

    private static string? Shorten(string? text) => text is { Length: > 60 } ? text[..60] + "…" : text;

    private async Task<InboxResult> StoreAsync(InboundDelivery delivery, Claim claim, Message? message, Agreement? agreement,
        PreNotification? original, Instant receivedAt, IReadOnlyList<ValidationError> errors, IReadOnlyList<ValidationError> findings, CancellationToken ct)
    {
        var accepted = errors.Count == 0;
        var kind = message?.Kind ?? (MessageKinds.TryParse(claim.Header.Kind, out var k) ? k : (MessageKind?)null);
        var window = message switch
        {
            PreNotification p => p.LaunchWindow,
            _ => (LaunchWindow?)null,
        };
        // Only values this node checked go into columns: the raw JWS is the evidence of whatever else it said.
        var claimedAgreement = AgreementId.TryParse(claim.Header.AgreementId, out var agreementId) ? agreementId : (AgreementId?)null;
        var entry = new InboxMessage
        {
            MessageId = claim.MessageId,
            // A key announcement is no message kind of the agreements' (docs/signing.md), but it is stored under its own name.
            Kind = kind?.WireName() ?? (claim.Header.Kind == KeyAnnouncement.Kind ? KeyAnnouncement.Kind : "unknown"),
            Sender = claim.Sender.Value,
            AgreementId = claimedAgreement?.Value,
            Sequence = message?.SequenceFor(node.Centre) ?? claim.Header.SequenceFor(node.Centre),
            RelatesTo = message?.RelatesTo()?.Value,
            ReceivedAt = receivedAt,
            IssuedAt = message?.IssuedAt,
            Outcome = accepted ? InboxOutcome.Accepted : InboxOutcome.Rejected,
            DetailsJson = JsonSerializer.Serialize(accepted ? findings : errors, WireJson.Options),
            Jws = delivery.Body.ToArray(),
            PayloadJson = message is null ? null : Encoding.UTF8.GetString(WireJson.SerializeToUtf8(message)),
            WindowStart = window?.Start,
            WindowEnd = window?.End,
        };

        // Receipts and heartbeats are not answered (an answer to an answer would never end), nor is a message whose kind
        // cannot be read (a receipt must name the kind it answers). Every readable notification is, whatever else it got
        // wrong: under its agreement id, or under "unknown" if even that cannot be read.
        var answers = kind is { } known && known.IsNotification();
        // The receipt's id is chosen now (the row and its audit entry name it); its number and signature come at the end
        // of the step's batch (ReceiptQueue), with the other receipts of the batch on the same link.
        var receiptDraft = answers
            ? new ReceiptQueue.Draft(Guid.NewGuid(), entry, claim.Sender, claim.MessageId, kind!.Value, claimedAgreement ?? UnknownAgreement, receivedAt,
                accepted ? ReceiptOutcome.Accepted : ReceiptOutcome.Rejected, accepted ? [] : errors, accepted ? findings : [])
            : null;
        entry.ReceiptMessageId = receiptDraft?.ReceiptId;
        // Rows other writers lock after the audit chain (a delivery a receipt settles, a deadline re-armed or settled, an
        // alarm) are locked after it here too (PostgreSQL); a notification that only adds rows of its own leaves the chain
        // to the batch's end (GroupCommitter).
        var onlyAddsRows = !accepted || message is null || (message is PreNotification && !findings.Any(f => f.Code == RuleCodes.LateNotification));
        // One step of the inbox's group commit: it has committed when this returns (GroupCommitter).
        Instant? earliestDue = null;
        IReadOnlyList<OutboxEntry> handOff = [];
        var first = await committer.RunAsync(async (db, stepCt) =>
        {
            // Whatever an earlier run of this step in a batch that failed at its end left on the row goes.
            entry.ReceiptJws = null;
            entry.AcknowledgeDueAt = null;
            if (!onlyAddsRows)
                await db.LockAuditChainForBatchAsync(stepCt);
            // Claim (sender, id) first, atomically: a redelivery or a second consumer racing this one finds it taken and
            // is answered as the duplicate it is, without a failed insert (most kinds have no look before; for the others it
            // is only the cheap common case).
            if (!await InboxClaims.TryClaimAsync(db, entry, stepCt))
            {
                var stored = await db.Inbox.AsNoTracking().SingleAsync(m => m.Sender == entry.Sender && m.MessageId == entry.MessageId, stepCt);
                if (QueueRepeatedReceipt(db, stored, receivedAt))
                    await db.SaveChangesAsync(stepCt);
                else if (stored.ReceiptJws is null && stored.ReceiptMessageId is { } notMadeYet)
                    // The first copy was stored by an earlier step of this batch: its receipt is made at the batch's end.
                    await _receipts.LeaveAsync(db, new ReceiptQueue.Repeat(notMadeYet, receivedAt), stepCt);
                return stored;
            }
            Audit.AuditLog.Append(db, Audit.AuditEvent.Stored(entry));
            if (accepted && message is Receipt r)
                await ApplyReceiptAsync(db, r, stepCt);
            if (accepted && message is Acknowledgement a)
                await ApplyAcknowledgementAsync(db, a, stepCt);
            await timeliness.OnStoredAsync(db, entry, message, agreement, original, accepted, findings, stepCt);
            // A message answered by a receipt gets its row's last columns with the receipt (ReceiptQueue), the others now.
            if (receiptDraft is not null)
                await _receipts.LeaveAsync(db, receiptDraft, stepCt);
            else
                await InboxClaims.CompleteAsync(db, entry, stepCt);
            earliestDue = DeadlineSignal.EarliestPendingDue(db);
            handOff = outboxSignal.ClaimAdded(db, receivedAt);
            await db.SaveChangesAsync(stepCt);
            return (InboxMessage?)null;
        }, ct);
        if (first is not null)
            return Duplicate(first, delivery);

        // (The receipt is handed to the dispatcher by the batch's end, ReceiptQueue.)
        if (handOff.Count > 0)
            outboxSignal.HandOff(handOff);
        // Only a deadline due before the watcher's next look needs it awake (most are hours away).
        if (earliestDue is not null)
            deadlineSignal.Notify(earliestDue);

        // An accepted receipt or heartbeat is routine at one per notification or beat: the store and the audit trail
        // keep it; the log says it at Debug, so that a busy centre's log is not mostly that line.
        if (accepted)
            logger.Log(message is Receipt or Heartbeat && findings.Count == 0 ? LogLevel.Debug : LogLevel.Information,
                "Received {Kind} {MessageId} from {Sender}: accepted{Findings}", entry.Kind, entry.MessageId, entry.Sender,
                findings.Count > 0 ? " with findings " + string.Join("; ", findings.Select(f => f.Code)) : "");
        else
            logger.LogWarning("Received {Kind} {MessageId} from {Sender}: rejected: {Reasons}", entry.Kind, entry.MessageId, entry.Sender,
                string.Join("; ", errors.Select(e => e.ToString())));
        return new InboxResult(accepted ? InboxDisposition.Accepted : InboxDisposition.Rejected, claim.MessageId, entry.Kind, entry.Sender,
            accepted ? findings : errors, entry.ReceiptMessageId);
    }

    /// <summary>The agreement a rejection receipt goes out under when the message's own agreement id cannot be read.</summary>
    public static readonly AgreementId UnknownAgreement = new("unknown");

    /// <summary>A redelivery or a replay: the first verdict stands, and its receipt goes out again (idempotent at the sender).</summary>
    private async Task<InboxResult> AnswerDuplicateAsync(InboxMessage existing, InboundDelivery delivery, Instant now, CancellationToken ct)
    {
        if (existing.ReceiptJws is not null)
            await committer.RunAsync(async (db, stepCt) =>
            {
                QueueRepeatedReceipt(db, existing, now);
                await db.SaveChangesAsync(stepCt);
                return true;
            }, ct);
        return Duplicate(existing, delivery);
    }

    /// <summary>Queues the first receipt of <paramref name="existing"/> again; false when it had none (receipts, heartbeats).</summary>
    private bool QueueRepeatedReceipt(NodeDbContext db, InboxMessage existing, Instant now)
    {
        if (existing.ReceiptJws is null || existing.ReceiptMessageId is not { } receiptId)
            return false;
        db.AddNew(new OutboxEntry
        {
            MessageId = receiptId,
            Kind = MessageKind.Receipt.WireName(),
            Recipient = existing.Sender,
            RoutingKey = RoutingKeys.For(new CentreCode(existing.Sender), node.Centre, MessageKind.Receipt),
            Body = existing.ReceiptJws,
            CreatedAt = now,
        });
        return true;
    }

    /// <summary>After the repeated receipt (if any) has committed: signal the dispatcher, log, answer.</summary>
    private InboxResult Duplicate(InboxMessage existing, InboundDelivery delivery)
    {
        if (!existing.Jws.AsSpan().SequenceEqual(delivery.Body.Span))
            logger.LogWarning("Message {MessageId} from {Sender} arrived again with a different body; the first one stands", existing.MessageId, existing.Sender);
        if (existing.ReceiptJws is not null)
            outboxSignal.Notify();
        logger.LogInformation("Duplicate {Kind} {MessageId} from {Sender}: stored once, receipt repeated", existing.Kind, existing.MessageId, existing.Sender);
        return new InboxResult(InboxDisposition.Duplicate, existing.MessageId, existing.Kind, existing.Sender, [], existing.ReceiptMessageId);
    }

    // Numbers, signs and queues the receipts of a batch's steps at its end.
    private readonly ReceiptQueue _receipts = new(node, signer, outboxSignal, clock);

    /// <summary>A counterpart's receipt for something this centre sent: the delivery is confirmed or rejected.</summary>
    private async Task ApplyReceiptAsync(NodeDbContext db, Receipt receipt, CancellationToken ct)
    {
        var messageId = receipt.ReceiptFor.Value;
        var recipient = receipt.Sender.Value;
        var found = await ReadReceiptTargetAsync(db, messageId, recipient, ct);
        if (found is null)
        {
            logger.LogWarning("Receipt {ReceiptId} from {Sender} refers to {MessageId}, which this centre did not send to it", receipt.MessageId, receipt.Sender, receipt.ReceiptFor);
            return;
        }
        // The first receipt stands, except that an acceptance overrides a rejection of a copy that failed authentication.
        if (found.ReceiptMessageId is not null && !(found.Status == DeliveryStatus.Rejected && receipt.Outcome == ReceiptOutcome.Accepted))
            return;
        var appliedAt = clock.GetCurrentInstant();
        var publishedAt = found.PublishedAt ?? appliedAt;
        await SetReceiptAsync(db, messageId, recipient, new Dictionary<string, object?>
        {
            ["Status"] = receipt.Outcome == ReceiptOutcome.Accepted ? DeliveryStatus.Confirmed : DeliveryStatus.Rejected,
            ["ReceiptAt"] = appliedAt,
            ["RecipientReceivedAt"] = receipt.ReceivedAt,
            ["ReceiptMessageId"] = receipt.MessageId.Value,
            ["ReceiptDetailsJson"] = JsonSerializer.Serialize(receipt.Outcome == ReceiptOutcome.Accepted ? receipt.Findings : receipt.Reasons, WireJson.Options),
            ["PublishedAt"] = publishedAt,
            ["MessageId"] = messageId,
            ["Recipient"] = recipient,
        }, ct);
        Audit.AuditLog.Append(db, Audit.AuditEvent.ReceiptApplied(receipt, appliedAt));
        using (var applied = Telemetry.NodeTelemetry.Source.StartActivity("launchnotify.receipt.applied"))
        {
            applied?.SetTag("launchnotify.message_id", messageId.ToString("D"));
            applied?.SetTag("launchnotify.recipient", recipient);
            applied?.SetTag("launchnotify.outcome", receipt.Outcome.ToString());
        }
        Telemetry.NodeTelemetry.ReceiptLatency.Record((appliedAt - publishedAt).TotalSeconds, new KeyValuePair<string, object?>("recipient", recipient));
        await timeliness.OnReceiptAppliedAsync(db, recipient, found.ReceiptDeadline, receipt, appliedAt, ct);
    }

    /// <summary>What a receipt needs of the delivery it settles, and that delivery's receipt deadline (null when it has none).</summary>
    private sealed record ReceiptTarget(DeliveryStatus Status, Instant? PublishedAt, Guid? ReceiptMessageId, DeadlineBook.Snapshot? ReceiptDeadline);

    /// <summary>
    /// The delivery a receipt settles and, in the same statement, its receipt deadline: read, not tracked, by a statement
    /// written once per model (the tracked compiled query and the save of the two entities it replaces were a fifth of the
    /// sending subscriber's CPU in the closed loop, docs/performance.md). The step holds the lock every writer of these rows
    /// takes first (the audit chain's; SQLite's only write lock), so what it reads stands until its writes.
    /// </summary>
    private static async Task<ReceiptTarget?> ReadReceiptTargetAsync(NodeDbContext db, Guid messageId, string recipient, CancellationToken ct)
    {
        var read = ModelCommands.ReaderStatement(db, "receipt-target", model =>
        {
            var delivery = model.FindEntityType(typeof(Delivery))!;
            return [("Key", model.FindEntityType(typeof(Deadline))!.FindProperty(nameof(Deadline.Key))!),
                ("MessageId", delivery.FindProperty(nameof(Delivery.MessageId))!), ("Recipient", delivery.FindProperty(nameof(Delivery.Recipient))!)];
        }, p => $"""
            SELECT d."Status", d."PublishedAt", d."ReceiptMessageId", x."Id", x."State", x."DueAt", x."SettledAt"
            FROM "Deliveries" AS d LEFT JOIN "Deadlines" AS x ON x."Key" = {p("Key")}
            WHERE d."MessageId" = {p("MessageId")} AND d."Recipient" = {p("Recipient")}
            """);
        var deadlineKey = ReceiptDeadlines.KeyFor(messageId, recipient);
        await using var reader = await read.ExecuteReaderAsync(ModelCommands.Parameters(db, new Dictionary<string, object?>
        {
            ["Key"] = deadlineKey, ["MessageId"] = messageId, ["Recipient"] = recipient,
        }), ct);
        var row = reader.DbDataReader;
        if (!await row.ReadAsync(ct))
            return null;
        var delivery = db.Model.FindEntityType(typeof(Delivery))!;
        var deadline = db.Model.FindEntityType(typeof(Deadline))!;
        return new ReceiptTarget(
            ModelCommands.Column<DeliveryStatus>(row, 0, delivery.FindProperty(nameof(Delivery.Status))!),
            ModelCommands.Column<Instant?>(row, 1, delivery.FindProperty(nameof(Delivery.PublishedAt))!),
            ModelCommands.Column<Guid?>(row, 2, delivery.FindProperty(nameof(Delivery.ReceiptMessageId))!),
            await row.IsDBNullAsync(3, ct) ? null : new DeadlineBook.Snapshot(
                row.GetInt64(3), deadlineKey,
                ModelCommands.Column<DeadlineState>(row, 4, deadline.FindProperty(nameof(Deadline.State))!),
                ModelCommands.Column<Instant>(row, 5, deadline.FindProperty(nameof(Deadline.DueAt))!),
                ModelCommands.Column<Instant?>(row, 6, deadline.FindProperty(nameof(Deadline.SettledAt))!)));
    }

    /// <summary>The receipt's columns of the delivery it settles (a statement; on PostgreSQL sent with the step's next command).</summary>
    private static Task SetReceiptAsync(NodeDbContext db, Guid messageId, string recipient, Dictionary<string, object?> values, CancellationToken ct)
    {
        const string key = "delivery-receipt";
        var command = ModelCommands.Statement(db, key, model =>
        {
            var delivery = model.FindEntityType(typeof(Delivery))!;
            return [.. new[] { "Status", "ReceiptAt", "RecipientReceivedAt", "ReceiptMessageId", "ReceiptDetailsJson", "PublishedAt", "MessageId", "Recipient" }
                .Select(name => (name, delivery.FindProperty(name)!))];
        }, p => $"""
            UPDATE "Deliveries" SET "Status" = {p("Status")}, "ReceiptAt" = {p("ReceiptAt")}, "RecipientReceivedAt" = {p("RecipientReceivedAt")},
            "ReceiptMessageId" = {p("ReceiptMessageId")}, "ReceiptDetailsJson" = {p("ReceiptDetailsJson")}, "PublishedAt" = {p("PublishedAt")}
            WHERE "MessageId" = {p("MessageId")} AND "Recipient" = {p("Recipient")}
            """);
        return ModelCommands.ExecuteWithSaveAsync(db, key, command, values, ct);
    }

    /// <summary>How far ahead of this node's clock an acknowledgement may say a person read the notice (clocks differ a little).</summary>
    public static readonly Duration AcknowledgementClockSkew = Duration.FromMinutes(5);

    /// <summary>
    /// Why a counterpart's acknowledgement cannot stand, or null: it must name a delivery this centre made to that
    /// counterpart (<c>ACKNOWLEDGEMENT_UNKNOWN_ORIGINAL</c>), not one it rejected (<c>ACKNOWLEDGEMENT_OF_REJECTED</c>), not one
    /// already acknowledged by another message (<c>ACKNOWLEDGEMENT_REPEATED</c>: the first stands), under the same agreement
    /// and kind (<c>ACKNOWLEDGEMENT_MISMATCH</c>), and be read no earlier than the notice was issued nor later than now
    /// allows (<c>ACKNOWLEDGEMENT_TIME_INVALID</c>).
    /// </summary>
    private async Task<(string Code, string Reason, ImmutableSortedDictionary<string, string> Args)?> RefuseAcknowledgementAsync(NodeDbContext db, Acknowledgement a, Instant now, CancellationToken ct)
    {
        var row = await db.Deliveries.AsNoTracking().Include(d => d.Message)
            .SingleOrDefaultAsync(d => d.MessageId == a.AcknowledgementFor.Value && d.Recipient == a.Sender.Value, ct);
        if (row?.Message is not { } sent)
            return ("ACKNOWLEDGEMENT_UNKNOWN_ORIGINAL", $"{a.Sender} acknowledges {a.AcknowledgementFor}, which centre {node.Centre} did not send to it.", AckArgs(a));
        if (row.AcknowledgementMessageId is { } first)
            return ("ACKNOWLEDGEMENT_REPEATED", $"{a.Sender} already acknowledged {a.AcknowledgementFor} with {first} (read at {row.AcknowledgedAt}); the first acknowledgement stands.",
                AckArgs(a, ("other", first.ToString("D")), ("acknowledgedAt", RuleArgs.Of(row.AcknowledgedAt ?? a.AcknowledgedAt))));
        if (row.Status == DeliveryStatus.Rejected)
            return ("ACKNOWLEDGEMENT_OF_REJECTED", $"{a.Sender} rejected {a.AcknowledgementFor} in its receipt {row.ReceiptMessageId}; a rejected notice cannot have been read and accepted.", AckArgs(a));
        if (sent.AgreementId != a.AgreementId.Value || sent.Kind != a.AcknowledgedKind.WireName())
            return ("ACKNOWLEDGEMENT_MISMATCH", $"The acknowledgement names {a.AcknowledgedKind.WireName()} under {a.AgreementId}; {a.AcknowledgementFor} is a {sent.Kind} under {sent.AgreementId}.", AckArgs(a));
        if (a.AcknowledgedAt < sent.IssuedAt || a.AcknowledgedAt > now + AcknowledgementClockSkew)
            return ("ACKNOWLEDGEMENT_TIME_INVALID", $"It says a person read {a.AcknowledgementFor} at {a.AcknowledgedAt}: before it was issued ({sent.IssuedAt}) or after this centre's clock ({now}) allows.",
                AckArgs(a, ("acknowledgedAt", RuleArgs.Of(a.AcknowledgedAt))));
        return null;
    }

    private static ImmutableSortedDictionary<string, string> AckArgs(Acknowledgement a, params (string Name, string Value)[] more) =>
        RuleArgs.Of([("sender", a.Sender.Value), ("reference", a.AcknowledgementFor.Value.ToString("D")), .. more]);

    /// <summary>A counterpart's acknowledgement for a delivery of this centre (checked above): a person there read it.</summary>
    private async Task ApplyAcknowledgementAsync(NodeDbContext db, Acknowledgement acknowledgement, CancellationToken ct)
    {
        var row = await db.Deliveries.SingleOrDefaultAsync(
            d => d.MessageId == acknowledgement.AcknowledgementFor.Value && d.Recipient == acknowledgement.Sender.Value, ct);
        // Two different acknowledgements racing past the check: the first one applied stands.
        if (row is null || row.AcknowledgementMessageId is not null)
            return;
        row.AcknowledgedAt = acknowledgement.AcknowledgedAt;
        row.AcknowledgementReceivedAt = clock.GetCurrentInstant();
        row.AcknowledgementMessageId = acknowledgement.MessageId.Value;
        Audit.AuditLog.Append(db, Audit.AuditEvent.AcknowledgementApplied(acknowledgement, row));
        logger.LogInformation("{Recipient} read {MessageId}: acknowledged at {At}", acknowledgement.Sender, acknowledgement.AcknowledgementFor, acknowledgement.AcknowledgedAt);
    }

    /// <summary>The sender's pre-notification as it stands after the amendments already received.</summary>
    private static async Task<(PreNotification? Notification, ValidationError? Error)> EffectiveNotificationAsync(
        NodeDbContext db, CentreCode sender, MessageId id, CancellationToken ct)
    {
        const string path = "/original";
        var original = await db.Inbox.AsNoTracking().SingleOrDefaultAsync(m => m.MessageId == id.Value && m.Sender == sender.Value, ct);
        if (original is null || original.Kind != MessageKind.PreNotification.WireName() || original.PayloadJson is null || original.Outcome != InboxOutcome.Accepted)
            return (null, new ValidationError("UNKNOWN_ORIGINAL", "node/references", path,
                $"Message {id} is not a pre-notification this centre accepted from {sender}.")
                { Args = RuleArgs.Of((RuleArgs.Form, "received"), ("reference", id.ToString()), ("sender", sender.Value)) });

        var related = await db.Inbox.AsNoTracking()
            .Where(m => m.RelatesTo == id.Value && m.Sender == sender.Value && m.Outcome == InboxOutcome.Accepted && m.PayloadJson != null)
            .OrderBy(m => m.ReceivedAt).ToListAsync(ct);
        var notification = (PreNotification)MessageParser.ReadStored(original.PayloadJson);
        if (related.Any(m => m.Kind == MessageKind.Cancellation.WireName()))
            return (notification, new ValidationError("ORIGINAL_CANCELLED", "node/references", path, $"Notification {id} has been cancelled.")
                { Args = RuleArgs.Of(("reference", id.ToString())) });
        var amendments = related.Where(m => m.Kind == MessageKind.Amendment.WireName()).Select(m => (Amendment)MessageParser.ReadStored(m.PayloadJson!));
        return (notification.WithAmendments(amendments), null);
    }

    /// <summary>
    /// Parks a delivery whose processing failed with a fault of this node (not of its content, not transient), so the
    /// inbox moves on; the operator finds it in the parked queue with the exception's message.
    /// </summary>
    public Task<InboxResult> ParkFaultAsync(InboundDelivery delivery, Exception fault, CancellationToken ct) =>
        ParkAsync(delivery, "PROCESSING_FAILED", $"Centre {node.Centre} failed to process this delivery ({fault.GetType().Name}: {Shorten(fault.Message)}); see its log.", null, ct,
            RuleArgs.Of(("centre", node.Centre.Value)));

    /// <summary>A parked delivery's reason has no figures to give a reader in another language (its sentence is fixed).</summary>
    private static readonly ImmutableSortedDictionary<string, string> NoFigures = RuleArgs.Of();

    private static ImmutableSortedDictionary<string, string> Form(string form) => RuleArgs.Of((RuleArgs.Form, form));

    /// <param name="args">The reason's language-free figures (docs/glossary.md, "Other errors"), for the rejection receipt's reader.</param>
    private async Task<InboxResult> ParkAsync(InboundDelivery delivery, string code, string reason, Claim? claim, CancellationToken ct,
        ImmutableSortedDictionary<string, string> args)
    {
        var now = clock.GetCurrentInstant();
        var error = new ValidationError(code, "node/inbox", "", reason) { Args = args };
        await parking.ParkAsync(new ParkedMessage(delivery, code, reason, now), ct);
        logger.LogWarning("Parked a delivery (user_id {UserId}, routing key {RoutingKey}): {Code}: {Reason}", delivery.UserId, delivery.RoutingKey, code, reason);

        // The broker vouches for user_id, so that centre learns its message was refused, and why. Nothing is stored
        // as received: a forged copy must not pre-empt the genuine message with the same id. The rejection receipt and
        // the audit entry commit together.
        var receiptId = await committer.RunAsync(async (db, stepCt) =>
        {
            Guid? queued = null;
            if (claim is not null && MessageKinds.TryParse(claim.Header.Kind, out var kind) && kind.IsNotification()
                && CentreCode.TryParse(delivery.UserId, out var publisher) && AgreementId.TryParse(claim.Header.AgreementId, out var agreementId))
            {
                queued = Guid.NewGuid();
                await _receipts.LeaveAsync(db, new ReceiptQueue.Draft(queued.Value, null, publisher, claim.MessageId, kind, agreementId, now,
                    ReceiptOutcome.Rejected, [error], []), stepCt);
            }
            Audit.AuditLog.Append(db, Audit.AuditEvent.Parked(delivery, code, reason, claim?.MessageId, queued, now));
            await db.SaveChangesAsync(stepCt);
            return queued;
        }, ct);
        if (receiptId is not null)
            outboxSignal.Notify();
        return new InboxResult(InboxDisposition.Parked, claim?.MessageId, claim?.Header.Kind is { } k ? Shorten(k) : null, delivery.UserId, [error], receiptId);
    }

    /// <summary>What the payload says about itself: a valid id and some sender, read before anything is trusted.</summary>
    private sealed record Claim(Guid MessageId, MessageHeader Header)
    {
        /// <summary>The sender, once checked to be a centre code equal to the broker's user_id.</summary>
        public CentreCode Sender => new(Header.Sender!);
    }
}

/// <summary>One delivery as the broker handed it over: the body and the properties that matter for trust.</summary>
public sealed record InboundDelivery(ReadOnlyMemory<byte> Body, string? UserId, string? RoutingKey, string? AmqpMessageId, string? Type, string? ContentType)
{
    /// <summary>The sender's W3C trace context from the AMQP headers (telemetry only; never part of what is verified).</summary>
    public string? TraceParent { get; init; }
    public string? TraceState { get; init; }
}

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
