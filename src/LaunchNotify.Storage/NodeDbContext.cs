using LaunchNotify.Storage.Converters;
using LaunchNotify.Storage.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace LaunchNotify.Storage;

/// <summary>
/// One centre node's store. The publisher and subscriber of a centre share it. It also keeps the node's accounts
/// (ASP.NET Core Identity's users, roles and password hashes; docs/security.md).
/// </summary>
public class NodeDbContext(DbContextOptions<NodeDbContext> options) : IdentityDbContext<IdentityUser, IdentityRole, string>(options)
{
    public DbSet<OutboundMessage> OutboundMessages => Set<OutboundMessage>();
    public DbSet<Delivery> Deliveries => Set<Delivery>();
    public DbSet<OutboxEntry> Outbox => Set<OutboxEntry>();
    public DbSet<InboxMessage> Inbox => Set<InboxMessage>();
    public DbSet<ObservedLaunch> ObservedLaunches => Set<ObservedLaunch>();
    public DbSet<SequenceCounter> SequenceCounters => Set<SequenceCounter>();
    public DbSet<Alarm> Alarms => Set<Alarm>();
    public DbSet<Deadline> Deadlines => Set<Deadline>();
    public DbSet<InboundSequence> InboundSequences => Set<InboundSequence>();

    /// <summary>
    /// Whether a save inside a transaction writes the new rows of the hot path itself (<see cref="NewRows"/>) before
    /// EF Core saves the rest: set by the group committer on its writer, whose steps only add such rows.
    /// </summary>
    internal bool WritesNewRowsItself { get; set; }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default) =>
        WritesNewRowsItself && acceptAllChangesOnSuccess && Database.CurrentTransaction is not null && NewRows.Find(this) is { } rows
            ? SaveWithNewRowsAsync(rows, cancellationToken)
            : base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);

    private async Task<int> SaveWithNewRowsAsync(NewRows rows, CancellationToken ct)
    {
        var written = await rows.WriteAsync(this, ct);
        try
        {
            return written.Count + await base.SaveChangesAsync(true, ct);
        }
        catch
        {
            NewRows.TrackAgain(this, written);
            throw;
        }
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configuration)
    {
        configuration.Properties<Instant>().HaveConversion<InstantConverter>();
        configuration.Properties<Enum>().HaveConversion<string>().HaveMaxLength(32);
    }

    // Audit entries are numbered, linked and hashed as they save, in the saving transaction (docs/audit.md).
    /// <summary>Options made elsewhere than <see cref="StorageOptions.Configure"/> (tools, tests) get the audit chain too.</summary>
    protected override void OnConfiguring(DbContextOptionsBuilder options)
    {
        var interceptors = options.Options.FindExtension<Microsoft.EntityFrameworkCore.Infrastructure.CoreOptionsExtension>()?.Interceptors;
        if (interceptors?.Contains(Audit.AuditChainInterceptor.Instance) != true)
            options.AddInterceptors(Audit.AuditChainInterceptor.Instance);
    }

    protected override void OnModelCreating(ModelBuilder model)
    {
        base.OnModelCreating(model);
        // Newer entities carry their own IEntityTypeConfiguration beside them (Entities/*.cs).
        model.ApplyConfigurationsFromAssembly(typeof(NodeDbContext).Assembly);
        model.Entity<OutboundMessage>(e =>
        {
            e.HasKey(m => m.MessageId);
            e.Property(m => m.Kind).HasMaxLength(32);
            e.Property(m => m.AgreementId).HasMaxLength(64);
            e.Property(m => m.Sender).HasMaxLength(2);
            e.Property(m => m.SubmittedBySubject).HasMaxLength(Audit.Actor.MaxLength);
            e.Property(m => m.SubmittedByName).HasMaxLength(Audit.Actor.MaxLength);
            e.HasMany(m => m.Deliveries).WithOne(d => d.Message).HasForeignKey(d => d.MessageId);
            e.HasIndex(m => m.IssuedAt);
            e.HasIndex(m => m.RelatesTo);
        });
        model.Entity<Delivery>(e =>
        {
            e.HasKey(d => new { d.MessageId, d.Recipient });
            e.Property(d => d.Recipient).HasMaxLength(2);
            e.HasIndex(d => d.Status);
        });
        model.Entity<OutboxEntry>(e =>
        {
            e.HasKey(o => o.Id);
            e.Property(o => o.Kind).HasMaxLength(32);
            e.Property(o => o.Recipient).HasMaxLength(2);
            e.Property(o => o.RoutingKey).HasMaxLength(64);
            e.Property(o => o.TraceParent).HasMaxLength(64);
            // The dispatcher's query: unpublished entries in order.
            e.HasIndex(o => new { o.PublishedAt, o.Id });
        });
        model.Entity<InboxMessage>(e =>
        {
            // A message is (sender, id): a centre cannot pre-empt or shadow another centre's message by reusing its id.
            e.HasKey(m => new { m.Sender, m.MessageId });
            e.Property(m => m.Kind).HasMaxLength(32);
            e.Property(m => m.Sender).HasMaxLength(2);
            e.Property(m => m.AgreementId).HasMaxLength(64);
            e.HasIndex(m => m.ReceivedAt);
            e.HasIndex(m => new { m.Sender, m.AgreementId, m.Sequence });
            e.Property(m => m.AcknowledgedBySubject).HasMaxLength(Audit.Actor.MaxLength);
            e.Property(m => m.AcknowledgedByName).HasMaxLength(Audit.Actor.MaxLength);
            // The duty officer's list: notices still waiting for a person, by deadline.
            e.HasIndex(m => new { m.AcknowledgedAt, m.AcknowledgeDueAt });
        });
        model.Entity<SequenceCounter>(e =>
        {
            e.HasKey(c => new { c.Sender, c.Recipient, c.AgreementId, c.Stream });
            e.Property(c => c.Sender).HasMaxLength(2);
            e.Property(c => c.Recipient).HasMaxLength(2);
            e.Property(c => c.AgreementId).HasMaxLength(64);
            e.Property(c => c.Stream).HasMaxLength(16);
        });
    }
}
