namespace LaunchNotify.Domain.Rules;

/// <summary>The stable codes of the agreements' rules (listed with their meaning in <c>docs/rules.md</c>).</summary>
public static class RuleCodes
{
    // Parties
    public const string NoRecipients = "NO_RECIPIENTS";
    public const string SenderNotParty = "SENDER_NOT_PARTY";
    public const string SenderNotThisCentre = "SENDER_NOT_THIS_CENTRE";
    public const string RecipientNotParty = "RECIPIENT_NOT_PARTY";
    public const string RecipientIsSender = "RECIPIENT_IS_SENDER";
    public const string RecipientDuplicate = "RECIPIENT_DUPLICATE";
    public const string NotAddressedToThisCentre = "NOT_ADDRESSED_TO_THIS_CENTRE";

    // Scope and direction
    public const string ScopeClassNotCovered = "SCOPE_CLASS_NOT_COVERED";
    public const string ScopeRangeRequired = "SCOPE_RANGE_REQUIRED";
    public const string ScopeBelowRangeThreshold = "SCOPE_BELOW_RANGE_THRESHOLD";
    public const string ScopeAzimuthRequired = "SCOPE_AZIMUTH_REQUIRED";
    public const string ScopeNotTowardParty = "SCOPE_NOT_TOWARD_PARTY";
    public const string DirectionUncheckable = "DIRECTION_UNCHECKABLE";

    // Lead time and window
    public const string LeadTimeTooShort = "LEAD_TIME_TOO_SHORT";
    public const string WindowInPast = "WINDOW_IN_PAST";
    public const string LateNotification = "LATE_NOTIFICATION";
    public const string WindowTooLong = "WINDOW_TOO_LONG";

    // Group launches (per-missile launches, schema 1.2)
    public const string GroupLaunchCountMismatch = "GROUP_LAUNCH_COUNT_MISMATCH";
    public const string GroupLaunchOutsideWindow = "GROUP_LAUNCH_OUTSIDE_WINDOW";
    public const string GroupLaunchImpactAreaUnknown = "GROUP_LAUNCH_IMPACT_AREA_UNKNOWN";
    public const string GroupLaunchSpread = "GROUP_LAUNCH_SPREAD";
    public const string GroupLaunchNotDeclared = "GROUP_LAUNCH_NOT_DECLARED";

    // Required fields
    public const string RequiredFieldMissing = "REQUIRED_FIELD_MISSING";

    // Geography
    public const string LaunchSiteTooCloseToBoundary = "LAUNCH_SITE_TOO_CLOSE_TO_BOUNDARY";
    public const string ImpactAreaTooCloseToBoundary = "IMPACT_AREA_TOO_CLOSE_TO_BOUNDARY";
    public const string TrajectoryCrossesBoundary = "TRAJECTORY_CROSSES_BOUNDARY";
    public const string TrajectoryTooCloseToBoundary = "TRAJECTORY_TOO_CLOSE_TO_BOUNDARY";
    public const string GeographyUncheckable = "GEOGRAPHY_UNCHECKABLE";
    public const string ScopeClassVoluntary = "SCOPE_CLASS_VOLUNTARY";
    public const string LaunchSiteOnOtherSide = "LAUNCH_SITE_ON_OTHER_SIDE";
    public const string ImpactAreaOnOtherSide = "IMPACT_AREA_ON_OTHER_SIDE";

    // References to an original notification
    public const string AmendmentOriginalUnknown = "AMENDMENT_ORIGINAL_UNKNOWN";
    public const string CancellationOriginalUnknown = "CANCELLATION_ORIGINAL_UNKNOWN";
    public const string PostLaunchOriginalUnknown = "POSTLAUNCH_ORIGINAL_UNKNOWN";
    public const string OriginalReferenceMismatch = "ORIGINAL_REFERENCE_MISMATCH";
    public const string OriginalSenderMismatch = "ORIGINAL_SENDER_MISMATCH";
    public const string OriginalAgreementMismatch = "ORIGINAL_AGREEMENT_MISMATCH";

    // Post-launch
    public const string LaunchedAtMissing = "LAUNCHED_AT_MISSING";
    public const string LaunchedAtUnexpected = "LAUNCHED_AT_UNEXPECTED";
    public const string LaunchedAtInFuture = "LAUNCHED_AT_IN_FUTURE";
    public const string LaunchOutsideWindow = "LAUNCH_OUTSIDE_WINDOW";
    public const string MissileCountExceedsNotified = "MISSILE_COUNT_EXCEEDS_NOTIFIED";
    public const string MissilesLaunchedWhenNotLaunched = "MISSILES_LAUNCHED_WHEN_NOT_LAUNCHED";
    public const string PostLaunchReportLate = "POSTLAUNCH_REPORT_LATE";

    // Receipt and heartbeat
    public const string ReceiptRejectedWithoutReasons = "RECEIPT_REJECTED_WITHOUT_REASONS";
    public const string ReceiptAcceptedWithReasons = "RECEIPT_ACCEPTED_WITH_REASONS";
    public const string HeartbeatIntervalInvalid = "HEARTBEAT_INTERVAL_INVALID";
    public const string HeartbeatIntervalMismatch = "HEARTBEAT_INTERVAL_MISMATCH";
    public const string HeartbeatSequenceInvalid = "HEARTBEAT_SEQUENCE_INVALID";

    // Acknowledgement (a person read a notification)
    public const string AcknowledgedKindNotNotification = "ACKNOWLEDGED_KIND_NOT_NOTIFICATION";
    public const string AcknowledgedBeforeReceived = "ACKNOWLEDGED_BEFORE_RECEIVED";
}

/// <summary>The names of the rule sets; a finding's <c>Rule</c> is <c>&lt;agreement-id&gt;/&lt;rule set&gt;</c>.</summary>
public static class RuleSetNames
{
    public const string Parties = "Parties";
    public const string Scope = "Scope";
    public const string Direction = "Direction";
    public const string LeadTime = "LeadTime";
    public const string WindowLength = "WindowLength";
    public const string GroupLaunch = "GroupLaunch";
    public const string RequiredFields = "RequiredFields";
    public const string Geography = "Geography";
    public const string Amendment = "Amendment";
    public const string Cancellation = "Cancellation";
    public const string PostLaunch = "PostLaunch";
    public const string Receipt = "Receipt";
    public const string Heartbeat = "Heartbeat";
    public const string Acknowledgement = "Acknowledgement";
}
