using LaunchNotify.Domain.Agreements;
using LaunchNotify.Domain.Geodesy;
using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Rules;
using LaunchNotify.Domain.Values;
using LaunchNotify.Protocol.Agreements;
using NodaTime;

namespace LaunchNotify.Protocol.Tests;

/// <summary>
/// Verdicts of the shipped agreement files (not hand-built ones) on cases a domain expert checks: the IN-PK border
/// against places known to be on it, which side of it a site is on, the CN-RU direction sectors at their edges, what
/// each agreement asks for, and assumed numbers giving findings, never refusals.
/// </summary>
public class ShippedAgreementVerdictTests
{
    private static readonly CentreCode IN = new("IN"), PK = new("PK"), CN = new("CN"), RU = new("RU"), US = new("US"), FR = new("FR");
    private static readonly Instant WindowStart = Instant.FromUtc(2026, 3, 10, 6, 0);
    private static readonly Instant Early = WindowStart - Duration.FromDays(10);
    private static readonly AgreementRules Rules = new();

    private static Agreement Shipped(string id) => AgreementCatalog.Default.Get(new AgreementId(id));

    private static IReadOnlyList<GeoPoint> InPkBorder => Shipped("in-pk-2005").Geography!.Boundary.Points;

    /// <summary>Places on the IN-PK International Boundary (true coordinates, sources in docs/agreements.md).</summary>
    [Theory]
    [InlineData("Wagah-Attari road crossing", 31.60472, 74.57306)]
    [InlineData("Ganda Singh Wala, opposite Hussainiwala", 31.037975, 74.518464)]
    [InlineData("Hindumalkote", 30.13637, 73.91685)]
    [InlineData("Munabao railway station", 25.7429, 70.2768)]
    [InlineData("Jassar bridge on the Ravi, by the Kartarpur corridor", 32.04923, 74.99242)]
    public void InPkBorder_PassesWithin5Km_OfAPlaceKnownToBeOnTheBorder(string place, double lat, double lon)
    {
        var km = GreatCircle.DistanceToPolylineKm(new GeoPoint(lat, lon), InPkBorder);

        Assert.True(km <= 5, $"{place} is {km:0.0} km from the boundary polyline; it lies on the border (at most 5 km allowed).");
    }

    /// <summary>Khokhropar station (25.7003N 70.1955E), the old Pakistani railhead, about 10 km inside Pakistan from the border at Munabao.</summary>
    [Fact]
    public void Khokhropar_AboutTenKmInsidePakistan_MeasuresSoAndLiesOnThePkSide()
    {
        var khokhropar = new GeoPoint(25.7003, 70.1955);

        Assert.InRange(GreatCircle.DistanceToPolylineKm(khokhropar, InPkBorder), 5, 15);
        Assert.Equal(PolylineSide.Left, GreatCircle.SideOfPolyline(khokhropar, InPkBorder));
    }

    [Fact]
    public void Abohar_27KmFromTheBorder_IsRefusedAsALaunchSite()
    {
        var abohar = new GeoPoint(30.14, 74.20);
        Assert.InRange(GreatCircle.DistanceToPolylineKm(abohar, InPkBorder), 22, 32);

        var outcome = AsSender(Indian(abohar), Shipped("in-pk-2005"));

        var e = Assert.Single(outcome.Errors, e => e.Code == RuleCodes.LaunchSiteTooCloseToBoundary);
        Assert.Equal("/launchArea", e.Path);
    }

    [Theory]
    [InlineData("Multan", 30.20, 71.47)]
    [InlineData("Sonmiani", 25.19, 66.75)]
    [InlineData("Tilla Jogian", 32.70, 73.20)]
    public void IndianLaunchSite_InsidePakistan_IsRefusedAsOnTheOtherSide(string place, double lat, double lon)
    {
        var outcome = AsSender(Indian(new GeoPoint(lat, lon)), Shipped("in-pk-2005"));

        var e = Assert.Single(outcome.Errors, e => e.Code == RuleCodes.LaunchSiteOnOtherSide);
        Assert.Equal("/launchArea", e.Path);
        Assert.True(e.Message.Contains("PK side", StringComparison.Ordinal), $"{place}: {e.Message}");
    }

