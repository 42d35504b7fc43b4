using System.Text;
using LaunchNotify.Domain.Values;
using LaunchNotify.Protocol.Signing;
using Jose;

namespace LaunchNotify.Protocol.Tests;

/// <summary>Our JWS and JWK output against an independent JOSE implementation (jose-jwt), both ways.</summary>
public sealed class JwsCrossCheckTests : IDisposable
{
    private static readonly CentreCode Us = new("US");
    private static readonly byte[] Payload = Encoding.UTF8.GetBytes("{\"kind\":\"heartbeat\",\"sender\":\"US\",\"remarks\":\"Größe\"}");
    private readonly CentreKey us = CentreKey.Generate(Us);

    public void Dispose() => us.Dispose();

    [Fact]
    public void JoseJwt_VerifiesOurBodyInCompactForm()
    {
        var body = new JwsPayloadSigner(us).Sign(Payload);
        Assert.True(Jws.TryParseFlattened(body, out var jws, out _));
        using var publicKey = us.PublicJwk.ToECDsa();

        var payload = JWT.DecodeBytes(jws.ToCompact(), publicKey, JwsAlgorithm.ES256);

        Assert.Equal(Payload, payload);
        var headers = JWT.Headers(jws.ToCompact());
        Assert.Equal("ES256", headers["alg"]);
        Assert.Equal(us.Kid, headers["kid"]);
        Assert.Equal("launchnotify+jws", headers["typ"]);
    }

    [Fact]
    public void JoseJwt_RefusesOurBodyUnderAnotherKey()
    {
        var body = new JwsPayloadSigner(us).Sign(Payload);
        Assert.True(Jws.TryParseFlattened(body, out var jws, out _));
        using var other = CentreKey.Generate(Us);
        using var otherPublic = other.PublicJwk.ToECDsa();

        Assert.Throws<IntegrityException>(() => JWT.DecodeBytes(jws.ToCompact(), otherPublic, JwsAlgorithm.ES256));
    }

    [Fact]
    public void OurVerifier_AcceptsATokenSignedByJoseJwt_ConvertedToFlattenedForm()
    {
        var headers = new Dictionary<string, object> { ["kid"] = us.Kid, ["typ"] = Jws.Typ };
        var compact = JWT.EncodeBytes(Payload, us.Key, JwsAlgorithm.ES256, headers);
        var parts = compact.Split('.');
        var body = Encoding.UTF8.GetBytes($$"""{"protected":"{{parts[0]}}","payload":"{{parts[1]}}","signature":"{{parts[2]}}"}""");

        var check = new JwsSignatureVerifier(new Signing.JwkSet([us.PublicJwk])).Verify(body, Us);

        Assert.True(check.IsValid, check.Reason);
        Assert.Equal(Payload, check.Payload);
    }

    [Fact]
    public void OurVerifier_RefusesAJoseJwtTokenWhosePayloadWasSwapped()
    {
        var headers = new Dictionary<string, object> { ["kid"] = us.Kid, ["typ"] = Jws.Typ };
        var parts = JWT.EncodeBytes(Payload, us.Key, JwsAlgorithm.ES256, headers).Split('.');
        var otherPayload = JWT.EncodeBytes("{\"sender\":\"RU\"}"u8.ToArray(), us.Key, JwsAlgorithm.ES256, headers).Split('.')[1];
        var body = Encoding.UTF8.GetBytes($$"""{"protected":"{{parts[0]}}","payload":"{{otherPayload}}","signature":"{{parts[2]}}"}""");

        var check = new JwsSignatureVerifier(new Signing.JwkSet([us.PublicJwk])).Verify(body, Us);

        Assert.Equal(SigningErrorCodes.Invalid, check.ErrorCode);
    }

    [Fact]
    public void JoseJwt_ReadsOurPublishedJwkSet_AndVerifiesWithTheKeyItFindsThere()
    {
        var json = Encoding.UTF8.GetString(new Signing.JwkSet([us.PublicJwk]).ToJson());
        var theirSet = Jose.JwkSet.FromJson(json, JWT.DefaultSettings.JsonMapper);
        var theirKey = Assert.Single(theirSet.Keys);
        Assert.Equal(us.Kid, theirKey.KeyId);
        Assert.Equal("sig", theirKey.Use);
        Assert.Equal("ES256", theirKey.Alg);
        Assert.True(Jws.TryParseFlattened(new JwsPayloadSigner(us).Sign(Payload), out var jws, out _));

        Assert.Equal(Payload, JWT.DecodeBytes(jws.ToCompact(), theirKey, JwsAlgorithm.ES256));
    }
}
