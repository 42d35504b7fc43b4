using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Jose;

namespace LaunchNotify.Protocol.Signing;

/// <summary>The decoded protected header of a JWS: the members LaunchNotify reads.</summary>
public sealed record JwsHeader(string Alg, string? Kid, string? Typ);

/// <summary>
/// A parsed flattened JWS (RFC 7515 §7.2.2). The encoded protected header and payload are kept as received, because
/// the signature covers those exact characters.
/// </summary>
public sealed record FlattenedJws(string ProtectedEncoded, string PayloadEncoded, JwsHeader Header, byte[] Payload, byte[] Signature)
{
    /// <summary>ASCII(BASE64URL(header) || '.' || BASE64URL(payload)), the bytes the signature covers.</summary>
    public byte[] SigningInput() => Encoding.ASCII.GetBytes(ProtectedEncoded + "." + PayloadEncoded);

    /// <summary>The same JWS in compact serialization (<c>header.payload.signature</c>), for JOSE libraries that only read that.</summary>
    public string ToCompact() => $"{ProtectedEncoded}.{PayloadEncoded}.{Base64UrlStrict.Encode(Signature)}";
}

/// <summary>Which protected-header members a parse insists on beyond <c>alg: ES256</c>.</summary>
public sealed record JwsHeaderRules(bool RequireKid, string? RequiredTyp)
{
    /// <summary>The LaunchNotify wire profile: <c>kid</c> and <c>typ: launchnotify+jws</c> are required.</summary>
    public static JwsHeaderRules LaunchNotify { get; } = new(true, Jws.Typ);

    /// <summary>Plain RFC 7515 ES256: only <c>alg</c> is required (e.g. the RFC's own Appendix A.3 example).</summary>
    public static JwsHeaderRules AnyEs256 { get; } = new(false, null);
}

/// <summary>ES256 JWS in flattened JSON serialization: sign, parse strictly, verify.</summary>
public static class Jws
{
    public const string Algorithm = "ES256";

    /// <summary>The explicit type of LaunchNotify bodies (RFC 8725 §3.11), so a JWS made for another purpose is not taken for one.</summary>
    public const string Typ = "launchnotify+jws";

    private const int Es256SignatureLength = 64;
    private static readonly string[] BodyMembers = ["protected", "payload", "signature"];
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonDocumentOptions ReaderOptions = new() { MaxDepth = 16 };

    /// <summary>
    /// Signs <paramref name="payload"/> with a P-256 private key (jose-jwt does the JOSE work); returns the UTF-8
    /// flattened JWS JSON. The protected header is <c>{"alg":"ES256","kid":…,"typ":"launchnotify+jws"}</c>, in that order.
    /// </summary>
    public static byte[] SignFlattened(ReadOnlySpan<byte> payload, ECDsa key, string kid)
    {
        ArgumentNullException.ThrowIfNull(key);
        RequireP256(key);
        if (!IsPlainKid(kid))
            throw new ArgumentException($"Key id '{kid}' must be 1-64 printable ASCII characters without quotes, backslashes or spaces.", nameof(kid));

        var headers = new Dictionary<string, object> { ["kid"] = kid, ["typ"] = Typ };
        var compact = JWT.EncodeBytes(payload.ToArray(), key, JwsAlgorithm.ES256, headers);
        var parts = compact.Split('.');
        return WriteJson(w =>
        {
            w.WriteStartObject();
            w.WriteString("protected", parts[0]);
            w.WriteString("payload", parts[1]);
            w.WriteString("signature", parts[2]);
            w.WriteEndObject();
        });
    }

    /// <summary>Parses a body under the LaunchNotify profile (<see cref="JwsHeaderRules.LaunchNotify"/>). Does not verify.</summary>
    public static bool TryParseFlattened(ReadOnlySpan<byte> body, [NotNullWhen(true)] out FlattenedJws? jws, [NotNullWhen(false)] out JwsError? error) =>
        TryParseFlattened(body, JwsHeaderRules.LaunchNotify, out jws, out error);

