using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NodaTime;

namespace LaunchNotify.Storage.Entities;

/// <summary>
/// A launch an operator or a detection feed recorded, with the verdict at recording time: covered by which notices, or
/// the LAUNCH_WITHOUT_NOTIFICATION alarm it raised. Rows are never changed or deleted: they are the record.
/// </summary>
public sealed class ObservedLaunch
{
    public Guid Id { get; set; }
    public Instant At { get; set; }
    public double LaunchLat { get; set; }
    public double LaunchLon { get; set; }
    public double? ImpactLat { get; set; }
    public double? ImpactLon { get; set; }

    /// <summary>The centre the launch is attributed to.</summary>
    public required string AttributedCentre { get; set; }

    /// <summary>Who or what reported it (an operator's name, a detection feed's id).</summary>
    public string? Source { get; set; }
    public string? Comment { get; set; }
    public Instant RecordedAt { get; set; }

    /// <summary>The tolerances the verdict used, so it can be reproduced.</summary>
    public double ToleranceKm { get; set; }
    public Duration WindowTolerance { get; set; }

    public bool Covered { get; set; }

    /// <summary>The assessment at recording time (covering notices, near misses, notices known only after the launch), as JSON.</summary>
    public required string AssessmentJson { get; set; }

    /// <summary>The LAUNCH_WITHOUT_NOTIFICATION alarm raised, when no notice covered it.</summary>
    public Guid? AlarmId { get; set; }
}

internal sealed class ObservedLaunchConfiguration : IEntityTypeConfiguration<ObservedLaunch>
{
    public void Configure(EntityTypeBuilder<ObservedLaunch> e)
    {
        e.HasKey(l => l.Id);
        e.Property(l => l.AttributedCentre).HasMaxLength(2);
        e.Property(l => l.Source).HasMaxLength(100);
        e.Property(l => l.Comment).HasMaxLength(1000);
        e.Property(l => l.WindowTolerance).HasConversion(d => d.BclCompatibleTicks, t => Duration.FromTicks(t));
        e.HasIndex(l => l.RecordedAt);
        e.HasIndex(l => new { l.AttributedCentre, l.At });
    }
}
