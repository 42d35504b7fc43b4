using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Outbox;
using LaunchNotify.Protocol.Schemas;
using LaunchNotify.Protocol.Signing;
using LaunchNotify.Storage;
using LaunchNotify.Storage.Audit;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace LaunchNotify.Node.Acknowledgements;

public enum AcknowledgeOutcome
{
    /// <summary>Recorded now; the signed acknowledgement is queued back to the sender.</summary>
    Acknowledged,
    /// <summary>Someone acknowledged it before: the first acknowledgement stands (nothing is sent again).</summary>
    AlreadyAcknowledged,
    /// <summary>No message with this id from this sender in the inbox.</summary>
    NotFound,
    /// <summary>In the inbox, but not a notification this centre accepted (a receipt, a heartbeat, a rejected message).</summary>
    NotAcknowledgeable,
}

/// <summary>What acknowledging a notice did; <see cref="Reason"/> says why when nothing was acknowledged.</summary>
public sealed record AcknowledgeResult(
    AcknowledgeOutcome Outcome,
    Guid MessageId,
    string Sender,
    string? Kind = null,
    Instant? ReceivedAt = null,
    Instant? DueAt = null,
    Instant? AcknowledgedAt = null,
    string? AcknowledgedBy = null,
    Guid? AcknowledgementMessageId = null,
    string? Reason = null);

/// <summary>
/// A duty officer acknowledges a received notification: recorded with the signed-in account (never a typed name), the
/// NOT_ACKNOWLEDGED deadline settled, and a signed <see cref="Acknowledgement"/> queued back to the sender on the
/// receipt's sequence stream, all in one transaction. It is sent by whichever process dispatches this centre's
/// notifications (the publisher).
/// </summary>
public sealed class AcknowledgementService(
    IDbContextFactory<NodeDbContext> dbFactory,
    NodeIdentity node,
    IClock clock,
    IPayloadSigner signer,
    AcknowledgementDeadlines deadlines,
    OutboxSignal outboxSignal,
    ILogger<AcknowledgementService> log)
{
    public async Task<AcknowledgeResult> AcknowledgeAsync(CentreCode sender, Guid messageId, Actor by, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // Under the audit chain's lock from the start: two officers acknowledging at once are served one after the other,
        // so the second finds the first's acknowledgement.
        await using var tx = await Audit.AuditLog.BeginLockedTransactionAsync(db, ct);
        var entry = await db.Inbox.SingleOrDefaultAsync(m => m.Sender == sender.Value && m.MessageId == messageId, ct);
        if (entry is null)
            return new AcknowledgeResult(AcknowledgeOutcome.NotFound, messageId, sender.Value,
                Reason: $"Centre {node.Centre} has received no message {messageId} from {sender}.");
        if (!MessageKinds.TryParse(entry.Kind, out var kind) || !kind.IsNotification() || entry.Outcome != InboxOutcome.Accepted || entry.AgreementId is null)
            return Result(AcknowledgeOutcome.NotAcknowledgeable, entry,
                entry.Outcome != InboxOutcome.Accepted
                    ? $"{entry.Kind} {messageId} from {sender} was rejected on arrival; its sender was told why, and there is nothing for a person to acknowledge."
                    : $"{entry.Kind} {messageId} from {sender} is not a notification; only notifications are acknowledged by a person.");
        if (entry.AcknowledgedAt is not null)
            return Result(AcknowledgeOutcome.AlreadyAcknowledged, entry, $"Already acknowledged by {entry.AcknowledgedByName} at {entry.AcknowledgedAt}; the first acknowledgement stands.");

        var now = clock.GetCurrentInstant();
        var agreementId = new AgreementId(entry.AgreementId);
        var sequence = await SequenceAllocator.NextAsync(db, node.Centre, sender, agreementId, SequenceAllocator.ReceiptStream, ct);
        var acknowledgement = new Acknowledgement
        {
            MessageId = Domain.Values.MessageId.New(),
            SchemaVersion = SchemaVersions.V1_2,
            AgreementId = agreementId,
            Sender = node.Centre,
            Recipients = [new Addressee(sender, sequence)],
            IssuedAt = now,
            AcknowledgementFor = new Domain.Values.MessageId(messageId),
            AcknowledgedKind = kind,
            ReceivedAt = entry.ReceivedAt,
            AcknowledgedAt = now,
        };
        var jws = SignedAnswers.Queue(db, signer, acknowledgement, now);
        entry.AcknowledgedAt = now;
        entry.AcknowledgedBySubject = by.Subject;
        entry.AcknowledgedByName = by.Name;
        entry.AcknowledgementMessageId = acknowledgement.MessageId.Value;
        entry.AcknowledgementJws = jws;
        Audit.AuditLog.Append(db, Audit.AuditEvent.Acknowledged(entry, acknowledgement.MessageId.Value, jws, by));
        await deadlines.OnAcknowledgedAsync(db, entry, by.Name, ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        outboxSignal.Notify();
        log.LogInformation("{Kind} {MessageId} from {Sender} acknowledged by {By}; acknowledgement {AcknowledgementId} queued",
            entry.Kind, messageId, sender, by.Name, acknowledgement.MessageId);
        return Result(AcknowledgeOutcome.Acknowledged, entry, null);
    }

    private static AcknowledgeResult Result(AcknowledgeOutcome outcome, InboxMessage entry, string? reason) => new(
        outcome, entry.MessageId, entry.Sender, entry.Kind, entry.ReceivedAt, entry.AcknowledgeDueAt, entry.AcknowledgedAt, entry.AcknowledgedByName,
        entry.AcknowledgementMessageId, reason);
}
