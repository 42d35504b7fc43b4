using LaunchNotify.Domain.Geodesy;
using LaunchNotify.Domain.Launches;
using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Values;
using NodaTime;
using static LaunchNotify.Domain.Tests.TestAgreements;
using static LaunchNotify.Domain.Tests.TestMessages;

namespace LaunchNotify.Domain.Tests;

public class LaunchCoverageTests
{
    // The notice: window 10 March 06:00..12:00, launch circle of 5 km around InLaunch, impact circle of 20 km around InImpact.
    private static readonly PreNotification Notice = Pre(UsRu(), RU, US) with
    {
        LaunchArea = new CircleArea(InLaunch, 5, "launch"),
    };

    private static readonly Instant Received = WindowStart - Duration.FromDays(2);
    private static readonly Instant Noon = WindowStart + Duration.FromHours(6);
    private static readonly CoverageTolerance Tolerance = new(50, Duration.Zero);

    private static LaunchObservation Seen(Instant at, GeoPoint? launch = null, GeoPoint? impact = null, CentreCode? by = null) =>
        new(at, launch ?? InLaunch, impact, by ?? RU);

    private static NoticeHistory Known(PreNotification notice, Instant? knownAt = null, params KnownFollowUp[] followUps) =>
        new(notice, knownAt ?? Received, followUps);

    private static CoverageAssessment Assess(LaunchObservation launch, params NoticeHistory[] notices) =>
        LaunchCoverage.Assess(launch, notices, Tolerance);

    [Fact]
    public void Assess_LaunchInsideWindowAndArea_IsCoveredByThatNotice()
    {
        var result = Assess(Seen(WindowStart + Duration.FromHours(1), impact: InImpact), Known(Notice));
        Assert.True(result.IsCovered);
        Assert.Equal(Notice.MessageId, Assert.Single(result.Covering).MessageId);
        Assert.Empty(result.NearMisses);
    }

    [Fact]
    public void Assess_LaunchExactlyAtWindowStartAndEnd_IsCovered()
    {
        Assert.True(Assess(Seen(WindowStart), Known(Notice)).IsCovered);
        Assert.True(Assess(Seen(Noon), Known(Notice)).IsCovered);
    }

    [Fact]
    public void Assess_LaunchOneSecondBeforeWindowOpens_IsNotCovered()
    {
        var result = Assess(Seen(WindowStart - Duration.FromSeconds(1)), Known(Notice));
        Assert.False(result.IsCovered);
        var miss = Assert.Single(Assert.Single(result.NearMisses).Misses);
        Assert.Equal(CoverageCodes.OutsideWindow, miss.Code);
        Assert.Contains("1 s before the window opens", miss.Message);
    }

    [Fact]
    public void Assess_LaunchOneSecondAfterWindowCloses_IsNotCovered()
    {
        var miss = Assert.Single(Assert.Single(Assess(Seen(Noon + Duration.FromSeconds(1)), Known(Notice)).NearMisses).Misses);
        Assert.Contains("1 s after the window closed", miss.Message);
    }

    [Fact]
    public void Assess_WindowTolerance_StretchesTheWindowInclusively()
    {
        var tolerance = new CoverageTolerance(50, Duration.FromMinutes(5));
        Assert.True(LaunchCoverage.Assess(Seen(Noon + Duration.FromMinutes(5)), [Known(Notice)], tolerance).IsCovered);
        Assert.False(LaunchCoverage.Assess(Seen(Noon + Duration.FromMinutes(5) + Duration.FromSeconds(1)), [Known(Notice)], tolerance).IsCovered);
    }

    [Theory]
    [InlineData(54.9, true)]  // 5 km radius + 49.9 km: inside the tolerance
    [InlineData(55.1, false)] // 50.1 km beyond the edge
    public void Assess_LaunchPointNearTheToleranceEdge_IsCoveredOnlyWithin(double kmFromCentre, bool covered)
    {
        var point = GreatCircle.Destination(InLaunch, 0, kmFromCentre);
        var result = Assess(Seen(WindowStart, point), Known(Notice));
        Assert.Equal(covered, result.IsCovered);
        if (!covered)
        {
            var miss = Assert.Single(Assert.Single(result.NearMisses).Misses);
            Assert.Equal(CoverageCodes.LaunchPointOutsideArea, miss.Code);
            Assert.Contains("50.1 km outside the launch area 'launch' (tolerance 50 km)", miss.Message);
        }
    }

