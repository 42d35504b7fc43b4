using System.Globalization;
using LaunchNotify.Domain.Timeliness;
using LaunchNotify.Domain.Values;
using NodaTime;

namespace LaunchNotify.Domain.Tests;

public class LeadTimeMarginTests
{
    private static readonly Instant WindowStart = Instant.FromUtc(2026, 3, 10, 6, 0);
    private static readonly Duration Day = Duration.FromHours(24);

    [Fact]
    public void LeadTime_WhenExactly24h_IsOnTime()
    {
        var m = LeadTimeMargin.Compute(WindowStart, WindowStart - Day, Day);
        Assert.True(m.IsOnTime);
        Assert.Equal(LeadTimeStatus.OnTime, m.Classification);
        Assert.Equal(Duration.Zero, m.Margin);
        Assert.Equal("on time", m.Describe());
    }

    [Fact]
    public void LeadTime_When24hMinus1s_IsLateBy1s()
    {
        var m = LeadTimeMargin.Compute(WindowStart, WindowStart - Day + Duration.FromSeconds(1), Day);
        Assert.False(m.IsOnTime);
        Assert.Equal(LeadTimeStatus.Late, m.Classification);
        Assert.Equal(Duration.FromSeconds(1), m.Lateness);
        Assert.Equal("late by 1 s", m.Describe());
    }

    [Fact]
    public void LeadTime_WithTimeToSpare_SaysHowMuch()
    {
        var notifiedAt = WindowStart - Day - Duration.FromHours(2) - Duration.FromMinutes(3);
        var m = LeadTimeMargin.Compute(new Interval(WindowStart, WindowStart + Day), notifiedAt, Day);
        Assert.Equal("on time with 2 h 3 min to spare", m.Describe());
        Assert.Equal(Duration.Zero, m.Lateness);
        Assert.Equal(Day + Duration.FromMinutes(123), m.Actual);
    }

    [Fact]
    public void LeadTime_WhenWindowAlreadyOpen_IsLateByMoreThanTheRequirement()
    {
        var m = LeadTimeMargin.Compute(WindowStart, WindowStart + Duration.FromHours(1), Day);
        Assert.True(m.WindowAlreadyOpen);
        Assert.Equal(Duration.FromHours(25), m.Lateness);
    }

    [Fact]
    public void LeadTime_WhenRequiredIsNegative_IsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new LeadTimeMargin(Day, -Day));
}

public class DurationTextTests
{
    [Theory]
    [InlineData(0, "0 s")]
    [InlineData(1, "1 s")]
    [InlineData(86399, "23 h 59 min 59 s")]
    [InlineData(86400, "24 h")]
    [InlineData(259200, "72 h")]
    [InlineData(345600, "96 h")]
    [InlineData(345601, "4 days, 1 second")]
    [InlineData(432001, "5 days, 1 second")]
    [InlineData(8453 * 3600 + 38 * 60, "352 days, 5 hours, 38 minutes")]
    [InlineData(-(8453 * 3600 + 38 * 60), "-352 days, 5 hours, 38 minutes")]
    [InlineData(7380, "2 h 3 min")]
    [InlineData(-61, "-1 min 1 s")]
    public void Format_WholeSeconds_ReadsLikeAPerson(long seconds, string expected) =>
        Assert.Equal(expected, DurationText.Format(Duration.FromSeconds(seconds)));

    [Fact]
    public void Format_SubSecond_ShowsMilliseconds() =>
        Assert.Equal("1 s 250 ms", DurationText.Format(Duration.FromMilliseconds(1250)));

    [Fact]
    public void Format_WithAnEnglishCulture_ReadsTheSame() =>
        Assert.Equal("352 days, 5 hours, 38 minutes", DurationText.Format(Duration.FromMinutes(8453 * 60 + 38), CultureInfo.GetCultureInfo("en-GB")));
}

public class SequenceTrackerTests
{
    private static SequenceTracker NewTracker() =>
        new(new SequenceStreamKey(new CentreCode("IN"), new CentreCode("PK"), new AgreementId("in-pk-2005")));

    [Fact]
    public void Observe_InOrder_IsNextEachTime()
    {
        var t = NewTracker();
        Assert.Equal(SequenceObservationKind.Next, t.Observe(1).Kind);
        Assert.Equal(SequenceObservationKind.Next, t.Observe(2).Kind);
        Assert.Equal(2, t.HighestSeen);
        Assert.Empty(t.Missing);
    }

    [Fact]
    public void Observe_WhenNumbersSkipped_OpensAGapWithTheMissingNumbers()
    {
        var t = NewTracker();
        t.Observe(1);
        var o = t.Observe(5);
        Assert.Equal(SequenceObservationKind.GapOpened, o.Kind);
        Assert.Equal(new SequenceRange(2, 4), o.NewlyMissing);
        Assert.Equal([2L, 3L, 4L], t.Missing);
        Assert.Equal(5, t.HighestSeen);
    }

