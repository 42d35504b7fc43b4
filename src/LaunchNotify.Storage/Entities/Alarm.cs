using LaunchNotify.Domain.Alarms;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NodaTime;

namespace LaunchNotify.Storage.Entities;

/// <summary>
/// One alarm raised by this centre: what (kind, severity), about what (counterpart centre, agreement, message,
/// sequence numbers), when, and what operators did with it. Rows are never deleted: resolved alarms stay as
/// the record compliance officers review.
/// </summary>
public sealed class Alarm
{
    public Guid Id { get; set; }
    public AlarmKind Kind { get; set; }
    public AlarmSeverity Severity { get; set; }
    public AlarmState State { get; set; }

    /// <summary>The counterpart centre concerned (the late sender, the silent link, the unconfirming recipient, the attributed launcher).</summary>
    public string? Centre { get; set; }
    public string? AgreementId { get; set; }
    public Guid? MessageId { get; set; }

    /// <summary>Sequence numbers concerned, as text ("4-6,9"), for missing notifications.</summary>
    public string? Sequences { get; set; }

    /// <summary>One stable key per condition (e.g. "RECEIPT_OVERDUE:{messageId}:{recipient}") so a condition raises one alarm, also across restarts.</summary>
    public required string DedupeKey { get; set; }

    public Instant RaisedAt { get; set; }

    /// <summary>When the deadline behind it fell due (it may have fired later, after a restart).</summary>
    public Instant? DueAt { get; set; }

    /// <summary>True when the deadline fell due while the node was down and fired at start-up.</summary>
    public bool FiredAfterRestart { get; set; }

    /// <summary>One line a person reads first ("RU's notification 0f3… arrived 2 h 10 min late").</summary>
    public required string Summary { get; set; }

    /// <summary>Everything else, as JSON.</summary>
    public string? DetailsJson { get; set; }

    public Instant? AcknowledgedAt { get; set; }
    /// <summary>The name of the account that acknowledged it (<see cref="AcknowledgedBySubject"/> is its stable id).</summary>
    public string? AcknowledgedBy { get; set; }
    public string? AcknowledgedBySubject { get; set; }
    public string? AcknowledgeComment { get; set; }
    public Instant? ResolvedAt { get; set; }
    public string? ResolvedBy { get; set; }
    public string? ResolvedBySubject { get; set; }
    public string? ResolveComment { get; set; }

    // The alarm feed (Node/Alarms/AlarmFeed, docs/alarms.md): every change bumps Version and sets PublishPending;
    // a feed process claims pending rows (ClaimToken until ClaimedUntil) so two processes never publish the same change.

    /// <summary>1 when raised, +1 on each change (acknowledged, resolved); consumers of the feed keep the highest.</summary>
    public int Version { get; set; }
    public Instant ChangedAt { get; set; }
    public bool PublishPending { get; set; }
    public int PublishedVersion { get; set; }
    public Instant? PublishedAt { get; set; }
    public Guid? ClaimToken { get; set; }
    public Instant? ClaimedUntil { get; set; }
}

internal sealed class AlarmConfiguration : IEntityTypeConfiguration<Alarm>
{
    public void Configure(EntityTypeBuilder<Alarm> e)
    {
        e.HasKey(a => a.Id);
        e.Property(a => a.Centre).HasMaxLength(2);
        e.Property(a => a.AgreementId).HasMaxLength(64);
        e.Property(a => a.Sequences).HasMaxLength(256);
        e.Property(a => a.DedupeKey).HasMaxLength(200);
        e.Property(a => a.AcknowledgedBySubject).HasMaxLength(Audit.Actor.MaxLength);
        e.Property(a => a.ResolvedBySubject).HasMaxLength(Audit.Actor.MaxLength);
        e.HasIndex(a => a.DedupeKey).IsUnique();
        e.HasIndex(a => new { a.State, a.RaisedAt });
        e.HasIndex(a => a.RaisedAt);
        e.HasIndex(a => a.ChangedAt);
        // The feed's query: pending changes.
        e.HasIndex(a => new { a.PublishPending, a.ChangedAt });
    }
}
