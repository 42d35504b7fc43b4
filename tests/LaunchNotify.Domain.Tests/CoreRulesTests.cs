using LaunchNotify.Domain.Agreements;
using LaunchNotify.Domain.Geodesy;
using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Rules;
using LaunchNotify.Domain.Values;
using NodaTime;
using static LaunchNotify.Domain.Tests.RuleAssert;
using static LaunchNotify.Domain.Tests.TestAgreements;
using static LaunchNotify.Domain.Tests.TestMessages;

namespace LaunchNotify.Domain.Tests;

public class PartiesRulesTests
{
    [Fact]
    public void EveryRule_IsInExactlyOneNamedRuleSet_WhichIsWhatTheRuleSetSelectorAssumes()
    {
        // AgreementRules runs one rule set at a time with a selector that looks for the set's name in each rule's
        // sets; a rule outside every set (FluentValidation's "default") or in two would run where it should not.
        var rules = ((IEnumerable<FluentValidation.IValidationRule>)new AgreementValidator()).ToList();
        Assert.NotEmpty(rules);
        var names = typeof(RuleSetNames).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToHashSet();
        Assert.All(rules, r => Assert.True(r.RuleSets is [var only] && names.Contains(only), $"{r.PropertyName}: {string.Join(",", r.RuleSets ?? [])}"));
        Assert.Equal(names.Order(), rules.Select(r => r.RuleSets![0]).Distinct().Order());
    }

    [Fact]
    public void PreNotification_BetweenTheParties_IsClean() => AsSender(Pre(UsRu(), US, RU), UsRu(), Early).Clean();

    [Fact]
    public void Sender_WhenNotAParty_IsRefused()
    {
        var e = AsSender(Pre(UsRu(), CN, RU), UsRu(), Early).SingleError(RuleCodes.SenderNotParty);
        Assert.Equal("/sender", e.Path);
        Assert.Equal("us-ru-bmlna-1988/Parties", e.Rule);
        Assert.Contains("CN", e.Message);
    }

    [Fact]
    public void Recipient_WhenNotAParty_IsRefusedAtItsIndex()
    {
        var outcome = AsSender(Pre(Hcoc(), US, RU, CN) with { PlannedDirection = "north" }, Hcoc(), Early);
        var e = outcome.SingleError(RuleCodes.RecipientNotParty);
        Assert.Equal("/recipients/1/centre", e.Path);
        Assert.Single(outcome.Errors);
    }

    [Fact]
    public void Recipients_InAMultilateralAgreement_MayBeAnySubsetOfParties() =>
        AsSender(Pre(Hcoc(), US, JP, FR) with { PlannedDirection = "north" }, Hcoc(), Early).Clean();

    [Fact]
    public void Recipient_WhenTheSenderItself_IsRefused() =>
        Assert.Equal("/recipients/1/centre", AsSender(Pre(Hcoc(), US, RU, US) with { PlannedDirection = "north" }, Hcoc(), Early)
            .SingleError(RuleCodes.RecipientIsSender).Path);

    [Fact]
    public void Recipient_WhenNamedTwice_IsRefusedAtTheRepeat() =>
        Assert.Equal("/recipients/2/centre", AsSender(Pre(Hcoc(), US, RU, JP, RU) with { PlannedDirection = "north" }, Hcoc(), Early)
            .SingleError(RuleCodes.RecipientDuplicate).Path);

    [Fact]
    public void Sender_WhenNotTheEvaluatingCentre_IsRefused()
    {
        var outcome = new AgreementRules().Evaluate(Pre(UsRu(), US, RU), UsRu(), EvaluatingSide.Sender, RU, Early, null);
        Assert.Equal("/sender", outcome.SingleError(RuleCodes.SenderNotThisCentre).Path);
    }

    [Fact]
    public void Receiver_WhenNotAmongTheRecipients_Refuses()
    {
        var outcome = new AgreementRules().Evaluate(Pre(Hcoc(), US, RU) with { PlannedDirection = "north" }, Hcoc(), EvaluatingSide.Receiver, JP, Early, null);
        outcome.SingleError(RuleCodes.NotAddressedToThisCentre);
    }