    [Theory]
    [InlineData("Abdul Kalam Island", 20.76, 87.08)]
    [InlineData("Chandipur", 21.45, 87.02)]
    [InlineData("Pokhran", 27.09, 71.75)]
    [InlineData("Delhi", 28.61, 77.21)]
    public void IndianLaunchSite_InIndia_IsOnItsOwnSide(string place, double lat, double lon)
    {
        var outcome = AsSender(Indian(new GeoPoint(lat, lon)), Shipped("in-pk-2005"));

        Assert.True(outcome.Errors.All(e => e.Code != RuleCodes.LaunchSiteOnOtherSide), place + ": " + string.Join("; ", outcome.Errors));
        Assert.Equal(PolylineSide.Right, GreatCircle.SideOfPolyline(new GeoPoint(lat, lon), InPkBorder));
    }

    [Fact]
    public void PakistaniLaunchSite_InIndia_IsRefused_AndInPakistan_IsNot()
    {
        var agreement = Shipped("in-pk-2005");
        var fromJaisalmer = Indian(new GeoPoint(26.91, 70.91)) with { Sender = PK, Recipients = [new Addressee(IN, 1)], ImpactAreas = [new CircleArea(new GeoPoint(22.0, 64.0), 20)] };
        var fromSonmiani = fromJaisalmer with { LaunchArea = new CircleArea(new GeoPoint(25.19, 66.75), 5) };

        Assert.Contains(AsSender(fromJaisalmer, agreement).Errors, e => e.Code == RuleCodes.LaunchSiteOnOtherSide);
        Assert.DoesNotContain(AsSender(fromSonmiani, agreement).Errors, e => e.Code == RuleCodes.LaunchSiteOnOtherSide);
    }

    [Fact]
    public void SideOfBoundary_BeyondTheEndsOfTheLine_IsUndetermined()
    {
        Assert.Equal(PolylineSide.Undetermined, GreatCircle.SideOfPolyline(new GeoPoint(21.5, 66.0), InPkBorder)); // open sea off Sir Creek
        Assert.Equal(PolylineSide.Left, GreatCircle.SideOfPolyline(new GeoPoint(25.19, 66.75), InPkBorder, extendEnds: true)); // Sonmiani
        Assert.Equal(PolylineSide.Right, GreatCircle.SideOfPolyline(new GeoPoint(22.24, 68.97), InPkBorder, extendEnds: true)); // Dwarka
        Assert.Equal(PolylineSide.Left, GreatCircle.SideOfPolyline(new GeoPoint(30.20, 71.47), InPkBorder));
    }

    /// <summary>
    /// cn-ru-2009 sectors (docs/agreements.md): RU 22.5° clockwise to 202.5°; CN 247.5° clockwise to 67.5°, edges included.
    /// </summary>
    [Theory]
    [InlineData("CN", 39.66, 98.49, 270.0, true)]   // Jiuquan, due west
    [InlineData("CN", 39.66, 98.49, 247.5, true)]   // west edge
    [InlineData("CN", 39.66, 98.49, 247.4, false)]
    [InlineData("CN", 39.66, 98.49, 67.5, true)]    // north-east edge
    [InlineData("CN", 39.66, 98.49, 67.6, false)]
    [InlineData("CN", 39.66, 98.49, 180.0, false)]  // due south, away from Russia
    [InlineData("RU", 48.58, 45.72, 180.0, true)]   // Kapustin Yar, due south
    [InlineData("RU", 48.58, 45.72, 202.5, true)]   // south edge
    [InlineData("RU", 48.58, 45.72, 202.6, false)]
    [InlineData("RU", 48.58, 45.72, 22.5, true)]    // north-east edge
    [InlineData("RU", 48.58, 45.72, 22.4, false)]
    [InlineData("RU", 62.93, 40.58, 270.0, false)]  // Plesetsk, due west
    public void CnRuDirection_FollowsThePublishedSectors_OnBothSidesOfEachEdge(string sender, double lat, double lon, double azimuth, bool toward)
    {
        var from = new CentreCode(sender);
        var to = from == CN ? RU : CN;
        var n = Notification("cn-ru-2009", from, to, new GeoPoint(lat, lon)) with
        {
            Missile = new Missile(MissileClass.ICBM, rangeKm: 5000),
            PlannedAzimuthDeg = azimuth,
        };

        var outcome = AsSender(n, Shipped("cn-ru-2009"));

        Assert.Empty(outcome.Errors);
        Assert.Equal(!toward, outcome.Findings.Any(f => f.Code == RuleCodes.ScopeNotTowardParty));
    }

