using LaunchNotify.Domain.Geodesy;
using System.Text.Json;
using LaunchNotify.Domain.Agreements;
using LaunchNotify.Domain.Alarms;
using LaunchNotify.Domain.Launches;
using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Alarms;
using LaunchNotify.Protocol.Agreements;
using LaunchNotify.Protocol.Json;
using LaunchNotify.Storage;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodaTime;
using NodaTime.Text;

namespace LaunchNotify.Node.Launches;

/// <summary>
/// Records observed launches and decides, from this centre's store, whether a notification covered each (see
/// <see cref="LaunchCoverage"/>): the inbox for a counterpart's launches, this centre's own sent messages for its
/// own. An uncovered launch raises LAUNCH_WITHOUT_NOTIFICATION (critical) in the same transaction as the record.
/// </summary>
public sealed class ObservedLaunchService(
    IDbContextFactory<NodeDbContext> dbFactory,
    NodeIdentity node,
    IClock clock,
    IAgreementSource agreements,
    AlarmBook alarms,
    ObservedLaunchOptions options,
    ILogger<ObservedLaunchService> logger)
{
    private static readonly string[] NoticeKinds =
        [MessageKind.PreNotification.WireName(), MessageKind.Amendment.WireName(), MessageKind.Cancellation.WireName()];

    /// <summary>The parties of every agreement this node knows (and this centre): the centres a launch may be attributed to.</summary>
    public IReadOnlySet<string> KnownCentres { get; } = KnownCentresOf(agreements, node.Centre);

    public Duration MaxClockSkew => options.MaxClockSkew;

    public Instant Now => clock.GetCurrentInstant();

    public static string AlarmKey(Guid launchId) => $"{AlarmKind.LaunchWithoutNotification.Code()}:{launchId:D}";

    public async Task<RecordedLaunch> RecordAsync(ObservedLaunchInput input, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (input.Id is { } given && await db.ObservedLaunches.AsNoTracking().SingleOrDefaultAsync(l => l.Id == given, ct) is { } existing)
            return new RecordedLaunch(await ToViewAsync(db, existing, ct), AlreadyRecorded: true);

        var now = clock.GetCurrentInstant();
        var id = input.Id ?? Guid.NewGuid();
        var observation = new LaunchObservation(input.At, input.LaunchPoint, input.ImpactPoint, input.Attributed);
        var assessment = LaunchCoverage.Assess(observation, await NoticesFromAsync(db, input.Attributed, ct), options.Tolerance);
        var impactNote = ImpactAcrossBoundary(input);
        // Only ballistic missiles and SLVs are notifiable: a cruise missile without notice is no violation, unless it
        // came down on the other side of a boundary, which is the crisis the agreements exist to prevent.
        var notifiable = input.Class != ObservedClass.Cruise;
        var stored = StoredAssessment.From(assessment) with { Class = input.Class.WireName(), ImpactNote = impactNote };
        var launch = new ObservedLaunch
        {
            Id = id,
            At = input.At,
            LaunchLat = input.LaunchPoint.Lat,
            LaunchLon = input.LaunchPoint.Lon,
            ImpactLat = input.ImpactPoint?.Lat,
            ImpactLon = input.ImpactPoint?.Lon,
            AttributedCentre = input.Attributed.Value,
            Source = input.Source,
            Comment = input.Comment,
            RecordedAt = now,
            ToleranceKm = options.Tolerance.DistanceKm,
            WindowTolerance = options.Tolerance.Window,
            Covered = assessment.IsCovered,
            AssessmentJson = JsonSerializer.Serialize(stored, WireJson.Options),
        };

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.ObservedLaunches.Add(launch);
        if (!assessment.IsCovered && (notifiable || impactNote is not null))
        {
            var alarm = await alarms.RaiseAsync(db, new AlarmRequest(
                AlarmKind.LaunchWithoutNotification,
                AlarmKey(id),
                Summary(input, assessment, impactNote),
                Centre: input.Attributed.Value,
                AgreementId: null,
                MessageId: null,
                DetailsJson: JsonSerializer.Serialize(new AlarmDetails(id, input.At, input.LaunchPoint, input.ImpactPoint, input.Source,
                    stored.NearMisses, stored.NotifiedAfterLaunch), WireJson.Options)), ct);
            launch.AlarmId = alarm?.Id;
        }
        try
        {
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch (DbUpdateException) when (input.Id is { } retried)
        {
            // The same launch sent twice at once: the other request stored it first, and its verdict stands.
            await tx.RollbackAsync(ct);
            db.ChangeTracker.Clear();
            var first = await db.ObservedLaunches.AsNoTracking().SingleOrDefaultAsync(l => l.Id == retried, ct);
            if (first is null)
                throw;
            return new RecordedLaunch(await ToViewAsync(db, first, ct), AlreadyRecorded: true);
        }

        if (assessment.IsCovered)
            logger.LogInformation("Observed launch {Id} attributed to {Centre} at {At}: covered by {Notices}", id, input.Attributed, input.At,
                string.Join(", ", assessment.Covering.Select(c => c.MessageId)));
        return new RecordedLaunch(await ToViewAsync(db, launch, ct), AlreadyRecorded: false);
    }

    public async Task<ObservedLaunchView?> GetAsync(Guid id, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var launch = await db.ObservedLaunches.AsNoTracking().SingleOrDefaultAsync(l => l.Id == id, ct);
        return launch is null ? null : await ToViewAsync(db, launch, ct);
    }

    /// <summary>Newest recorded first.</summary>
    public async Task<IReadOnlyList<ObservedLaunchView>> ListAsync(int limit, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var launches = await db.ObservedLaunches.AsNoTracking().OrderByDescending(l => l.RecordedAt).ThenByDescending(l => l.At).Take(limit).ToListAsync(ct);
        var views = new List<ObservedLaunchView>(launches.Count);
        foreach (var launch in launches)
            views.Add(await ToViewAsync(db, launch, ct));
        return views;
    }

    /// <summary>
    /// The stored verdict, plus what has reached this centre since: a notice that covers an uncovered launch only as
    /// known now arrived after it, so it does not cover it (the alarm stays for an operator), but it is shown.
    /// </summary>
    private async Task<ObservedLaunchView> ToViewAsync(NodeDbContext db, ObservedLaunch launch, CancellationToken ct)
    {
        var stored = JsonSerializer.Deserialize<StoredAssessment>(launch.AssessmentJson, WireJson.Options)
                     ?? throw new InvalidOperationException($"Observed launch {launch.Id} has no stored assessment.");
        var launchPoint = new GeoPoint(launch.LaunchLat, launch.LaunchLon);
        GeoPoint? impactPoint = launch.ImpactLat is { } lat && launch.ImpactLon is { } lon ? new GeoPoint(lat, lon) : null;
        var late = stored.NotifiedAfterLaunch;
        string? note = null;
        if (!launch.Covered)
        {
            var attributed = new CentreCode(launch.AttributedCentre);
            var now = LaunchCoverage.Assess(new LaunchObservation(launch.At, launchPoint, impactPoint, attributed),
                await NoticesFromAsync(db, attributed, ct), new CoverageTolerance(launch.ToleranceKm, launch.WindowTolerance));
            late = now.NotifiedAfterLaunch.Select(NoticeView.From).ToList();
            if (late.Count > 0)
                note = $"{string.Join("; ", late.SelectMany(l => l.Notes).Where(n => n.Code == CoverageCodes.KnownAfterLaunch).Select(n => n.Message))} " +
                       (launch.AlarmId is { } alarmId
                           ? $"Alarm {alarmId} stays: resolve it (launchnotify alarms resolve {alarmId} --by NAME) once the late notice is reviewed."
                           : "The launch still counts as unnotified.");
        }
        return new ObservedLaunchView(launch.Id, launch.At, launchPoint, impactPoint, launch.AttributedCentre, launch.Source, launch.Comment,
            launch.RecordedAt, launch.Covered, stored.Covering, launch.AlarmId, stored.NearMisses, late, note ?? NotNotifiable(stored, launch),
            launch.ToleranceKm, launch.WindowTolerance.TotalSeconds)
        {
            Class = stored.Class ?? "unknown",
            ImpactNote = stored.ImpactNote,
        };
    }

    private static string? NotNotifiable(StoredAssessment stored, ObservedLaunch launch) =>
        stored.Class == ObservedClass.Cruise.WireName() && !launch.Covered && launch.AlarmId is null
            ? "A cruise missile: not subject to the launch-notification agreements, so no notice was due and no alarm was raised."
            : null;

    /// <summary>Every pre-notification of <paramref name="centre"/> this centre holds, with its amendments and cancellations.</summary>
    private async Task<IReadOnlyList<NoticeHistory>> NoticesFromAsync(NodeDbContext db, CentreCode centre, CancellationToken ct)
    {
        // This centre's own launches are covered by what it sent; a counterpart's by what this centre accepted from it.
        var rows = centre == node.Centre
            ? await db.OutboundMessages.AsNoTracking()
                .Where(m => m.Sender == centre.Value && NoticeKinds.Contains(m.Kind))
                .Select(m => new NoticeRow(m.MessageId, m.Kind, m.RelatesTo, m.IssuedAt, m.PayloadJson))
                .ToListAsync(ct)
            : await db.Inbox.AsNoTracking()
                .Where(m => m.Sender == centre.Value && m.Outcome == InboxOutcome.Accepted && NoticeKinds.Contains(m.Kind) && m.PayloadJson != null)
                .Select(m => new NoticeRow(m.MessageId, m.Kind, m.RelatesTo, m.ReceivedAt, m.PayloadJson!))
                .ToListAsync(ct);

        var followUps = rows.Where(r => r.Kind != MessageKind.PreNotification.WireName() && r.RelatesTo is not null)
            .ToLookup(r => r.RelatesTo!.Value, r => new KnownFollowUp(MessageParser.ReadStored(r.PayloadJson), r.KnownAt));
        return rows.Where(r => r.Kind == MessageKind.PreNotification.WireName())
            .Select(r => new NoticeHistory((PreNotification)MessageParser.ReadStored(r.PayloadJson), r.KnownAt, followUps[r.MessageId].ToList()))
            .ToList();
    }

    /// <summary>
    /// Where an agreement's boundary names its sides and the launch is attributed to one of them: a note when the impact
    /// point lies on the other side (the BrahMos of 9 March 2022 came down near Mian Channu, in Pakistan).
    /// </summary>
    private string? ImpactAcrossBoundary(ObservedLaunchInput input)
    {
        if (input.ImpactPoint is not { } impact || agreements is not AgreementCatalog catalog)
            return null;
        foreach (var agreement in catalog.All)
        {
            if (agreement.Geography?.Boundary is not { Sides: { } sides } boundary || (input.Attributed != sides.Left && input.Attributed != sides.Right))
                continue;
            var owner = GreatCircle.SideOfPolyline(impact, boundary.Points) switch
            {
                PolylineSide.Left => sides.Left,
                PolylineSide.Right => sides.Right,
                _ => (CentreCode?)null,
            };
            if (owner is { } other && other != input.Attributed)
                return $"The impact point {impact} lies on the {other} side of the boundary '{boundary.Id}' ({agreement.Id}).";
        }
        return null;
    }

    private static string Summary(ObservedLaunchInput input, CoverageAssessment assessment, string? impactNote)
    {
        if (input.Class == ObservedClass.Cruise)
            return $"Cruise missile attributed to {input.Attributed} at {InstantPattern.General.Format(input.At)} from {input.LaunchPoint}: " +
                   $"not subject to launch notification, but {impactNote}";
        var where = input.ImpactPoint is { } impact ? $"from {input.LaunchPoint} to {impact}" : $"from {input.LaunchPoint}";
        var why = assessment.NearMisses.Count > 0
            ? $"; nearest notice {assessment.NearMisses[0].MessageId}: {string.Join(", ", assessment.NearMisses[0].Misses.Select(m => m.Code))}"
            : $"; {input.Attributed} had sent no notice known here by then";
        var late = assessment.NotifiedAfterLaunch.Count > 0 ? $" (a covering notice arrived only after the launch)" : "";
        var across = impactNote is null ? "" : " " + impactNote;
        return $"Launch attributed to {input.Attributed} at {InstantPattern.General.Format(input.At)} {where}: no notification covers it{why}{late}.{across}";
    }

    private static IReadOnlySet<string> KnownCentresOf(IAgreementSource agreements, CentreCode self)
    {
        // IAgreementSource only looks agreements up by id; the node always loads an AgreementCatalog.
        if (agreements is not AgreementCatalog catalog)
            throw new InvalidOperationException("Observed launches need the agreement catalog to know which centres exist.");
        return catalog.All.SelectMany(a => a.Parties).Select(c => c.Value).Append(self.Value).ToHashSet();
    }

    private sealed record NoticeRow(Guid MessageId, string Kind, Guid? RelatesTo, Instant KnownAt, string PayloadJson);

    private sealed record AlarmDetails(Guid ObservedLaunchId, Instant At, GeoPoint LaunchPoint, GeoPoint? ImpactPoint, string? Source,
        IReadOnlyList<NoticeView> NearMisses, IReadOnlyList<NoticeView> NotifiedAfterLaunch);
}

/// <param name="AlreadyRecorded">The same id was recorded before: this is that record, nothing new was stored.</param>
public sealed record RecordedLaunch(ObservedLaunchView View, bool AlreadyRecorded);

/// <summary>One observed launch and its verdict, as the API returns it.</summary>
public sealed record ObservedLaunchView(
    Guid Id,
    Instant At,
    GeoPoint LaunchPoint,
    GeoPoint? ImpactPoint,
    string AttributedCentre,
    string? Source,
    string? Comment,
    Instant RecordedAt,
    bool Covered,
    IReadOnlyList<NoticeView> CoveredBy,
    Guid? AlarmId,
    IReadOnlyList<NoticeView> NearMisses,
    IReadOnlyList<NoticeView> NotifiedAfterLaunch,
    string? Note,
    double ToleranceKm,
    double WindowToleranceSeconds)
{
    /// <summary>unknown, ballistic, slv, soundingRocket or cruise.</summary>
    public string Class { get; init; } = "unknown";

    /// <summary>Set when the impact point lies on the other party's side of an agreement's boundary.</summary>
    public string? ImpactNote { get; init; }
}

/// <summary>A notice weighed against a launch: its (effective) window, since when the centre knew it so, and why it does or does not cover.</summary>
public sealed record NoticeView(
    Guid MessageId, string AgreementId, Instant WindowStart, Instant WindowEnd, Instant KnownAt,
    IReadOnlyList<CoverageFinding> Misses, IReadOnlyList<CoverageFinding> Notes)
{
    public static NoticeView From(NoticeAssessment a) =>
        new(a.MessageId.Value, a.AgreementId.Value, a.Window.Start, a.Window.End, a.KnownAt, a.Misses, a.Notes);
}

/// <summary>The verdict as stored with the launch (evidence of what was known when it was recorded).</summary>
internal sealed record StoredAssessment(IReadOnlyList<NoticeView> Covering, IReadOnlyList<NoticeView> NearMisses, IReadOnlyList<NoticeView> NotifiedAfterLaunch)
{
    /// <summary>The observed class (wire name); null in launches recorded before classes were recorded.</summary>
    public string? Class { get; init; }

    /// <summary>Where the impact point fell on the other party's side of a boundary, what was noted.</summary>
    public string? ImpactNote { get; init; }

    public static StoredAssessment From(CoverageAssessment a) => new(
        a.Covering.Select(NoticeView.From).ToList(), a.NearMisses.Select(NoticeView.From).ToList(), a.NotifiedAfterLaunch.Select(NoticeView.From).ToList());
}

/// <summary>Configuration section <c>LaunchNotify:Launches</c>: <c>ToleranceKm</c> (default 50), <c>WindowTolerance</c> (a TimeSpan, default 0).</summary>
public sealed record ObservedLaunchOptions
{
    public CoverageTolerance Tolerance { get; init; } = CoverageTolerance.Default;

    /// <summary>How far ahead of this node's clock a launch instant may be (detection clocks differ a little), before it is refused.</summary>
    public Duration MaxClockSkew { get; init; } = Duration.FromMinutes(5);

    public static ObservedLaunchOptions From(IConfigurationSection section)
    {
        var defaults = CoverageTolerance.Default;
        try
        {
            var km = section["ToleranceKm"] is { Length: > 0 } kmText ? double.Parse(kmText, System.Globalization.CultureInfo.InvariantCulture) : defaults.DistanceKm;
            var window = section["WindowTolerance"] is { Length: > 0 } windowText
                ? Duration.FromTimeSpan(TimeSpan.Parse(windowText, System.Globalization.CultureInfo.InvariantCulture))
                : defaults.Window;
            return new ObservedLaunchOptions { Tolerance = new CoverageTolerance(km, window).Validate() };
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentOutOfRangeException)
        {
            throw new InvalidOperationException(
                $"Configuration {section.Path}: ToleranceKm must be a number of km (0 or more) and WindowTolerance a TimeSpan such as 00:05:00 ({e.Message}).", e);
        }
    }
}

public static class ObservedLaunchServices
{
    public static IServiceCollection AddObservedLaunches(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(ObservedLaunchOptions.From(configuration.GetSection("LaunchNotify:Launches")));
        services.AddSingleton<ObservedLaunchService>();
        return services;
    }
}
