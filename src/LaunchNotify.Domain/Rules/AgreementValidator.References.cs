using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Timeliness;
using LaunchNotify.Domain.Validation;
using LaunchNotify.Domain.Values;

namespace LaunchNotify.Domain.Rules;

// The rules on messages that refer to a notified launch, and on receipts and heartbeats.
public sealed partial class AgreementValidator
{
    private static void Amendment(RuleContext c, Report report)
    {
        if (c.Message is not Amendment amendment)
            return;
        if (!References(c, report, amendment.Amends, "/amends", RuleCodes.AmendmentOriginalUnknown, "amends"))
            return;
        if (amendment.Changes.LaunchWindow is not { } changed)
            return;

        // Time the original window did not cover must be notified as far ahead as a new window.
        var before = c.Original!.LaunchWindow;
        if (changed.Start < before.Start)
            CheckLeadTime(c, report, changed.Start, "/changes/launchWindow/start", LeadTimeTarget.MovedEarlier);
        else if (changed.End > before.End)
        {
            var addedFrom = changed.Start > before.End ? changed.Start : before.End;
            CheckLeadTime(c, report, addedFrom, "/changes/launchWindow/end", LeadTimeTarget.AddedPart);
        }
    }

    private static void Cancellation(RuleContext c, Report report)
    {
        if (c.Message is Cancellation cancellation)
            References(c, report, cancellation.Cancels, "/cancels", RuleCodes.CancellationOriginalUnknown, "cancels");
    }

    private static void PostLaunch(RuleContext c, Report report)
    {
        if (c.Message is not PostLaunchReport r)
            return;
        if (r.Outcome == PostLaunchOutcome.Launched && r.LaunchedAt is null)
            report.Error(RuleCodes.LaunchedAtMissing, "/launchedAt", "A report of a launch must say when it took place.", RuleArgs.None);
        if (r.Outcome == PostLaunchOutcome.NotLaunched && r.LaunchedAt is not null)
            report.Error(RuleCodes.LaunchedAtUnexpected, "/launchedAt", "A report that the launch did not take place cannot give a launch time.", RuleArgs.None);
        if (r.Outcome == PostLaunchOutcome.NotLaunched && r.MissilesLaunched is > 0)
            report.Error(RuleCodes.MissilesLaunchedWhenNotLaunched, "/missilesLaunched",
                $"The report says the launch did not take place, yet gives {r.MissilesLaunched} missiles launched.",
                A(("count", RuleArgs.Of(r.MissilesLaunched.Value))));
        if (r.LaunchedAt is { } launchedAt && launchedAt > c.EvaluatedAt)
            report.ErrorForSender(RuleCodes.LaunchedAtInFuture, "/launchedAt",
                $"The launch time {At(launchedAt)} is {DurationText.Format(launchedAt - c.EvaluatedAt)} in the future.",
                A(("launchedAt", RuleArgs.Of(launchedAt)), ("ahead", RuleArgs.Of(launchedAt - c.EvaluatedAt))));

        if (!References(c, report, r.ReportsOn, "/reportsOn", RuleCodes.PostLaunchOriginalUnknown, "reports on"))
            return;
        var notified = c.Original!;
        var window = notified.LaunchWindow;
        if (r.Outcome == PostLaunchOutcome.Launched && r.LaunchedAt is { } at && !window.Contains(at))
        {
            var how = at < window.Start
                ? $"{DurationText.Format(window.Start - at)} before the notified window opened"
                : $"{DurationText.Format(at - window.End)} after the notified window closed";
            report.Finding(RuleCodes.LaunchOutsideWindow, "/launchedAt", $"Launched at {At(at)}, {how} ({window}).",
                A(("form", at < window.Start ? "before" : "after"), ("launchedAt", RuleArgs.Of(at)),
                    ("by", RuleArgs.Of(at < window.Start ? window.Start - at : at - window.End)), ("start", RuleArgs.Of(window.Start)), ("end", RuleArgs.Of(window.End))));
        }
        if (r.MissilesLaunched is { } count && count > notified.Missile.Count)
            report.Finding(RuleCodes.MissileCountExceedsNotified, "/missilesLaunched",
                $"{count} missiles launched; {notified.Missile.Count} were notified.",
                A(("count", RuleArgs.Of(count)), ("notified", RuleArgs.Of(notified.Missile.Count))));
        var due = window.End + c.Agreement.Deadlines.PostLaunchReport;
        if (c.EvaluatedAt > due)
            report.Finding(RuleCodes.PostLaunchReportLate, "/reportsOn",
                $"The post-launch report was due by {At(due)} ({DurationText.Format(c.Agreement.Deadlines.PostLaunchReport)} after the window closed); " +
                $"it is {DurationText.Format(c.EvaluatedAt - due)} late.",
                A(("due", RuleArgs.Of(due)), ("deadline", RuleArgs.Of(c.Agreement.Deadlines.PostLaunchReport)), ("late", RuleArgs.Of(c.EvaluatedAt - due))));
    }

