using System.Collections.Immutable;
using System.Globalization;
using LaunchNotify.Domain.Geodesy;
using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Timeliness;
using LaunchNotify.Domain.Validation;
using LaunchNotify.Domain.Values;
using NodaTime;
using NodaTime.Text;

namespace LaunchNotify.Domain.Launches;

/// <summary>
/// Whether any pre-notification covers an observed launch: a notice from the attributed centre, as it stood when the
/// launch happened (its amendments known by then applied, not cancelled by then), whose window contains the launch
/// instant and whose launch area (and, when an impact point is given, one of its impact areas) contains the observed
/// point, each within a <see cref="CoverageTolerance"/>.
/// </summary>
/// <remarks>
/// Only what the centre knew at the launch instant counts: a notice, amendment or cancellation that reached it later
/// neither covers the launch nor takes cover away, since the purpose is to tell whether anyone was warned. Such late
/// notices are reported in <see cref="CoverageAssessment.NotifiedAfterLaunch"/>. An area without an outline (a named
/// body of water) cannot be checked; it is given the benefit of the doubt and a note says so, because a critical alarm
/// should mean that no notice plausibly covered the launch.
/// </remarks>
public static class LaunchCoverage
{
    public static CoverageAssessment Assess(LaunchObservation launch, IEnumerable<NoticeHistory> notices, CoverageTolerance tolerance)
    {
        tolerance.Validate();
        var covering = new List<NoticeAssessment>();
        var missed = new List<NoticeAssessment>();
        var late = new List<NoticeAssessment>();
        foreach (var notice in notices.Where(n => n.Original.Sender == launch.Attributed))
        {
            var atLaunch = notice.KnownAt <= launch.At ? AssessAsOf(launch, notice, launch.At, tolerance) : null;
            if (atLaunch is { Covers: true })
            {
                covering.Add(atLaunch);
                continue;
            }
            // As it stood at the launch (a near miss), and, if what came later makes it cover, as known now.
            if (atLaunch is not null)
                missed.Add(atLaunch);
            var asKnownNow = AssessAsOf(launch, notice, Instant.MaxValue, tolerance);
            if (asKnownNow.Covers)
                late.Add(asKnownNow with { Notes = [.. asKnownNow.Notes, KnownTooLate(launch, asKnownNow)] });
        }
        return new CoverageAssessment(covering, NearestMisses(launch, missed, tolerance), late);
    }

    /// <summary>
    /// How far <paramref name="point"/> lies outside <paramref name="area"/> in km: 0 inside; null when the area has no
    /// outline (a named body of water). A circle: centre distance minus radius; a polygon or ocean quadrant (its sampled
    /// outline, <see cref="AreaGeometry.QuadrantOutline"/>): the distance to the nearest edge.
    /// </summary>
    public static double? DistanceOutsideKm(Area area, GeoPoint point) => area switch
    {
        CircleArea c => Math.Max(0, GreatCircle.DistanceKm(c.Centre, point) - c.RadiusKm),
        PolygonArea p => DistanceOutsidePolygonKm(p.Vertices, point),
        OceanQuadrantArea q => DistanceOutsidePolygonKm(AreaGeometry.QuadrantOutline(q), point),
        NamedWaterArea or OceanQuarterArea => null,
        _ => throw new ArgumentOutOfRangeException(nameof(area), area, "Unknown area shape."),
    };

