namespace LaunchNotify.Web.Shared;

/// <summary>
/// The words of the pages that are not in markup of their own: one place, so they can become glossary look-ups
/// (one file per language) without touching the components.
/// </summary>
public static class Labels
{
    public const string Sent = "sent";
    public const string Received = "received";
    public const string Minimum = "minimum";
    public const string LeadTimeAxis = "lead time (hours from receipt to window start)";

    // The maps.
    public const string LaunchArea = "launch area";
    public const string ImpactArea = "impact area";
    public const string Track = "great-circle track";
    public const string ObservedLaunch = "observed launch";
    public const string CoveredBy = "covered by";
    public const string Uncovered = "no notification covered it";
    public const string ObservedCovered = "observed launch, covered by a notification";
    public const string ObservedUncovered = "observed launch without a notification";
    public const string Boundary = "boundary";
    /// <summary>{0} agreement, {1} launch site km, {2} impact area km, {3} trajectory km, {4} may (not) cross.</summary>
    public const string BoundaryRule = "{0}: launch sites at least {1:0.#} km from the boundary, impact areas at least {2:0.#} km, trajectories at least {3:0.#} km and {4}";
    public const string MayCross = "may cross it";
    public const string MayNotCross = "may not cross it";
    public const string MapCaption = "Plate carrée projection (east–west distances stretch away from the equator). Coastlines and borders: Natural Earth 1:110m (public domain), via world-atlas (ISC).";
    public const string ReportMapHeading = "Notified areas and observed launches in the period";
    public const string MapTitle = "Map of the notified launch and impact areas";

    // The duty page.
    public const string AwaitingAcknowledgement = "Notices waiting for acknowledgement";
    public const string AwaitingAssumption = "Some notices were stored before acknowledgement deadlines were kept: for them the agreement's receipt deadline after receipt stands in.";
    public const string OpenAlarms = "Open alarms";
    public const string Acknowledge = "Acknowledge";
    public const string AcknowledgeNotice = "Read: acknowledge";
    public const string Resolve = "Resolve";
    public const string ResolveComment = "comment (optional)";
    public const string LinkState = "Links per counterpart";
    public const string WindowsOpeningSoon = "Windows opening in the next 24 h";
    public const string NoWindowsSoon = "No launch window opens in the next 24 hours.";
    public const string OverdueBy = "overdue by";
    public const string Left = "left";
    public const string AsOf = "As of";
    public const string Live = "Live: updated";
    public const string ConnectionLost = "Connection lost; retrying (the page still shows the last update).";
}
