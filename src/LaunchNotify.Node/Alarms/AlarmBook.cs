using LaunchNotify.Domain.Alarms;
using LaunchNotify.Storage;
using LaunchNotify.Storage.Audit;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace LaunchNotify.Node.Alarms;

/// <summary>What a detector asks to raise. <see cref="DedupeKey"/> names the condition: the same key never raises twice.</summary>
public sealed record AlarmRequest(
    AlarmKind Kind,
    string DedupeKey,
    string Summary,
    string? Centre = null,
    string? AgreementId = null,
    Guid? MessageId = null,
    string? Sequences = null,
    string? DetailsJson = null,
    Instant? DueAt = null,
    bool FiredAfterRestart = false,
    AlarmSeverity? Severity = null);

/// <param name="Since">Raised at or after.</param>
/// <param name="ChangedSince">Raised, acknowledged or resolved at or after; the list is then oldest change first (to follow changes).</param>
public sealed record AlarmFilter(AlarmState? State = null, AlarmKind? Kind = null, bool OpenOnly = false, Instant? Since = null, int Limit = 200,
    Instant? ChangedSince = null);

public sealed class AlarmNotFoundException(Guid id) : Exception($"No alarm {id} in this centre's store.");

/// <summary>
/// The one place alarms are raised, acknowledged and resolved. Raising and automatic resolution join the caller's
/// unit of work (<paramref name="db"/> is saved by the caller, in the same transaction as the state that caused it);
/// operator actions save themselves.
/// </summary>
public sealed class AlarmBook(IDbContextFactory<NodeDbContext> dbFactory, IClock clock, ILogger<AlarmBook> log)
{
    public const string SystemActor = "system";

    /// <summary>Adds the alarm to <paramref name="db"/> unless one with the same key exists (then returns null).</summary>
    public async Task<Alarm?> RaiseAsync(NodeDbContext db, AlarmRequest request, CancellationToken ct)
    {
        if (db.Alarms.Local.Any(a => a.DedupeKey == request.DedupeKey)
            || await db.Alarms.AnyAsync(a => a.DedupeKey == request.DedupeKey, ct))
            return null;
        var alarm = new Alarm
        {
            Id = Guid.NewGuid(),
            Kind = request.Kind,
            Severity = request.Severity ?? request.Kind.DefaultSeverity(),
            State = AlarmState.Open,
            Centre = request.Centre,
            AgreementId = request.AgreementId,
            MessageId = request.MessageId,
            Sequences = request.Sequences,
            DedupeKey = request.DedupeKey,
            RaisedAt = clock.GetCurrentInstant(),
            DueAt = request.DueAt,
            FiredAfterRestart = request.FiredAfterRestart,
            Summary = request.Summary,
            DetailsJson = request.DetailsJson,
            Version = 1,
            PublishPending = true,
        };
        alarm.ChangedAt = alarm.RaisedAt;
        db.Alarms.Add(alarm);
        Audit.AuditLog.Append(db, Audit.AuditEvent.AlarmRaised(alarm));
        log.LogWarning("ALARM {Kind} ({Severity}) {Summary}{Restart}", request.Kind.Code(), alarm.Severity, request.Summary,
            request.FiredAfterRestart ? " [fell due while the node was down]" : "");
        return alarm;
    }

    /// <summary>Resolves the open (or acknowledged) alarm with this key, if any, because the condition cleared.</summary>
    public async Task<Alarm?> ResolveByKeyAsync(NodeDbContext db, string dedupeKey, string comment, CancellationToken ct)
    {
        var alarm = db.Alarms.Local.FirstOrDefault(a => a.DedupeKey == dedupeKey)
                    ?? await db.Alarms.SingleOrDefaultAsync(a => a.DedupeKey == dedupeKey, ct);
        if (alarm is null || alarm.State == AlarmState.Resolved)
            return null;
        Resolve(alarm, SystemActor, null, comment);
        Audit.AuditLog.Append(db, Audit.AuditEvent.AlarmResolved(alarm, null));
        return alarm;
    }

    /// <summary>
    /// Raises the severity of the unresolved alarm with this key (an escalation level of the same condition: one alarm,
    /// a new version for the feed); null when there is none or it is resolved or already at least that severe.
    /// </summary>
    public async Task<Alarm?> EscalateByKeyAsync(NodeDbContext db, string dedupeKey, AlarmSeverity severity, string summary, CancellationToken ct)
    {
        var alarm = db.Alarms.Local.FirstOrDefault(a => a.DedupeKey == dedupeKey)
                    ?? await db.Alarms.SingleOrDefaultAsync(a => a.DedupeKey == dedupeKey, ct);
        if (alarm is null || alarm.State == AlarmState.Resolved || alarm.Severity >= severity)
            return null;
        var now = clock.GetCurrentInstant();
        alarm.Severity = severity;
        alarm.Summary = summary;
        Changed(alarm, now);
        Audit.AuditLog.Append(db, Audit.AuditEvent.AlarmEscalated(alarm, now));
        log.LogWarning("ALARM {Kind} escalated to {Severity}: {Summary}", alarm.Kind.Code(), severity, summary);
        return alarm;
    }

