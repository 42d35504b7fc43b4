using LaunchNotify.Domain.Values;

namespace LaunchNotify.Protocol.Signing;

/// <summary>Signs this centre's payloads as flattened ES256 JWS under its key id.</summary>
public sealed class JwsPayloadSigner(CentreKey key) : IPayloadSigner
{
    public CentreCode Centre => key.Centre;

    public string Kid => key.Kid;

    public byte[] Sign(byte[] payloadUtf8)
    {
        ArgumentNullException.ThrowIfNull(payloadUtf8);
        return Jws.SignFlattened(payloadUtf8, key.Key, key.Kid);
    }
}
