using NodaTime;

namespace LaunchNotify.Domain.Messages;

/// <summary>What is to be launched: class, optional type designation, how many, and whether as a group launch.</summary>
public sealed record Missile
{
    public Missile(MissileClass @class, int count = 1, bool groupLaunch = false, string? type = null, double? rangeKm = null)
    {
        if (Check(count, groupLaunch, type, rangeKm) is { } problem)
            throw new ArgumentException(problem.Message, problem.Field);
        Class = @class;
        Count = count;
        GroupLaunch = groupLaunch;
        Type = string.IsNullOrWhiteSpace(type) ? null : type;
        RangeKm = rangeKm;
    }

    /// <summary>Why these values make no missile (and which field is wrong), or null if they make one.</summary>
    public static (string Field, string Message)? Check(int count, bool groupLaunch, string? type, double? rangeKm) =>
        count is < 1 or > 100 ? ("count", "The number of missiles must be between 1 and 100.")
        : groupLaunch && count < 2 ? ("groupLaunch", "A group launch has at least two missiles.")
        : rangeKm is { } r && (!double.IsFinite(r) || r is <= 0 or > 20000) ? ("rangeKm", "A range must be above 0 and at most 20000 km.")
        : type is { Length: > 100 } ? ("type", "A missile type is at most 100 characters.")
        : null;

    public MissileClass Class { get; }
    public int Count { get; }
    public bool GroupLaunch { get; }
    public string? Type { get; }

    /// <summary>Planned flight range in km, where the agreement's scope depends on it.</summary>
    public double? RangeKm { get; }

    /// <summary>
    /// Each missile of a group launch on its own (schema 1.2): when it is planned to fly and which impact area it aims
    /// at. Empty when the notice gives only the window for all of them.
    /// </summary>
    public IReadOnlyList<PlannedLaunch> Launches { get; init; } = [];

    public bool Equals(Missile? other) =>
        other is not null && Class == other.Class && Count == other.Count && GroupLaunch == other.GroupLaunch && Type == other.Type
        && RangeKm == other.RangeKm && Launches.SequenceEqual(other.Launches);

    public override int GetHashCode() => HashCode.Combine(Class, Count, GroupLaunch, Type, RangeKm, Launches.Count);
}

/// <summary>One missile of a group launch: its planned launch instant, and the index of its impact area in the notice's <c>impactAreas</c>.</summary>
public sealed record PlannedLaunch(Instant PlannedAt, int? ImpactArea = null);