    private static NoticeAssessment AssessAsOf(LaunchObservation launch, NoticeHistory notice, Instant asOf, CoverageTolerance tolerance)
    {
        var followUps = notice.FollowUps
            .Where(f => f.KnownAt <= asOf)
            .OrderBy(f => f.Message.IssuedAt).ThenBy(f => f.KnownAt)
            .ToList();
        var effective = notice.Original.WithAmendments(followUps.Select(f => f.Message).OfType<Amendment>());
        var knownAt = followUps.Select(f => f.KnownAt).Append(notice.KnownAt).Max();

        var misses = new List<CoverageFinding>();
        var notes = new List<CoverageFinding>();
        if (followUps.FirstOrDefault(f => f.Message is Cancellation) is { } cancellation)
            misses.Add(new(CoverageCodes.Cancelled,
                $"Cancelled by {cancellation.Message.MessageId}, known here from {Text(cancellation.KnownAt)}.")
            {
                Args = RuleArgs.Of(("reference", cancellation.Message.MessageId.ToString()), ("knownAt", RuleArgs.Of(cancellation.KnownAt))),
            });
        if (WindowMiss(launch.At, effective.LaunchWindow, tolerance.Window) is { } windowMiss)
            misses.Add(windowMiss);
        CheckLaunchArea(launch.LaunchPoint, effective.LaunchArea, tolerance.DistanceKm, misses, notes);
        if (launch.ImpactPoint is { } impact)
            CheckImpactAreas(impact, effective.ImpactAreas, tolerance.DistanceKm, misses, notes);
        return new NoticeAssessment(effective.MessageId, effective.AgreementId, effective.LaunchWindow, knownAt, misses, notes);
    }

    private static CoverageFinding? WindowMiss(Instant at, LaunchWindow window, Duration tolerance)
    {
        var outside = TimeOutside(at, window);
        if (outside <= tolerance)
            return null;
        var side = at < window.Start ? "before the window opens" : "after the window closed";
        return new(CoverageCodes.OutsideWindow,
            $"The launch at {Text(at)} is {DurationText.Format(outside)} {side} ({window}){ToleranceText(tolerance)}.")
        {
            // The tolerance is said only where there is one, as in the English sentence: its own form.
            Args = RuleArgs.Of([(RuleArgs.Form, (at < window.Start ? "before" : "after") + (tolerance == Duration.Zero ? "" : "Tolerance")),
                ("launchedAt", RuleArgs.Of(at)), ("outside", RuleArgs.Of(outside)), ("start", RuleArgs.Of(window.Start)), ("end", RuleArgs.Of(window.End)),
                .. tolerance == Duration.Zero ? [] : new[] { ("toleranceWindow", RuleArgs.Of(tolerance)) }]),
        };
    }

    private static void CheckLaunchArea(GeoPoint point, Area area, double toleranceKm, List<CoverageFinding> misses, List<CoverageFinding> notes)
    {
        switch (DistanceOutsideKm(area, point))
        {
            case null:
                notes.Add(new(CoverageCodes.LaunchAreaUncheckable,
                    $"The launch area {Describe(area)} has no outline, so the launch point {point} was not checked against it.")
                    { Args = PointArgs(point, ("areaKind", Area.WireType(area))) });
                break;
            case var km when km > toleranceKm:
                misses.Add(new(CoverageCodes.LaunchPointOutsideArea,
                    $"The launch point {point} is {Km(km.Value)} km outside the launch area {Describe(area)} (tolerance {Km(toleranceKm)} km).")
                    { Args = PointArgs(point, ("areaKind", Area.WireType(area)), ("distance", RuleArgs.Of(Math.Round(km.Value, 1))), ("toleranceKm", RuleArgs.Of(toleranceKm))) });
                break;
        }
    }

