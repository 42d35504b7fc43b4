using LaunchNotify.Domain.Agreements;
using LaunchNotify.Domain.Geodesy;
using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Rules;
using LaunchNotify.Domain.Values;
using static LaunchNotify.Domain.Tests.RuleAssert;
using static LaunchNotify.Domain.Tests.TestAgreements;
using static LaunchNotify.Domain.Tests.TestMessages;

namespace LaunchNotify.Domain.Tests;

public class GeographyRulesTests
{
    private static readonly GeoPoint OnBoundary = new(28, 70);

    /// <summary>A 1 km launch circle whose edge lies <paramref name="edgeKm"/> east of the test boundary.</summary>
    private static CircleArea LaunchSiteAt(double edgeKm) => new(GreatCircle.Destination(OnBoundary, 90, edgeKm + 1), 1);

    [Fact]
    public void LaunchSite_41kmFromBoundary_IsAccepted() =>
        AsSender(Pre(InPk(), IN, PK) with { LaunchArea = LaunchSiteAt(41) }, InPk(), Early).Clean();

    [Fact]
    public void LaunchSite_39kmFromBoundary_IsRefusedWithTheDistance()
    {
        var outcome = AsSender(Pre(InPk(), IN, PK) with { LaunchArea = LaunchSiteAt(39) }, InPk(), Early);
        var e = outcome.SingleError(RuleCodes.LaunchSiteTooCloseToBoundary);
        Assert.Equal("/launchArea", e.Path);
        Assert.Equal("in-pk-2005/Geography", e.Rule);
        Assert.Contains("39 km", e.Message);
        Assert.Contains("at least 40 km", e.Message);
    }

    [Fact]
    public void LaunchSite_TooCloseOnReceiver_IsAlsoRefused() =>
        AsReceiver(Pre(InPk(), IN, PK) with { LaunchArea = LaunchSiteAt(39) }, InPk(), Early).SingleError(RuleCodes.LaunchSiteTooCloseToBoundary);

    [Fact]
    public void ImpactArea_39kmFromBoundary_IsRefusedAtItsIndex()
    {
        var near = new CircleArea(GreatCircle.Destination(new GeoPoint(22, 70), 90, 49), 10);
        var n = Pre(InPk(), IN, PK) with { ImpactAreas = [new CircleArea(InImpact, 20), near] };
        var e = AsSender(n, InPk(), Early).SingleError(RuleCodes.ImpactAreaTooCloseToBoundary);
        Assert.Equal("/impactAreas/1", e.Path);
        Assert.Contains("39 km", e.Message);
    }

    [Fact]
    public void ImpactArea_41kmFromBoundary_IsAccepted()
    {
        var ok = new CircleArea(GreatCircle.Destination(new GeoPoint(22, 70), 90, 51), 10);
        AsSender(Pre(InPk(), IN, PK) with { ImpactAreas = [ok] }, InPk(), Early).Clean();
    }

    [Fact]
    public void Trajectory_CrossingTheBoundary_IsRefused()
    {
        var across = new CircleArea(new GeoPoint(28, 66), 10);
        var outcome = AsSender(Pre(InPk(), IN, PK) with { ImpactAreas = [across] }, InPk(), Early);
        Assert.Equal("/impactAreas/0", outcome.SingleError(RuleCodes.TrajectoryCrossesBoundary).Path);
        outcome.HasNo(RuleCodes.ImpactAreaTooCloseToBoundary);
    }

    [Fact]
    public void Trajectory_CrossingWhereTheAgreementAllows_IsAccepted()
    {
        var a = InPk() with { Geography = InPk().Geography! with { TrajectoryMayCross = true } };
        AsSender(Pre(a, IN, PK) with { ImpactAreas = [new CircleArea(new GeoPoint(28, 66), 10)] }, a, Early).Clean();
    }

    [Theory]
    [InlineData(71.2, true)]
    [InlineData(70.5, false)]
    public void Trajectory_PassingABoundaryBulge_IsRefusedOnlyWhenCloserThanTheMinimum(double bulgeLon, bool tooClose)
    {
        // Boundary bulging east at 28°N; the trajectory runs north along 71.5°E, launch and impact far from the boundary.
        var bulge = new Boundary("bulge", "test", [new(20, 70), new(28, bulgeLon), new(36, 70)]);
        var a = InPk(bulge);
        var n = Pre(a, IN, PK) with
        {
            LaunchArea = new CircleArea(new GeoPoint(21, 71.5), 1),
            ImpactAreas = [new CircleArea(new GeoPoint(35, 71.5), 1)],
        };
        var outcome = AsSender(n, a, Early);
        if (!tooClose)
        {
            outcome.Clean();
            return;
        }
        var e = outcome.SingleError(RuleCodes.TrajectoryTooCloseToBoundary);
        Assert.Single(outcome.Errors);
        var expected = GreatCircle.DistanceToSegmentKm(new GeoPoint(28, bulgeLon), new GeoPoint(21, 71.5), new GeoPoint(35, 71.5));
        Assert.Contains(expected.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture) + " km", e.Message);
        Assert.True(expected < 40);
    }

    [Fact]
    public void Polygon_LaunchAreaStraddlingTheBoundary_IsRefusedAtZeroKm()
    {
        var straddling = new PolygonArea([new(27.9, 69.9), new(27.9, 70.1), new(28.1, 70.1), new(28.1, 69.9)]);
        Assert.Contains("0 km", AsSender(Pre(InPk(), IN, PK) with { LaunchArea = straddling }, InPk(), Early)
            .SingleError(RuleCodes.LaunchSiteTooCloseToBoundary).Message);
    }

    [Fact]
    public void NamedWaterImpactArea_CannotBeChecked_IsAFinding()
    {
        var n = Pre(InPk(), IN, PK) with { ImpactAreas = [new NamedWaterArea("Bay of Bengal")] };
        var outcome = AsSender(n, InPk(), Early);
        Assert.Empty(outcome.Errors);
        Assert.Equal(2, outcome.Findings.Count(f => f.Code == RuleCodes.GeographyUncheckable && f.Path == "/impactAreas/0"));
    }

    [Fact]
    public void Agreement_WithoutGeography_DoesNotRunTheGeographyRuleSet()
    {
        var ctx = new RuleContext(Pre(UsRu(), US, RU), UsRu(), EvaluatingSide.Sender, US, Early, null);
        Assert.DoesNotContain(RuleSetNames.Geography, AgreementRules.RuleSetsFor(ctx));
        Assert.Contains(RuleSetNames.Geography, AgreementRules.RuleSetsFor(ctx with { Agreement = InPk() }));
    }
}
