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
}
