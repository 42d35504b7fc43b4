using LaunchNotify.Domain.Messages;
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
        var jws = signer.Sign(WireJson.SerializeToUtf8(answer));
        db.Outbox.Add(new OutboxEntry
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
}