    [Fact]
    public void Heartbeat_FromANonParty_IsRefusedAndOnlyPartiesAreChecked()
    {
        var hb = new Heartbeat
        {
            MessageId = MessageId.New(), AgreementId = UsRu().Id, Sender = CN, Recipients = [new Addressee(RU, 1)],
            IssuedAt = Early, LastNotificationSequence = 0, IntervalSeconds = 300,
        };
        var outcome = AsReceiver(hb, UsRu(), Early);
        outcome.SingleError(RuleCodes.SenderNotParty);
        Assert.Equal([RuleSetNames.Parties, RuleSetNames.Heartbeat], AgreementRules.RuleSetsFor(new RuleContext(hb, UsRu(), EvaluatingSide.Receiver, RU, Early, null)));
    }
}

public class ScopeRulesTests
{
    /// <summary>Jiuquan launch centre, in China.</summary>
    private static readonly GeoPoint Jiuquan = new(40.96, 100.29);

    private static double BearingToMoscow => GreatCircle.InitialBearingDeg(Jiuquan, new GeoPoint(55.75, 37.62));

    private static PreNotification CnLaunch(MissileClass cls, double? rangeKm, double? azimuth) =>
        Pre(CnRu(), CN, RU) with
        {
            Missile = new Missile(cls, rangeKm: rangeKm),
            LaunchArea = new CircleArea(Jiuquan, 10),
            PlannedAzimuthDeg = azimuth,
        };

    [Fact]
    public void Class_WhenNotCoveredByUsRu_IsRefused()
    {
        var e = AsSender(Pre(UsRu(), US, RU) with { Missile = new Missile(MissileClass.SRBM) }, UsRu(), Early).SingleError(RuleCodes.ScopeClassNotCovered);
        Assert.Equal("/missile/class", e.Path);
        Assert.Equal("us-ru-bmlna-1988/Scope", e.Rule);
        Assert.Contains("SRBM", e.Message);
    }

    [Fact]
    public void CnRu_BallisticAt2001kmTowardRussia_IsInScope() =>
        AsSender(CnLaunch(MissileClass.IRBM, 2001, BearingToMoscow), CnRu(), Early).Clean();

    [Fact]
    public void CnRu_BallisticAt1999km_IsOutsideScopeAsAFinding()
    {
        var outcome = AsSender(CnLaunch(MissileClass.IRBM, 1999, BearingToMoscow), CnRu(), Early);
        Assert.Empty(outcome.Errors);
        var f = outcome.SingleFinding(RuleCodes.ScopeBelowRangeThreshold);
        Assert.Equal("/missile/rangeKm", f.Path);
        Assert.Contains("1999 km", f.Message);
        Assert.Contains("2000 km", f.Message);
    }

    [Fact]
    public void CnRu_BallisticAtExactly2000km_IsNotAboveTheThreshold() =>
        AsSender(CnLaunch(MissileClass.IRBM, 2000, BearingToMoscow), CnRu(), Early).SingleFinding(RuleCodes.ScopeBelowRangeThreshold);

    [Fact]
    public void CnRu_BallisticAwayFromRussia_IsOutsideScopeAsAFinding()
    {
        var outcome = AsSender(CnLaunch(MissileClass.IRBM, 3000, (BearingToMoscow + 180) % 360), CnRu(), Early);
        Assert.Empty(outcome.Errors);
        var f = outcome.SingleFinding(RuleCodes.ScopeNotTowardParty);
        Assert.Equal("/plannedAzimuthDeg", f.Path);
        Assert.Equal("cn-ru-2009/Direction", f.Rule);
    }

