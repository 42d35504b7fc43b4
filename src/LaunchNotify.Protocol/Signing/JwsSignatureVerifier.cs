using LaunchNotify.Domain.Values;

namespace LaunchNotify.Protocol.Signing;

/// <summary>
/// Verifies LaunchNotify bodies against the trusted centres' public keys, in this order: the body parses under the
/// wire profile (<c>JWS_*</c>), its key id is trusted (<c>SIGNATURE_UNKNOWN_KEY</c>), the key belongs to the claimed
/// sender (<c>SIGNATURE_KEY_NOT_SENDERS</c>), the signature holds (<c>SIGNATURE_INVALID</c>).
/// </summary>
public sealed class JwsSignatureVerifier(JwkSet trustedKeys) : ISignatureVerifier
{
    public JwkSet TrustedKeys { get; } = trustedKeys;

    public byte[]? ReadUnverifiedPayload(ReadOnlySpan<byte> jws, out string? error)
    {
        if (Jws.TryParseFlattened(jws, out var parsed, out var parseError))
        {
            error = null;
            return parsed.Payload;
        }
        error = parseError.ToString();
        return null;
    }

    public SignatureCheck Verify(ReadOnlySpan<byte> jws, CentreCode claimedSender)
    {
        if (!Jws.TryParseFlattened(jws, out var parsed, out var parseError))
            return SignatureCheck.Invalid(parseError.Code, parseError.Message);

        var kid = parsed.Header.Kid!;
        if (!TrustedKeys.TryFind(kid, out var key))
            return SignatureCheck.Invalid(SigningErrorCodes.UnknownKey,
                $"The message is signed with key '{kid}', which is not in this node's trust store. Import the sender's current public key if it is genuine.");

        if (key.Centre != claimedSender)
            return SignatureCheck.Invalid(SigningErrorCodes.KeyNotSenders,
                $"The message claims sender {claimedSender} but is signed with key '{kid}' of centre {key.Centre}.");

        using var publicKey = key.ToECDsa();
        if (!Jws.Verify(parsed, publicKey))
            return SignatureCheck.Invalid(SigningErrorCodes.Invalid,
                $"The signature does not match the message under key '{kid}' of centre {key.Centre}: the message was altered or not signed with that key.");

        return SignatureCheck.Valid(key.Centre, parsed.Payload);
    }
}