    [Fact]
    public void Hcoc_NoticeWithoutImpactArea_IsAccepted_ButUsRuStillAsksForOne()
    {
        var hcoc = Notification("hcoc", FR, US, new GeoPoint(47.9, -4.4)) with
        {
            Missile = new Missile(MissileClass.SLBM),
            ImpactAreas = [],
            PlannedDirection = "west, into the Atlantic",
        };
        Assert.Empty(AsSender(hcoc, Shipped("hcoc")).Errors);

        var usRu = Notification("us-ru-bmlna-1988", US, RU, new GeoPoint(34.74, -120.57)) with { ImpactAreas = [] };
        var e = Assert.Single(AsSender(usRu, Shipped("us-ru-bmlna-1988")).Errors);
        Assert.Equal((RuleCodes.RequiredFieldMissing, "/impactAreas"), (e.Code, e.Path));
    }

    [Fact]
    public void AssumedLeadTime_UnderHcocAndCnRu_IsAFindingNeverARefusal_WhileTheTextsLeadTimeRefuses()
    {
        var late = WindowStart - Duration.FromHours(23);
        var hcoc = Notification("hcoc", FR, US, new GeoPoint(47.9, -4.4)) with { Missile = new Missile(MissileClass.SLBM), PlannedDirection = "west" };
        var cnRu = Notification("cn-ru-2009", CN, RU, new GeoPoint(40.96, 100.29)) with { Missile = new Missile(MissileClass.SLV), PlannedAzimuthDeg = 90 };
        var usRu = Notification("us-ru-bmlna-1988", US, RU, new GeoPoint(34.74, -120.57));

        foreach (var (n, id) in new[] { (hcoc, "hcoc"), (cnRu, "cn-ru-2009") })
        {
            var outcome = Rules.Evaluate(n, Shipped(id), EvaluatingSide.Sender, n.Sender, late, null);
            Assert.Empty(outcome.Errors);
            Assert.Contains("assumption", Assert.Single(outcome.Findings, f => f.Code == RuleCodes.LeadTimeTooShort).Message, StringComparison.Ordinal);
        }
        var text = Rules.Evaluate(usRu, Shipped("us-ru-bmlna-1988"), EvaluatingSide.Sender, US, late, null);
        Assert.Single(text.Errors, e => e.Code == RuleCodes.LeadTimeTooShort);
    }

    [Fact]
    public void AssumedMaximumWindow_UnderUsRu_IsAFinding_WhileInPksTextualFiveDaysRefuses()
    {
        var longUsRu = Notification("us-ru-bmlna-1988", US, RU, new GeoPoint(34.74, -120.57)) with
        {
            LaunchWindow = new LaunchWindow(WindowStart, WindowStart + Duration.FromHours(97)),
        };
        var outcome = AsSender(longUsRu, Shipped("us-ru-bmlna-1988"));
        Assert.Empty(outcome.Errors);
        Assert.Single(outcome.Findings, f => f.Code == RuleCodes.WindowTooLong);

        var longInPk = Indian(new GeoPoint(20.76, 87.08)) with { LaunchWindow = new LaunchWindow(WindowStart, WindowStart + Duration.FromHours(121)) };
        Assert.Single(AsSender(longInPk, Shipped("in-pk-2005")).Errors, e => e.Code == RuleCodes.WindowTooLong);
    }

