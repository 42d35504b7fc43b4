using LaunchNotify.Domain.Values;

namespace LaunchNotify.Node;

/// <summary>Which centre this node is, and the limits it enforces.</summary>
public sealed record NodeIdentity(CentreCode Centre)
{
    /// <summary>Largest message body accepted from the broker or the API (bytes).</summary>
    public int MaxMessageBytes { get; init; } = 256 * 1024;
}
