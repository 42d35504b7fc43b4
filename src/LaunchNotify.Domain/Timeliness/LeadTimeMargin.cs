using NodaTime;

namespace LaunchNotify.Domain.Timeliness;

/// <summary>Whether a notification came early enough.</summary>
public enum LeadTimeStatus { OnTime, Late }

/// <summary>
/// How far ahead of the launch window a notification came, against what the agreement requires.
/// <see cref="Margin"/> = <see cref="Actual"/> − <see cref="Required"/>; exactly the required lead time is on time.
/// </summary>
public readonly record struct LeadTimeMargin
{
    public LeadTimeMargin(Duration actual, Duration required)
    {
        if (required < Duration.Zero)
            throw new ArgumentOutOfRangeException(nameof(required), required, "A required lead time cannot be negative.");
        Actual = actual;
        Required = required;
    }

    /// <summary>Window start minus the instant of notification (negative if the window had already opened).</summary>
    public Duration Actual { get; }

    /// <summary>The agreement's minimum lead time.</summary>
    public Duration Required { get; }

    public Duration Margin => Actual - Required;

    public bool IsOnTime => Margin >= Duration.Zero;

    public LeadTimeStatus Classification => IsOnTime ? LeadTimeStatus.OnTime : LeadTimeStatus.Late;

    /// <summary>How much too late (zero when on time).</summary>
    public Duration Lateness => IsOnTime ? Duration.Zero : -Margin;

    /// <summary>Whether the window had already opened when notified.</summary>
    public bool WindowAlreadyOpen => Actual <= Duration.Zero;

    public static LeadTimeMargin Compute(Instant windowStart, Instant notifiedAt, Duration required) =>
        new(windowStart - notifiedAt, required);

    public static LeadTimeMargin Compute(Interval window, Instant notifiedAt, Duration required) =>
        Compute(window.Start, notifiedAt, required);

    /// <summary>"late by 1 s", "on time with 2 h 3 min to spare", "on time".</summary>
    public string Describe() =>
        !IsOnTime ? $"late by {DurationText.Format(Lateness)}"
        : Margin == Duration.Zero ? "on time"
        : $"on time with {DurationText.Format(Margin)} to spare";

    public override string ToString() => Describe();
}
