using System.Collections.Concurrent;
using System.Security.Cryptography;
using LaunchNotify.Domain.Values;
using NodaTime;

namespace LaunchNotify.Protocol.Signing;

/// <summary>
/// Verifies LaunchNotify bodies against the trusted centres' public keys, in this order: the body parses under the
/// wire profile (<c>JWS_*</c>), its key id is trusted (<c>SIGNATURE_UNKNOWN_KEY</c>), the key belongs to the claimed
/// sender (<c>SIGNATURE_KEY_NOT_SENDERS</c>), the key is not revoked or retired at the time of the check
/// (<c>SIGNATURE_KEY_REVOKED</c>, <c>SIGNATURE_KEY_RETIRED</c>), the signature holds (<c>SIGNATURE_INVALID</c>).
/// </summary>
public sealed class JwsSignatureVerifier(JwkSet trustedKeys, KeyStatuses? statuses = null, IClock? clock = null) : ISignatureVerifier
{
    public JwkSet TrustedKeys { get; } = trustedKeys;

    public KeyStatuses Statuses { get; } = statuses ?? KeyStatuses.None;

    private readonly IClock clock = clock ?? SystemClock.Instance;

    /// <summary>
    /// The trusted keys imported once: building an <see cref="ECDsa"/> from a JWK cost more than the ES256 verification
    /// itself (the fan-out profile, docs/performance.md). A few instances per key id, each used by one verification at a
    /// time (an <see cref="ECDsa"/> is not documented as safe for concurrent use).
    /// </summary>
    private readonly ConcurrentDictionary<string, KeyPool> keys = new(StringComparer.Ordinal);

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

    public SignatureCheck Verify(ReadOnlySpan<byte> jws, CentreCode claimedSender) => Verify(jws, claimedSender, clock.GetCurrentInstant());

    /// <summary>As if checked at <paramref name="at"/>: evidence signed before a key's revocation still verifies.</summary>
    public SignatureCheck Verify(ReadOnlySpan<byte> jws, CentreCode claimedSender, Instant at)
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

        if (Statuses.Find(kid)?.RefusalAt(at) is { } refusal)
            return SignatureCheck.Invalid(refusal.Code, refusal.Message);

        // Two verifications racing for a new key id may each build a pool; one is kept, the other used once. No closure per call.
        if (!keys.TryGetValue(kid, out var pool) || pool.Key != key)
            keys[kid] = pool = new KeyPool(key);
        var publicKey = pool.Rent();
        bool valid;
        try
        {
            valid = Jws.Verify(parsed, publicKey);
        }
        finally
        {
            pool.Return(publicKey);
        }
        if (!valid)
            return SignatureCheck.Invalid(SigningErrorCodes.Invalid,
                $"The signature does not match the message under key '{kid}' of centre {key.Centre}: the message was altered or not signed with that key.");

        return SignatureCheck.Valid(key.Centre, parsed.Payload);
    }

    /// <summary>Imported copies of one public key (value-equal <see cref="Jwk"/>), handed to one verification at a time.</summary>
    private sealed class KeyPool(Jwk key)
    {
        private const int Kept = 8;
        private readonly ConcurrentBag<ECDsa> idle = [];

        public Jwk Key { get; } = key;

        public ECDsa Rent() => idle.TryTake(out var ecdsa) ? ecdsa : Key.ToECDsa();

        public void Return(ECDsa ecdsa)
        {
            if (idle.Count < Kept)
                idle.Add(ecdsa);
            else
                ecdsa.Dispose();
        }
    }
}
