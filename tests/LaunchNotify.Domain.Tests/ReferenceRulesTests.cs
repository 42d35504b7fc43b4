using LaunchNotify.Domain.Geodesy;
using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Rules;
using LaunchNotify.Domain.Validation;
using LaunchNotify.Domain.Values;
using NodaTime;
using static LaunchNotify.Domain.Tests.RuleAssert;
using static LaunchNotify.Domain.Tests.TestAgreements;
using static LaunchNotify.Domain.Tests.TestMessages;

namespace LaunchNotify.Domain.Tests;

public class AmendmentRulesTests
{
    private static readonly Duration Day = Duration.FromHours(24);
    private static readonly PreNotification Original = Pre(UsRu(), US, RU); // window 06:00..12:00 on 10 March

    private static NotificationChanges NewWindow(Instant start, Instant end) => new() { LaunchWindow = new LaunchWindow(start, end) };

    [Fact]
    public void Amendment_WithoutKnownOriginal_IsRefused() =>
        Assert.Equal("/amends", AsSender(Amend(Original, new NotificationChanges { Remarks = "x" }), UsRu(), Early)
            .SingleError(RuleCodes.AmendmentOriginalUnknown).Path);

    [Fact]
    public void Amendment_ExtendingWindowWellAhead_IsAccepted() =>
        AsSender(Amend(Original, NewWindow(WindowStart, WindowStart + Duration.FromHours(12))), UsRu(), Early, Original).Clean();

    [Fact]
    public void Amendment_ExtendingWindowLessThan24hBeforeTheAddedPart_IsRefusedOnSender()
    {
        // The original window ends at 12:00; the extension adds 12:00..18:00; notified at 12:00 the day before plus 1 s.
        var amendment = Amend(Original, NewWindow(WindowStart, WindowStart + Duration.FromHours(12)));
        var at = Original.LaunchWindow.End - Day + Duration.FromSeconds(1);
        var e = AsSender(amendment, UsRu(), at, Original).SingleError(RuleCodes.LeadTimeTooShort);
        Assert.Equal("/changes/launchWindow/end", e.Path);
        Assert.Equal("us-ru-bmlna-1988/Amendment", e.Rule);
        Assert.Contains("added part", e.Message);
    }

    [Fact]
    public void Amendment_ExtendingWindowExactly24hBeforeTheAddedPart_IsAccepted() =>
        AsSender(Amend(Original, NewWindow(WindowStart, WindowStart + Duration.FromHours(12))), UsRu(), Original.LaunchWindow.End - Day, Original).Clean();

    [Fact]
    public void Amendment_ExtendingWindowLateOnReceiver_IsAFinding()
    {
        var amendment = Amend(Original, NewWindow(WindowStart, WindowStart + Duration.FromHours(12)));
        var outcome = AsReceiver(amendment, UsRu(), Original.LaunchWindow.End - Duration.FromHours(1), Original);
        Assert.Empty(outcome.Errors);
        Assert.Equal("/changes/launchWindow/end", outcome.SingleFinding(RuleCodes.LateNotification).Path);
    }

    [Fact]
    public void Amendment_MovingWindowEarlierInside24h_IsRefused() =>
        Assert.Equal("/changes/launchWindow/start",
            AsSender(Amend(Original, NewWindow(WindowStart - Duration.FromHours(2), WindowStart + Duration.FromHours(6))), UsRu(), WindowStart - Day, Original)
                .SingleError(RuleCodes.LeadTimeTooShort).Path);

    [Fact]
    public void Amendment_ShorteningWindowInside24h_NeedsNoLeadTime() =>
        AsSender(Amend(Original, NewWindow(WindowStart + Duration.FromHours(1), WindowStart + Duration.FromHours(3))), UsRu(), WindowStart - Duration.FromHours(2), Original).Clean();

    [Fact]
    public void Amendment_ExtendingBeyondTheMaximumWindow_IsRefusedAtTheChange()
    {
        var original = Pre(InPk(), IN, PK);
        var amendment = Amend(original, NewWindow(WindowStart, WindowStart + Duration.FromHours(121)));
        Assert.Equal("/changes/launchWindow/end", AsSender(amendment, InPk(), Early, original).SingleError(RuleCodes.WindowTooLong).Path);
    }

