using System.Globalization;
using System.Text.Json;
using LaunchNotify.Domain.Agreements;
using LaunchNotify.Domain.Geodesy;
using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Timeliness;
using LaunchNotify.Domain.Validation;
using LaunchNotify.Domain.Values;
using NodaTime;

namespace LaunchNotify.Domain.Rules;

/// <summary>What a lead time is measured to: the window's start, a start moved earlier, or a part added at the end.</summary>
internal enum LeadTimeTarget { Window, MovedEarlier, AddedPart }

// The rules on the launch itself: pre-notifications, and amendments (their changes applied to the original).
public sealed partial class AgreementValidator
{
    private static void Scope(RuleContext c, Report report)
    {
        if (c.Notification is not { } n)
            return;
        var scope = c.Agreement.Scope;
        if (scope.VoluntaryClasses.Contains(n.Missile.Class))
        {
            report.Finding(RuleCodes.ScopeClassVoluntary, c.PathOf("missile", "/class"),
                $"{c.Agreement.Id} does not cover {n.Missile.Class}; the notice is voluntary and welcome (recorded, not refused).",
                A(("agreement", c.Agreement.Id.ToString()), ("missileClass", MissileClassCode(n.Missile.Class))));
            return;
        }
        if (!scope.MissileClasses.Contains(n.Missile.Class))
        {
            report.Error(RuleCodes.ScopeClassNotCovered, c.PathOf("missile", "/class"),
                $"Missile class {n.Missile.Class} is not covered by {c.Agreement.Id}, which covers {List(scope.MissileClasses)}.",
                A(("missileClass", MissileClassCode(n.Missile.Class)), ("agreement", c.Agreement.Id.ToString()), ("classes", string.Join(",", scope.MissileClasses.Select(MissileClassCode)))));
            return;
        }
        if (n.Missile.Class == MissileClass.SLV || scope.MinimumRangeKm is not { } threshold)
            return;
        if (n.Missile.RangeKm is not { } range)
        {
            if (!c.Agreement.Notification.RequiredFields.Contains(RequiredField.MissileRange))
                report.Error(RuleCodes.ScopeRangeRequired, c.PathOf("missile", "/rangeKm"),
                    $"{c.Agreement.Id} covers ballistic missiles only above {Km(threshold)}; give the planned range so the scope can be decided.",
                    A(("agreement", c.Agreement.Id.ToString()), ("threshold", RuleArgs.Of(threshold))));
            return;
        }
        if (range <= threshold)
            report.Finding(RuleCodes.ScopeBelowRangeThreshold, c.PathOf("missile", "/rangeKm"),
                $"Planned range {Km(range)} is not above the {Km(threshold)} threshold of {c.Agreement.Id}: outside its scope, notified voluntarily.",
                A(("range", RuleArgs.Of(range)), ("threshold", RuleArgs.Of(threshold)), ("agreement", c.Agreement.Id.ToString())));
    }

    /// <summary>Whether the launch is a ballistic missile outside the agreement's range threshold (then direction does not matter).</summary>
    private static bool BelowRangeThreshold(RuleContext c, PreNotification n) =>
        c.Agreement.Scope.MinimumRangeKm is { } threshold && n.Missile.RangeKm is { } range && range <= threshold;

