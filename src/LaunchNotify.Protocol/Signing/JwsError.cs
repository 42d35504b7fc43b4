namespace LaunchNotify.Protocol.Signing;

/// <summary>Why a JWS body or a signature was refused: a stable code and a sentence a person understands.</summary>
public sealed record JwsError(string Code, string Message)
{
    public override string ToString() => $"{Code}: {Message}";
}

/// <summary>The stable error codes of parsing (<c>JWS_*</c>) and verifying (<c>SIGNATURE_*</c>) a signed body.</summary>
public static class SigningErrorCodes
{
    /// <summary>Not a flattened JWS of exactly protected/payload/signature, bad base64url, or a header that is not a JSON object.</summary>
    public const string Malformed = "JWS_MALFORMED";
    /// <summary>The protected header names an algorithm other than ES256 (including <c>none</c>), or none at all.</summary>
    public const string AlgUnsupported = "JWS_ALG_UNSUPPORTED";
    /// <summary>The protected header has no <c>kid</c> string.</summary>
    public const string KidMissing = "JWS_KID_MISSING";
    /// <summary>The protected header's <c>typ</c> is missing or not <c>launchnotify+jws</c>.</summary>
    public const string TypUnexpected = "JWS_TYP_UNEXPECTED";
    /// <summary>The protected header lists critical extensions; LaunchNotify understands none.</summary>
    public const string CritUnsupported = "JWS_CRIT_UNSUPPORTED";
    /// <summary>No trusted key has the header's <c>kid</c>.</summary>
    public const string UnknownKey = "SIGNATURE_UNKNOWN_KEY";
    /// <summary>The key is trusted but belongs to a centre other than the message's claimed sender.</summary>
    public const string KeyNotSenders = "SIGNATURE_KEY_NOT_SENDERS";
    /// <summary>The key was revoked at or before the time of the check (see <c>key-status.json</c>).</summary>
    public const string KeyRevoked = "SIGNATURE_KEY_REVOKED";
    /// <summary>The key was rotated out and its overlap ended at or before the time of the check.</summary>
    public const string KeyRetired = "SIGNATURE_KEY_RETIRED";
    /// <summary>The signature does not match the protected header and payload under the named key.</summary>
    public const string Invalid = "SIGNATURE_INVALID";
}