    [Fact]
    public void SoundingRocket_UnderUsRu_IsAVoluntaryNoticeWithAFinding()
    {
        var blackBrant = Notification("us-ru-bmlna-1988", US, RU, new GeoPoint(69.29, 16.02)) with { Missile = new Missile(MissileClass.SoundingRocket, type: "Black Brant XII") };

        var outcome = AsSender(blackBrant, Shipped("us-ru-bmlna-1988"));

        Assert.Empty(outcome.Errors);
        Assert.Single(outcome.Findings, f => f.Code == RuleCodes.ScopeClassVoluntary);
    }

    /// <summary>The 1988 text: an SLBM's launch area as "the quadrant within the ocean", an impact circle's radius "in kilometers or nautical miles".</summary>
    [Fact]
    public void UsRu_AnSlbmFromAQuarterOfThePacific_ToACircleInNauticalMiles_IsAccepted()
    {
        var slbm = Notification("us-ru-bmlna-1988", RU, US, new GeoPoint(0, 0)) with
        {
            Missile = new Missile(MissileClass.SLBM),
            LaunchArea = new OceanQuarterArea(Ocean.Pacific, Quadrant.NE),
            ImpactAreas = [CircleArea.InNauticalMiles(new GeoPoint(57.77, 161.99), 25, "Kura test range")],
        };

        var outcome = AsSender(slbm, Shipped("us-ru-bmlna-1988"));

        Assert.Empty(outcome.Errors);
        Assert.Equal(25 * 1.852, ((CircleArea)slbm.ImpactAreas[0]).RadiusKm, 9);
    }

    [Fact]
    public void InPk_AnImpactAreaGivenAsAQuarterOfAnOcean_GivesAFindingThatItsDistanceWasNotChecked_NeverARefusal()
    {
        var test = Indian(new GeoPoint(20.76, 87.08)) with { ImpactAreas = [new OceanQuarterArea(Ocean.Indian, Quadrant.NE)] };

        var outcome = AsSender(test, Shipped("in-pk-2005"));

        Assert.Empty(outcome.Errors);
        Assert.Contains(outcome.Findings, f => f.Code == RuleCodes.GeographyUncheckable && f.Message.Contains("the NE quarter of the Indian Ocean", StringComparison.Ordinal));
        Assert.Contains(outcome.Findings, f => f.Code == RuleCodes.GeographyUncheckable && f.Message.Contains("trajectory", StringComparison.Ordinal));
    }

    [Fact]
    public void InPk_AnImpactCircleInNauticalMiles_IsMeasuredInKm()
    {
        // 30 NM is 55.6 km: a circle 100 km from the border then reaches within 44 km of it, under the 70 km the text asks.
        var nearBorder = GreatCircle.Destination(new GeoPoint(29.17, 73.0), 135, 100);
        var test = Indian(new GeoPoint(20.76, 87.08)) with { ImpactAreas = [CircleArea.InNauticalMiles(nearBorder, 30)] };

        var outcome = AsSender(test, Shipped("in-pk-2005"));

        Assert.Contains(outcome.Errors, e => e.Code == RuleCodes.ImpactAreaTooCloseToBoundary);
    }

    private static PreNotification Salvo(bool declaredGroup, params int[] minutesAfterStart) =>
        Notification("cn-ru-2009", CN, RU, new GeoPoint(39.78, 98.29)) with
        {
            Missile = new Missile(MissileClass.ICBM, minutesAfterStart.Length, declaredGroup, rangeKm: 10000)
            {
                Launches = minutesAfterStart.Select(m => new PlannedLaunch(WindowStart + Duration.FromMinutes(m), 0)).ToList(),
            },
            PlannedAzimuthDeg = 300,
        };

