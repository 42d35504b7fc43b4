using System.Text;
using System.Text.Json.Nodes;
using LaunchNotify.Domain.Values;
using LaunchNotify.Protocol.Signing;

namespace LaunchNotify.Protocol.Tests;

/// <summary>The node's signer and verifier: the order of checks and their stable codes.</summary>
public sealed class SigningTests : IDisposable
{
    private static readonly CentreCode Us = new("US");
    private static readonly CentreCode Ru = new("RU");
    private static readonly byte[] Payload = Encoding.UTF8.GetBytes("{\"kind\":\"heartbeat\",\"sender\":\"US\"}");

    private readonly CentreKey us = CentreKey.Generate(Us);
    private readonly CentreKey ru = CentreKey.Generate(Ru);
    private readonly JwsSignatureVerifier verifier;

    public SigningTests() => verifier = new JwsSignatureVerifier(new JwkSet([us.PublicJwk, ru.PublicJwk]));

    public void Dispose()
    {
        us.Dispose();
        ru.Dispose();
    }

    /// <summary>
    /// The verifier keeps imported keys and hands each to one verification at a time: many threads verifying genuine,
    /// tampered and other-centre bodies at once each get the verdict they would get alone.
    /// </summary>
    [Fact]
    public async Task Verify_ConcurrentlyWithSharedImportedKeys_GivesEachBodyItsOwnVerdict()
    {
        var usBody = new JwsPayloadSigner(us).Sign(Payload);
        var ruBody = new JwsPayloadSigner(ru).Sign(Encoding.UTF8.GetBytes("{\"kind\":\"heartbeat\",\"sender\":\"RU\"}"));
        var tampered = (byte[])usBody.Clone();
        var at = Array.LastIndexOf(tampered, (byte)'"') - 3; // inside the signature's base64url text
        tampered[at] = tampered[at] == (byte)'A' ? (byte)'B' : (byte)'A';
        var cases = new (byte[] Body, CentreCode Sender, string? Code)[]
        {
            (usBody, Us, null), (ruBody, Ru, null), (tampered, Us, SigningErrorCodes.Invalid), (ruBody, Us, SigningErrorCodes.KeyNotSenders),
        };

        var wrong = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(() =>
        {
            for (var i = 0; i < 300; i++)
            {
                var (body, sender, code) = cases[(i + worker) % cases.Length];
                var check = verifier.Verify(body, sender);
                if (check.IsValid != (code is null) || check.ErrorCode != code)
                    Interlocked.Increment(ref wrong);
            }
        })));

        Assert.Equal(0, wrong);
    }

    [Fact]
    public void Verify_BodySignedByTheSender_IsValidAndReturnsThePayload()
    {
        var signer = new JwsPayloadSigner(us);

        var check = verifier.Verify(signer.Sign(Payload), Us);

        Assert.True(check.IsValid, check.Reason);
        Assert.Equal(Us, check.SignedBy);
        Assert.Equal(Payload, check.Payload);
        Assert.Null(check.ErrorCode);
        Assert.Equal(Us, signer.Centre);
    }

    [Fact]
    public void Verify_KeyNotInTheTrustStore_IsUnknownKey()
    {
        using var stranger = CentreKey.Generate(Us);

        var check = verifier.Verify(new JwsPayloadSigner(stranger).Sign(Payload), Us);

        Assert.False(check.IsValid);
        Assert.Equal(SigningErrorCodes.UnknownKey, check.ErrorCode);
        Assert.Contains(stranger.Kid, check.Reason);
        Assert.Null(check.Payload);
    }

    [Fact]
    public void Verify_SignedWithAnotherCentresTrustedKey_IsKeyNotSenders()
    {
        var check = verifier.Verify(new JwsPayloadSigner(ru).Sign(Payload), Us);

        Assert.False(check.IsValid);
        Assert.Equal(SigningErrorCodes.KeyNotSenders, check.ErrorCode);
        Assert.Contains("US", check.Reason);
        Assert.Contains(ru.Kid, check.Reason);
    }

    [Fact]
    public void Verify_KidOfTheSenderButSignedWithAnotherKey_IsInvalid()
    {
        // A forger who names the sender's key id but holds only its own key.
        var forged = Jws.SignFlattened(Payload, ru.Key, us.Kid);

        var check = verifier.Verify(forged, Us);

        Assert.Equal(SigningErrorCodes.Invalid, check.ErrorCode);
    }

    [Theory]
    [InlineData("protected")]
    [InlineData("payload")]
    [InlineData("signature")]
    public void Verify_TamperedPart_IsInvalid(string part)
    {
        var body = JsonNode.Parse(new JwsPayloadSigner(us).Sign(Payload))!.AsObject();
        body[part] = part switch
        {
            // The same key id and algorithm, one more (ignorable) header member: only the signature can catch it.
            "protected" => Url($$"""{"alg":"ES256","kid":"{{us.Kid}}","typ":"launchnotify+jws","note":"x"}"""),
            "payload" => Url("{\"kind\":\"heartbeat\",\"sender\":\"US\" }"),
            _ => MiddleCharacterSwapped(body["signature"]!.GetValue<string>()),
        };

        var check = verifier.Verify(Encoding.UTF8.GetBytes(body.ToJsonString()), Us);

        Assert.False(check.IsValid);
        Assert.Equal(SigningErrorCodes.Invalid, check.ErrorCode);
        Assert.Null(check.Payload);
    }

    private static string Url(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string MiddleCharacterSwapped(string text)
    {
        var i = text.Length / 2;
        return text[..i] + (text[i] == 'A' ? 'B' : 'A') + text[(i + 1)..];
    }

    [Fact]
    public void Verify_AlgNoneWithEmptySignature_IsRefusedBeforeAnyKeyLookup()
    {
        var header = Url($$"""{"alg":"none","kid":"{{us.Kid}}","typ":"launchnotify+jws"}""");
        var payload = Url(Encoding.UTF8.GetString(Payload));
        var body = Encoding.UTF8.GetBytes($$"""{"protected":"{{header}}","payload":"{{payload}}","signature":""}""");

        var check = verifier.Verify(body, Us);

        Assert.False(check.IsValid);
        Assert.Equal(SigningErrorCodes.AlgUnsupported, check.ErrorCode);
    }

    [Fact]
    public void Verify_NotAJws_IsMalformed()
    {
        var check = verifier.Verify(Payload, Us);

        Assert.Equal(SigningErrorCodes.Malformed, check.ErrorCode);
    }

    [Fact]
    public void ReadUnverifiedPayload_OfASignedBody_ReturnsThePayloadEvenFromAnUntrustedKey()
    {
        using var stranger = CentreKey.Generate(Us);

        var payload = verifier.ReadUnverifiedPayload(new JwsPayloadSigner(stranger).Sign(Payload), out var error);

        Assert.Equal(Payload, payload);
        Assert.Null(error);
    }

    [Fact]
    public void ReadUnverifiedPayload_OfPlainJson_IsNullWithTheReason()
    {
        var payload = verifier.ReadUnverifiedPayload(Payload, out var error);

        Assert.Null(payload);
        Assert.StartsWith(SigningErrorCodes.Malformed, error);
    }
}
