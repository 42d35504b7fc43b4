using LaunchNotify.Domain.Agreements;
using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Values;
using NodaTime;

namespace LaunchNotify.Domain.Rules;

/// <summary>
/// Everything one evaluation of an agreement's rules looks at. <see cref="Notification"/> is the launch being checked:
/// the pre-notification itself, or for an amendment its changes applied to <see cref="Original"/>.
/// </summary>
public sealed record RuleContext(
    Message Message,
    Agreement Agreement,
    EvaluatingSide Side,
    CentreCode EvaluatingCentre,
    Instant EvaluatedAt,
    PreNotification? Original)
{
    /// <summary>Computed on each read, so that a copy made with <c>with</c> never carries a stale launch.</summary>
    public PreNotification? Notification => Message switch
    {
        PreNotification p => p,
        Amendment a when Original is not null => a.Changes.ApplyTo(Original),
        _ => null,
    };

    /// <summary>
    /// The JSON Pointer of a top-level notification field (<c>launchWindow</c>, <c>missile</c>, <c>launchArea</c>,
    /// <c>impactAreas</c>, <c>plannedAzimuthDeg</c>, <c>plannedDirection</c>) in the message being evaluated. In an
    /// amendment a changed field lives under <c>/changes</c>; an unchanged one came from the original, so the pointer
    /// is <c>/amends</c>.
    /// </summary>
    public string PathOf(string field, string rest = "")
    {
        if (Message is not Amendment amendment)
            return "/" + field + rest;
        var c = amendment.Changes;
        var changed = field switch
        {
            "launchWindow" => c.LaunchWindow is not null,
            "missile" => c.Missile is not null,
            "launchArea" => c.LaunchArea is not null,
            "impactAreas" => c.ImpactAreas is not null,
            "plannedAzimuthDeg" => c.PlannedAzimuthDeg is not null,
            "plannedDirection" => c.PlannedDirection is not null,
            "remarks" => c.Remarks is not null,
            _ => throw new ArgumentOutOfRangeException(nameof(field), field, "Not a notification field."),
        };
        return changed ? "/changes/" + field + rest : "/amends";
    }

    internal bool IsSender => Side == EvaluatingSide.Sender;
}
