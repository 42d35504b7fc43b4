using NodaTime;

namespace LaunchNotify.Domain.Values;

/// <summary>The interval in which a launch may take place: a finite, non-empty NodaTime <see cref="Interval"/>.</summary>
public readonly record struct LaunchWindow
{
    public Interval Interval { get; }

    public LaunchWindow(Instant start, Instant end)
    {
        if (end <= start)
            throw new ArgumentException($"A launch window must end after it starts ({start} .. {end}).");
        Interval = new Interval(start, end);
    }

    public Instant Start => Interval.Start;
    public Instant End => Interval.End;
    public Duration Length => Interval.Duration;

    public bool Contains(Instant instant) => instant >= Start && instant <= End;

    public override string ToString() => $"{Start:uuuu-MM-ddTHH:mm:ss'Z'} .. {End:uuuu-MM-ddTHH:mm:ss'Z'}";
}
