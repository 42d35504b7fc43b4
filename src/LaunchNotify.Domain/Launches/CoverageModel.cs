using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Values;
using NodaTime;

namespace LaunchNotify.Domain.Launches;

/// <summary>
/// A launch seen by an operator or a detection feed: when, roughly where from, optionally where it came down, and the
/// centre it is attributed to.
/// </summary>
public sealed record LaunchObservation(Instant At, GeoPoint LaunchPoint, GeoPoint? ImpactPoint, CentreCode Attributed);

/// <summary>
/// One pre-notification as a centre knows it: the original, when it got it, and the amendments and cancellations that
/// followed, each with the instant it got them (received from a counterpart, or issued by this centre itself).
/// </summary>
public sealed record NoticeHistory(PreNotification Original, Instant KnownAt, IReadOnlyList<KnownFollowUp> FollowUps);

/// <summary>An amendment or cancellation of a notice, and when the centre got it.</summary>
public sealed record KnownFollowUp(Message Message, Instant KnownAt);

/// <summary>How far an observation may fall outside a notice and still be covered by it.</summary>
/// <param name="DistanceKm">Beyond an area's edge (a circle's radius, a polygon's or quadrant's outline), inclusive.</param>
/// <param name="Window">Before the window opens or after it closes, inclusive.</param>
public sealed record CoverageTolerance(double DistanceKm, Duration Window)
{
    /// <summary>50 km: detection fixes and declared areas are both approximate; the window is the agreed commitment, so none.</summary>
    public static CoverageTolerance Default { get; } = new(50, Duration.Zero);

    public CoverageTolerance Validate()
    {
        if (!double.IsFinite(DistanceKm) || DistanceKm < 0)
            throw new ArgumentOutOfRangeException(nameof(DistanceKm), DistanceKm, "The distance tolerance must be a finite number of km, 0 or more.");
        if (Window < Duration.Zero)
            throw new ArgumentOutOfRangeException(nameof(Window), Window, "The window tolerance cannot be negative.");
        return this;
    }
}

/// <summary>
/// Why a notice does not cover an observation (a miss), or what could not be checked (a note): a stable code, the English
/// sentence, and its figures as language-free <see cref="Validation.RuleArgs"/> (null in records stored by older builds),
/// from which a reader's language renders it (the glossary's <c>coverageMessage.*</c>).
/// </summary>
public sealed record CoverageFinding(string Code, string Message)
{
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public System.Collections.Immutable.ImmutableSortedDictionary<string, string>? Args { get; init; }
}

/// <summary>One notice weighed against an observation, as the centre knew it from <see cref="KnownAt"/> on.</summary>
public sealed record NoticeAssessment(
    MessageId MessageId,
    AgreementId AgreementId,
    LaunchWindow Window,
    Instant KnownAt,
    IReadOnlyList<CoverageFinding> Misses,
    IReadOnlyList<CoverageFinding> Notes)
{
    public bool Covers => Misses.Count == 0;
}

/// <summary>
/// The verdict on an observation: the notices that covered it when it happened, the closest ones that did not, and
/// notices that would cover it but reached this centre only after the launch (they do not count: a warning that
/// arrives after the launch warned nobody).
/// </summary>
public sealed record CoverageAssessment(
    IReadOnlyList<NoticeAssessment> Covering,
    IReadOnlyList<NoticeAssessment> NearMisses,
    IReadOnlyList<NoticeAssessment> NotifiedAfterLaunch)
{
    public bool IsCovered => Covering.Count > 0;
}

/// <summary>The stable codes of <see cref="CoverageFinding"/>.</summary>
public static class CoverageCodes
{
    public const string OutsideWindow = "OUTSIDE_WINDOW";
    public const string LaunchPointOutsideArea = "LAUNCH_POINT_OUTSIDE_AREA";
    public const string ImpactPointOutsideAreas = "IMPACT_POINT_OUTSIDE_AREAS";
    public const string Cancelled = "CANCELLED";
    public const string LaunchAreaUncheckable = "LAUNCH_AREA_UNCHECKABLE";
    public const string ImpactAreaUncheckable = "IMPACT_AREA_UNCHECKABLE";
    public const string KnownAfterLaunch = "KNOWN_AFTER_LAUNCH";
}