    private static void Direction(RuleContext c, Report report)
    {
        if (c.Notification is not { } n || !c.Agreement.Scope.OnlyTowardParty)
            return;
        if (n.Missile.Class == MissileClass.SLV || !c.Agreement.Scope.MissileClasses.Contains(n.Missile.Class) || BelowRangeThreshold(c, n))
            return;
        if (c.Agreement.Direction is not { } terms)
        {
            report.Finding(RuleCodes.DirectionUncheckable, c.PathOf("plannedAzimuthDeg"),
                $"{c.Agreement.Id} covers launches toward another party but defines no party reference points; the direction was not checked.",
                A(("form", "noTerms"), ("agreement", c.Agreement.Id.ToString())));
            return;
        }
        if (n.PlannedAzimuthDeg is not { } azimuth)
        {
            if (!c.Agreement.Notification.RequiredFields.Contains(RequiredField.PlannedAzimuth))
                report.Error(RuleCodes.ScopeAzimuthRequired, c.PathOf("plannedAzimuthDeg"),
                    $"{c.Agreement.Id} covers ballistic missiles launched toward another party; give the planned azimuth so the scope can be decided.",
                    A(("agreement", c.Agreement.Id.ToString())));
            return;
        }
        if (AreaGeometry.ReferencePoint(n.LaunchArea) is not { } launchPoint)
        {
            report.Finding(RuleCodes.DirectionUncheckable, c.PathOf("launchArea"),
                "The launch area has no coordinates; whether the launch is toward another party was not checked.",
                A(("form", "noLaunchPoint")));
            return;
        }
        if (terms.SenderSectors.TryGetValue(c.Message.Sender, out var sectors) && sectors.Count > 0)
        {
            if (sectors.Any(sector => sector.Contains(azimuth)))
                return;
            var named = string.Join("; ", sectors.Select(x => $"{x.Name ?? "sector"} ({Deg(x.FromDeg)} clockwise to {Deg(x.ToDeg)})"));
            var assumed = c.Agreement.IsAssumedValue("direction.senderSectors") ? " The sector edges are an assumption (see the agreement file)." : "";
            report.Finding(RuleCodes.ScopeNotTowardParty, c.PathOf("plannedAzimuthDeg"),
                $"Planned azimuth {Deg(azimuth)} lies outside the directions {c.Agreement.Id} counts as toward the other party for {c.Message.Sender}: " +
                $"{named}. Outside the scope, notified voluntarily.{assumed}",
                A(("form", assumed.Length > 0 ? "sectorAssumed" : "sector"), ("azimuth", RuleArgs.Of(azimuth)), ("agreement", c.Agreement.Id.ToString()),
                    ("sender", c.Message.Sender.ToString()),
                    ("sectors", string.Join(";", sectors.Select(x => $"{RuleArgs.Of(x.FromDeg)}~{RuleArgs.Of(x.ToDeg)}~{x.Name}")))));
            return;
        }
        var targets = c.Message.Recipients
            .Select(r => r.Centre)
            .Distinct()
            .Where(centre => terms.PartyReferencePoints.ContainsKey(centre))
            .Select(centre => (Centre: centre, Bearing: GreatCircle.InitialBearingDeg(launchPoint, terms.PartyReferencePoints[centre])))
            .Select(t => (t.Centre, t.Bearing, Off: GreatCircle.BearingDifferenceDeg(azimuth, t.Bearing)))
            .ToList();
        if (targets.Count == 0)
        {
            report.Finding(RuleCodes.DirectionUncheckable, "/recipients",
                $"{c.Agreement.Id} gives no reference point for any recipient; the direction was not checked.",
                A(("form", "noReferencePoint"), ("agreement", c.Agreement.Id.ToString())));
            return;
        }
        if (targets.Any(t => t.Off <= terms.ToleranceDeg))
            return;
        var nearest = targets.MinBy(t => t.Off);
        report.Finding(RuleCodes.ScopeNotTowardParty, c.PathOf("plannedAzimuthDeg"),
            $"Planned azimuth {Deg(azimuth)} is {Deg(nearest.Off)} off the bearing {Deg(nearest.Bearing)} toward {nearest.Centre} " +
            $"(tolerance {Deg(terms.ToleranceDeg)}): not toward another party, so outside the scope of {c.Agreement.Id}, notified voluntarily.",
            A(("form", "bearing"), ("azimuth", RuleArgs.Of(azimuth)), ("offBy", RuleArgs.Of(nearest.Off)), ("bearing", RuleArgs.Of(nearest.Bearing)),
                ("centre", nearest.Centre.ToString()), ("tolerance", RuleArgs.Of(terms.ToleranceDeg)), ("agreement", c.Agreement.Id.ToString())));
    }

