using System.Text.Json;
using System.Text.Json.Serialization;
using LaunchNotify.Node.Timeliness;
using LaunchNotify.Storage;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace LaunchNotify.Node.Acknowledgements;

/// <summary>Where a waiting notice stands against its acknowledgement deadline (camel case on the API: <c>noDeadline</c>, <c>pending</c>…).</summary>
[JsonConverter(typeof(AcknowledgementUrgencyConverter))]
public enum AcknowledgementUrgency
{
    /// <summary>The agreement sets no acknowledgement deadline.</summary>
    NoDeadline,
    /// <summary>Before the deadline.</summary>
    Pending,
    /// <summary>Past the deadline: NOT_ACKNOWLEDGED is raised as a warning.</summary>
    Overdue,
    /// <summary>Past the escalation too: NOT_ACKNOWLEDGED is critical.</summary>
    Escalated,
}

public sealed class AcknowledgementUrgencyConverter() : JsonStringEnumConverter<AcknowledgementUrgency>(JsonNamingPolicy.CamelCase, allowIntegerValues: false);

/// <summary>
/// One received notice waiting for a person. <see cref="Remaining"/> is until the deadline at the query's instant
/// (negative once overdue); a page that counts down starts from <see cref="DueAt"/> and <see cref="AsOf"/>.
/// </summary>
public sealed record AwaitingAcknowledgement(
    Guid MessageId,
    string Sender,
    string Kind,
    string? AgreementId,
    long? Sequence,
    Instant? IssuedAt,
    Instant ReceivedAt,
    Instant? WindowStart,
    Instant? WindowEnd,
    Instant? DueAt,
    Instant? EscalatesAt,
    Instant AsOf,
    Duration? Remaining,
    AcknowledgementUrgency Urgency);

/// <summary>
/// Data for the duty officer's page (no rendering): the received notifications this centre accepted that no person has
/// acknowledged yet, the most urgent first (earliest deadline; notices without one last, oldest first).
/// </summary>
public sealed class AwaitingAcknowledgementQuery(
    IDbContextFactory<NodeDbContext> dbFactory,
    IClock clock,
    TimelinessSettings settings,
    Domain.Agreements.IAgreementSource agreements)
{
    public const int MaxLimit = 1000;

    private static readonly string[] NotificationKinds = ["prenotification", "amendment", "cancellation", "postlaunch"];

    public async Task<IReadOnlyList<AwaitingAcknowledgement>> ListAsync(int limit, CancellationToken ct)
    {
        limit = Math.Clamp(limit, 1, MaxLimit);
        var now = clock.GetCurrentInstant();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var waiting = db.Inbox.AsNoTracking()
            .Where(m => m.AcknowledgedAt == null && m.Outcome == InboxOutcome.Accepted && NotificationKinds.Contains(m.Kind));
        // Two queries instead of ORDER BY on a nullable column, whose null ordering differs between SQLite and PostgreSQL.
        var withDeadline = await waiting.Where(m => m.AcknowledgeDueAt != null).OrderBy(m => m.AcknowledgeDueAt).ThenBy(m => m.ReceivedAt)
            .Take(limit).ToListAsync(ct);
        var rows = withDeadline.Count < limit
            ? [.. withDeadline, .. await waiting.Where(m => m.AcknowledgeDueAt == null).OrderBy(m => m.ReceivedAt).Take(limit - withDeadline.Count).ToListAsync(ct)]
            : withDeadline;
        return rows.Select(m => View(m, now)).ToList();
    }

    private AwaitingAcknowledgement View(InboxMessage m, Instant now)
    {
        var escalatesAt = m.AcknowledgeDueAt is { } due && settings.AcknowledgementEscalationFor(m.AgreementId, agreements) is { } escalation ? due + escalation : (Instant?)null;
        var urgency = m.AcknowledgeDueAt switch
        {
            null => AcknowledgementUrgency.NoDeadline,
            { } d when now < d => AcknowledgementUrgency.Pending,
            _ when escalatesAt is { } e && now >= e => AcknowledgementUrgency.Escalated,
            _ => AcknowledgementUrgency.Overdue,
        };
        return new AwaitingAcknowledgement(m.MessageId, m.Sender, m.Kind, m.AgreementId, m.Sequence, m.IssuedAt, m.ReceivedAt, m.WindowStart, m.WindowEnd,
            m.AcknowledgeDueAt, escalatesAt, now, m.AcknowledgeDueAt - now, urgency);
    }
}