    /// <summary>
    /// Rewrites the summary and details of the unresolved alarm with this key, and raises its severity to
    /// <paramref name="severity"/> if that is higher (never lowers it): the same condition, now known better. One alarm,
    /// a new version for the feed; null when there is none or it is resolved.
    /// </summary>
    public async Task<Alarm?> UpdateByKeyAsync(NodeDbContext db, string dedupeKey, string summary, string? detailsJson,
        AlarmSeverity? severity, CancellationToken ct)
    {
        var alarm = db.Alarms.Local.FirstOrDefault(a => a.DedupeKey == dedupeKey)
                    ?? await db.Alarms.SingleOrDefaultAsync(a => a.DedupeKey == dedupeKey, ct);
        if (alarm is null || alarm.State == AlarmState.Resolved)
            return null;
        var now = clock.GetCurrentInstant();
        if (severity is { } s && s > alarm.Severity) alarm.Severity = s;
        alarm.Summary = summary;
        alarm.DetailsJson = detailsJson;
        Changed(alarm, now);
        Audit.AuditLog.Append(db, Audit.AuditEvent.AlarmUpdated(alarm, now));
        log.LogWarning("ALARM {Kind} ({Severity}) updated: {Summary}", alarm.Kind.Code(), alarm.Severity, summary);
        return alarm;
    }

    /// <param name="by">The authenticated account acting (from its token, never a typed name).</param>
    public async Task<Alarm> AcknowledgeAsync(Guid id, Actor by, string? comment, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var alarm = await db.Alarms.SingleOrDefaultAsync(a => a.Id == id, ct) ?? throw new AlarmNotFoundException(id);
        if (alarm.State == AlarmState.Open)
        {
            alarm.State = AlarmState.Acknowledged;
            alarm.AcknowledgedAt = clock.GetCurrentInstant();
            alarm.AcknowledgedBy = by.Name;
            alarm.AcknowledgedBySubject = by.Subject;
            alarm.AcknowledgeComment = comment;
            Changed(alarm, alarm.AcknowledgedAt.Value);
            Audit.AuditLog.Append(db, Audit.AuditEvent.AlarmAcknowledged(alarm, by));
            await db.SaveChangesAsync(ct);
            log.LogInformation("Alarm {Id} {Kind} acknowledged by {By}", id, alarm.Kind.Code(), by.Name);
        }
        return alarm;
    }

    public async Task<Alarm> ResolveAsync(Guid id, Actor by, string? comment, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var alarm = await db.Alarms.SingleOrDefaultAsync(a => a.Id == id, ct) ?? throw new AlarmNotFoundException(id);
        if (alarm.State != AlarmState.Resolved)
        {
            Resolve(alarm, by.Name, by.Subject, comment);
            Audit.AuditLog.Append(db, Audit.AuditEvent.AlarmResolved(alarm, by));
            await db.SaveChangesAsync(ct);
        }
        return alarm;
    }

    public async Task<Alarm?> GetAsync(Guid id, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Alarms.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, ct);
    }

    public async Task<IReadOnlyList<Alarm>> ListAsync(AlarmFilter filter, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var query = db.Alarms.AsNoTracking();
        if (filter.OpenOnly)
            query = query.Where(a => a.State != AlarmState.Resolved);
        if (filter.State is { } state)
            query = query.Where(a => a.State == state);
        if (filter.Kind is { } kind)
            query = query.Where(a => a.Kind == kind);
        if (filter.Since is { } since)
            query = query.Where(a => a.RaisedAt >= since);
        if (filter.ChangedSince is { } changedSince)
            return await query.Where(a => a.ChangedAt >= changedSince).OrderBy(a => a.ChangedAt).ThenBy(a => a.Id).Take(filter.Limit).ToListAsync(ct);
        return await query.OrderByDescending(a => a.RaisedAt).Take(filter.Limit).ToListAsync(ct);
    }

    private void Resolve(Alarm alarm, string by, string? bySubject, string? comment)
    {
        alarm.State = AlarmState.Resolved;
        alarm.ResolvedAt = clock.GetCurrentInstant();
        alarm.ResolvedBy = by;
        alarm.ResolvedBySubject = bySubject;
        alarm.ResolveComment = comment;
        Changed(alarm, alarm.ResolvedAt.Value);
        log.LogInformation("Alarm {Id} {Kind} resolved by {By}: {Comment}", alarm.Id, alarm.Kind.Code(), by, comment);
    }

    /// <summary>Every change is a new version for the alarm feed to publish.</summary>
    private static void Changed(Alarm alarm, Instant at)
    {
        alarm.Version++;
        alarm.ChangedAt = at;
        alarm.PublishPending = true;
    }
}
