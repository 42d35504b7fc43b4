using NodaTime;

namespace LaunchNotify.Domain.Values;

/// <summary>The interval in which a launch may take place: a finite, non-empty NodaTime <see cref="Interval"/>.</summary>
public readonly record struct LaunchWindow
{
    public Interval Interval { get; }

    public LaunchWindow(Instant start, Instant end)
    {
        if (Check(start, end) is { } problem)
            throw new ArgumentException(problem);
        Interval = new Interval(start, end);
    }

    /// <summary>Why <paramref name="start"/>..<paramref name="end"/> is no launch window, or null if it is.</summary>
    public static string? Check(Instant start, Instant end) =>
        end <= start ? $"A launch window must end after it starts ({start} .. {end})." : null;

    public Instant Start => Interval.Start;
    public Instant End => Interval.End;
    public Duration Length => Interval.Duration;

    public bool Contains(Instant instant) => instant >= Start && instant <= End;

    public override string ToString() => $"{Start:uuuu-MM-ddTHH:mm:ss'Z'} .. {End:uuuu-MM-ddTHH:mm:ss'Z'}";
}
