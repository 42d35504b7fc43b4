using System.Text.Json.Nodes;
using LaunchNotify.Domain.Validation;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Audit;
using LaunchNotify.Protocol.Schemas;
using LaunchNotify.Protocol.Signing;
using LaunchNotify.Storage;
using LaunchNotify.Storage.Audit;
using LaunchNotify.Storage.Entities;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace LaunchNotify.Node.Keys;

/// <summary>
/// Key announcements (docs/signing.md): sending this centre's own key changes to counterparts through the outbox, and
/// applying a counterpart's verified announcement to the trust store. The inbox calls <see cref="ApplyAsync"/> for an
/// authentic <c>key-announcement</c> and stores the outcome like any message (accepted, or rejected with these errors).
/// </summary>
public sealed class KeyAnnouncements(KeyRing ring, SchemaCatalog schemas, ILogger<KeyAnnouncements> logger)
{
    private readonly SemaphoreSlim applying = new(1, 1);

    /// <summary>
    /// Applies a verified announcement from <paramref name="signedBy"/>: its keys join the trust store, its retirements
    /// and revocations are recorded (only ever brought forward), then the key ring reloads. Nothing is written if any
    /// part is refused (a foreign key, a kid already trusted for other key material, a malformed key).
    /// </summary>
    public async Task<IReadOnlyList<ValidationError>> ApplyAsync(ReadOnlyMemory<byte> payload, CentreCode signedBy, CancellationToken ct)
    {
        var (announcement, errors) = KeyAnnouncement.Read(payload.Span, schemas);
        if (announcement is null)
            return errors;
        if (announcement.Sender != signedBy)
            return [new ValidationError(KeyAnnouncement.Codes.ForeignKey, "signing/key-announcement", "/sender",
                $"The announcement claims sender {announcement.Sender} but is signed by centre {signedBy}.")
                { Args = RuleArgs.Of((RuleArgs.Form, "signer"), ("sender", announcement.Sender.Value), ("signer", signedBy.Value)) }];

        await applying.WaitAsync(ct);
        try
        {
            var trusted = KeyStore.LoadTrustedKeys(ring.Directory);
            foreach (var key in announcement.Keys.Keys)
            {
                if (trusted.Find(key.Kid) is { } known && known != key)
                    return [new ValidationError(KeyAnnouncement.Codes.KidCollision, "signing/key-announcement", "/keys",
                        $"Key id '{key.Kid}' is already trusted for different key material; the announcement is refused and nothing changed.")
                        { Args = RuleArgs.Of((RuleArgs.Form, "trusted"), ("kid", key.Kid)) }];
            }
            if (announcement.Keys.Keys.Count > 0)
                KeyStore.AddToTrustStore(ring.Directory, announcement.Keys);
            foreach (var status in announcement.Retiring.Concat(announcement.Revoked))
                KeyStore.SetStatus(ring.Directory, status);
        }
        finally
        {
            applying.Release();
        }
        logger.LogInformation("Key announcement {MessageId} from {Sender} applied: keys [{Keys}], retiring [{Retiring}], revoked [{Revoked}]",
            announcement.MessageId, announcement.Sender, string.Join(", ", announcement.Keys.Keys.Select(k => k.Kid)),
            string.Join(", ", announcement.Retiring.Select(s => s.Kid)), string.Join(", ", announcement.Revoked.Select(s => s.Kid)));
        await ring.ReloadAsync($"key announcement {announcement.MessageId:D} from {announcement.Sender}", ct);
        return [];
    }

    /// <summary>
    /// Queues an announcement of <paramref name="sender"/>'s keys as they stand in <paramref name="keysDirectory"/> (every
    /// trusted key of the sender, with its retirement or revocation) to each recipient, signed by <paramref name="signingKey"/>
    /// (after a rotation: the previous key, which the recipients already trust). Joins the caller's unit of work.
    /// </summary>
    public static KeyAnnouncement Queue(NodeDbContext db, string keysDirectory, CentreKey signingKey, IReadOnlyList<CentreCode> recipients, Instant now)
    {
        var sender = signingKey.Centre;
        var own = KeyStore.LoadTrustedKeys(keysDirectory).Keys.Where(k => k.Centre == sender).ToList();
        var statuses = KeyStore.LoadStatuses(keysDirectory);
        var ownStatuses = own.Select(k => statuses.Find(k.Kid)).OfType<KeyStatus>().ToList();
        var announcement = new KeyAnnouncement(Guid.NewGuid(), sender, recipients, now,
            new JwkSet(own.Where(k => statuses.Find(k.Kid)?.RevokedAt is null)),
            [.. ownStatuses.Where(s => s.RetiresAt is not null && s.RevokedAt is null)],
            [.. ownStatuses.Where(s => s.RevokedAt is not null)]);
        var body = new JwsPayloadSigner(signingKey).Sign(announcement.ToPayload());
        foreach (var recipient in recipients)
        {
            db.AddNew(new OutboxEntry
            {
                MessageId = announcement.MessageId,
                Kind = KeyAnnouncement.Kind,
                Recipient = recipient.Value,
                RoutingKey = $"{recipient}.{sender}.{KeyAnnouncement.RoutingWord}",
                Body = body,
                CreatedAt = now,
            });
        }
        AuditLog.Append(db, new AuditEvent(now, AuditTypes.KeysAnnounced, new AuditSubject(announcement.MessageId, sender.Value), new JsonObject
        {
            ["signedWith"] = signingKey.Kid,
            ["recipients"] = new JsonArray(recipients.Select(r => (JsonNode)JsonValue.Create(r.Value)).ToArray()),
            ["keys"] = new JsonArray(announcement.Keys.Keys.Select(k => (JsonNode)JsonValue.Create(k.Kid)).ToArray()),
            ["retiring"] = new JsonArray(announcement.Retiring.Select(s => (JsonNode)JsonValue.Create(s.Kid)).ToArray()),
            ["revoked"] = new JsonArray(announcement.Revoked.Select(s => (JsonNode)JsonValue.Create(s.Kid)).ToArray()),
            ["bodySha256"] = AuditEvent.Sha256(body),
        }));
        return announcement;
    }
}