    private static void LeadTime(RuleContext c, Report report)
    {
        if (c.Notification is not { } n)
            return;
        CheckLeadTime(c, report, n.LaunchWindow.Start, c.PathOf("launchWindow", "/start"), LeadTimeTarget.Window);
    }

    /// <summary>
    /// The lead-time rule for a launch that may happen from <paramref name="earliestLaunch"/>: the sender refuses a
    /// late notice (<see cref="RuleCodes.LeadTimeTooShort"/>, or <see cref="RuleCodes.WindowInPast"/>); the receiver
    /// records it (<see cref="RuleCodes.LateNotification"/>).
    /// </summary>
    private static void CheckLeadTime(RuleContext c, Report report, Instant earliestLaunch, string path, LeadTimeTarget target)
    {
        var required = c.Agreement.Notification.MinimumLeadTime;
        var margin = LeadTimeMargin.Compute(earliestLaunch, c.EvaluatedAt, required);
        if (margin.IsOnTime)
            return;
        var (what, whatPast) = target switch
        {
            LeadTimeTarget.Window => ("the window opens", "the window opened"),
            LeadTimeTarget.MovedEarlier => ("the window, moved earlier, opens", "the window, moved earlier, opened"),
            _ => ($"the added part of the window begins ({At(earliestLaunch)})", "the added part of the window began"),
        };
        var targetCode = JsonNamingCamel(target);
        (string, string)[] common = [("start", RuleArgs.Of(earliestLaunch)), ("agreement", c.Agreement.Id.ToString()), ("required", RuleArgs.Of(required))];
        var requirement = $"{c.Agreement.Id} requires at least {DurationText.Format(required)}";
        if (c.IsSender && !margin.WindowAlreadyOpen && c.Agreement.IsAssumedValue("notification.minimumLeadTimeHours"))
        {
            // The number is ours, not the text's: say so, never refuse.
            report.Finding(RuleCodes.LeadTimeTooShort, path,
                $"Notified {DurationText.Format(margin.Actual)} before {what}; {c.Agreement.Id} asks for {DurationText.Format(required)} ({margin.Describe()}), " +
                "a value the public text does not fix (an assumption in the agreement file): recorded, not refused.",
                A([("form", "assumed"), ("target", targetCode), ("actual", RuleArgs.Of(margin.Actual)), ("lateBy", RuleArgs.Of(margin.Lateness)), .. common]));
            return;
        }
        if (c.IsSender)
        {
            if (margin.WindowAlreadyOpen)
                report.Error(RuleCodes.WindowInPast, path,
                    $"{Capitalize(whatPast)} at {At(earliestLaunch)}, {DurationText.Format(-margin.Actual)} ago; {requirement} of notice.",
                    A([("target", targetCode + "Past"), ("ago", RuleArgs.Of(-margin.Actual)), .. common]));
            else
                report.Error(RuleCodes.LeadTimeTooShort, path,
                    $"Notified {DurationText.Format(margin.Actual)} before {what}; {requirement} ({margin.Describe()}).",
                    A([("target", targetCode), ("actual", RuleArgs.Of(margin.Actual)), ("lateBy", RuleArgs.Of(margin.Lateness)), .. common]));
            return;
        }
        var received = margin.WindowAlreadyOpen
            ? $"Received {DurationText.Format(-margin.Actual)} after {whatPast}"
            : $"Received {DurationText.Format(margin.Actual)} before {what}";
        var issued = LeadTimeMargin.Compute(earliestLaunch, c.Message.IssuedAt, required);
        var transit = issued.IsOnTime ? $" It was issued in time ({DurationText.Format(issued.Actual)} ahead): the delay was in transit." : "";
        var form = (margin.WindowAlreadyOpen ? "after" : "before") + (issued.IsOnTime ? "Transit" : "");
        List<(string, string)> args = [("form", form), ("target", margin.WindowAlreadyOpen ? targetCode + "Past" : targetCode),
            ("received", RuleArgs.Of(margin.WindowAlreadyOpen ? -margin.Actual : margin.Actual)), ("lateBy", RuleArgs.Of(margin.Lateness)), .. common];
        if (issued.IsOnTime)
            args.Add(("issuedAhead", RuleArgs.Of(issued.Actual)));
        report.Finding(RuleCodes.LateNotification, path, $"{received}; {requirement}: {margin.Describe()}.{transit}", A([.. args]));
    }

