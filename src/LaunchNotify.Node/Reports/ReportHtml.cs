using System.Net;
using System.Text;
using LaunchNotify.Presentation;

namespace LaunchNotify.Node.Reports;

/// <summary>
/// The report as HTML: a fragment the dashboard embeds, or a self-contained page (inline CSS and SVG only). Every label
/// comes from the glossary in the reader's language; durations, numbers and times are formatted for its culture and zone.
/// </summary>
public static class ReportHtml
{
    /// <summary>Shared by the standalone page and the dashboard: plain, printable, readable without colour.</summary>
    public const string Styles = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1a202c;margin:0;background:#f7fafc}
        main{max-width:1100px;margin:0 auto;padding:16px 24px}
        h1{font-size:22px;margin:8px 0}h2{font-size:18px;margin:24px 0 8px;border-bottom:1px solid #cbd5e0}h3{font-size:15px;margin:16px 0 6px}
        table{border-collapse:collapse;background:#fff;margin:6px 0 12px}th,td{border:1px solid #cbd5e0;padding:4px 8px;text-align:left;vertical-align:top}
        th{background:#edf2f7}td.num{text-align:right;font-variant-numeric:tabular-nums}
        .figures{display:flex;flex-wrap:wrap;gap:12px;margin:8px 0}.figure{background:#fff;border:1px solid #cbd5e0;border-radius:6px;padding:8px 14px;min-width:150px}
        .figure b{display:block;font-size:22px}.muted{color:#4a5568}.late,.rejected,.open{color:#c53030;font-weight:600}.ok,.confirmed{color:#2f855a}
        .published,.accepted,.acknowledged{color:#b7791f}svg{background:#fff;border:1px solid #cbd5e0;max-width:100%;height:auto}
        form.pickers{display:flex;gap:12px;align-items:end;flex-wrap:wrap;background:#fff;border:1px solid #cbd5e0;padding:8px 12px}
        form.pickers label{display:flex;flex-direction:column;font-size:12px}nav a{margin-right:16px}
        """;

    /// <param name="rendering">The reader's language and zone; English and UTC when not given.</param>
    public static string Page(TimelinessReport report, Rendering? rendering = null)
    {
        var r = rendering ?? Rendering.EnglishUtc;
        return $"""
        <!DOCTYPE html>
        <html lang="{r.Language.Code()}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{E(r.Text("report.pageTitle", report.AgreementId, report.Period.ToString(), report.Centre))}</title>
        <style>{Styles}</style></head>
        <body><main>
        <h1>{E(r.Text("report.title", report.AgreementId))}</h1>
        {Section(report, r)}
        <p class="muted">{E(r.Text("report.footer", report.Centre))}</p>
        </main></body></html>
        """;
    }

    /// <param name="rendering">The reader's language and zone; English and UTC when not given.</param>
    public static string Section(TimelinessReport report, Rendering? rendering = null)
    {
        var r = rendering ?? Rendering.EnglishUtc;
        var rep = report;
        var h = new StringBuilder();
        string T(string key, params object?[] args) => E(r.Text(key, args));
        string Th(params string[] keys) => string.Concat(keys.Select(k => "<th>" + (k.Length == 0 ? "" : T(k)) + "</th>"));

        h.Append("<section id=\"timeliness-report\" data-agreement=\"").Append(E(rep.AgreementId)).Append("\" lang=\"").Append(r.Language.Code()).Append("\">");
        h.Append("<p>").Append(E(rep.AgreementTitle)).Append("</p>");
        h.Append("<p class=\"muted\">")
            .Append(T("report.scope", rep.Centre, rep.Counterpart ?? r.Text("report.allParties"), rep.Period.ToString(), r.Instant(rep.AsOf))).Append(' ')
            .Append(T("report.terms", r.Duration(rep.RequiredLeadTime), r.Duration(rep.ReceiptDeadline), r.Duration(rep.PostLaunchDeadline))).Append(' ')
            .Append(T("report.timesIn", r.ZoneName)).Append("</p>");

        h.Append("<div class=\"figures\">");
        Figure(h, "received-on-time-rate", T("report.fig.receivedOnTime"), r.Percent(rep.Received.OnTimeRate),
            T("report.fig.ofMeasured", r.Number(rep.Received.OnTime), r.Number(rep.Received.Measured)));
        Figure(h, "sent-on-time-rate", T("report.fig.sentOnTime"), r.Percent(rep.Sent.OnTimeRate),
            T("report.fig.ofMeasuredSent", r.Number(rep.Sent.OnTime), r.Number(rep.Sent.Measured)));
        Figure(h, "missing", T("report.fig.missing"), r.Number(rep.Missing.MissingCount),
            T("report.fig.missingNote", r.Number(rep.Missing.AlarmsRaised), r.AlarmKind(Domain.Alarms.AlarmKind.MissingNotification)));
        Figure(h, "receipt-p95", T("report.fig.receiptP95"), r.Duration(rep.ReceiptLatency.P95), T("report.fig.unconfirmed", r.Number(rep.ReceiptLatency.Unconfirmed)));
        Figure(h, "open-alarms", T("report.fig.openAlarms"), r.Number(rep.OpenAlarms), T("report.fig.openAlarmsNote"));
        h.Append("</div>");

        h.Append("<h3>").Append(T("report.lead.heading")).Append("</h3><table id=\"lead-times\"><tr>")
            .Append(Th("", "report.lead.notices", "report.lead.measured", "report.lead.onTime", "report.lead.late", "report.lead.rejected", "report.lead.unmeasured",
                "report.lead.onTimeRate", "report.lead.minMargin", "report.lead.medianMargin", "report.lead.worst")).Append("</tr>");
        LeadRow(h, r, T("report.lead.sentRow"), rep.Sent);
        LeadRow(h, r, T("report.lead.receivedRow"), rep.Received);
        h.Append("</table>");

        h.Append("<figure>").Append(SvgCharts.LeadTimeHistogram(rep))
            .Append("<figcaption class=\"muted\">").Append(T("report.chart.histogramCaption")).Append("</figcaption></figure>");
        h.Append("<figure>").Append(SvgCharts.MonthlyOnTime(rep)).Append("<figcaption class=\"muted\">").Append(T("report.chart.monthlyCaption")).Append("</figcaption></figure>");

        var late = rep.Samples.Where(s => !s.OnTime).OrderBy(s => s.Margin).Take(10).ToList();
        if (late.Count > 0)
        {
            h.Append("<h3>").Append(T("report.late.heading")).Append("</h3><table id=\"late-notices\"><tr>")
                .Append(Th("report.late.direction", "report.late.counterpart", "report.late.message", "report.late.received", "report.late.windowStart",
                    "report.late.leadTime", "report.late.lateBy")).Append("</tr>");
            foreach (var s in late)
                h.Append("<tr><td>").Append(E(r.Code(GlossaryCategories.Direction, s.Direction == Direction.Sent ? "sent" : "received"))).Append("</td><td>").Append(E(s.Counterpart))
                    .Append("</td><td><code>").Append(s.MessageId).Append("</code></td><td>").Append(E(r.InstantShort(s.ReceivedAt))).Append("</td><td>")
                    .Append(E(r.InstantShort(s.WindowStart))).Append("</td><td class=\"num\">").Append(E(r.Duration(s.LeadTime)))
                    .Append("</td><td class=\"num late\">").Append(E(r.Duration(-s.Margin))).Append("</td></tr>");
            h.Append("</table>");
        }

        h.Append("<h3>").Append(T("report.missing.heading", rep.Centre)).Append("</h3>");
        if (rep.Missing.Gaps.Count == 0)
            h.Append("<p>").Append(T("report.missing.none")).Append("</p>");
        else
        {
            h.Append("<table id=\"gaps\"><tr>").Append(Th("report.missing.link", "report.missing.numbers", "report.missing.revealedAt")).Append("</tr>");
            foreach (var g in rep.Missing.Gaps)
                h.Append("<tr><td>").Append(E($"{g.Sender} → {g.Recipient}")).Append("</td><td>").Append(g.From == g.To ? $"#{g.From}" : $"#{g.From}–{g.To}")
                    .Append("</td><td>").Append(E(r.InstantShort(g.RevealedAt))).Append("</td></tr>");
            h.Append("</table>");
        }
        h.Append("<p>").Append(T("report.missing.summary", r.Number(rep.Missing.MissingCount), r.Number(rep.Missing.AlarmsRaised),
            r.AlarmKind(Domain.Alarms.AlarmKind.MissingNotification), r.Number(rep.Missing.AlarmsOpen))).Append("</p>");

        var l = rep.ReceiptLatency;
        h.Append("<h3>").Append(T("report.latency.heading")).Append("</h3><table id=\"receipt-latency\"><tr>")
            .Append(Th("report.latency.deliveries", "report.latency.confirmed", "report.latency.rejected", "report.latency.unconfirmed", "report.latency.overdue",
                "report.latency.answeredLate", "report.latency.p50", "report.latency.p95", "report.latency.max")).Append("</tr><tr>");
        foreach (var v in new[] { l.Deliveries, l.Confirmed, l.Rejected, l.Unconfirmed, l.UnconfirmedOverdue, l.AnsweredAfterDeadline })
            h.Append("<td class=\"num\">").Append(E(r.Number(v))).Append("</td>");
        foreach (var d in new[] { l.P50, l.P95, l.Max })
            h.Append("<td class=\"num\">").Append(E(r.Duration(d))).Append("</td>");
        h.Append("</tr></table>");

        h.Append("<h3>").Append(T("report.post.heading")).Append("</h3><table id=\"postlaunch\"><tr>")
            .Append(Th("", "report.post.owed", "report.post.onTime", "report.post.late", "report.post.missing", "report.post.pending", "report.post.unconfirmed",
                "report.post.onTimeRate")).Append("</tr>");
        PostRow(h, r, T("report.post.sentBy", rep.Centre), rep.PostLaunchSent);
        PostRow(h, r, T("report.post.received"), rep.PostLaunchReceived);
        h.Append("</table>");

        h.Append("<h3>").Append(T("report.alarms.heading")).Append("</h3><table id=\"alarm-kinds\"><tr>")
            .Append(Th("report.alarms.kind", "report.alarms.raised", "report.alarms.acknowledged", "report.alarms.resolved", "report.alarms.open",
                "report.alarms.ackMedian", "report.alarms.ackMax")).Append("</tr>");
        foreach (var a in rep.Alarms)
            h.Append("<tr><td data-kind=\"").Append(Domain.Alarms.AlarmKinds.Code(a.Kind)).Append("\">").Append(E(r.AlarmKind(a.Kind))).Append("</td><td class=\"num\">").Append(E(r.Number(a.Raised)))
                .Append("</td><td class=\"num\">").Append(E(r.Number(a.Acknowledged))).Append("</td><td class=\"num\">").Append(E(r.Number(a.Resolved)))
                .Append("</td><td class=\"num").Append(a.Open > 0 ? " open" : "").Append("\">").Append(E(r.Number(a.Open)))
                .Append("</td><td class=\"num\">").Append(E(r.Duration(a.AckMedian))).Append("</td><td class=\"num\">").Append(E(r.Duration(a.AckMax))).Append("</td></tr>");
        h.Append("</table>");
        h.Append("</section>");
        return h.ToString();
    }

    /// <param name="label">Already encoded.</param>
    /// <param name="note">Already encoded.</param>
    private static void Figure(StringBuilder h, string id, string label, string value, string note) =>
        h.Append("<div class=\"figure\" data-figure=\"").Append(id).Append("\"><span class=\"muted\">").Append(label).Append("</span><b>")
            .Append(E(value)).Append("</b><span class=\"muted\">").Append(note).Append("</span></div>");

    /// <param name="label">Already encoded.</param>
    private static void LeadRow(StringBuilder h, Rendering r, string label, LeadTimeSummary s)
    {
        h.Append("<tr><th>").Append(label).Append("</th>");
        foreach (var v in new[] { s.Notifications, s.Measured, s.OnTime, s.Late, s.Rejected, s.Unmeasured })
            h.Append("<td class=\"num\">").Append(E(r.Number(v))).Append("</td>");
        h.Append("<td class=\"num\">").Append(E(r.Percent(s.OnTimeRate))).Append("</td><td class=\"num\">").Append(E(r.Duration(s.MinMargin)))
            .Append("</td><td class=\"num\">").Append(E(r.Duration(s.MedianMargin))).Append("</td><td>")
            .Append(s.Worst is { } w ? E($"{w.Counterpart} {w.MessageId.ToString()[..8]}… {r.Duration(w.LeadTime)}") : Rendering.Nothing).Append("</td></tr>");
    }

    /// <param name="label">Already encoded.</param>
    private static void PostRow(StringBuilder h, Rendering r, string label, PostLaunchSummary p)
    {
        h.Append("<tr><th>").Append(label).Append("</th>");
        foreach (var v in new[] { p.Expected, p.OnTime, p.Late, p.Missing, p.Pending, p.Unconfirmed })
            h.Append("<td class=\"num\">").Append(E(r.Number(v))).Append("</td>");
        h.Append("<td class=\"num\">").Append(E(r.Percent(p.OnTimeRate))).Append("</td></tr>");
    }

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
