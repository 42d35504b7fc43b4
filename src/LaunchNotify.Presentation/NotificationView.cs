using LaunchNotify.Domain.Messages;

namespace LaunchNotify.Presentation;

/// <summary>A notification as labelled lines for a reader (the CLI's and the dashboard's detail view). Same data, same lines.</summary>
public static class NotificationView
{
    public static IReadOnlyList<(string Label, string Value)> Lines(PreNotification n, Rendering r)
    {
        var lines = new List<(string, string)>
        {
            (r.Text("notification.kind"), r.MessageKind(n.Kind)),
            (r.Text("notification.messageId"), n.MessageId.ToString()),
            (r.Text("notification.agreement"), n.AgreementId.ToString()),
            (r.Text("notification.sender"), n.Sender.ToString()),
            (r.Text("notification.recipients"), string.Join(", ", n.Recipients.Select(a => a.Centre.ToString()))),
            (r.Text("notification.issued"), r.Instant(n.IssuedAt)),
            (r.Text("notification.windowOpens"), r.Instant(n.LaunchWindow.Interval.Start)),
            (r.Text("notification.windowCloses"), r.Instant(n.LaunchWindow.Interval.End)),
            (r.Text("notification.windowLength"), r.Duration(n.LaunchWindow.Interval.Duration)),
            (r.Text("notification.missileClass"), r.MissileClass(n.Missile.Class)),
            (r.Text("notification.missileCount"), n.Missile.GroupLaunch
                ? r.Text("notification.groupLaunch", r.Number(n.Missile.Count))
                : r.Number(n.Missile.Count)),
        };
        if (n.Missile.Type is { } type)
            lines.Add((r.Text("notification.missileType"), type));
        if (n.Missile.RangeKm is { } range)
            lines.Add((r.Text("notification.range"), r.Kilometres(range)));
        lines.Add((r.Text("notification.launchArea"), r.Area(n.LaunchArea)));
        for (var i = 0; i < n.ImpactAreas.Count; i++)
            lines.Add((r.Text("notification.impactArea", i + 1), r.Area(n.ImpactAreas[i])));
        if (n.PlannedAzimuthDeg is { } azimuth)
            lines.Add((r.Text("notification.azimuth"), r.Degrees(azimuth)));
        if (n.PlannedDirection is { } direction)
            lines.Add((r.Text("notification.direction"), direction));
        if (n.Remarks is { } remarks)
            lines.Add((r.Text("notification.remarks"), remarks));
        return lines;
    }
}
