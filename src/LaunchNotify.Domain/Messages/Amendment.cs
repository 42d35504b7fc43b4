using LaunchNotify.Domain.Values;

namespace LaunchNotify.Domain.Messages;

/// <summary>A change to a notified launch (e.g. a window extension). Only the fields that change are given.</summary>
public sealed record Amendment : Message
{
    public override MessageKind Kind => MessageKind.Amendment;

    /// <summary>The pre-notification this amends.</summary>
    public required MessageId Amends { get; init; }
    public required string Reason { get; init; }
    public required NotificationChanges Changes { get; init; }
}

/// <summary>The new values of an amended notification; a null field is unchanged.</summary>
public sealed record NotificationChanges
{
    public LaunchWindow? LaunchWindow { get; init; }
    public Missile? Missile { get; init; }
    public Area? LaunchArea { get; init; }
    public IReadOnlyList<Area>? ImpactAreas { get; init; }
    public double? PlannedAzimuthDeg { get; init; }
    public string? PlannedDirection { get; init; }
    public string? Remarks { get; init; }

    /// <summary>The notification as it stands after this change.</summary>
    public PreNotification ApplyTo(PreNotification original) => original with
    {
        LaunchWindow = LaunchWindow ?? original.LaunchWindow,
        Missile = Missile ?? original.Missile,
        LaunchArea = LaunchArea ?? original.LaunchArea,
        ImpactAreas = ImpactAreas ?? original.ImpactAreas,
        PlannedAzimuthDeg = PlannedAzimuthDeg ?? original.PlannedAzimuthDeg,
        PlannedDirection = PlannedDirection ?? original.PlannedDirection,
        Remarks = Remarks ?? original.Remarks,
    };
}
