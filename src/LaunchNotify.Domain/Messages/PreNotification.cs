using LaunchNotify.Domain.Values;

namespace LaunchNotify.Domain.Messages;

/// <summary>Notice of a planned launch: when (window), what (missile), from where, to where, in which direction.</summary>
public sealed record PreNotification : Message
{
    public override MessageKind Kind => MessageKind.PreNotification;

    public required LaunchWindow LaunchWindow { get; init; }
    public required Missile Missile { get; init; }
    public required Area LaunchArea { get; init; }
    /// <summary>Where the missiles are to fall; empty where the agreement does not ask (the Hague Code asks for none).</summary>
    public IReadOnlyList<Area> ImpactAreas { get; init; } = [];

    /// <summary>Planned azimuth in degrees clockwise from true north, [0, 360).</summary>
    public double? PlannedAzimuthDeg { get; init; }

    /// <summary>Planned direction in words, for agreements that ask only for a general direction.</summary>
    public string? PlannedDirection { get; init; }

    public string? Remarks { get; init; }
}
