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
}

/// <summary>Which launches the agreement covers.</summary>
public sealed record AgreementScope
{
    public required IReadOnlyList<MissileClass> MissileClasses { get; init; }

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
public sealed record Boundary(string Id, string Description, IReadOnlyList<GeoPoint> Points);

/// <summary>
/// How "toward another party" is decided: the planned azimuth lies within <see cref="ToleranceDeg"/> of the initial
/// bearing from the launch point to the party's reference point.
/// </summary>
public sealed record DirectionTerms
{
    public required IReadOnlyDictionary<CentreCode, GeoPoint> PartyReferencePoints { get; init; }
    public required double ToleranceDeg { get; init; }
}

/// <summary>A parameter the public text does not fix, with why we chose its value.</summary>
public sealed record Assumption(string Parameter, string Note);

public sealed record Source(string Title, string? Url);