    [Theory]
    [InlineData(44.9, true)]
    [InlineData(-44.9, true)]
    [InlineData(45.1, false)]
    [InlineData(-45.1, false)]
    public void CnRu_AzimuthAtTheToleranceEdge_DecidesToward(double offset, bool toward)
    {
        var outcome = AsSender(CnLaunch(MissileClass.IRBM, 3000, (BearingToMoscow + offset + 360) % 360), CnRu(), Early);
        Assert.Equal(!toward, outcome.Findings.Any(f => f.Code == RuleCodes.ScopeNotTowardParty));
    }

    [Fact]
    public void CnRu_BallisticWithoutAzimuth_IsRefused() =>
        Assert.Equal("/plannedAzimuthDeg", AsSender(CnLaunch(MissileClass.IRBM, 3000, null), CnRu(), Early).SingleError(RuleCodes.ScopeAzimuthRequired).Path);

    [Fact]
    public void CnRu_BallisticWithoutRange_IsRefused() =>
        Assert.Equal("/missile/rangeKm", AsSender(CnLaunch(MissileClass.IRBM, null, BearingToMoscow), CnRu(), Early).SingleError(RuleCodes.ScopeRangeRequired).Path);

    [Fact]
    public void CnRu_ShortRangeWithoutAzimuth_NeedsNoDirection()
    {
        var outcome = AsSender(CnLaunch(MissileClass.IRBM, 1000, null), CnRu(), Early);
        Assert.Empty(outcome.Errors);
        outcome.SingleFinding(RuleCodes.ScopeBelowRangeThreshold);
    }

    [Fact]
    public void CnRu_SpaceLaunchVehicle_IsAlwaysCovered() =>
        AsSender(CnLaunch(MissileClass.SLV, 500, (BearingToMoscow + 180) % 360), CnRu(), Early).Clean();

    [Fact]
    public void Hcoc_WithoutPlannedDirection_IsRefused()
    {
        var e = AsSender(Pre(Hcoc(), US, RU), Hcoc(), Early).SingleError(RuleCodes.RequiredFieldMissing);
        Assert.Equal("/plannedDirection", e.Path);
        Assert.Equal("hcoc/RequiredFields", e.Rule);
    }

    [Fact]
    public void Hcoc_WithAnAzimuthInsteadOfWords_HasItsDirection() =>
        AsSender(Pre(Hcoc(), US, RU) with { PlannedAzimuthDeg = 10 }, Hcoc(), Early).Clean();

    [Theory]
    [InlineData(RequiredField.MissileType, "/missile/type")]
    [InlineData(RequiredField.MissileRange, "/missile/rangeKm")]
    [InlineData(RequiredField.PlannedAzimuth, "/plannedAzimuthDeg")]
    public void RequiredField_WhenMissing_IsRefusedAtItsPointer(RequiredField field, string path)
    {
        var a = UsRu() with { Notification = UsRu().Notification with { RequiredFields = [field] } };
        Assert.Equal(path, AsSender(Pre(a, US, RU), a, Early).SingleError(RuleCodes.RequiredFieldMissing).Path);
    }

    [Fact]
    public void RequiredFields_WhenGiven_AreSatisfied()
    {
        var a = UsRu() with { Notification = UsRu().Notification with { RequiredFields = [RequiredField.MissileType, RequiredField.MissileRange, RequiredField.PlannedAzimuth, RequiredField.LaunchArea, RequiredField.ImpactAreas] } };
        AsSender(Pre(a, US, RU) with { Missile = new Missile(MissileClass.ICBM, type: "Yars", rangeKm: 9000), PlannedAzimuthDeg = 20 }, a, Early).Clean();
    }
}

public class LeadTimeRulesTests
{
    private static readonly Duration Day = Duration.FromHours(24);
    private static readonly Duration OneSecond = Duration.FromSeconds(1);

    [Fact]
    public void LeadTime_WhenExactly24hAhead_IsOnTime() => AsSender(Pre(UsRu(), US, RU), UsRu(), WindowStart - Day).Clean();