    private static void Receipt(RuleContext c, Report report)
    {
        if (c.Message is not Receipt r)
            return;
        if (r.Outcome == ReceiptOutcome.Rejected && r.Reasons.Count == 0)
            report.Error(RuleCodes.ReceiptRejectedWithoutReasons, "/reasons", "A rejecting receipt must give at least one reason.", RuleArgs.None);
        if (r.Outcome == ReceiptOutcome.Accepted && r.Reasons.Count > 0)
            report.Error(RuleCodes.ReceiptAcceptedWithReasons, "/reasons", "An accepting receipt gives no reasons for rejection; use findings for remarks.", RuleArgs.None);
    }

    private static void Acknowledgement(RuleContext c, Report report)
    {
        if (c.Message is not Acknowledgement a)
            return;
        if (!a.AcknowledgedKind.IsNotification())
            report.Error(RuleCodes.AcknowledgedKindNotNotification, "/acknowledgedKind",
                $"Only notifications are acknowledged by a person; '{a.AcknowledgedKind.WireName()}' is not one.",
                A(("kind", a.AcknowledgedKind.WireName())));
        if (a.AcknowledgedAt < a.ReceivedAt)
            report.Error(RuleCodes.AcknowledgedBeforeReceived, "/acknowledgedAt",
                $"Acknowledged at {At(a.AcknowledgedAt)}, before the notification was received ({At(a.ReceivedAt)}).",
                A(("acknowledgedAt", RuleArgs.Of(a.AcknowledgedAt)), ("receivedAt", RuleArgs.Of(a.ReceivedAt))));
    }

    private static void Heartbeat(RuleContext c, Report report)
    {
        if (c.Message is not Heartbeat h)
            return;
        if (h.LastNotificationSequence < 0)
            report.Error(RuleCodes.HeartbeatSequenceInvalid, "/lastNotificationSequence",
                $"The last notification sequence number cannot be negative ({h.LastNotificationSequence}).",
                A(("sequence", RuleArgs.Of(h.LastNotificationSequence))));
        if (h.IntervalSeconds <= 0)
        {
            report.Error(RuleCodes.HeartbeatIntervalInvalid, "/intervalSeconds", $"The heartbeat interval must be positive ({h.IntervalSeconds} s).",
                A(("interval", RuleArgs.Of(NodaTime.Duration.FromSeconds(h.IntervalSeconds)))));
            return;
        }
        var agreed = c.Agreement.Deadlines.HeartbeatInterval;
        if (NodaTime.Duration.FromSeconds(h.IntervalSeconds) != agreed)
            report.Finding(RuleCodes.HeartbeatIntervalMismatch, "/intervalSeconds",
                $"Heartbeats are promised every {DurationText.Format(NodaTime.Duration.FromSeconds(h.IntervalSeconds))}; {c.Agreement.Id} sets {DurationText.Format(agreed)}.",
                A(("promised", RuleArgs.Of(NodaTime.Duration.FromSeconds(h.IntervalSeconds))), ("agreement", c.Agreement.Id.ToString()), ("agreed", RuleArgs.Of(agreed))));
    }

    /// <summary>
    /// The original must be known, be the one referred to, and come from the same sender under the same agreement.
    /// Returns whether the rules about the original can go on.
    /// </summary>
    private static bool References(RuleContext c, Report report, MessageId reference, string path, string unknownCode, string verb)
    {
        if (c.Original is not { } original)
        {
            report.Error(unknownCode, path, $"The notification this {c.Message.Kind.WireName()} {verb} ({reference}) is not known here.",
                A(("reference", reference.ToString())));
            return false;
        }
        var ok = true;
        if (original.MessageId != reference)
        {
            report.Error(RuleCodes.OriginalReferenceMismatch, path,
                $"The message {verb} {reference}, but the notification supplied for it is {original.MessageId}.",
                A(("form", c.Message.Kind.WireName()), ("reference", reference.ToString()), ("supplied", original.MessageId.ToString())));
            ok = false;
        }
        if (original.Sender != c.Message.Sender)
        {
            report.Error(RuleCodes.OriginalSenderMismatch, path,
                $"Notification {reference} was sent by {original.Sender}; only its sender may refer to it, not {c.Message.Sender}.",
                A(("reference", reference.ToString()), ("originalSender", original.Sender.ToString()), ("sender", c.Message.Sender.ToString())));
            ok = false;
        }
        if (original.AgreementId != c.Message.AgreementId)
        {
            report.Error(RuleCodes.OriginalAgreementMismatch, "/agreementId",
                $"Notification {reference} was made under {original.AgreementId}, not {c.Message.AgreementId}.",
                A(("reference", reference.ToString()), ("originalAgreement", original.AgreementId.ToString()), ("agreement", c.Message.AgreementId.ToString())));
            ok = false;
        }
        return ok;
    }
}
