using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LaunchNotify.Domain.Values;

namespace LaunchNotify.Protocol.Signing;

/// <summary>A key file or key set that LaunchNotify cannot use, with what is wrong in words.</summary>
public sealed class KeyFormatException(string message) : Exception(message);

/// <summary>
/// A centre's public signing key as a JSON Web Key (RFC 7517): EC P-256 for ES256. The key id is
/// <c>&lt;centre&gt;-&lt;8 characters&gt;</c> (the centre code is its prefix); generated keys use the first 8 characters
/// of the RFC 7638 thumbprint. A public JWK never carries <c>d</c>.
/// </summary>
public sealed record Jwk
{
    public const string KeyType = "EC";
    public const string Curve = "P-256";
    public const string SignatureUse = "sig";
    private const int CoordinateLength = 32;

    public string Kty => KeyType;
    public string Crv => Curve;
    public string X { get; }
    public string Y { get; }
    public string Kid { get; }
    public string Use => SignatureUse;
    public string Alg => Jws.Algorithm;

    /// <summary>The centre that owns this key, from the prefix of its key id.</summary>
    public CentreCode Centre { get; }

    /// <summary>Checks the coordinates are a P-256 point and the key id names a centre.</summary>
    public Jwk(string x, string y, string kid)
    {
        if (!Base64UrlStrict.TryDecode(x, out var xBytes) || xBytes.Length != CoordinateLength
            || !Base64UrlStrict.TryDecode(y, out var yBytes) || yBytes.Length != CoordinateLength)
            throw new KeyFormatException($"Key '{kid}': x and y must each be {CoordinateLength} bytes in unpadded base64url.");
        Centre = CentreOfKid(kid);
        X = x;
        Y = y;
        Kid = kid;
        try
        {
            using var probe = ECDsa.Create(Parameters(xBytes, yBytes));
        }
        catch (CryptographicException)
        {
            throw new KeyFormatException($"Key '{kid}': (x, y) is not a point on the P-256 curve.");
        }
    }

    /// <summary>The public half of <paramref name="key"/> under the given key id.</summary>
    public static Jwk FromPublicKey(ECDsa key, string kid)
    {
        var p = key.ExportParameters(false);
        return new Jwk(Base64UrlStrict.Encode(p.Q.X), Base64UrlStrict.Encode(p.Q.Y), kid);
    }

    /// <summary>The RFC 7638 thumbprint: base64url SHA-256 of <c>{"crv","kty","x","y"}</c> in that order, no white space.</summary>
    public string Thumbprint() => Thumbprint(X, Y);

    internal static string Thumbprint(string x, string y) =>
        Base64UrlStrict.Encode(SHA256.HashData(Encoding.UTF8.GetBytes($$"""{"crv":"{{Curve}}","kty":"{{KeyType}}","x":"{{x}}","y":"{{y}}"}""")));

    /// <summary>The LaunchNotify key id for a key: <c>&lt;centre&gt;-&lt;first 8 characters of the thumbprint&gt;</c>.</summary>
    public static string KidFor(CentreCode centre, string x, string y) => $"{centre}-{Thumbprint(x, y)[..8]}";

    /// <summary>A verification key (public only). The caller disposes it.</summary>
    public ECDsa ToECDsa() => ECDsa.Create(Parameters(Decode(X), Decode(Y)));

    /// <summary>The centre named by a key id's prefix (<c>US-…</c> is centre US).</summary>
    public static CentreCode CentreOfKid(string kid)
    {
        if (!Jws.IsPlainKid(kid) || kid.Length < 4 || kid[2] != '-' || !CentreCode.IsValid(kid[..2]))
            throw new KeyFormatException($"Key id '{kid}' does not have the form '<centre code>-<id>' (e.g. 'US-3f9a0c1b').");
        return new CentreCode(kid[..2]);
    }

    /// <summary>Reads one public JWK, refusing anything but an EC P-256 signing key for ES256, and any private part.</summary>
    public static Jwk FromJson(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw new KeyFormatException("A JWK must be a JSON object.");
        var kid = Member(element, "kid") ?? throw new KeyFormatException("A JWK has no 'kid'; LaunchNotify keys are named '<centre code>-<id>'.");
        if (element.TryGetProperty("d", out _))
            throw new KeyFormatException($"Key '{kid}' contains the private part 'd'; a public key file or key set must never carry it. Treat that private key as exposed.");
        Expect(element, kid, "kty", KeyType, required: true);
        Expect(element, kid, "crv", Curve, required: true);
        Expect(element, kid, "use", SignatureUse, required: false);
        Expect(element, kid, "alg", Jws.Algorithm, required: false);
        var x = Member(element, "x") ?? throw new KeyFormatException($"Key '{kid}' has no 'x'.");
        var y = Member(element, "y") ?? throw new KeyFormatException($"Key '{kid}' has no 'y'.");
        return new Jwk(x, y, kid);
    }

    internal void WriteMembers(Utf8JsonWriter writer, string? d = null)
    {
        writer.WriteString("kty", Kty);
        writer.WriteString("crv", Crv);
        writer.WriteString("x", X);
        writer.WriteString("y", Y);
        if (d is not null)
            writer.WriteString("d", d);
        writer.WriteString("kid", Kid);
        writer.WriteString("use", Use);
        writer.WriteString("alg", Alg);
    }

    /// <summary>This key alone as JSON (the <c>public.jwk.json</c> form).</summary>
    public byte[] ToJson() => JsonFiles.Write(w =>
    {
        w.WriteStartObject();
        WriteMembers(w);
        w.WriteEndObject();
    });

    internal static ECParameters Parameters(byte[] x, byte[] y, byte[]? d = null) => new()
    {
        Curve = ECCurve.NamedCurves.nistP256,
        Q = new ECPoint { X = x, Y = y },
        D = d,
    };

    internal static byte[] Decode(string base64Url) =>
        Base64UrlStrict.TryDecode(base64Url, out var bytes) ? bytes : throw new KeyFormatException("Not unpadded base64url.");

    internal static string? Member(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static void Expect(JsonElement element, string kid, string name, string expected, bool required)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            if (required)
                throw new KeyFormatException($"Key '{kid}' has no '{name}'; LaunchNotify keys have {name} '{expected}'.");
            return;
        }
        if (value.ValueKind != JsonValueKind.String || value.GetString() != expected)
            throw new KeyFormatException($"Key '{kid}' has {name} {value.GetRawText()}; LaunchNotify keys have {name} '{expected}'.");
    }
}

internal static class JsonFiles
{
    private static readonly JsonWriterOptions Options = new() { Indented = true };

    public static byte[] Write(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Options))
            write(writer);
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    public static JsonDocument Parse(ReadOnlySpan<byte> json, string what)
    {
        try
        {
            return JsonDocument.Parse(json.ToArray());
        }
        catch (JsonException e)
        {
            throw new KeyFormatException($"{what} is not well-formed JSON: {e.Message}");
        }
    }
}