    [Fact]
    public void Amendment_MovingTheLaunchSiteTooClose_IsRefusedAtTheChange()
    {
        var original = Pre(InPk(), IN, PK);
        var amendment = Amend(original, new NotificationChanges { LaunchArea = new CircleArea(GreatCircle.Destination(new GeoPoint(28, 70), 90, 20), 1) });
        Assert.Equal("/changes/launchArea", AsSender(amendment, InPk(), Early, original).SingleError(RuleCodes.LaunchSiteTooCloseToBoundary).Path);
    }

    [Fact]
    public void Amendment_ChangingToAClassNotCovered_IsRefused()
    {
        var amendment = Amend(Original, new NotificationChanges { Missile = new Missile(MissileClass.SRBM) });
        Assert.Equal("/changes/missile/class", AsSender(amendment, UsRu(), Early, Original).SingleError(RuleCodes.ScopeClassNotCovered).Path);
    }

    [Fact]
    public void Amendment_OfAnotherSendersNotification_IsRefused()
    {
        var amendment = Amend(Original, new NotificationChanges { Remarks = "x" }) with { Sender = RU, Recipients = [new Addressee(US, 1)] };
        var outcome = AsSender(amendment, UsRu(), Early, Original);
        outcome.SingleError(RuleCodes.OriginalSenderMismatch);
        Assert.DoesNotContain(RuleSetNames.Scope, AgreementRules.RuleSetsFor(new RuleContext(amendment, UsRu(), EvaluatingSide.Sender, RU, Early, Original)));
    }

    [Fact]
    public void Amendment_WhenSuppliedOriginalIsAnotherNotification_IsRefused() =>
        AsSender(Amend(Original, new NotificationChanges { Remarks = "x" }), UsRu(), Early, Pre(UsRu(), US, RU)).SingleError(RuleCodes.OriginalReferenceMismatch);
}

public class CancellationAndPostLaunchRulesTests
{
    private static readonly PreNotification Original = Pre(UsRu(), US, RU); // window 06:00..12:00 on 10 March

    private static Instant AfterWindow => Original.LaunchWindow.End + Duration.FromHours(1);

    [Fact]
    public void Cancellation_OfAKnownNotification_IsAccepted() => AsSender(Cancel(Original), UsRu(), Early, Original).Clean();

    [Fact]
    public void Cancellation_WithoutKnownOriginal_IsRefused() =>
        Assert.Equal("/cancels", AsSender(Cancel(Original), UsRu(), Early).SingleError(RuleCodes.CancellationOriginalUnknown).Path);

    [Fact]
    public void Cancellation_UnderAnotherAgreement_IsRefused()
    {
        var hcocOriginal = Pre(Hcoc(), US, RU) with { PlannedDirection = "north" };
        Assert.Equal("/agreementId", AsSender(Cancel(hcocOriginal) with { AgreementId = UsRu().Id }, UsRu(), Early, hcocOriginal)
            .SingleError(RuleCodes.OriginalAgreementMismatch).Path);
    }

    [Fact]
    public void PostLaunch_InsideTheWindow_IsClean() =>
        AsSender(Report(Original, Original.LaunchWindow.End, 1), UsRu(), AfterWindow, Original).Clean();

    [Fact]
    public void PostLaunch_OneSecondAfterTheWindow_IsAFindingOnBothSides()
    {
        var report = Report(Original, Original.LaunchWindow.End + Duration.FromSeconds(1));
        foreach (var outcome in new[] { AsSender(report, UsRu(), AfterWindow, Original), AsReceiver(report, UsRu(), AfterWindow, Original) })
        {
            Assert.Empty(outcome.Errors);
            var f = outcome.SingleFinding(RuleCodes.LaunchOutsideWindow);
            Assert.Equal("/launchedAt", f.Path);
            Assert.Contains("1 s after the notified window closed", f.Message);
        }
    }

    [Fact]
    public void PostLaunch_BeforeTheWindow_IsAFinding() =>
        Assert.Contains("before the notified window opened",
            AsSender(Report(Original, WindowStart - Duration.FromMinutes(5)), UsRu(), AfterWindow, Original).SingleFinding(RuleCodes.LaunchOutsideWindow).Message);

    [Fact]
    public void PostLaunch_MoreMissilesThanNotified_IsAFinding() =>
        Assert.Equal("/missilesLaunched", AsSender(Report(Original, WindowStart, 2), UsRu(), AfterWindow, Original).SingleFinding(RuleCodes.MissileCountExceedsNotified).Path);

