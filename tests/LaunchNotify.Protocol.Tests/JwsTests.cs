using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using LaunchNotify.Protocol.Signing;

namespace LaunchNotify.Protocol.Tests;

public class JwsTests
{
    // RFC 7515 Appendix A.3: the ES256 example, its key as a JWK and its compact serialization's three parts.
    internal const string RfcX = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
    internal const string RfcY = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
    internal const string RfcD = "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI";
    private const string RfcHeader = "eyJhbGciOiJFUzI1NiJ9";
    private const string RfcPayload = "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
    private const string RfcSignature = "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";

    private static byte[] Flattened(string header, string payload, string signature) =>
        Encoding.UTF8.GetBytes($$"""{"protected":"{{header}}","payload":"{{payload}}","signature":"{{signature}}"}""");

    internal static ECDsa RfcPublicKey() => ECDsa.Create(new ECParameters
    {
        Curve = ECCurve.NamedCurves.nistP256,
        Q = new ECPoint { X = Convert.FromBase64String(B64(RfcX)), Y = Convert.FromBase64String(B64(RfcY)) },
    });

    private static string B64(string url) => url.Replace('-', '+').Replace('_', '/') + new string('=', (4 - url.Length % 4) % 4);

    private static string Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [Fact]
    public void Verify_Rfc7515AppendixA3Example_IsValid()
    {
        Assert.True(Jws.TryParseFlattened(Flattened(RfcHeader, RfcPayload, RfcSignature), JwsHeaderRules.AnyEs256, out var jws, out var error), error?.ToString());
        using var key = RfcPublicKey();

        Assert.True(Jws.Verify(jws, key));
        Assert.Equal("ES256", jws.Header.Alg);
        Assert.Equal("{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}", Encoding.UTF8.GetString(jws.Payload));
    }

    [Fact]
    public void Verify_Rfc7515AppendixA3WithOneSignatureBitFlipped_IsInvalid()
    {
        var signature = Convert.FromBase64String(B64(RfcSignature));
        signature[10] ^= 0x01;
        Assert.True(Jws.TryParseFlattened(Flattened(RfcHeader, RfcPayload, Url(signature)), JwsHeaderRules.AnyEs256, out var jws, out _));
        using var key = RfcPublicKey();

        Assert.False(Jws.Verify(jws, key));
    }

    [Fact]
    public void TryParseFlattened_Rfc7515AppendixA3UnderLaunchNotifyProfile_IsRefusedForMissingKid()
    {
        Assert.False(Jws.TryParseFlattened(Flattened(RfcHeader, RfcPayload, RfcSignature), out _, out var error));
        Assert.Equal(SigningErrorCodes.KidMissing, error.Code);
    }

    [Fact]
    public void SignFlattened_ThenParseAndVerify_ReturnsTheExactPayloadBytes()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var payload = Encoding.UTF8.GetBytes("{\"kind\":\"heartbeat\", \"remarks\":\"Größe + ü\"}");

        var body = Jws.SignFlattened(payload, key, "US-abcdefgh");