    [Fact]
    public void Assess_ImpactPointFarFromEveryImpactArea_IsNotCovered()
    {
        var impact = GreatCircle.Destination(InImpact, 90, 20 + 80);
        var result = Assess(Seen(WindowStart, impact: impact), Known(Notice));
        Assert.False(result.IsCovered);
        Assert.Equal(CoverageCodes.ImpactPointOutsideAreas, Assert.Single(Assert.Single(result.NearMisses).Misses).Code);
    }

    [Fact]
    public void Assess_ImpactPointInsideTheSecondImpactArea_IsCovered()
    {
        var second = new GeoPoint(10, 80);
        var notice = Notice with { ImpactAreas = [new CircleArea(InImpact, 20), new CircleArea(second, 30)] };
        Assert.True(Assess(Seen(WindowStart, impact: GreatCircle.Destination(second, 45, 60)), Known(notice)).IsCovered);
    }

    [Fact]
    public void Assess_PolygonLaunchArea_CoversInsideAndWithinToleranceOfAnEdge()
    {
        var notice = Notice with { LaunchArea = new PolygonArea([new(28, 71), new(28, 72), new(29, 72), new(29, 71)]) };
        Assert.True(Assess(Seen(WindowStart, new GeoPoint(28.5, 71.5)), Known(notice)).IsCovered);
        // 0.4° of latitude ≈ 44.5 km north of the northern edge; 0.5° ≈ 55.6 km.
        Assert.True(Assess(Seen(WindowStart, new GeoPoint(29.4, 71.5)), Known(notice)).IsCovered);
        Assert.False(Assess(Seen(WindowStart, new GeoPoint(29.5, 71.5)), Known(notice)).IsCovered);
    }

    [Fact]
    public void Assess_OceanQuadrant_CoversPointsInsideTheSector()
    {
        var corner = new GeoPoint(40, -150);
        var notice = Notice with { LaunchArea = new OceanQuadrantArea(corner, Quadrant.NE, 500) };
        Assert.True(Assess(Seen(WindowStart, GreatCircle.Destination(corner, 45, 300)), Known(notice)).IsCovered);
        Assert.False(Assess(Seen(WindowStart, GreatCircle.Destination(corner, 225, 300)), Known(notice)).IsCovered);
    }

    [Fact]
    public void Assess_NamedWaterLaunchArea_CoversWithANoteThatItWasNotChecked()
    {
        var notice = Notice with { LaunchArea = new NamedWaterArea("Barents Sea") };
        var result = Assess(Seen(WindowStart, new GeoPoint(72, 40)), Known(notice));
        Assert.True(result.IsCovered);
        Assert.Equal(CoverageCodes.LaunchAreaUncheckable, Assert.Single(Assert.Single(result.Covering).Notes).Code);
    }

    [Fact]
    public void Assess_NoticeFromAnotherCentre_DoesNotCover()
    {
        var result = Assess(Seen(WindowStart, by: CN), Known(Notice));
        Assert.False(result.IsCovered);
        Assert.Empty(result.NearMisses);
    }

    [Fact]
    public void Assess_CancelledNotice_DoesNotCover()
    {
        var cancellation = Cancel(Notice);
        var result = Assess(Seen(WindowStart), Known(Notice, null, new KnownFollowUp(cancellation, Received + Duration.FromHours(1))));
        Assert.False(result.IsCovered);
        Assert.Equal(CoverageCodes.Cancelled, Assert.Single(Assert.Single(result.NearMisses).Misses).Code);
    }

    [Fact]
    public void Assess_CancellationKnownOnlyAfterTheLaunch_DoesNotTakeCoverAway()
    {
        var cancellation = Cancel(Notice);
        Assert.True(Assess(Seen(WindowStart), Known(Notice, null, new KnownFollowUp(cancellation, WindowStart + Duration.FromMinutes(1)))).IsCovered);
    }

    [Fact]
    public void Assess_AmendmentMovingTheWindowOntoTheLaunch_Covers()
    {
        var launch = Noon + Duration.FromHours(3);
        var amendment = Amend(Notice, new NotificationChanges { LaunchWindow = new LaunchWindow(WindowStart, Noon + Duration.FromHours(6)) });
        Assert.False(Assess(Seen(launch), Known(Notice)).IsCovered);
        var result = Assess(Seen(launch), Known(Notice, null, new KnownFollowUp(amendment, Received + Duration.FromHours(2))));
        Assert.True(result.IsCovered);
        Assert.Equal(Noon + Duration.FromHours(6), Assert.Single(result.Covering).Window.End);
    }

