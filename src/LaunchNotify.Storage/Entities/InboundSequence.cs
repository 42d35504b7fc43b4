using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NodaTime;

namespace LaunchNotify.Storage.Entities;

/// <summary>
/// What this centre has received on one link (sender → this centre, per agreement): the state of a
/// <c>Domain.Timeliness.SequenceTracker</c>, saved in the transaction that stores each received message.
/// </summary>
public sealed class InboundSequence
{
    public required string Sender { get; set; }
    public required string Recipient { get; set; }
    public required string AgreementId { get; set; }

    /// <summary>The highest number received or announced by a heartbeat (0: none yet).</summary>
    public long HighestSeen { get; set; }

    /// <summary>The numbers still missing, as ranges: "4-6,9" (empty: none).</summary>
    public string Missing { get; set; } = "";

    public Instant UpdatedAt { get; set; }
}

internal sealed class InboundSequenceConfiguration : IEntityTypeConfiguration<InboundSequence>
{
    public void Configure(EntityTypeBuilder<InboundSequence> e)
    {
        e.HasKey(s => new { s.Sender, s.Recipient, s.AgreementId });
        e.Property(s => s.Sender).HasMaxLength(2);
        e.Property(s => s.Recipient).HasMaxLength(2);
        e.Property(s => s.AgreementId).HasMaxLength(64);
    }
}
