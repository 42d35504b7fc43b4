using System.Text.Json;
using LaunchNotify.Domain.Agreements;
using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Launches;
using LaunchNotify.Protocol.Json;
using LaunchNotify.Storage;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace LaunchNotify.Node.Maps;

/// <summary>A pre-notification's geometry, sent by this centre or received by it.</summary>
public sealed record MapNotice(
    Guid MessageId, bool Sent, string Sender, string AgreementId, Instant WindowStart, Instant WindowEnd, Area LaunchArea, IReadOnlyList<Area> ImpactAreas);

/// <summary>An observed launch, and the notices that covered it when it was recorded (none: uncovered).</summary>
public sealed record MapLaunch(Guid Id, Instant At, GeoPoint LaunchPoint, GeoPoint? ImpactPoint, string AttributedCentre, IReadOnlyList<Guid> CoveredBy)
{
    public bool Covered => CoveredBy.Count > 0;
}

/// <summary>A boundary an agreement measures distances from, with its distance terms.</summary>
public sealed record MapBoundary(string AgreementId, GeographyTerms Terms);

/// <summary>What a map shows: notices, observed launches and the boundaries of the agreements concerned. Data only; the web draws it.</summary>
public sealed record MapData(IReadOnlyList<MapNotice> Notices, IReadOnlyList<MapLaunch> Launches, IReadOnlyList<MapBoundary> Boundaries)
{
    public static readonly MapData Empty = new([], [], []);
}

/// <summary>
/// Reads what the dashboard's, a notification's and the report's maps show from a node's store. Pre-notifications only
/// (their launch and impact areas as first notified; an amendment's new areas are not drawn).
/// </summary>
public sealed class MapQueries(IDbContextFactory<NodeDbContext> dbFactory, IAgreementSource agreements)
{
    private const string PreNotificationKind = "prenotification";

    /// <summary>The latest <paramref name="limit"/> pre-notifications sent and received, and the latest observed launches.</summary>
    public async Task<MapData> RecentAsync(int limit, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var sent = await db.OutboundMessages.AsNoTracking().Where(m => m.Kind == PreNotificationKind)
            .OrderByDescending(m => m.SubmittedAt).Take(limit).Select(m => new Row(m.MessageId, true, m.PayloadJson)).ToListAsync(ct);
        var received = await db.Inbox.AsNoTracking().Where(m => m.Kind == PreNotificationKind && m.Outcome == InboxOutcome.Accepted && m.PayloadJson != null)
            .OrderByDescending(m => m.ReceivedAt).Take(limit).Select(m => new Row(m.MessageId, false, m.PayloadJson!)).ToListAsync(ct);
        var launches = await db.ObservedLaunches.AsNoTracking().OrderByDescending(l => l.At).Take(limit).ToListAsync(ct);
        return Build([.. sent, .. received], launches);
    }

    /// <summary>One notification (sent or received) and the observed launches it covered; null when the store has no such pre-notification.</summary>
    public async Task<MapData?> NotificationAsync(Guid messageId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await db.OutboundMessages.AsNoTracking().Where(m => m.MessageId == messageId && m.Kind == PreNotificationKind)
                      .Select(m => new Row(m.MessageId, true, m.PayloadJson)).FirstOrDefaultAsync(ct)
                  ?? await db.Inbox.AsNoTracking().Where(m => m.MessageId == messageId && m.Kind == PreNotificationKind && m.PayloadJson != null)
                      .Select(m => new Row(m.MessageId, false, m.PayloadJson!)).FirstOrDefaultAsync(ct);
        if (row is null)
            return null;
        var id = messageId.ToString();
        // The covering notices are inside the stored assessment's JSON: a text match narrows, the parse decides.
        var launches = await db.ObservedLaunches.AsNoTracking().Where(l => l.Covered && l.AssessmentJson.Contains(id)).ToListAsync(ct);
        var data = Build([row], launches);
        return data with { Launches = data.Launches.Where(l => l.CoveredBy.Contains(messageId)).ToList() };
    }

    /// <summary>An agreement's pre-notifications whose window starts in [<paramref name="from"/>, <paramref name="to"/>), with the launches observed then.</summary>
    public async Task<MapData> PeriodAsync(string agreementId, string? counterpart, Instant from, Instant to, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var sent = db.OutboundMessages.AsNoTracking().Where(m => m.Kind == PreNotificationKind && m.AgreementId == agreementId && m.WindowStart >= from && m.WindowStart < to);
        if (counterpart is not null)
            sent = sent.Where(m => m.Deliveries.Any(d => d.Recipient == counterpart));
        var received = db.Inbox.AsNoTracking().Where(m => m.Kind == PreNotificationKind && m.AgreementId == agreementId && m.Outcome == InboxOutcome.Accepted
                                                           && m.PayloadJson != null && m.WindowStart >= from && m.WindowStart < to);
        if (counterpart is not null)
            received = received.Where(m => m.Sender == counterpart);
        var rows = await sent.Select(m => new Row(m.MessageId, true, m.PayloadJson)).ToListAsync(ct);
        rows.AddRange(await received.Select(m => new Row(m.MessageId, false, m.PayloadJson!)).ToListAsync(ct));
        var parties = agreements.TryGet(new AgreementId(agreementId), out var agreement) ? agreement.Parties.Select(p => p.Value).ToList() : [];
        var launches = await db.ObservedLaunches.AsNoTracking().Where(l => l.At >= from && l.At < to && parties.Contains(l.AttributedCentre)).ToListAsync(ct);
        return Build(rows, launches);
    }

    private MapData Build(IReadOnlyList<Row> rows, IReadOnlyList<ObservedLaunch> launches)
    {
        var notices = rows.Select(r => (r, MessageParser.ReadStored(r.PayloadJson))).Where(x => x.Item2 is PreNotification)
            .Select(x =>
            {
                var p = (PreNotification)x.Item2;
                return new MapNotice(x.r.MessageId, x.r.Sent, p.Sender.Value, p.AgreementId.Value, p.LaunchWindow.Start, p.LaunchWindow.End, p.LaunchArea, p.ImpactAreas);
            })
            .OrderBy(n => n.WindowStart).ThenBy(n => n.MessageId).ToList();
        var mapLaunches = launches.Select(l => new MapLaunch(l.Id, l.At, new GeoPoint(l.LaunchLat, l.LaunchLon),
                l.ImpactLat is { } lat && l.ImpactLon is { } lon ? new GeoPoint(lat, lon) : null, l.AttributedCentre,
                l.Covered ? Covering(l.AssessmentJson) : []))
            .OrderBy(l => l.At).ToList();
        var boundaries = notices.Select(n => n.AgreementId).Distinct()
            .Select(id => agreements.TryGet(new AgreementId(id), out var a) && a.Geography is { } g ? new MapBoundary(id, g) : null)
            .OfType<MapBoundary>().ToList();
        return new MapData(notices, mapLaunches, boundaries);
    }

    private static IReadOnlyList<Guid> Covering(string assessmentJson) =>
        JsonSerializer.Deserialize<StoredAssessment>(assessmentJson, WireJson.Options)?.Covering.Select(c => c.MessageId).ToList() ?? [];

    private sealed record Row(Guid MessageId, bool Sent, string PayloadJson);
}
