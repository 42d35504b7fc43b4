using NodaTime;

namespace LaunchNotify.Node.Seeding;

/// <summary>
/// The seeder's fake clock: every node's services read it, and the seeder moves it from event to event through the
/// simulated year. (NodaTime.Testing's FakeClock does the same; it is a test package and stays out of the deployables.)
/// </summary>
public sealed class SimulatedClock(Instant start) : IClock
{
    public Instant Now { get; private set; } = start;

    public Instant GetCurrentInstant() => Now;

    /// <summary>Time only moves forward: events run in order.</summary>
    public void AdvanceTo(Instant instant)
    {
        if (instant < Now)
            throw new InvalidOperationException($"The simulated clock cannot go back from {Now} to {instant}.");
        Now = instant;
    }
}
