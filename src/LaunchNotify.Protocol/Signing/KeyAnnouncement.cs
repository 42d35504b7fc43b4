using System.Text.Json;
using LaunchNotify.Domain.Validation;
using LaunchNotify.Domain.Values;
using LaunchNotify.Protocol.Schemas;
using NodaTime;
using NodaTime.Text;

namespace LaunchNotify.Protocol.Signing;

/// <summary>
/// A centre's signed statement about its own keys (kind <c>key-announcement</c>, <c>schemas/v1/key-announcement.schema.json</c>):
/// keys to trust, keys rotated out (valid until <c>retiresAt</c>) and keys revoked (from <c>revokedAt</c>). It travels
/// over the exchange like any message, signed by a key the recipients already trust, so they learn a rotation or a
/// revocation without a restart or an operator's import.
/// </summary>
public sealed record KeyAnnouncement(
    Guid MessageId,
    CentreCode Sender,
    IReadOnlyList<CentreCode> Recipients,
    Instant IssuedAt,
    JwkSet Keys,
    IReadOnlyList<KeyStatus> Retiring,
    IReadOnlyList<KeyStatus> Revoked)
{
    public const string Kind = "key-announcement";
    public const string SchemaName = Kind;
    public const string RoutingWord = Kind;

    /// <summary>The codes a recipient rejects an announcement with (it is stored as rejected, the trust store unchanged).</summary>
    public static class Codes
    {
        /// <summary>A key, retirement or revocation in the announcement names a key of a centre other than the sender.</summary>
        public const string ForeignKey = "KEY_ANNOUNCEMENT_FOREIGN_KEY";
        /// <summary>A key id in the announcement is already trusted for different key material.</summary>
        public const string KidCollision = "KEY_ID_COLLISION";
        /// <summary>A key in the announcement is not a usable public EC P-256 key.</summary>
        public const string BadKey = "KEY_INVALID";
    }

    /// <summary>The payload (UTF-8 JSON), to be signed with the sender's current key.</summary>
    public byte[] ToPayload() => JsonFiles.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("kind", Kind);
        w.WriteString("messageId", MessageId.ToString("D"));
        w.WriteString("schemaVersion", "1.0");
        w.WriteString("sender", Sender.Value);
        w.WriteStartArray("recipients");
        foreach (var r in Recipients)
        {
            w.WriteStartObject();
            w.WriteString("centre", r.Value);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteString("issuedAt", KeyStatuses.Format(IssuedAt));
        w.WriteStartArray("keys");
        foreach (var key in Keys.Keys)
        {
            w.WriteStartObject();
            key.WriteMembers(w);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("retiring");
        foreach (var s in Retiring)
            KeyStatuses.WriteOne(w, s with { RevokedAt = null, Reason = null });
        w.WriteEndArray();
        w.WriteStartArray("revoked");
        foreach (var s in Revoked)
            KeyStatuses.WriteOne(w, s with { RetiresAt = null });
        w.WriteEndArray();
        w.WriteEndObject();
    });

    /// <summary>
    /// Reads a verified payload: the schema first, then that every key named belongs to the sender and every new key is
    /// a valid public key. Returns the announcement or the coded errors (never throws for content).
    /// </summary>
    public static (KeyAnnouncement? Announcement, IReadOnlyList<ValidationError> Errors) Read(ReadOnlySpan<byte> payload, SchemaCatalog schemas)
    {
        var schema = schemas.Validate(SchemaName, payload);
        if (!schema.IsValid)
            return (null, schema.Errors);
        try
        {
            return ReadValid(payload);
        }
        catch (KeyFormatException e)
        {
            return (null, [new ValidationError(Codes.BadKey, "signing/key-announcement", "", e.Message) { Args = RuleArgs.Of((RuleArgs.Form, "unreadable")) }]);
        }
    }

    private static (KeyAnnouncement? Announcement, IReadOnlyList<ValidationError> Errors) ReadValid(ReadOnlySpan<byte> payload)
    {
        using var document = JsonDocument.Parse(payload.ToArray());
        var root = document.RootElement;
        var sender = new CentreCode(root.GetProperty("sender").GetString()!);
        var errors = new List<ValidationError>();
        var keys = new List<Jwk>();
        foreach (var (element, i) in root.GetProperty("keys").EnumerateArray().Select((e, i) => (e, i)))
        {
            try
            {
                keys.Add(Jwk.FromJson(element));
            }
            catch (KeyFormatException e)
            {
                errors.Add(new ValidationError(Codes.BadKey, "signing/key-announcement", $"/keys/{i}", e.Message) { Args = RuleArgs.Of(("index", RuleArgs.Of(i))) });
            }
        }
        var retiring = root.GetProperty("retiring").EnumerateArray().Select(KeyStatuses.ReadOne).ToList();
        var revoked = root.GetProperty("revoked").EnumerateArray().Select(KeyStatuses.ReadOne).ToList();

        var named = keys.Select(k => ("keys", k.Kid)).Concat(retiring.Select(s => ("retiring", s.Kid))).Concat(revoked.Select(s => ("revoked", s.Kid)));
        foreach (var (list, kid) in named)
        {
            if (Jwk.CentreOfKid(kid) != sender)
                errors.Add(new ValidationError(Codes.ForeignKey, "signing/key-announcement", $"/{list}",
                    $"Key '{kid}' belongs to centre {kid[..2]}; centre {sender} may announce only its own keys.")
                    { Args = RuleArgs.Of((RuleArgs.Form, "listed"), ("kid", kid), ("owner", kid[..2]), ("sender", sender.Value)) });
        }
        JwkSet? set = null;
        try
        {
            set = new JwkSet(keys);
        }
        catch (KeyFormatException e)
        {
            errors.Add(new ValidationError(Codes.KidCollision, "signing/key-announcement", "/keys", e.Message) { Args = RuleArgs.Of((RuleArgs.Form, "announcement")) });
        }
        if (errors.Count > 0)
            return (null, errors);

        var recipients = root.GetProperty("recipients").EnumerateArray().Select(r => new CentreCode(r.GetProperty("centre").GetString()!)).ToList();
        var issuedAt = InstantPattern.ExtendedIso.Parse(root.GetProperty("issuedAt").GetString()!).Value;
        return (new KeyAnnouncement(Guid.Parse(root.GetProperty("messageId").GetString()!), sender, recipients, issuedAt, set!, retiring, revoked), []);
    }
}