        Assert.True(Jws.TryParseFlattened(body, out var jws, out var error), error?.ToString());
        Assert.True(Jws.Verify(jws, key));
        Assert.Equal(payload, jws.Payload);
        Assert.Equal(new JwsHeader("ES256", "US-abcdefgh", "launchnotify+jws"), jws.Header);
        Assert.Equal(64, jws.Signature.Length);
    }

    [Fact]
    public void SignFlattened_Body_HasExactlyTheThreeMembersAndTheAgreedHeader()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var body = JsonNode.Parse(Jws.SignFlattened("{}"u8, key, "RU-12345678"))!.AsObject();

        Assert.Equal(["protected", "payload", "signature"], body.Select(m => m.Key));
        var header = Encoding.UTF8.GetString(Convert.FromBase64String(B64(body["protected"]!.GetValue<string>())));
        Assert.Equal("{\"alg\":\"ES256\",\"kid\":\"RU-12345678\",\"typ\":\"launchnotify+jws\"}", header);
    }

    [Fact]
    public void Verify_WithAnotherKey_IsInvalid()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Assert.True(Jws.TryParseFlattened(Jws.SignFlattened("{}"u8, key, "US-abcdefgh"), out var jws, out _));

        Assert.False(Jws.Verify(jws, other));
    }

    [Theory]
    [InlineData("protected")]
    [InlineData("payload")]
    [InlineData("signature")]
    public void Verify_WhenAnyPartIsTampered_IsInvalid(string part)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var body = JsonNode.Parse(Jws.SignFlattened("{\"sender\":\"US\"}"u8, key, "US-abcdefgh"))!.AsObject();
        body[part] = part switch
        {
            "protected" => Url("{\"alg\":\"ES256\",\"kid\":\"US-abcdefgh\",\"typ\":\"launchnotify+jws\",\"x\":1}"u8.ToArray()),
            "payload" => Url("{\"sender\":\"RU\"}"u8.ToArray()),
            _ => Tampered(body["signature"]!.GetValue<string>()),
        };

        Assert.True(Jws.TryParseFlattened(Encoding.UTF8.GetBytes(body.ToJsonString()), out var jws, out var error), error?.ToString());
        Assert.False(Jws.Verify(jws, key));
    }

    private static string Tampered(string signature)
    {
        var bytes = Convert.FromBase64String(B64(signature));
        bytes[^1] ^= 0x80;
        return Url(bytes);
    }

    [Theory]
    [InlineData("{\"alg\":\"none\",\"kid\":\"US-abcdefgh\",\"typ\":\"launchnotify+jws\"}", SigningErrorCodes.AlgUnsupported)]
    [InlineData("{\"alg\":\"HS256\",\"kid\":\"US-abcdefgh\",\"typ\":\"launchnotify+jws\"}", SigningErrorCodes.AlgUnsupported)]
    [InlineData("{\"alg\":\"es256\",\"kid\":\"US-abcdefgh\",\"typ\":\"launchnotify+jws\"}", SigningErrorCodes.AlgUnsupported)]
    [InlineData("{\"kid\":\"US-abcdefgh\",\"typ\":\"launchnotify+jws\"}", SigningErrorCodes.AlgUnsupported)]
    [InlineData("{\"alg\":\"ES256\",\"typ\":\"launchnotify+jws\"}", SigningErrorCodes.KidMissing)]
    [InlineData("{\"alg\":\"ES256\",\"kid\":\"\",\"typ\":\"launchnotify+jws\"}", SigningErrorCodes.KidMissing)]
    [InlineData("{\"alg\":\"ES256\",\"kid\":7,\"typ\":\"launchnotify+jws\"}", SigningErrorCodes.KidMissing)]
    [InlineData("{\"alg\":\"ES256\",\"kid\":\"US-abcdefgh\"}", SigningErrorCodes.TypUnexpected)]
    [InlineData("{\"alg\":\"ES256\",\"kid\":\"US-abcdefgh\",\"typ\":\"launchnotify+jws\",\"b64\":false}", SigningErrorCodes.CritUnsupported)]
    [InlineData("{\"alg\":\"ES256\",\"kid\":\"US-abcdefgh\",\"typ\":\"JWT\"}", SigningErrorCodes.TypUnexpected)]
    [InlineData("{\"alg\":\"ES256\",\"kid\":\"US-abcdefgh\",\"typ\":\"launchnotify+jws\",\"crit\":[\"b64\"],\"b64\":false}", SigningErrorCodes.CritUnsupported)]
    [InlineData("{\"alg\":\"ES256\",\"alg\":\"none\",\"kid\":\"US-abcdefgh\",\"typ\":\"launchnotify+jws\"}", SigningErrorCodes.Malformed)]
    [InlineData("{\"alg\":\"ES256\",\"kid\":\"US-a\\nforged log line\",\"typ\":\"launchnotify+jws\"}", SigningErrorCodes.Malformed)]
    [InlineData("[\"ES256\"]", SigningErrorCodes.Malformed)]
    [InlineData("{\"alg\":\"ES256\"", SigningErrorCodes.Malformed)]
    public void TryParseFlattened_WithBadProtectedHeader_IsRefusedWithItsCode(string header, string expectedCode)
    {
        var body = Flattened(Url(Encoding.UTF8.GetBytes(header)), RfcPayload, RfcSignature);

        Assert.False(Jws.TryParseFlattened(body, out var jws, out var error));
        Assert.Null(jws);
        Assert.Equal(expectedCode, error.Code);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Theory]
    [InlineData("application/launchnotify+jws")]
    [InlineData("LaunchNotify+JWS")]
    public void TryParseFlattened_WithTypInAnotherAllowedSpelling_IsAccepted(string typ)
    {
        var header = Url(Encoding.UTF8.GetBytes($$"""{"alg":"ES256","kid":"US-abcdefgh","typ":"{{typ}}"}"""));

        Assert.True(Jws.TryParseFlattened(Flattened(header, RfcPayload, RfcSignature), out _, out var error), error?.ToString());
    }

    public static TheoryData<string> MalformedBodies()
    {
        const string h = "eyJhbGciOiJFUzI1NiIsImtpZCI6IlVTLWFiY2RlZmdoIiwidHlwIjoibGF1bmNobm90aWZ5K2p3cyJ9";
        return new()
        {
            "",
            "not json",
            "[]",
            $$"""{"protected":"{{h}}","payload":"{{RfcPayload}}"}""",
            $$"""{"protected":"{{h}}","payload":"{{RfcPayload}}","signature":"{{RfcSignature}}","header":{"kid":"US-x"} }""",
            $$"""{"protected":"{{h}}","payload":"{{RfcPayload}}","signature":"{{RfcSignature}}","signatures":[]}""",
            $$"""{"protected":"{{h}}","payload":"{{RfcPayload}}","payload":"e30","signature":"{{RfcSignature}}"}""",
            $$"""{"protected":"{{h}}","payload":{"iss":"joe"},"signature":"{{RfcSignature}}"}""",
            $$"""{"protected":"{{h}}=","payload":"{{RfcPayload}}","signature":"{{RfcSignature}}"}""",
            $$"""{"protected":"{{h}}","payload":"{{RfcPayload}}","signature":"{{RfcSignature}}=="}""",
            $$"""{"protected":"{{h}}","payload":"{{RfcPayload.Replace('_', '/')}}","signature":"{{RfcSignature.Replace('-', '+')}}"}""",
            $$"""{"protected":"{{h}}","payload":"e3 0","signature":"{{RfcSignature}}"}""",
            $$"""{"protected":"{{h}}","payload":"e31","signature":"{{RfcSignature}}"}""",
            $$"""{"protected":"{{h}}","payload":"{{RfcPayload}}","signature":"{{RfcSignature[..^4]}}"}""",
            $$"""{"protected":"{{h}}","payload":"{{RfcPayload}}","signature":"MEUCIQDtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q"}""",
        };
    }

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public void TryParseFlattened_WithMalformedBody_IsRefusedAsMalformed(string body)
    {
        Assert.False(Jws.TryParseFlattened(Encoding.UTF8.GetBytes(body), out _, out var error));
        Assert.Equal(SigningErrorCodes.Malformed, error.Code);
    }

    [Fact]
    public void TryParseFlattened_WellFormedBodyWithTheSameHeader_IsAccepted()
    {
        // The control for the malformed cases above: the same parts, well formed, parse.
        const string h = "eyJhbGciOiJFUzI1NiIsImtpZCI6IlVTLWFiY2RlZmdoIiwidHlwIjoibGF1bmNobm90aWZ5K2p3cyJ9";
        Assert.True(Jws.TryParseFlattened(Flattened(h, RfcPayload, RfcSignature), out var jws, out var error), error?.ToString());
        Assert.Equal("US-abcdefgh", jws.Header.Kid);
    }

    [Fact]
    public void SignFlattened_WithP384Key_Throws()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        Assert.Throws<ArgumentException>(() => Jws.SignFlattened("{}"u8, key, "US-abcdefgh"));
    }
}