    private static void WindowLength(RuleContext c, Report report)
    {
        if (c.Notification is not { } n || c.Agreement.Notification.MaximumWindow is not { } maximum || n.LaunchWindow.Length <= maximum)
            return;
        // A maximum the public text does not fix is never grounds for refusal.
        var reject = c.Agreement.Notification.LongWindowPolicy == LongWindowPolicy.Reject && !c.Agreement.IsAssumedValue("notification.maximumWindowHours");
        var message = $"The launch window lasts {DurationText.Format(n.LaunchWindow.Length)}; {c.Agreement.Id} allows at most {DurationText.Format(maximum)}" +
                      (reject ? "." : " (recorded, not refused).");
        (string, string)[] args = [("length", RuleArgs.Of(n.LaunchWindow.Length)), ("agreement", c.Agreement.Id.ToString()), ("maximum", RuleArgs.Of(maximum))];
        if (reject)
            report.Error(RuleCodes.WindowTooLong, c.PathOf("launchWindow", "/end"), message, A(args));
        else
            report.Finding(RuleCodes.WindowTooLong, c.PathOf("launchWindow", "/end"), message, A([("form", "recorded"), .. args]));
    }

    /// <summary>
    /// Per-missile launches of a notice (schema 1.2) must agree with the notice itself (one per missile, inside the
    /// window, aiming at an impact area it names), and are weighed against the agreement's grouping values: missiles
    /// further apart than the group-launch separation are not one group launch; missiles this close are one even if
    /// not declared so. The shipped grouping values are assumptions, so those two give findings, never refusals.
    /// </summary>
    private static void GroupLaunch(RuleContext c, Report report)
    {
        if (c.Notification is not { } n || n.Missile.Launches is not { Count: > 0 } launches)
            return;
        var missile = n.Missile;
        if (launches.Count != missile.Count)
            report.Error(RuleCodes.GroupLaunchCountMismatch, c.PathOf("missile", "/launches"),
                $"The notice lists {launches.Count} launches for {missile.Count} missiles; give one per missile.",
                A(("launches", RuleArgs.Of(launches.Count)), ("missiles", RuleArgs.Of(missile.Count))));
        for (var i = 0; i < launches.Count; i++)
        {
            var launch = launches[i];
            if (!n.LaunchWindow.Contains(launch.PlannedAt))
                report.Error(RuleCodes.GroupLaunchOutsideWindow, c.PathOf("missile", $"/launches/{i}/plannedAt"),
                    $"Missile {i + 1} is planned at {At(launch.PlannedAt)}, outside the notified window ({At(n.LaunchWindow.Start)} to {At(n.LaunchWindow.End)}).",
                    A(("missile", RuleArgs.Of(i + 1)), ("plannedAt", RuleArgs.Of(launch.PlannedAt)), ("start", RuleArgs.Of(n.LaunchWindow.Start)),
                        ("end", RuleArgs.Of(n.LaunchWindow.End))));
            if (launch.ImpactArea is { } area && area >= n.ImpactAreas.Count)
                report.Error(RuleCodes.GroupLaunchImpactAreaUnknown, c.PathOf("missile", $"/launches/{i}/impactArea"),
                    $"Missile {i + 1} aims at impact area {area}, but the notice gives {n.ImpactAreas.Count} (numbered from 0).",
                    A(("missile", RuleArgs.Of(i + 1)), ("area", RuleArgs.Of(area)), ("areas", RuleArgs.Of(n.ImpactAreas.Count))));
        }
        if (c.Agreement.Grouping is not { } grouping || launches.Count < 2)
            return;
        var spread = launches.Max(l => l.PlannedAt) - launches.Min(l => l.PlannedAt);
        var assumed = c.Agreement.IsAssumedValue("grouping");
        var source = assumed ? " (working values, an assumption: see the agreement file)" : "";
        void Weigh(string code, string message, string? form, params (string, string)[] args)
        {
            var formed = form is null ? (assumed ? "assumed" : null) : assumed ? form + "Assumed" : form;
            (string, string)[] all = [("spread", RuleArgs.Of(spread)), ("agreement", c.Agreement.Id.ToString()),
                ("maxSeparation", RuleArgs.Of(grouping.GroupLaunchMaxSeparation)), .. args, .. formed is null ? [] : new[] { ("form", formed) }];
            if (assumed)
                report.Finding(code, c.PathOf("missile", "/launches"), message, A(all));
            else
                report.Error(code, c.PathOf("missile", "/launches"), message, A(all));
        }
        if (missile.GroupLaunch && spread > grouping.GroupLaunchMaxSeparation)
        {
            var what = spread <= grouping.NearSimultaneousMaxSeparation
                ? $"near-simultaneous launches (within {DurationText.Format(grouping.NearSimultaneousMaxSeparation)})"
                : "separate launches";
            Weigh(RuleCodes.GroupLaunchSpread,
                $"The missiles are planned {DurationText.Format(spread)} apart; {c.Agreement.Id} counts launches at most " +
                $"{DurationText.Format(grouping.GroupLaunchMaxSeparation)} apart as one group launch{source}, so these are {what}.",
                spread <= grouping.NearSimultaneousMaxSeparation ? "near" : "separate",
                spread <= grouping.NearSimultaneousMaxSeparation ? [("nearSeparation", RuleArgs.Of(grouping.NearSimultaneousMaxSeparation))] : []);
        }
        else if (!missile.GroupLaunch && spread <= grouping.GroupLaunchMaxSeparation)
        {
            Weigh(RuleCodes.GroupLaunchNotDeclared,
                $"The {missile.Count} missiles are planned within {DurationText.Format(spread)} of each other; {c.Agreement.Id} counts launches at most " +
                $"{DurationText.Format(grouping.GroupLaunchMaxSeparation)} apart as one group launch{source}: set groupLaunch.",
                null, ("missiles", RuleArgs.Of(missile.Count)));
        }
    }