    /// <summary>
    /// Parses a flattened JWS strictly: a JSON object with exactly <c>protected</c>, <c>payload</c> and <c>signature</c>
    /// (no unprotected <c>header</c>), no duplicate members, canonical base64url, a protected header that is a JSON
    /// object with <c>alg: ES256</c> and no <c>crit</c>, and a 64-byte signature. Does not verify.
    /// </summary>
    public static bool TryParseFlattened(ReadOnlySpan<byte> body, JwsHeaderRules rules, [NotNullWhen(true)] out FlattenedJws? jws, [NotNullWhen(false)] out JwsError? error)
    {
        jws = null;
        Dictionary<string, JsonElement> members;
        try
        {
            using var document = JsonDocument.Parse(body.ToArray(), ReaderOptions);
            if (!TryReadObject(document.RootElement, out members, out var duplicate))
            {
                error = Malformed(duplicate is null ? "The body is not a JSON object." : $"The body has member '{duplicate}' twice.");
                return false;
            }
            members = members.ToDictionary(m => m.Key, m => m.Value.Clone());
        }
        catch (JsonException e)
        {
            error = Malformed($"The body is not well-formed JSON: {e.Message}");
            return false;
        }

        var unexpected = members.Keys.Where(k => !BodyMembers.Contains(k)).Order(StringComparer.Ordinal).ToList();
        if (unexpected.Count > 0)
        {
            error = Malformed($"A LaunchNotify body has exactly the members protected, payload and signature; it also has {string.Join(", ", unexpected)}.");
            return false;
        }
        var texts = new string[BodyMembers.Length];
        for (var i = 0; i < BodyMembers.Length; i++)
        {
            var name = BodyMembers[i];
            if (!members.TryGetValue(name, out var value) || value.ValueKind != JsonValueKind.String)
            {
                error = Malformed($"The body's '{name}' member is missing or not a string.");
                return false;
            }
            texts[i] = value.GetString()!;
        }
        var (protectedEncoded, payloadEncoded, signatureEncoded) = (texts[0], texts[1], texts[2]);

        if (!Base64UrlStrict.TryDecode(protectedEncoded, out var headerBytes))
            return Fail(Malformed("The 'protected' member is not unpadded base64url."), out error);
        if (!Base64UrlStrict.TryDecode(payloadEncoded, out var payload))
            return Fail(Malformed("The 'payload' member is not unpadded base64url."), out error);
        if (!Base64UrlStrict.TryDecode(signatureEncoded, out var signature))
            return Fail(Malformed("The 'signature' member is not unpadded base64url."), out error);

        if (!TryReadHeader(headerBytes, rules, out var header, out error))
            return false;
        if (signature.Length != Es256SignatureLength)
            return Fail(Malformed($"An ES256 signature is {Es256SignatureLength} bytes (R||S); this one is {signature.Length}."), out error);

        jws = new FlattenedJws(protectedEncoded, payloadEncoded, header, payload, signature);
        error = null;
        return true;
    }

    /// <summary>
    /// True if the ES256 signature matches the JWS's protected header and payload under <paramref name="publicKey"/>.
    /// jose-jwt checks the signature over the compact form of the very characters received; the profile checks
    /// (parse) have already refused <c>crit</c> and <c>b64</c>, so jose-jwt's payload is the one we parsed.
    /// </summary>
    public static bool Verify(FlattenedJws jws, ECDsa publicKey)
    {
        ArgumentNullException.ThrowIfNull(jws);
        ArgumentNullException.ThrowIfNull(publicKey);
        RequireP256(publicKey);
        if (jws.Header.Alg != Algorithm || jws.Signature.Length != Es256SignatureLength)
            return false;
        try
        {
            return JWT.DecodeBytes(jws.ToCompact(), publicKey, JwsAlgorithm.ES256).AsSpan().SequenceEqual(jws.Payload);
        }
        catch (Exception e) when (e is JoseException or CryptographicException)
        {
            return false;
        }
    }

