using LaunchNotify.Domain.Values;

namespace LaunchNotify.Protocol.Signing;

/// <summary>Signs payloads as this centre (flattened JWS, ES256).</summary>
public interface IPayloadSigner
{
    CentreCode Centre { get; }
    byte[] Sign(byte[] payloadUtf8);
}

/// <summary>The outcome of checking a JWS against the known centres' public keys.</summary>
public sealed record SignatureCheck(bool IsValid, string? ErrorCode, string? Reason, CentreCode? SignedBy, byte[]? Payload)
{
    public static SignatureCheck Valid(CentreCode signedBy, byte[] payload) => new(true, null, null, signedBy, payload);
    public static SignatureCheck Invalid(string code, string reason) => new(false, code, reason, null, null);
}

/// <summary>Verifies JWS bodies and reads their payload before verification (to learn the claimed sender).</summary>
public interface ISignatureVerifier
{
    /// <summary>The payload, not yet verified; null with a reason if the body is not a JWS at all.</summary>
    byte[]? ReadUnverifiedPayload(ReadOnlySpan<byte> jws, out string? error);

    SignatureCheck Verify(ReadOnlySpan<byte> jws, CentreCode claimedSender);
}