    private static void RequiredFields(RuleContext c, Report report)
    {
        if (c.Notification is not { } n)
            return;
        foreach (var field in c.Agreement.Notification.RequiredFields.Distinct())
        {
            var (present, path, name) = field switch
            {
                RequiredField.LaunchArea => (n.LaunchArea is not null, c.PathOf("launchArea"), "a launch area"),
                RequiredField.ImpactAreas => (n.ImpactAreas is { Count: > 0 }, c.PathOf("impactAreas"), "at least one impact area"),
                RequiredField.PlannedAzimuth => (n.PlannedAzimuthDeg is not null, c.PathOf("plannedAzimuthDeg"), "the planned azimuth"),
                // An azimuth is a direction too: either satisfies an agreement that asks for the general direction.
                RequiredField.PlannedDirection => (!string.IsNullOrWhiteSpace(n.PlannedDirection) || n.PlannedAzimuthDeg is not null,
                    c.PathOf("plannedDirection"), "the planned direction (in words or as an azimuth)"),
                RequiredField.MissileType => (n.Missile.Type is not null, c.PathOf("missile", "/type"), "the missile type"),
                RequiredField.MissileRange => (n.Missile.RangeKm is not null, c.PathOf("missile", "/rangeKm"), "the planned range"),
                _ => throw new ArgumentOutOfRangeException(nameof(field), field, null),
            };
            if (!present)
                report.Error(RuleCodes.RequiredFieldMissing, path, $"{c.Agreement.Id} requires {name} in every notification.",
                    A(("agreement", c.Agreement.Id.ToString()), ("field", JsonNamingCamel(field))));
        }
    }