    private static bool TryReadHeader(byte[] headerBytes, JwsHeaderRules rules, [NotNullWhen(true)] out JwsHeader? header, [NotNullWhen(false)] out JwsError? error)
    {
        header = null;
        Dictionary<string, JsonElement> members;
        try
        {
            using var document = JsonDocument.Parse(headerBytes, ReaderOptions);
            if (!TryReadObject(document.RootElement, out members, out var duplicate))
                return Fail(Malformed(duplicate is null ? "The protected header is not a JSON object." : $"The protected header has member '{duplicate}' twice."), out error);
            members = members.ToDictionary(m => m.Key, m => m.Value.Clone());
        }
        catch (JsonException)
        {
            return Fail(Malformed("The protected header is not well-formed UTF-8 JSON."), out error);
        }

        // An unknown member outside 'crit' may be ignored (RFC 7515 §4); one listed in 'crit' may not, and we know none.
        if (members.ContainsKey("crit"))
            return Fail(new JwsError(SigningErrorCodes.CritUnsupported, "The protected header lists critical extensions ('crit'); LaunchNotify understands none."), out error);
        // RFC 7797 'b64' changes what the signature covers; it is only meaningful under 'crit', which is refused above.
        if (members.ContainsKey("b64"))
            return Fail(new JwsError(SigningErrorCodes.CritUnsupported, "The protected header has 'b64' (RFC 7797 unencoded payload); LaunchNotify payloads are always base64url-encoded."), out error);

        var alg = StringMember(members, "alg");
        if (alg != Algorithm)
        {
            var shown = alg is null ? "no 'alg' string" : $"alg '{alg}'";
            return Fail(new JwsError(SigningErrorCodes.AlgUnsupported, $"The protected header has {shown}; LaunchNotify accepts only ES256."), out error);
        }

        var kid = StringMember(members, "kid");
        if (members.ContainsKey("kid") && string.IsNullOrEmpty(kid) || rules.RequireKid && kid is null)
            return Fail(new JwsError(SigningErrorCodes.KidMissing, "The protected header has no 'kid' naming the signing centre's key."), out error);
        if (kid is not null && !IsPlainKid(kid))
            return Fail(Malformed("The protected header's 'kid' is not a plain key id (1-64 printable ASCII characters, no quotes, backslashes or spaces)."), out error);

        var typ = StringMember(members, "typ");
        if (members.ContainsKey("typ") && typ is null)
            return Fail(new JwsError(SigningErrorCodes.TypUnexpected, "The protected header's 'typ' is not a string."), out error);
        if (rules.RequiredTyp is { } required && !IsTyp(typ, required))
        {
            var shown = typ is null ? "no 'typ'" : $"typ '{typ}'";
            return Fail(new JwsError(SigningErrorCodes.TypUnexpected, $"The protected header has {shown}; a LaunchNotify body has typ '{required}'."), out error);
        }

        header = new JwsHeader(alg, kid, typ);
        error = null;
        return true;
    }

    /// <summary>typ compares case-insensitively and may carry the 'application/' prefix (RFC 7515 §4.1.9).</summary>
    private static bool IsTyp(string? typ, string required) =>
        typ is not null && (string.Equals(typ, required, StringComparison.OrdinalIgnoreCase)
            || string.Equals(typ, "application/" + required, StringComparison.OrdinalIgnoreCase));

    private static string? StringMember(Dictionary<string, JsonElement> members, string name) =>
        members.TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool TryReadObject(JsonElement element, out Dictionary<string, JsonElement> members, out string? duplicate)
    {
        members = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        duplicate = null;
        if (element.ValueKind != JsonValueKind.Object)
            return false;
        foreach (var property in element.EnumerateObject())
        {
            if (!members.TryAdd(property.Name, property.Value))
            {
                duplicate = property.Name;
                return false;
            }
        }
        return true;
    }

    internal static bool IsPlainKid(string? kid) =>
        kid is { Length: > 0 and <= 64 } && kid.All(c => c is > ' ' and <= '~' and not '"' and not '\\');

    private static void RequireP256(ECDsa key)
    {
        if (key.KeySize != 256)
            throw new ArgumentException($"ES256 needs a P-256 key; this key is {key.KeySize} bits.", nameof(key));
    }

    private static JwsError Malformed(string message) => new(SigningErrorCodes.Malformed, message);

    private static bool Fail(JwsError e, out JwsError error)
    {
        error = e;
        return false;
    }

    private static byte[] WriteJson(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
            write(writer);
        return buffer.ToArray();
    }
}
