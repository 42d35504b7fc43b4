using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Values;
using NodaTime;

namespace LaunchNotify.Domain.Agreements;

public enum AgreementType { Bilateral, Multilateral }

/// <summary>What to do with a window longer than the agreement allows.</summary>
public enum LongWindowPolicy { Reject, Flag }

/// <summary>Fields of a pre-notification that an agreement may require beyond the schema's minimum.</summary>
public enum RequiredField { LaunchArea, ImpactAreas, PlannedAzimuth, PlannedDirection, MissileType, MissileRange }

/// <summary>
/// One launch-notification agreement, loaded from a JSON file in <c>agreements/</c> (schema
/// <c>schemas/v1/agreement.schema.json</c>). Every number is a named parameter; the ones the public text does not
/// fix are listed in <see cref="Assumptions"/>.
/// </summary>
public sealed record Agreement
{
    public required AgreementId Id { get; init; }
    public required string Title { get; init; }
    public required AgreementType Type { get; init; }
    public required IReadOnlyList<CentreCode> Parties { get; init; }
    public required AgreementScope Scope { get; init; }
    public required NotificationTerms Notification { get; init; }
    public required DeadlineTerms Deadlines { get; init; }
    public GroupingTerms? Grouping { get; init; }
    public GeographyTerms? Geography { get; init; }
    public DirectionTerms? Direction { get; init; }
    public IReadOnlyList<Assumption> Assumptions { get; init; } = [];
    public IReadOnlyList<Source> Sources { get; init; } = [];

    public bool IsParty(CentreCode centre) => Parties.Contains(centre);

    /// <summary>Whether the value of <paramref name="parameter"/> (e.g. <c>notification.minimumLeadTimeHours</c>) is ours, not the text's.</summary>
    public bool IsAssumedValue(string parameter) => Assumptions.Any(a => a.AssumedValue && a.Parameter == parameter);
}

/// <summary>Which launches the agreement covers.</summary>
public sealed record AgreementScope
{
    public required IReadOnlyList<MissileClass> MissileClasses { get; init; }

    /// <summary>Classes not covered whose notices are still welcome: accepted with a finding, not refused.</summary>
    public IReadOnlyList<MissileClass> VoluntaryClasses { get; init; } = [];

    /// <summary>Ballistic missiles are covered only above this planned range (km); null: any range. SLVs are always covered.</summary>
    public double? MinimumRangeKm { get; init; }

    /// <summary>Ballistic missiles are covered only when launched toward another party (see <see cref="Agreement.Direction"/>).</summary>
    public bool OnlyTowardParty { get; init; }

    public required string Description { get; init; }
}

/// <summary>How far ahead, and for how long, a launch must be notified.</summary>
public sealed record NotificationTerms
{
    public required Duration MinimumLeadTime { get; init; }
    public Duration? MaximumWindow { get; init; }
    public LongWindowPolicy LongWindowPolicy { get; init; } = LongWindowPolicy.Reject;
    public IReadOnlyList<RequiredField> RequiredFields { get; init; } = [];
}

/// <summary>Deadlines that raise alarms when missed.</summary>
public sealed record DeadlineTerms
{
    /// <summary>How long a recipient has to confirm receipt.</summary>
    public required Duration Receipt { get; init; }

    /// <summary>How long after the window closes the post-launch report is due.</summary>
    public required Duration PostLaunchReport { get; init; }

    public required Duration HeartbeatInterval { get; init; }

    /// <summary>How long a gap in the sequence may stay open before it is reported as missing.</summary>
    public required Duration MissingGrace { get; init; }

    /// <summary>How many heartbeats in a row may be missed before the link is declared silent.</summary>
    public required int SilentAfterMissedHeartbeats { get; init; }

    /// <summary>
    /// How long after a notification is received a person at the receiving centre must acknowledge it (a warning
    /// NOT_ACKNOWLEDGED when missed); null: the agreement sets no such deadline.
    /// </summary>
    public Duration? Acknowledgement { get; init; }

    /// <summary>How much longer after <see cref="Acknowledgement"/> the NOT_ACKNOWLEDGED alarm escalates to critical.</summary>
    public Duration? AcknowledgementEscalation { get; init; }
}

/// <summary>CN-RU style grouping: launches closer than these separations are one group or near-simultaneous.</summary>
public sealed record GroupingTerms
{
    public required Duration GroupLaunchMaxSeparation { get; init; }
    public required Duration NearSimultaneousMaxSeparation { get; init; }
}

/// <summary>IN-PK style distances from a boundary (given as a polyline).</summary>
public sealed record GeographyTerms
{
    public required Boundary Boundary { get; init; }
    public required double LaunchSiteMinDistanceKm { get; init; }
    public required double ImpactAreaMinDistanceKm { get; init; }
    public required double TrajectoryMinDistanceKm { get; init; }
    public bool TrajectoryMayCross { get; init; }
}

/// <summary>A boundary as a polyline of points (approximate; see the boundary file's own notes).</summary>
public sealed record Boundary(string Id, string Description, IReadOnlyList<GeoPoint> Points)
{
    /// <summary>Which party lies left and right of the line walked from its first point to its last; null if not given.</summary>
    public BoundarySides? Sides { get; init; }
}

/// <summary>The parties on either side of a boundary polyline, walked from its first point to its last.</summary>
public sealed record BoundarySides(CentreCode Left, CentreCode Right);

/// <summary>
/// How "toward another party" is decided. Where the agreement publishes compass sectors for the sending party
/// (<see cref="SenderSectors"/>), the planned azimuth must lie in one of them. Otherwise the planned azimuth lies within
/// <see cref="ToleranceDeg"/> of the initial bearing from the launch point to a recipient's reference point.
/// </summary>
public sealed record DirectionTerms
{
    public required IReadOnlyDictionary<CentreCode, GeoPoint> PartyReferencePoints { get; init; }
    public required double ToleranceDeg { get; init; }

    /// <summary>Per sending party, the azimuth sectors that count as "toward the other party".</summary>
    public IReadOnlyDictionary<CentreCode, IReadOnlyList<BearingSector>> SenderSectors { get; init; } =
        new Dictionary<CentreCode, IReadOnlyList<BearingSector>>();
}

/// <summary>
/// The azimuths from <see cref="FromDeg"/> clockwise to <see cref="ToDeg"/>, both included (e.g. 247.5 to 67.5 spans
/// west through north to north-east).
/// </summary>
public sealed record BearingSector(double FromDeg, double ToDeg, string? Name = null)
{
    public bool Contains(double azimuthDeg)
    {
        var span = Normalize(ToDeg - FromDeg);
        var offset = Normalize(azimuthDeg - FromDeg);
        return offset <= span;
    }

    private static double Normalize(double deg)
    {
        var d = deg % 360;
        return d < 0 ? d + 360 : d;
    }
}

/// <summary>
/// A parameter the public text does not fix, with why we chose its value. <see cref="AssumedValue"/>: the number
/// itself is ours (no public text gives one), so breaking it yields a finding, never a refusal.
/// </summary>
public sealed record Assumption(string Parameter, string Note, bool AssumedValue = false);

public sealed record Source(string Title, string? Url);