    private static void Geography(RuleContext c, Report report)
    {
        if (c.Notification is not { } n || c.Agreement.Geography is not { } terms)
            return;
        var boundary = terms.Boundary.Points;
        var named = $"boundary '{terms.Boundary.Id}'";

        var launchPath = c.PathOf("launchArea");
        switch (AreaGeometry.MinDistanceToPolylineKm(n.LaunchArea, boundary))
        {
            case null:
                report.Finding(RuleCodes.GeographyUncheckable, launchPath,
                    $"The launch area '{n.LaunchArea.Name ?? (n.LaunchArea as OceanQuarterArea)?.Describe()}' has no extent on the map; its distance from the {named} was not checked.",
                    A(("form", "launchArea"), ("areaName", n.LaunchArea.Name ?? (n.LaunchArea as OceanQuarterArea)?.Describe() ?? ""), ("boundary", terms.Boundary.Id)));
                break;
            case { } d when d < terms.LaunchSiteMinDistanceKm:
                report.Error(RuleCodes.LaunchSiteTooCloseToBoundary, launchPath,
                    $"The launch area is {Km(d)} from the {named}; {c.Agreement.Id} requires at least {Km(terms.LaunchSiteMinDistanceKm)}.",
                    A(("distance", RuleArgs.Of(d)), ("boundary", terms.Boundary.Id), ("agreement", c.Agreement.Id.ToString()), ("minimum", RuleArgs.Of(terms.LaunchSiteMinDistanceKm))));
                break;
        }

        var launchPoint = AreaGeometry.ReferencePoint(n.LaunchArea);
        SideOfBoundary(c, report, terms.Boundary, launchPoint, RuleCodes.LaunchSiteOnOtherSide, launchPath, "The launch area", null, extendEnds: true);
        for (var i = 0; i < n.ImpactAreas.Count; i++)
        {
            var area = n.ImpactAreas[i];
            var path = c.PathOf("impactAreas", $"/{i}");
            SideOfBoundary(c, report, terms.Boundary, AreaGeometry.ReferencePoint(area), RuleCodes.ImpactAreaOnOtherSide, path, $"Impact area {i + 1}", i + 1, extendEnds: false);
            switch (AreaGeometry.MinDistanceToPolylineKm(area, boundary))
            {
                case null:
                    report.Finding(RuleCodes.GeographyUncheckable, path,
                        $"Impact area {i + 1} ('{area.Name ?? (area as OceanQuarterArea)?.Describe()}') has no extent on the map; its distance from the {named} was not checked.",
                        A(("form", "impactArea"), ("area", RuleArgs.Of(i + 1)), ("areaName", area.Name ?? (area as OceanQuarterArea)?.Describe() ?? ""), ("boundary", terms.Boundary.Id)));
                    break;
                case { } d when d < terms.ImpactAreaMinDistanceKm:
                    report.Error(RuleCodes.ImpactAreaTooCloseToBoundary, path,
                        $"Impact area {i + 1} is {Km(d)} from the {named}; {c.Agreement.Id} requires at least {Km(terms.ImpactAreaMinDistanceKm)}.",
                        A(("area", RuleArgs.Of(i + 1)), ("distance", RuleArgs.Of(d)), ("boundary", terms.Boundary.Id), ("agreement", c.Agreement.Id.ToString()),
                            ("minimum", RuleArgs.Of(terms.ImpactAreaMinDistanceKm))));
                    break;
            }
            Trajectory(c, report, terms, launchPoint, AreaGeometry.ReferencePoint(area), i, path);
        }
    }

