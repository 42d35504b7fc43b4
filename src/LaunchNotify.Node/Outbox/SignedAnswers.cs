using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Validation;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Inbox;
using LaunchNotify.Protocol.Json;
using LaunchNotify.Protocol.Signing;
using LaunchNotify.Storage;
using LaunchNotify.Storage.Entities;
using NodaTime;

namespace LaunchNotify.Node.Outbox;

/// <summary>Receipts and acknowledgements: answers to one centre, signed and queued the same way.</summary>
public static class SignedAnswers
{
    /// <summary>Signs <paramref name="answer"/> and adds it to the outbox in the caller's unit of work; returns the JWS (kept as evidence).</summary>
    public static byte[] Queue(NodeDbContext db, IPayloadSigner signer, Message answer, Instant at)
    {
        var to = answer.Recipients[0].Centre;
        var jws = Sign(signer, answer);
        db.AddNew(new OutboxEntry
        {
            MessageId = answer.MessageId.Value,
            Kind = answer.Kind.WireName(),
            Recipient = to,
            RoutingKey = RoutingKeys.For(to, answer.Sender, answer.Kind),
            Body = jws,
            CreatedAt = at,
        });
        return jws;
    }

    /// <summary>The answer as it goes on the wire: its payload signed as a flattened JWS.</summary>
    public static byte[] Sign(IPayloadSigner signer, Message answer) => signer.Sign(WireJson.SerializeToUtf8(answer));

    /// <summary>
    /// The receipt <paramref name="from"/> gives <paramref name="to"/> for its message <paramref name="receiptFor"/>,
    /// issued at the moment it was received, with the reasons and findings cut to what the receipt schema allows.
    /// The subscriber's inbox builds every receipt here (and the benchmark's counterparts, so theirs are the same).
    /// </summary>
    public static Receipt Receipt(CentreCode from, Addressee to, Guid receiptFor, MessageKind receivedKind, AgreementId agreementId, Instant receivedAt,
        ReceiptOutcome outcome, IReadOnlyList<ValidationError> reasons, IReadOnlyList<ValidationError> findings) => new()
    {
        MessageId = MessageId.New(),
        AgreementId = agreementId,
        Sender = from,
        Recipients = [to],
        IssuedAt = receivedAt,
        ReceiptFor = new MessageId(receiptFor),
        ReceivedKind = receivedKind,
        ReceivedAt = receivedAt,
        Outcome = outcome,
        Reasons = ReceiptReasons.Fit(reasons),
        Findings = ReceiptReasons.Fit(findings),
    };
}
