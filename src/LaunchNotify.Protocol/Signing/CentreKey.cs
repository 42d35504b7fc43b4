using System.Security.Cryptography;
using System.Text.Json;
using LaunchNotify.Domain.Values;

namespace LaunchNotify.Protocol.Signing;

/// <summary>
/// A centre's private signing key (EC P-256). It lives in the centre's config folder only; nothing here prints
/// or serializes the private part except the private key file written by <see cref="KeyStore"/>.
/// </summary>
public sealed class CentreKey : IDisposable
{
    private const int ScalarLength = 32;

    public CentreCode Centre { get; }
    public string Kid { get; }

    /// <summary>The private key, for signing. Owned by this object.</summary>
    public ECDsa Key { get; }

    public Jwk PublicJwk { get; }

    private CentreKey(CentreCode centre, ECDsa key, Jwk publicJwk)
    {
        Centre = centre;
        Key = key;
        PublicJwk = publicJwk;
        Kid = publicJwk.Kid;
    }

    /// <summary>A new key pair, its key id <c>&lt;centre&gt;-&lt;thumbprint[..8]&gt;</c>.</summary>
    public static CentreKey Generate(CentreCode centre)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var p = key.ExportParameters(false);
        var (x, y) = (Base64UrlStrict.Encode(p.Q.X), Base64UrlStrict.Encode(p.Q.Y));
        return new CentreKey(centre, key, new Jwk(x, y, Jwk.KidFor(centre, x, y)));
    }

    /// <summary>Reads the private JWK file form: the public members plus <c>d</c>. Checks <c>d</c> belongs to (x, y).</summary>
    public static CentreKey FromPrivateJwk(ReadOnlySpan<byte> json)
    {
        using var document = JsonFiles.Parse(json, "The private key file");
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
            throw new KeyFormatException("The private key file must hold one JWK object.");
        var d = Jwk.Member(root, "d") ?? throw new KeyFormatException("The private key file has no 'd'; it holds a public key only.");

        // Jwk refuses 'd' by design; read the public members from a copy without it.
        var publicMembers = root.EnumerateObject().Where(m => m.Name != "d").ToDictionary(m => m.Name, m => m.Value);
        var jwk = Jwk.FromJson(JsonSerializer.SerializeToElement(publicMembers));

        var dBytes = Base64UrlStrict.TryDecode(d, out var decoded) && decoded.Length == ScalarLength
            ? decoded
            : throw new KeyFormatException($"Key '{jwk.Kid}': d must be {ScalarLength} bytes in unpadded base64url.");
        ECDsa key;
        try
        {
            key = ECDsa.Create(Jwk.Parameters(Jwk.Decode(jwk.X), Jwk.Decode(jwk.Y), dBytes));
        }
        catch (CryptographicException)
        {
            throw new KeyFormatException($"Key '{jwk.Kid}': d is not a valid P-256 private key for (x, y).");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dBytes);
        }

        if (!SignsFor(key, jwk))
        {
            key.Dispose();
            throw new KeyFormatException($"Key '{jwk.Kid}': d does not belong to the public key (x, y) in the same file.");
        }
        return new CentreKey(jwk.Centre, key, jwk);
    }

    /// <summary>The private JWK file form. Only <see cref="KeyStore"/> writes it, to a 0600 file.</summary>
    internal byte[] ToPrivateJwk()
    {
        var d = Key.ExportParameters(true).D!;
        try
        {
            return JsonFiles.Write(w =>
            {
                w.WriteStartObject();
                PublicJwk.WriteMembers(w, Base64UrlStrict.Encode(d));
                w.WriteEndObject();
            });
        }
        finally
        {
            CryptographicOperations.ZeroMemory(d);
        }
    }

    private static bool SignsFor(ECDsa privateKey, Jwk jwk)
    {
        ReadOnlySpan<byte> probe = "LaunchNotify key pair check"u8;
        var signature = privateKey.SignData(probe, HashAlgorithmName.SHA256);
        using var publicKey = jwk.ToECDsa();
        return publicKey.VerifyData(probe, signature, HashAlgorithmName.SHA256);
    }

    public override string ToString() => $"CentreKey {Centre} {Kid} (ES256, private part not shown)";

    public void Dispose() => Key.Dispose();
}