    [Fact]
    public void LeadTime_When24hMinus1sAheadOnSender_IsRefusedAsTooShort()
    {
        var outcome = AsSender(Pre(UsRu(), US, RU), UsRu(), WindowStart - Day + OneSecond);
        var e = outcome.SingleError(RuleCodes.LeadTimeTooShort);
        Assert.Equal("/launchWindow/start", e.Path);
        Assert.Equal("us-ru-bmlna-1988/LeadTime", e.Rule);
        Assert.Contains("23 h 59 min 59 s", e.Message);
        Assert.Contains("at least 24 h", e.Message);
        Assert.Contains("late by 1 s", e.Message);
        Assert.Empty(outcome.Findings);
    }

    [Fact]
    public void LeadTime_When24hMinus1sAheadOnReceiver_IsAFindingNotAnError()
    {
        var outcome = AsReceiver(Pre(UsRu(), US, RU), UsRu(), WindowStart - Day + OneSecond);
        Assert.Empty(outcome.Errors);
        var f = outcome.SingleFinding(RuleCodes.LateNotification);
        Assert.Equal("/launchWindow/start", f.Path);
        Assert.Contains("late by 1 s", f.Message);
        Assert.Contains("in transit", f.Message);
    }

    [Fact]
    public void LeadTime_WhenWindowAlreadyOpenOnSender_IsRefusedAsInThePast() =>
        AsSender(Pre(UsRu(), US, RU), UsRu(), WindowStart + OneSecond).SingleError(RuleCodes.WindowInPast);

    [Fact]
    public void LeadTime_WhenWindowAlreadyOpenOnReceiver_IsALateFinding()
    {
        var outcome = AsReceiver(Pre(UsRu(), US, RU) with { IssuedAt = WindowStart }, UsRu(), WindowStart + Duration.FromHours(1));
        Assert.Empty(outcome.Errors);
        Assert.Contains("late by 25 h", outcome.SingleFinding(RuleCodes.LateNotification).Message);
    }

    [Fact]
    public void LeadTime_InPkExactly72h_IsOnTime() => AsSender(Pre(InPk(), IN, PK), InPk(), WindowStart - Duration.FromHours(72)).Clean();

    [Fact]
    public void LeadTime_InPk72hMinus1s_IsRefused() =>
        Assert.Contains("71 h 59 min 59 s", AsSender(Pre(InPk(), IN, PK), InPk(), WindowStart - Duration.FromHours(72) + OneSecond)
            .SingleError(RuleCodes.LeadTimeTooShort).Message);

    [Fact]
    public void Window_InPkExactly120h_IsAccepted() =>
        AsSender(Pre(InPk(), IN, PK) with { LaunchWindow = new LaunchWindow(WindowStart, WindowStart + Duration.FromHours(120)) }, InPk(), Early).Clean();

    [Fact]
    public void Window_InPk120hPlus1s_IsRefusedAsTooLong()
    {
        var n = Pre(InPk(), IN, PK) with { LaunchWindow = new LaunchWindow(WindowStart, WindowStart + Duration.FromHours(120) + OneSecond) };
        var e = AsSender(n, InPk(), Early).SingleError(RuleCodes.WindowTooLong);
        Assert.Equal("/launchWindow/end", e.Path);
        Assert.Contains("5 days, 1 second", e.Message);
    }

    [Fact]
    public void Window_TooLongUnderFlagPolicy_IsAFinding()
    {
        var a = InPk() with { Notification = InPk().Notification with { LongWindowPolicy = LongWindowPolicy.Flag } };
        var n = Pre(a, IN, PK) with { LaunchWindow = new LaunchWindow(WindowStart, WindowStart + Duration.FromHours(121)) };
        var outcome = AsSender(n, a, Early);
        Assert.Empty(outcome.Errors);
        outcome.SingleFinding(RuleCodes.WindowTooLong);
    }

    [Fact]
    public void Window_WithoutAMaximum_IsNotChecked()
    {
        var n = Pre(UsRu(), US, RU) with { LaunchWindow = new LaunchWindow(WindowStart, WindowStart + Duration.FromDays(30)) };
        AsSender(n, UsRu(), Early).Clean();
    }
}