    [Fact]
    public void PostLaunch_WithoutKnownOriginal_IsRefused() =>
        AsSender(Report(Original, WindowStart), UsRu(), AfterWindow).SingleError(RuleCodes.PostLaunchOriginalUnknown);

    [Fact]
    public void PostLaunch_LaunchTimeInTheFuture_IsRefusedBySenderAndNotedByReceiver()
    {
        var report = Report(Original, WindowStart + Duration.FromHours(1));
        AsSender(report, UsRu(), WindowStart, Original).SingleError(RuleCodes.LaunchedAtInFuture);
        var outcome = AsReceiver(report, UsRu(), WindowStart, Original);
        Assert.Empty(outcome.Errors);
        outcome.SingleFinding(RuleCodes.LaunchedAtInFuture);
    }

    [Fact]
    public void PostLaunch_NotLaunchedWithALaunchTime_IsRefused() =>
        AsSender(Report(Original, null) with { LaunchedAt = WindowStart }, UsRu(), AfterWindow, Original).SingleError(RuleCodes.LaunchedAtUnexpected);

    [Fact]
    public void PostLaunch_AfterTheReportDeadline_IsAFinding()
    {
        var due = Original.LaunchWindow.End + UsRu().Deadlines.PostLaunchReport;
        AsSender(Report(Original, null), UsRu(), due, Original).Clean();
        Assert.Contains("1 s late", AsSender(Report(Original, null), UsRu(), due + Duration.FromSeconds(1), Original).SingleFinding(RuleCodes.PostLaunchReportLate).Message);
    }
}

public class ReceiptAndHeartbeatRulesTests
{
    private static Receipt Receipt(ReceiptOutcome outcome, params ValidationError[] reasons) => new()
    {
        MessageId = MessageId.New(), AgreementId = UsRu().Id, Sender = RU, Recipients = [new Addressee(US, 1)], IssuedAt = Early,
        ReceiptFor = MessageId.New(), ReceivedKind = MessageKind.PreNotification, ReceivedAt = Early, Outcome = outcome, Reasons = reasons,
    };

    private static Heartbeat Heartbeat(int seconds) => new()
    {
        MessageId = MessageId.New(), AgreementId = UsRu().Id, Sender = US, Recipients = [new Addressee(RU, 1)], IssuedAt = Early,
        LastNotificationSequence = 3, IntervalSeconds = seconds,
    };

    [Fact]
    public void Receipt_RejectedWithReasons_IsAccepted() =>
        AsReceiver(Receipt(ReceiptOutcome.Rejected, new ValidationError("X", "r", "/", "m")), UsRu(), Early).Clean();

    [Fact]
    public void Receipt_RejectedWithoutReasons_IsRefused() =>
        AsReceiver(Receipt(ReceiptOutcome.Rejected), UsRu(), Early).SingleError(RuleCodes.ReceiptRejectedWithoutReasons);

    [Fact]
    public void Heartbeat_AtTheAgreedInterval_IsClean() => AsReceiver(Heartbeat(300), UsRu(), Early).Clean();

    [Fact]
    public void Heartbeat_AtAnotherInterval_IsAFinding() =>
        AsReceiver(Heartbeat(60), UsRu(), Early).SingleFinding(RuleCodes.HeartbeatIntervalMismatch);
}

public class RuleContextTests
{
    [Fact]
    public void Notification_OfAnAmendment_IsTheChangesAppliedToTheOriginal()
    {
        var original = Pre(UsRu(), US, RU);
        var amendment = Amend(original, new NotificationChanges { PlannedAzimuthDeg = 42 });
        var ctx = new RuleContext(amendment, UsRu(), EvaluatingSide.Sender, US, Early, original);
        Assert.Equal(42, ctx.Notification!.PlannedAzimuthDeg);
        Assert.Equal(original.LaunchWindow, ctx.Notification.LaunchWindow);
        Assert.Equal("/changes/plannedAzimuthDeg", ctx.PathOf("plannedAzimuthDeg"));
        Assert.Equal("/amends", ctx.PathOf("launchWindow", "/start"));
    }

    [Fact]
    public void Notification_AfterCopyingWithAnotherMessage_FollowsTheNewMessage()
    {
        var first = Pre(UsRu(), US, RU);
        var second = first with { PlannedAzimuthDeg = 7 };
        var ctx = new RuleContext(first, UsRu(), EvaluatingSide.Sender, US, Early, null) with { Message = second };
        Assert.Equal(7, ctx.Notification!.PlannedAzimuthDeg);
    }
}