    private static void CheckImpactAreas(GeoPoint point, IReadOnlyList<Area> areas, double toleranceKm, List<CoverageFinding> misses, List<CoverageFinding> notes)
    {
        var distances = areas.Select(a => (Area: a, Km: DistanceOutsideKm(a, point))).ToList();
        if (distances.Any(d => d.Km <= toleranceKm))
            return;
        // An area without an outline might contain the point: do not count it as a miss.
        if (distances.FirstOrDefault(d => d.Km is null) is { Area: { } uncheckable })
        {
            notes.Add(new(CoverageCodes.ImpactAreaUncheckable,
                $"The impact area {Describe(uncheckable)} has no outline, so the impact point {point} was not checked against it.")
                { Args = PointArgs(point, ("areaKind", Area.WireType(uncheckable))) });
            return;
        }
        if (distances.Count == 0)
        {
            notes.Add(new(CoverageCodes.ImpactAreaUncheckable, $"The notice names no impact area, so the impact point {point} was not checked.")
                { Args = PointArgs(point, (RuleArgs.Form, "none")) });
            return;
        }
        var nearest = distances.MinBy(d => d.Km!.Value);
        misses.Add(new(CoverageCodes.ImpactPointOutsideAreas,
            $"The impact point {point} is {Km(nearest.Km!.Value)} km outside the nearest impact area {Describe(nearest.Area)} (tolerance {Km(toleranceKm)} km).")
            { Args = PointArgs(point, ("areaKind", Area.WireType(nearest.Area)), ("distance", RuleArgs.Of(Math.Round(nearest.Km!.Value, 1))), ("toleranceKm", RuleArgs.Of(toleranceKm))) });
    }

    /// <summary>The notices closest to covering: those whose window matched (only geography or a cancellation failed), else the nearest in time.</summary>
    private static IReadOnlyList<NoticeAssessment> NearestMisses(LaunchObservation launch, List<NoticeAssessment> missed, CoverageTolerance tolerance)
    {
        var inWindow = missed.Where(m => TimeOutside(launch.At, m.Window) <= tolerance.Window).ToList();
        if (inWindow.Count > 0)
            return inWindow;
        return missed.Count == 0 ? [] : [missed.MinBy(m => TimeOutside(launch.At, m.Window))!];
    }

    private static CoverageFinding KnownTooLate(LaunchObservation launch, NoticeAssessment notice) =>
        new(CoverageCodes.KnownAfterLaunch,
            $"Notice {notice.MessageId} covers this launch only as known from {Text(notice.KnownAt)}, " +
            $"{DurationText.Format(notice.KnownAt - launch.At)} after the launch: it warned nobody in time.")
        {
            Args = RuleArgs.Of(("reference", notice.MessageId.ToString()), ("knownAt", RuleArgs.Of(notice.KnownAt)), ("late", RuleArgs.Of(notice.KnownAt - launch.At))),
        };

    private static Duration TimeOutside(Instant at, LaunchWindow window) =>
        at < window.Start ? window.Start - at : at > window.End ? at - window.End : Duration.Zero;

    private static double DistanceOutsidePolygonKm(IReadOnlyList<GeoPoint> vertices, GeoPoint point)
    {
        if (AreaGeometry.PolygonContains(vertices, point))
            return 0;
        var min = double.PositiveInfinity;
        for (var i = 0; i < vertices.Count; i++)
            min = Math.Min(min, GreatCircle.DistanceToSegmentKm(point, vertices[i], vertices[(i + 1) % vertices.Count]));
        return min;
    }

    private static string Describe(Area area) => area.Name is { } name
        ? $"'{name}'"
        : area switch
        {
            CircleArea c => $"(circle of {Km(c.RadiusKm)} km around {c.Centre})",
            PolygonArea p => $"(polygon of {p.Vertices.Count} points)",
            OceanQuadrantArea q => $"({q.Quadrant} quadrant of {Km(q.RadiusKm)} km from {q.Corner})",
            OceanQuarterArea q => $"({q.Describe()})",
            _ => "(unnamed)",
        };

    /// <summary>A finding's arguments with the point it is about (<c>lat</c>, <c>lon</c>).</summary>
    private static ImmutableSortedDictionary<string, string> PointArgs(GeoPoint point, params (string Name, string Value)[] more) =>
        RuleArgs.Of([("lat", RuleArgs.Of(point.Lat)), ("lon", RuleArgs.Of(point.Lon)), .. more]);

    private static string ToleranceText(Duration tolerance) =>
        tolerance == Duration.Zero ? "" : $"; tolerance {DurationText.Format(tolerance)}";

    private static string Km(double km) => km.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Text(Instant instant) => InstantPattern.General.Format(instant);
}
