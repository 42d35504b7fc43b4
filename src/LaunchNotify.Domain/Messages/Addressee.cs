using LaunchNotify.Domain.Values;

namespace LaunchNotify.Domain.Messages;

/// <summary>
/// One recipient of a message and the message's sequence number on the link sender → this recipient under the
/// message's agreement. Notifications share one sequence per link; receipts and heartbeats each count their own.
/// </summary>
public sealed record Addressee
{
    public Addressee(CentreCode centre, long sequence)
    {
        if (sequence < 1)
            throw new ArgumentOutOfRangeException(nameof(sequence), sequence, "Sequence numbers start at 1.");
        Centre = centre;
        Sequence = sequence;
    }

    public CentreCode Centre { get; }
    public long Sequence { get; }
}
