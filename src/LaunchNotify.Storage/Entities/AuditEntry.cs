using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using LaunchNotify.Storage.Audit;
using NodaTime;

namespace LaunchNotify.Storage.Entities;

/// <summary>
/// One entry of the node's hash-chained audit log (docs/audit.md). Entries are only ever appended, through
/// <see cref="Audit.AuditChain.Append"/>; the sequence number, previous hash and hash are assigned when the caller's
/// transaction saves, under the chain's lock, so the publisher and subscriber of a centre never fork the chain.
/// </summary>
public sealed class AuditEntry
{
    /// <summary>1, 2, 3, … without gaps: a missing number is a deleted entry.</summary>
    public long Seq { get; set; }

    /// <summary>
    /// When it happened, at the store's precision (100 ns ticks, <see cref="Converters.InstantConverter"/>): an instant
    /// with finer digits is cut to the tick when set, so the hash covers exactly the instant that is stored and read back.
    /// </summary>
    public Instant At
    {
        get => _at;
        set => _at = Instant.FromUnixTimeTicks(value.ToUnixTimeTicks());
    }

    private Instant _at;

    /// <summary><c>submitted</c>, <c>published</c>, <c>received</c>, … (see docs/audit.md).</summary>
    public required string Type { get; set; }

    // The subject: what the event is about. Any of these may be absent.
    public Guid? MessageId { get; set; }
    public string? Centre { get; set; }
    public string? AgreementId { get; set; }
    public Guid? AlarmId { get; set; }

    // Who did it, when a person did (submitted, acknowledged, resolved, managed an account): the authenticated principal
    // from the token, never a typed name. Absent for what the node does by itself (received, published, alarm raised).
    public string? ActorSubject { get; set; }
    public string? ActorName { get; set; }

    /// <summary>The actor's roles, comma-separated, in ordinal order.</summary>
    public string? ActorRoles { get; set; }

    /// <summary>The event's details as canonical JSON (RFC 8785 form: sorted keys, no white space, integers only).</summary>
    public required string DetailsJson { get; set; }

    /// <summary>The previous entry's <see cref="Hash"/> (64 zeros for entry 1), lower-case hex.</summary>
    public string PrevHash { get; set; } = "";

    /// <summary>SHA-256 of this entry's canonical encoding, lower-case hex.</summary>
    public string Hash { get; set; } = "";

    /// <summary>Order of appending within one unit of work, before sequence numbers are assigned. Not stored.</summary>
    internal long AppendOrder { get; set; }
}

/// <summary>
/// The chain's head, one row: the last sequence number handed out and the hash of that entry. Appenders update it
/// first thing, which takes the row lock on PostgreSQL and the write lock on SQLite: that is what serializes them.
/// </summary>
public sealed class AuditChainHead
{
    public const int SingleRowId = 1;

    public int Id { get; set; }
    public long Seq { get; set; }
    public required string Hash { get; set; }
}

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> e)
    {
        e.ToTable("AuditEntries");
        e.HasKey(a => a.Seq);
        e.Property(a => a.Seq).ValueGeneratedNever();
        e.Property(a => a.Type).HasMaxLength(32);
        e.Property(a => a.Centre).HasMaxLength(2);
        e.Property(a => a.AgreementId).HasMaxLength(64);
        e.Property(a => a.ActorSubject).HasMaxLength(Actor.MaxLength);
        e.Property(a => a.ActorName).HasMaxLength(Actor.MaxLength);
        e.Property(a => a.ActorRoles).HasMaxLength(Actor.MaxLength);
        e.Property(a => a.PrevHash).HasMaxLength(64);
        e.Property(a => a.Hash).HasMaxLength(64);
        e.Ignore(a => a.AppendOrder);
        e.HasIndex(a => a.MessageId);
        e.HasIndex(a => a.AlarmId);
        e.HasIndex(a => a.At);
    }
}

internal sealed class AuditChainHeadConfiguration : IEntityTypeConfiguration<AuditChainHead>
{
    public void Configure(EntityTypeBuilder<AuditChainHead> e)
    {
        e.ToTable("AuditChainHead");
        e.HasKey(h => h.Id);
        e.Property(h => h.Id).ValueGeneratedNever();
        e.Property(h => h.Hash).HasMaxLength(64);
    }
}
