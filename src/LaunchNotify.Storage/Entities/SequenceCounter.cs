namespace LaunchNotify.Storage.Entities;

/// <summary>The last sequence number used on one link (sender → recipient) under one agreement, per stream.</summary>
public sealed class SequenceCounter
{
    public required string Sender { get; set; }
    public required string Recipient { get; set; }
    public required string AgreementId { get; set; }

    /// <summary><c>notification</c>, <c>receipt</c> or <c>heartbeat</c>: each counts on its own.</summary>
    public required string Stream { get; set; }
    public long Last { get; set; }
}