    /// <summary>
    /// A launch site or impact area must lie on the sender's own side of the boundary (the boundary file names the party on
    /// each side). Nothing is said where the side cannot be told: no sides in the file, a sender that is neither side,
    /// an area without coordinates. Beyond the ends of the line a launch site (on land: the Sindh or Gujarat coast) is
    /// judged by the end segment extended; an impact area there (open sea, where no boundary is agreed) is not.
    /// </summary>
    private static void SideOfBoundary(RuleContext c, Report report, Boundary boundary, GeoPoint? point, string code, string path, string what, int? area, bool extendEnds)
    {
        if (boundary.Sides is not { } sides || point is not { } p)
            return;
        var sender = c.Message.Sender;
        if (sender != sides.Left && sender != sides.Right)
            return;
        var owner = GreatCircle.SideOfPolyline(p, boundary.Points, extendEnds) switch
        {
            PolylineSide.Left => sides.Left,
            PolylineSide.Right => sides.Right,
            _ => (CentreCode?)null,
        };
        // The coordinates as the sentence gives them, to a thousandth of a degree: the arguments carry the same text.
        var (lat, lon) = (p.Lat.ToString("0.###", CultureInfo.InvariantCulture), p.Lon.ToString("0.###", CultureInfo.InvariantCulture));
        if (owner is { } other && other != sender)
            report.Error(code, path,
                $"{what} (lat {lat}, lon {lon}) lies on the {other} side of the boundary '{boundary.Id}'; {sender} may notify only launches from and impacts on its own side under {c.Agreement.Id}.",
                A([("lat", lat), ("lon", lon), ("other", other.ToString()), ("boundary", boundary.Id),
                    ("sender", sender.ToString()), ("agreement", c.Agreement.Id.ToString()), .. area is { } a ? new[] { ("area", RuleArgs.Of(a)) } : []]));
    }

    /// <summary>The trajectory to impact area <paramref name="i"/>: the great-circle arc between the two reference points.</summary>
    private static void Trajectory(RuleContext c, Report report, GeographyTerms terms, GeoPoint? from, GeoPoint? to, int i, string path)
    {
        var named = $"boundary '{terms.Boundary.Id}'";
        if (from is not { } a || to is not { } b)
        {
            report.Finding(RuleCodes.GeographyUncheckable, path,
                $"The trajectory to impact area {i + 1} could not be drawn (an area without coordinates); it was not checked against the {named}.",
                A(("form", "trajectory"), ("area", RuleArgs.Of(i + 1)), ("boundary", terms.Boundary.Id)));
            return;
        }
        if (GreatCircle.ArcCrossesPolyline(a, b, terms.Boundary.Points))
        {
            if (!terms.TrajectoryMayCross)
                report.Error(RuleCodes.TrajectoryCrossesBoundary, path,
                    $"The trajectory from the launch area to impact area {i + 1} crosses the {named}; {c.Agreement.Id} does not allow that.",
                    A(("area", RuleArgs.Of(i + 1)), ("boundary", terms.Boundary.Id), ("agreement", c.Agreement.Id.ToString())));
            return;
        }
        if (terms.TrajectoryMinDistanceKm <= 0)
            return;
        var d = GreatCircle.ArcToPolylineDistanceKm(a, b, terms.Boundary.Points);
        if (d < terms.TrajectoryMinDistanceKm)
            report.Error(RuleCodes.TrajectoryTooCloseToBoundary, path,
                $"The trajectory to impact area {i + 1} comes within {Km(d)} of the {named}; {c.Agreement.Id} requires at least {Km(terms.TrajectoryMinDistanceKm)}.",
                A(("area", RuleArgs.Of(i + 1)), ("distance", RuleArgs.Of(d)), ("boundary", terms.Boundary.Id), ("agreement", c.Agreement.Id.ToString()),
                    ("minimum", RuleArgs.Of(terms.TrajectoryMinDistanceKm))));
    }

    private static string MissileClassCode(MissileClass value) => JsonNamingPolicy.SnakeCaseUpper.ConvertName(value.ToString());

    private static string JsonNamingCamel<T>(T value) where T : struct, Enum => JsonNamingPolicy.CamelCase.ConvertName(value.ToString());

    private static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}
