namespace LaunchNotify.Domain.Alarms;

/// <summary>What went wrong with timeliness. The wire/storage code is the SCREAMING_SNAKE name (see <see cref="AlarmKinds"/>).</summary>
public enum AlarmKind
{
    /// <summary>A pre-notification (or an amendment moving its window) arrived with less lead time than the agreement asks.</summary>
    LateNotification,
    /// <summary>A recipient has not confirmed a message within the agreement's receipt deadline (sender side).</summary>
    ReceiptOverdue,
    /// <summary>A gap in a sender's sequence numbers was not filled within the grace period (receiver side).</summary>
    MissingNotification,
    /// <summary>A counterpart's heartbeats stopped for the configured number of intervals.</summary>
    LinkSilent,
    /// <summary>No post-launch report within the agreement's deadline after the window closed.</summary>
    PostLaunchOverdue,
    /// <summary>An observed launch that no notification under any agreement covers.</summary>
    LaunchWithoutNotification,
    /// <summary>
    /// Receiver side: no person acknowledged a received notification within the agreement's acknowledgement deadline
    /// (warning; critical after the escalation period).
    /// </summary>
    NotAcknowledged,
}

public enum AlarmSeverity { Info, Warning, Critical }

/// <summary>Open → acknowledged by an operator → resolved (by an operator, or by the event that settles it).</summary>
public enum AlarmState { Open, Acknowledged, Resolved }

public static class AlarmKinds
{
    public static string Code(this AlarmKind kind) => kind switch
    {
        AlarmKind.LateNotification => "LATE_NOTIFICATION",
        AlarmKind.ReceiptOverdue => "RECEIPT_OVERDUE",
        AlarmKind.MissingNotification => "MISSING_NOTIFICATION",
        AlarmKind.LinkSilent => "LINK_SILENT",
        AlarmKind.PostLaunchOverdue => "POSTLAUNCH_OVERDUE",
        AlarmKind.LaunchWithoutNotification => "LAUNCH_WITHOUT_NOTIFICATION",
        AlarmKind.NotAcknowledged => "NOT_ACKNOWLEDGED",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static bool TryParse(string code, out AlarmKind kind)
    {
        foreach (var k in Enum.GetValues<AlarmKind>())
            if (string.Equals(k.Code(), code, StringComparison.OrdinalIgnoreCase))
            {
                kind = k;
                return true;
            }
        kind = default;
        return false;
    }

    /// <summary>The severity each kind is raised with: an unnotified launch is the one that can start a crisis.</summary>
    public static AlarmSeverity DefaultSeverity(this AlarmKind kind) => kind switch
    {
        AlarmKind.LaunchWithoutNotification => AlarmSeverity.Critical,
        AlarmKind.LateNotification or AlarmKind.MissingNotification or AlarmKind.ReceiptOverdue or AlarmKind.LinkSilent => AlarmSeverity.Warning,
        _ => AlarmSeverity.Warning,
    };
}
