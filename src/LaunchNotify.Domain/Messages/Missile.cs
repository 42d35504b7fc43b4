namespace LaunchNotify.Domain.Messages;

/// <summary>What is to be launched: class, optional type designation, how many, and whether as a group launch.</summary>
public sealed record Missile
{
    public Missile(MissileClass @class, int count = 1, bool groupLaunch = false, string? type = null, double? rangeKm = null)
    {
        if (count is < 1 or > 100)
            throw new ArgumentOutOfRangeException(nameof(count), count, "The number of missiles must be between 1 and 100.");
        if (groupLaunch && count < 2)
            throw new ArgumentException("A group launch has at least two missiles.", nameof(groupLaunch));
        if (rangeKm is { } r && (!double.IsFinite(r) || r is <= 0 or > 20000))
            throw new ArgumentOutOfRangeException(nameof(rangeKm), rangeKm, "A range must be above 0 and at most 20000 km.");
        if (type is { Length: > 100 })
            throw new ArgumentException("A missile type is at most 100 characters.", nameof(type));
        Class = @class;
        Count = count;
        GroupLaunch = groupLaunch;
        Type = string.IsNullOrWhiteSpace(type) ? null : type;
        RangeKm = rangeKm;
    }

    public MissileClass Class { get; }
    public int Count { get; }
    public bool GroupLaunch { get; }
    public string? Type { get; }

    /// <summary>Planned flight range in km, where the agreement's scope depends on it.</summary>
    public double? RangeKm { get; }
}
