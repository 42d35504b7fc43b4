using LaunchNotify.Domain.Agreements;
using LaunchNotify.Domain.Geodesy;
using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Rules;
using LaunchNotify.Domain.Values;
using NodaTime;

namespace LaunchNotify.Domain.Tests;

/// <summary>Agreements built in code, shaped like the shipped ones but independent of the JSON files.</summary>
internal static class TestAgreements
{
    public static readonly CentreCode US = new("US"), RU = new("RU"), CN = new("CN"), IN = new("IN"), PK = new("PK"),
        FR = new("FR"), GB = new("GB"), JP = new("JP");

    /// <summary>A north-south test boundary along the meridian 70°E from 20°N to 36°N; IN lies east of it.</summary>
    public static readonly Boundary Meridian70 = new("test-meridian-70e", "Test boundary along 70°E", [new(20, 70), new(28, 70), new(36, 70)]);

    public static Agreement Build(string id, AgreementType type, CentreCode[] parties, MissileClass[] classes, Duration lead) => new()
    {
        Id = new AgreementId(id),
        Title = id,
        Type = type,
        Parties = parties,
        Scope = new AgreementScope { MissileClasses = classes, Description = "test" },
        Notification = new NotificationTerms { MinimumLeadTime = lead },
        Deadlines = new DeadlineTerms
        {
            Receipt = Duration.FromHours(1),
            PostLaunchReport = Duration.FromHours(24),
            HeartbeatInterval = Duration.FromMinutes(5),
            MissingGrace = Duration.FromMinutes(10),
            SilentAfterMissedHeartbeats = 3,
        },
    };

    public static Agreement UsRu() => Build("us-ru-bmlna-1988", AgreementType.Bilateral, [US, RU], [MissileClass.ICBM, MissileClass.SLBM], Duration.FromHours(24));

    public static Agreement CnRu()
    {
        var a = Build("cn-ru-2009", AgreementType.Bilateral, [CN, RU],
            [MissileClass.ICBM, MissileClass.IRBM, MissileClass.MRBM, MissileClass.SLBM, MissileClass.SLV], Duration.FromHours(24));
        return a with
        {
            Scope = a.Scope with { MinimumRangeKm = 2000, OnlyTowardParty = true },
            Direction = new DirectionTerms
            {
                PartyReferencePoints = new Dictionary<CentreCode, GeoPoint> { [CN] = new(39.9, 116.4), [RU] = new(55.75, 37.62) },
                ToleranceDeg = 45,
            },
        };
    }

    public static Agreement InPk(Boundary? boundary = null)
    {
        var a = Build("in-pk-2005", AgreementType.Bilateral, [IN, PK], [MissileClass.SRBM, MissileClass.MRBM, MissileClass.IRBM], Duration.FromHours(72));
        return a with
        {
            Notification = a.Notification with { MaximumWindow = Duration.FromHours(120), LongWindowPolicy = LongWindowPolicy.Reject },
            Geography = new GeographyTerms
            {
                Boundary = boundary ?? Meridian70,
                LaunchSiteMinDistanceKm = 40,
                ImpactAreaMinDistanceKm = 40,
                TrajectoryMinDistanceKm = 40,
                TrajectoryMayCross = false,
            },
        };
    }

    public static Agreement Hcoc()
    {
        var a = Build("hcoc", AgreementType.Multilateral, [US, RU, FR, GB, JP, IN], [MissileClass.Ballistic, MissileClass.SLV], Duration.FromHours(24));
        return a with { Notification = a.Notification with { RequiredFields = [RequiredField.PlannedDirection] } };
    }
}

/// <summary>Messages for the rules tests, valid under <see cref="TestAgreements"/> unless a test changes them.</summary>
internal static class TestMessages
{
    public static readonly Instant WindowStart = Instant.FromUtc(2026, 3, 10, 6, 0);