    [Fact]
    public void Observe_WhenAMissingNumberArrives_FillsItAndSplitsTheGap()
    {
        var t = NewTracker();
        t.Observe(5);
        Assert.Equal(SequenceObservationKind.GapFilled, t.Observe(3).Kind);
        Assert.Equal([1L, 2L, 4L], t.Missing);
        Assert.Equal([new SequenceRange(1, 2), new SequenceRange(4, 4)], t.MissingRanges);
        Assert.Equal(SequenceObservationKind.GapFilled, t.Observe(1).Kind);
        Assert.Equal(SequenceObservationKind.GapFilled, t.Observe(2).Kind);
        Assert.Equal(SequenceObservationKind.GapFilled, t.Observe(4).Kind);
        Assert.Equal(0, t.MissingCount);
    }

    [Fact]
    public void Observe_WhenSeenBefore_IsDuplicate()
    {
        var t = NewTracker();
        t.Observe(1);
        t.Observe(3);
        Assert.Equal(SequenceObservationKind.Duplicate, t.Observe(1).Kind);
        Assert.Equal(SequenceObservationKind.Duplicate, t.Observe(3).Kind);
        Assert.True(t.IsMissing(2));
    }

    [Fact]
    public void Observe_AFarJump_KeepsOneRange()
    {
        var t = NewTracker();
        t.Observe(9_000_000_000_000);
        Assert.Single(t.MissingRanges);
        Assert.Equal(8_999_999_999_999, t.MissingCount);
    }

    [Fact]
    public void ObserveHighWater_AboveHighestSeen_RevealsAMissingTail()
    {
        var t = NewTracker();
        t.Observe(1);
        t.Observe(2);
        var o = t.ObserveHighWater(4);
        Assert.Equal(SequenceObservationKind.GapOpened, o.Kind);
        Assert.Equal([3L, 4L], t.Missing);
        Assert.Equal(SequenceObservationKind.GapFilled, t.Observe(4).Kind);
        Assert.Equal(SequenceObservationKind.Next, t.Observe(5).Kind);
    }

    [Fact]
    public void ObserveHighWater_EqualToHighestSeen_IsUpToDate()
    {
        var t = NewTracker();
        t.Observe(1);
        Assert.Equal(SequenceObservationKind.UpToDate, t.ObserveHighWater(1).Kind);
        Assert.Equal(SequenceObservationKind.UpToDate, NewTracker().ObserveHighWater(0).Kind);
    }

    [Fact]
    public void ObserveHighWater_BelowHighestSeen_IsRegressed()
    {
        var t = NewTracker();
        t.Observe(3);
        Assert.Equal(SequenceObservationKind.Regressed, t.ObserveHighWater(2).Kind);
    }

    [Fact]
    public void Restore_FromStoredState_ContinuesTracking()
    {
        var t = new SequenceTracker(NewTracker().Key, 10, [new SequenceRange(4, 5)]);
        Assert.Equal(SequenceObservationKind.GapFilled, t.Observe(5).Kind);
        Assert.Equal(SequenceObservationKind.Next, t.Observe(11).Kind);
        Assert.Equal([4L], t.Missing);
    }

    [Fact]
    public void GapRightAboveAnAnnouncedNumber_JoinsIt_AndTheStateRestores()
    {
        // A heartbeat announces #3 (lost), then #4 is lost too and #5 arrives: 3 and 4 are one missing range.
        var t = NewTracker();
        t.Observe(1);
        t.Observe(2);
        t.ObserveHighWater(3);
        var o = t.Observe(5);
        Assert.Equal(new SequenceRange(4, 4), o.NewlyMissing);
        Assert.Equal([new SequenceRange(3, 4)], t.MissingRanges);
        t.ObserveHighWater(6);
        Assert.Equal([new SequenceRange(3, 4), new SequenceRange(6, 6)], t.MissingRanges);

        var restored = new SequenceTracker(t.Key, t.HighestSeen, SequenceRangeText.Parse(SequenceRangeText.Format(t.MissingRanges)));
        Assert.Equal(SequenceObservationKind.GapFilled, restored.Observe(4).Kind);
        Assert.Equal([3L, 6L], restored.Missing);
    }

    [Fact]
    public void Restore_WithTouchingRanges_JoinsThem()
    {
        var t = new SequenceTracker(NewTracker().Key, 9, [new SequenceRange(5, 5), new SequenceRange(6, 7)]);
        Assert.Equal([new SequenceRange(5, 7)], t.MissingRanges);
    }

    [Fact]
    public void Restore_WithOverlappingRanges_IsRefused() =>
        Assert.Throws<ArgumentException>(() => new SequenceTracker(NewTracker().Key, 9, [new SequenceRange(5, 6), new SequenceRange(6, 7)]));

    [Fact]
    public void Restore_WithMissingAboveHighest_IsRefused() =>
        Assert.Throws<ArgumentException>(() => new SequenceTracker(NewTracker().Key, 3, [new SequenceRange(4, 5)]));

    [Fact]
    public void Observe_Zero_IsRefused() => Assert.Throws<ArgumentOutOfRangeException>(() => NewTracker().Observe(0));
}
