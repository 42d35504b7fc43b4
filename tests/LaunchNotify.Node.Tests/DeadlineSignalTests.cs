using LaunchNotify.Node.Deadlines;
using NodaTime;

namespace LaunchNotify.Node.Tests;

/// <summary>
/// The watcher's wake-up: a transaction that stored deadlines wakes it only when one falls due before its next look,
/// and always while it is reading the store (the notice may concern rows its read did not see).
/// </summary>
public sealed class DeadlineSignalTests
{
    private static readonly Instant Now = Instant.FromUtc(2026, 12, 6, 12, 0);

    [Fact]
    public async Task Notify_ADeadlineDueAfterTheNextLook_LetsTheWatcherSleep()
    {
        var signal = new DeadlineSignal();
        signal.SleepingUntil(Now + Duration.FromMilliseconds(250));

        signal.Notify(Now + Duration.FromHours(24));

        Assert.False(await signal.WaitAsync(TimeSpan.Zero, CancellationToken.None));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(249)]
    [InlineData(-60_000)]
    public async Task Notify_ADeadlineDueBeforeTheNextLook_WakesTheWatcher(int dueInMilliseconds)
    {
        var signal = new DeadlineSignal();
        signal.SleepingUntil(Now + Duration.FromMilliseconds(250));

        signal.Notify(Now + Duration.FromMilliseconds(dueInMilliseconds));

        Assert.True(await signal.WaitAsync(TimeSpan.Zero, CancellationToken.None));
    }

    [Fact]
    public async Task Notify_WhileTheWatcherReadsTheStore_WakesItWhateverTheDueTime()
    {
        var signal = new DeadlineSignal();
        signal.SleepingUntil(Now + Duration.FromMilliseconds(250));
        signal.Waking();

        signal.Notify(Now + Duration.FromDays(30));

        Assert.True(await signal.WaitAsync(TimeSpan.Zero, CancellationToken.None));
    }

    [Fact]
    public async Task Notify_WithoutADueTime_AlwaysWakesTheWatcher()
    {
        var signal = new DeadlineSignal();
        signal.SleepingUntil(Now + Duration.FromMilliseconds(250));

        signal.Notify(null);

        Assert.True(await signal.WaitAsync(TimeSpan.Zero, CancellationToken.None));
    }
}