    [Theory]
    [InlineData(12, "near-simultaneous launches")]
    [InlineData(90, "separate launches")]
    public void CnRu_AGroupLaunchSpreadBeyond5Min_IsAFindingNamingWhatItIs_NeverARefusal(int spreadMinutes, string what)
    {
        var outcome = AsSender(Salvo(declaredGroup: true, 0, spreadMinutes), Shipped("cn-ru-2009"));

        Assert.DoesNotContain(outcome.Errors, e => e.Code.StartsWith("GROUP_LAUNCH", StringComparison.Ordinal));
        var finding = Assert.Single(outcome.Findings, f => f.Code == RuleCodes.GroupLaunchSpread);
        Assert.Contains(what, finding.Message);
        Assert.Equal("/missile/launches", finding.Path);
    }

    [Fact]
    public void CnRu_AGroupLaunchWithin5Min_GivesNoGroupingFinding() =>
        Assert.DoesNotContain(AsSender(Salvo(declaredGroup: true, 0, 5), Shipped("cn-ru-2009")).Findings, f => f.Code.StartsWith("GROUP_LAUNCH", StringComparison.Ordinal));

    [Fact]
    public void CnRu_MissilesWithin5MinNotDeclaredAGroup_IsAFinding()
    {
        var outcome = AsSender(Salvo(declaredGroup: false, 0, 2), Shipped("cn-ru-2009"));

        Assert.Contains(outcome.Findings, f => f.Code == RuleCodes.GroupLaunchNotDeclared);
    }

    [Fact]
    public void PerMissileLaunches_ThatContradictTheNotice_AreRefused()
    {
        var salvo = Salvo(declaredGroup: true, 0, 1);
        salvo = salvo with
        {
            Missile = new Missile(MissileClass.ICBM, 3, true, rangeKm: 10000)
            {
                Launches = [new PlannedLaunch(WindowStart - Duration.FromMinutes(1), 0), new PlannedLaunch(WindowStart, 4)],
            },
        };

        var codes = AsSender(salvo, Shipped("cn-ru-2009")).Errors.Select(e => (e.Code, e.Path)).ToList();

        Assert.Contains((RuleCodes.GroupLaunchCountMismatch, "/missile/launches"), codes);
        Assert.Contains((RuleCodes.GroupLaunchOutsideWindow, "/missile/launches/0/plannedAt"), codes);
        Assert.Contains((RuleCodes.GroupLaunchImpactAreaUnknown, "/missile/launches/1/impactArea"), codes);
    }

    private static RuleOutcome AsSender(Message m, Agreement a) => Rules.Evaluate(m, a, EvaluatingSide.Sender, m.Sender, Early, null);

    /// <summary>An Indian SRBM test from <paramref name="site"/> into the Bay of Bengal.</summary>
    private static PreNotification Indian(GeoPoint site) =>
        Notification("in-pk-2005", IN, PK, site) with
        {
            Missile = new Missile(MissileClass.SRBM),
            ImpactAreas = [new CircleArea(new GeoPoint(17.5, 88.5), 20, "Bay of Bengal")],
        };

    private static PreNotification Notification(string agreement, CentreCode sender, CentreCode recipient, GeoPoint site) => new()
    {
        MessageId = MessageId.New(),
        AgreementId = new AgreementId(agreement),
        Sender = sender,
        Recipients = [new Addressee(recipient, 1)],
        IssuedAt = Early,
        LaunchWindow = new LaunchWindow(WindowStart, WindowStart + Duration.FromHours(6)),
        Missile = new Missile(MissileClass.ICBM),
        LaunchArea = new CircleArea(site, 5, "launch site"),
        ImpactAreas = [new CircleArea(new GeoPoint(9.4, 167.47), 50, "impact")],
    };
}