    /// <summary>A launch site in India 100 km east of the test boundary at 28°N, and an impact circle further east.</summary>
    public static readonly GeoPoint InLaunch = GreatCircle.Destination(new GeoPoint(28, 70), 90, 100);
    public static readonly GeoPoint InImpact = new(24, 76);

    public static PreNotification Pre(Agreement agreement, CentreCode sender, params CentreCode[] recipients) => new()
    {
        MessageId = MessageId.New(),
        AgreementId = agreement.Id,
        Sender = sender,
        Recipients = recipients.Select((r, i) => new Addressee(r, i + 1)).ToList(),
        IssuedAt = WindowStart - Duration.FromDays(5),
        LaunchWindow = new LaunchWindow(WindowStart, WindowStart + Duration.FromHours(6)),
        Missile = new Missile(agreement.Scope.MissileClasses[0]),
        LaunchArea = new CircleArea(InLaunch, 5, "launch"),
        ImpactAreas = [new CircleArea(InImpact, 20, "impact")],
    };

    public static Amendment Amend(PreNotification original, NotificationChanges changes) => new()
    {
        MessageId = MessageId.New(),
        AgreementId = original.AgreementId,
        Sender = original.Sender,
        Recipients = original.Recipients.Select(r => new Addressee(r.Centre, r.Sequence + 1)).ToList(),
        IssuedAt = original.IssuedAt,
        Amends = original.MessageId,
        Reason = "test",
        Changes = changes,
    };

    public static PostLaunchReport Report(PreNotification original, Instant? launchedAt, int? missiles = null) => new()
    {
        MessageId = MessageId.New(),
        AgreementId = original.AgreementId,
        Sender = original.Sender,
        Recipients = original.Recipients.Select(r => new Addressee(r.Centre, r.Sequence + 1)).ToList(),
        IssuedAt = original.LaunchWindow.End,
        ReportsOn = original.MessageId,
        Outcome = launchedAt is null ? PostLaunchOutcome.NotLaunched : PostLaunchOutcome.Launched,
        LaunchedAt = launchedAt,
        MissilesLaunched = missiles,
    };

    public static Cancellation Cancel(PreNotification original) => new()
    {
        MessageId = MessageId.New(),
        AgreementId = original.AgreementId,
        Sender = original.Sender,
        Recipients = original.Recipients.Select(r => new Addressee(r.Centre, r.Sequence + 1)).ToList(),
        IssuedAt = original.IssuedAt,
        Cancels = original.MessageId,
        Reason = "test",
    };
}

/// <summary>Shorthands for evaluating and asserting on rule outcomes.</summary>
internal static class RuleAssert
{
    private static readonly AgreementRules Rules = new();

    public static RuleOutcome AsSender(Message m, Agreement a, Instant at, PreNotification? original = null) =>
        Rules.Evaluate(m, a, EvaluatingSide.Sender, m.Sender, at, original);

    public static RuleOutcome AsReceiver(Message m, Agreement a, Instant at, PreNotification? original = null) =>
        Rules.Evaluate(m, a, EvaluatingSide.Receiver, m.Recipients[0].Centre, at, original);

    /// <summary>Before the window opens, far enough for every agreement's lead time.</summary>
    public static Instant Early => TestMessages.WindowStart - Duration.FromDays(10);

    public static Validation.ValidationError SingleError(this RuleOutcome o, string code)
    {
        var e = Assert.Single(o.Errors, e => e.Code == code);
        return e;
    }

    public static Validation.ValidationError SingleFinding(this RuleOutcome o, string code) => Assert.Single(o.Findings, e => e.Code == code);

    public static void Clean(this RuleOutcome o)
    {
        Assert.True(o.Errors.Count == 0, "Errors: " + string.Join("; ", o.Errors));
        Assert.True(o.Findings.Count == 0, "Findings: " + string.Join("; ", o.Findings));
    }

    public static void HasNo(this RuleOutcome o, string code) =>
        Assert.DoesNotContain(o.Errors.Concat(o.Findings), e => e.Code == code);
}
