using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using LaunchNotify.Domain.Values;
using LaunchNotify.Protocol.Signing;

namespace LaunchNotify.Protocol.Tests;

public class KeyTests
{
    private static readonly CentreCode Us = new("US");

    [Fact]
    public void Thumbprint_OfRfc7515A3Key_IsSha256OfTheCanonicalJson()
    {
        // RFC 7638 §3: required members only, sorted, no white space; then SHA-256, then base64url.
        var canonical = "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"" + JwsTests.RfcX + "\",\"y\":\"" + JwsTests.RfcY + "\"}";
        var expected = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(canonical))).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        var jwk = new Jwk(JwsTests.RfcX, JwsTests.RfcY, "US-rfc7515a");

        Assert.Equal(expected, jwk.Thumbprint());
        Assert.Equal(43, jwk.Thumbprint().Length);
    }

    [Fact]
    public void Thumbprint_DoesNotDependOnKidUseOrAlg()
    {
        Assert.Equal(new Jwk(JwsTests.RfcX, JwsTests.RfcY, "US-one").Thumbprint(), new Jwk(JwsTests.RfcX, JwsTests.RfcY, "RU-two").Thumbprint());
    }

    [Fact]
    public void Generate_Kid_IsCentrePrefixAndFirst8ThumbprintCharacters()
    {
        using var key = CentreKey.Generate(Us);

        Assert.Equal("US-" + key.PublicJwk.Thumbprint()[..8], key.Kid);
        Assert.Equal(Us, key.PublicJwk.Centre);
    }

    [Fact]
    public void FromPrivateJwk_Rfc7515A3Key_LoadsAndSignsForItsPublicKey()
    {
        var json = $$"""{"kty":"EC","crv":"P-256","x":"{{JwsTests.RfcX}}","y":"{{JwsTests.RfcY}}","d":"{{JwsTests.RfcD}}","kid":"US-rfc7515a"}""";

        using var key = CentreKey.FromPrivateJwk(Encoding.UTF8.GetBytes(json));
        var body = Jws.SignFlattened("{}"u8, key.Key, key.Kid);

        Assert.True(Jws.TryParseFlattened(body, out var jws, out _));
        using var rfcPublic = JwsTests.RfcPublicKey();
        Assert.True(Jws.Verify(jws, rfcPublic));
    }

    [Fact]
    public void FromPrivateJwk_WithAnotherKeysD_IsRefused()
    {
        using var other = GenerateStored(out var d);
        var json = $$"""{"kty":"EC","crv":"P-256","x":"{{JwsTests.RfcX}}","y":"{{JwsTests.RfcY}}","d":"{{d}}","kid":"US-rfc7515a"}""";

        var e = Assert.Throws<KeyFormatException>(() => CentreKey.FromPrivateJwk(Encoding.UTF8.GetBytes(json)));
        Assert.Contains("US-rfc7515a", e.Message);
        Assert.DoesNotContain(d, e.Message);
    }

    [Fact]
    public void ToString_OfKeysAndSets_NeverShowsThePrivatePart()
    {
        using var key = GenerateStored(out var d);

        Assert.Equal(43, d.Length);
        Assert.DoesNotContain(d, key.ToString());
        Assert.Contains(key.Kid, key.ToString());
        Assert.DoesNotContain(d, key.PublicJwk.ToString());
        Assert.DoesNotContain(d, new JwkSet([key.PublicJwk]).ToString());
        Assert.DoesNotContain("\"d\"", Encoding.UTF8.GetString(key.PublicJwk.ToJson()));
    }

    /// <summary>A key made by the store, and its private scalar as written in its private file.</summary>
    private static CentreKey GenerateStored(out string d)
    {
        var dir = Directory.CreateTempSubdirectory("ln-keys-");
        try
        {
            var key = KeyStore.Generate(Us, dir.FullName);
            d = JsonNode.Parse(File.ReadAllText(KeyStore.PrivateKeyPath(dir.FullName, Us)))!["d"]!.GetValue<string>();
            return key;
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void JwkSet_ToJsonAndParse_RoundTripsEveryKeyWithTheAgreedMembers()
    {
        using var us = CentreKey.Generate(Us);
        using var ru = CentreKey.Generate(new CentreCode("RU"));
        var set = new JwkSet([us.PublicJwk, ru.PublicJwk]);

        var json = set.ToJson();
        var parsed = JwkSet.Parse(json);

        Assert.Equal(set.Keys, parsed.Keys);
        var first = JsonNode.Parse(json)!["keys"]![0]!.AsObject();
        Assert.Equal(["kty", "crv", "x", "y", "kid", "use", "alg"], first.Select(m => m.Key));
        Assert.Equal("EC", first["kty"]!.GetValue<string>());
        Assert.Equal("P-256", first["crv"]!.GetValue<string>());
        Assert.Equal("sig", first["use"]!.GetValue<string>());
        Assert.Equal("ES256", first["alg"]!.GetValue<string>());
        Assert.Same(parsed.Keys[1], parsed.Find(ru.Kid));
        Assert.Null(parsed.Find("FR-00000000"));
    }

    [Fact]
    public void JwkSet_Parse_AcceptsAKeyWithoutUseAndAlg()
    {
        var set = JwkSet.Parse(Encoding.UTF8.GetBytes($$"""{"keys":[{"kty":"EC","crv":"P-256","x":"{{JwsTests.RfcX}}","y":"{{JwsTests.RfcY}}","kid":"GB-1"}]}"""));

        Assert.Equal(new CentreCode("GB"), set.Keys.Single().Centre);
    }

    [Theory]
    [InlineData("\"d\":\"" + JwsTests.RfcD + "\",", "private part")]
    [InlineData("\"alg\":\"RS256\",", "alg")]
    [InlineData("\"use\":\"enc\",", "use")]
    public void JwkSet_Parse_WithAnUnusableKey_IsRefused(string extra, string mentioned)
    {
        var json = $$"""{"keys":[{{{extra}}"kty":"EC","crv":"P-256","x":"{{JwsTests.RfcX}}","y":"{{JwsTests.RfcY}}","kid":"US-1"}]}""";

        var e = Assert.Throws<KeyFormatException>(() => JwkSet.Parse(Encoding.UTF8.GetBytes(json)));
        Assert.Contains(mentioned, e.Message);
    }

    [Theory]
    [InlineData("{\"keys\":[{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\",\"kid\":\"US-1\"}]}")]
    [InlineData("{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-384\",\"x\":\"AA\",\"y\":\"AA\",\"kid\":\"US-1\"}]}")]
    [InlineData("{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" + JwsTests.RfcX + "\",\"y\":\"" + JwsTests.RfcX + "\",\"kid\":\"US-1\"}]}")]
    [InlineData("{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" + JwsTests.RfcX + "\",\"y\":\"" + JwsTests.RfcY + "\",\"kid\":\"nocentre\"}]}")]
    [InlineData("{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" + JwsTests.RfcX + "\",\"y\":\"" + JwsTests.RfcY + "\"}]}")]
    [InlineData("{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" + JwsTests.RfcX + "\",\"y\":\"" + JwsTests.RfcY + "\",\"kid\":\"US-1\"},"
        + "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" + JwsTests.RfcX + "\",\"y\":\"" + JwsTests.RfcY + "\",\"kid\":\"US-1\"}]}")]
    [InlineData("[]")]
    public void JwkSet_Parse_WithWrongKeyTypeCurvePointKidOrDuplicate_IsRefused(string json)
    {
        Assert.Throws<KeyFormatException>(() => JwkSet.Parse(Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void JwkSet_With_AnotherKeyUnderAKnownKid_IsRefused()
    {
        using var a = CentreKey.Generate(Us);
        using var b = CentreKey.Generate(Us);
        var set = new JwkSet([a.PublicJwk]);
        var impostor = new Jwk(b.PublicJwk.X, b.PublicJwk.Y, a.Kid);

        Assert.Same(set, set.With(a.PublicJwk));
        Assert.Throws<KeyFormatException>(() => set.With(impostor));
    }
}