    [Fact]
    public void Assess_AmendmentMovingTheWindowAwayFromTheLaunch_DoesNotCover()
    {
        var amendment = Amend(Notice, new NotificationChanges { LaunchWindow = new LaunchWindow(Noon, Noon + Duration.FromHours(6)) });
        var result = Assess(Seen(WindowStart + Duration.FromHours(1)), Known(Notice, null, new KnownFollowUp(amendment, Received + Duration.FromHours(2))));
        Assert.False(result.IsCovered);
        Assert.Equal(CoverageCodes.OutsideWindow, Assert.Single(Assert.Single(result.NearMisses).Misses).Code);
    }

    [Fact]
    public void Assess_AmendmentsAreAppliedInTheOrderIssued()
    {
        var first = Amend(Notice, new NotificationChanges { LaunchWindow = new LaunchWindow(Noon, Noon + Duration.FromHours(1)) }) with { IssuedAt = Received };
        var second = Amend(Notice, new NotificationChanges { LaunchWindow = new LaunchWindow(WindowStart, Noon) }) with { IssuedAt = Received + Duration.FromHours(1) };
        // Received in the opposite order; the later-issued one stands.
        var history = Known(Notice, null,
            new KnownFollowUp(second, Received + Duration.FromHours(2)), new KnownFollowUp(first, Received + Duration.FromHours(3)));
        Assert.True(Assess(Seen(WindowStart + Duration.FromHours(1)), history).IsCovered);
    }

    [Fact]
    public void Assess_NoticeReceivedAfterTheLaunch_DoesNotCoverButIsReported()
    {
        var launch = WindowStart + Duration.FromHours(1);
        var result = Assess(Seen(launch), Known(Notice, launch + Duration.FromMinutes(40)));
        Assert.False(result.IsCovered);
        Assert.Empty(result.NearMisses);
        var late = Assert.Single(result.NotifiedAfterLaunch);
        Assert.Equal(Notice.MessageId, late.MessageId);
        var note = Assert.Single(late.Notes, n => n.Code == CoverageCodes.KnownAfterLaunch);
        Assert.Contains("40 min after the launch", note.Message);
    }

    [Fact]
    public void Assess_AmendmentReceivedAfterTheLaunch_DoesNotExtendCoverRetroactively()
    {
        var launch = Noon + Duration.FromHours(1);
        var amendment = Amend(Notice, new NotificationChanges { LaunchWindow = new LaunchWindow(WindowStart, Noon + Duration.FromHours(2)) });
        var result = Assess(Seen(launch), Known(Notice, null, new KnownFollowUp(amendment, launch + Duration.FromSeconds(1))));
        Assert.False(result.IsCovered);
        Assert.Equal(CoverageCodes.OutsideWindow, Assert.Single(Assert.Single(result.NearMisses).Misses).Code);
        Assert.Equal(Notice.MessageId, Assert.Single(result.NotifiedAfterLaunch).MessageId);
    }

    [Fact]
    public void Assess_NoticeKnownExactlyAtTheLaunchInstant_Covers() =>
        Assert.True(Assess(Seen(WindowStart), Known(Notice, WindowStart)).IsCovered);

    [Fact]
    public void Assess_SeveralCoveringNotices_AreAllListed()
    {
        var other = Pre(Hcoc(), RU, US);
        var result = Assess(Seen(WindowStart + Duration.FromHours(2)), Known(Notice), Known(other));
        Assert.Equal(2, result.Covering.Count);
    }

    [Fact]
    public void Assess_NoWindowMatches_ReportsOnlyTheNearestInTime()
    {
        var earlier = Notice with { MessageId = MessageId.New(), LaunchWindow = new LaunchWindow(WindowStart - Duration.FromDays(3), WindowStart - Duration.FromDays(2)) };
        var result = Assess(Seen(Noon + Duration.FromHours(1)), Known(earlier), Known(Notice));
        Assert.Equal(Notice.MessageId, Assert.Single(result.NearMisses).MessageId);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    public void Tolerance_Invalid_IsRefused(double km) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => LaunchCoverage.Assess(Seen(WindowStart), [], new CoverageTolerance(km, Duration.Zero)));
}
