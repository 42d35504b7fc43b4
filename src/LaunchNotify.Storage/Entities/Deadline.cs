using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NodaTime;

namespace LaunchNotify.Storage.Entities;

/// <summary>What falls due: five alarm conditions, and the next heartbeat this centre owes a counterpart.</summary>
public enum DeadlineKind { ReceiptOverdue, MissingNotification, LinkSilent, PostLaunchOverdue, Heartbeat, AcknowledgementOverdue }

/// <summary>Pending until it falls due (then Fired) or until the awaited event settles it first (then Cancelled).</summary>
public enum DeadlineState { Pending, Fired, Cancelled }

/// <summary>
/// A durable deadline, written in the same transaction as the state that creates it (a submission, a received
/// message). A watcher fires it once it falls due: the transition Pending → Fired is one conditional update in the
/// transaction that raises the alarm, so two processes sharing the store never both fire it. Rows stay as the record.
/// </summary>
public sealed class Deadline
{
    public long Id { get; set; }
    public DeadlineKind Kind { get; set; }

    /// <summary>One row per condition, e.g. <c>RECEIPT:{messageId}>{recipient}</c>; recurring ones (heartbeat, link silence) re-arm their row.</summary>
    public required string Key { get; set; }

    public Instant DueAt { get; set; }
    public DeadlineState State { get; set; }

    /// <summary>The counterpart centre concerned.</summary>
    public string? Centre { get; set; }
    public string? AgreementId { get; set; }
    public Guid? MessageId { get; set; }

    /// <summary>The sequence numbers concerned (a gap's range, or a delivery's number).</summary>
    public long? SequenceFrom { get; set; }
    public long? SequenceTo { get; set; }

    public Instant CreatedAt { get; set; }
    public Instant? FiredAt { get; set; }

    /// <summary>Which watcher fired it (process and host), for the record.</summary>
    public string? FiredBy { get; set; }

    /// <summary>The alarm raised when it fired, so the event that settles the condition later can resolve it.</summary>
    public string? AlarmKey { get; set; }

    public Instant? SettledAt { get; set; }
    public string? SettledReason { get; set; }
}

internal sealed class DeadlineConfiguration : IEntityTypeConfiguration<Deadline>
{
    public void Configure(EntityTypeBuilder<Deadline> e)
    {
        e.HasKey(d => d.Id);
        e.Property(d => d.Key).HasMaxLength(200);
        e.HasIndex(d => d.Key).IsUnique();
        e.Property(d => d.Centre).HasMaxLength(2);
        e.Property(d => d.AgreementId).HasMaxLength(64);
        e.Property(d => d.FiredBy).HasMaxLength(128);
        e.Property(d => d.AlarmKey).HasMaxLength(200);
        // The watcher's query: pending deadlines by due time.
        e.HasIndex(d => new { d.State, d.DueAt });
        e.HasIndex(d => new { d.Kind, d.Centre, d.AgreementId });
    }
}
