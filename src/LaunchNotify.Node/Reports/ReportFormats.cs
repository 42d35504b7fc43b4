using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LaunchNotify.Domain.Alarms;
using LaunchNotify.Domain.Timeliness;
using NodaTime;
using NodaTime.Text;

namespace LaunchNotify.Node.Reports;

/// <summary>The report as JSON (durations in seconds, instants ISO 8601 UTC) and as CSV (one metric a row).</summary>
public static class ReportFormats
{
    public static string Json(TimelinessReport r)
    {
        var root = new JsonObject
        {
            ["centre"] = r.Centre,
            ["counterpart"] = r.Counterpart,
            ["agreementId"] = r.AgreementId,
            ["agreementTitle"] = r.AgreementTitle,
            ["period"] = new JsonObject { ["from"] = Date(r.Period.From), ["to"] = Date(r.Period.To) },
            ["asOf"] = Exact(r.AsOf),
            ["requiredLeadTimeSeconds"] = Seconds(r.RequiredLeadTime),
            ["receiptDeadlineSeconds"] = Seconds(r.ReceiptDeadline),
            ["postLaunchDeadlineSeconds"] = Seconds(r.PostLaunchDeadline),
            ["sent"] = LeadTimes(r.Sent),
            ["received"] = LeadTimes(r.Received),
            ["missing"] = new JsonObject
            {
                ["missingCount"] = r.Missing.MissingCount,
                ["alarmsRaised"] = r.Missing.AlarmsRaised,
                ["alarmsOpen"] = r.Missing.AlarmsOpen,
                ["gaps"] = new JsonArray(r.Missing.Gaps.Select(g => (JsonNode)new JsonObject
                {
                    ["sender"] = g.Sender, ["recipient"] = g.Recipient, ["from"] = g.From, ["to"] = g.To, ["revealedAt"] = Exact(g.RevealedAt),
                }).ToArray()),
            },
            ["receiptLatency"] = new JsonObject
            {
                ["deliveries"] = r.ReceiptLatency.Deliveries,
                ["confirmed"] = r.ReceiptLatency.Confirmed,
                ["rejected"] = r.ReceiptLatency.Rejected,
                ["unconfirmed"] = r.ReceiptLatency.Unconfirmed,
                ["unconfirmedOverdue"] = r.ReceiptLatency.UnconfirmedOverdue,
                ["answeredAfterDeadline"] = r.ReceiptLatency.AnsweredAfterDeadline,
                ["p50Seconds"] = Seconds(r.ReceiptLatency.P50),
                ["p95Seconds"] = Seconds(r.ReceiptLatency.P95),
                ["maxSeconds"] = Seconds(r.ReceiptLatency.Max),
            },
            ["postLaunchSent"] = PostLaunch(r.PostLaunchSent),
            ["postLaunchReceived"] = PostLaunch(r.PostLaunchReceived),
            ["alarms"] = new JsonArray(r.Alarms.Select(a => (JsonNode)new JsonObject
            {
                ["kind"] = a.Kind.Code(), ["raised"] = a.Raised, ["acknowledged"] = a.Acknowledged, ["resolved"] = a.Resolved, ["open"] = a.Open,
                ["ackMedianSeconds"] = Seconds(a.AckMedian), ["ackMaxSeconds"] = Seconds(a.AckMax),
            }).ToArray()),
            ["openAlarms"] = r.OpenAlarms,
            ["monthly"] = new JsonArray(r.Monthly.Select(m => (JsonNode)new JsonObject
            {
                ["month"] = Month(m.Month), ["sentMeasured"] = m.SentMeasured, ["sentOnTime"] = m.SentOnTime,
                ["receivedMeasured"] = m.ReceivedMeasured, ["receivedOnTime"] = m.ReceivedOnTime,
            }).ToArray()),
            ["leadTimes"] = new JsonArray(r.Samples.Select(s => (JsonNode)new JsonObject
            {
                ["direction"] = s.Direction.ToString().ToLowerInvariant(), ["messageId"] = s.MessageId.ToString(), ["counterpart"] = s.Counterpart,
                ["receivedAt"] = Exact(s.ReceivedAt), ["windowStart"] = Exact(s.WindowStart),
                ["leadTimeSeconds"] = Seconds(s.LeadTime), ["marginSeconds"] = Seconds(s.Margin), ["onTime"] = s.OnTime,
            }).ToArray()),
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>section,metric,value,unit: a long table that spreadsheets pivot easily and that never changes shape.</summary>
    public static string Csv(TimelinessReport r)
    {
        var rows = new List<(string Section, string Metric, string Value, string Unit)>
        {
            ("report", "centre", r.Centre, ""),
            ("report", "counterpart", r.Counterpart ?? "all", ""),
            ("report", "agreement", r.AgreementId, ""),
            ("report", "from", Date(r.Period.From), "date"),
            ("report", "to", Date(r.Period.To), "date"),
            ("report", "as_of", Text(r.AsOf), "instant"),
            ("report", "required_lead_time", Num(r.RequiredLeadTime), "s"),
        };
        foreach (var (name, s) in new[] { ("sent", r.Sent), ("received", r.Received) })
        {
            rows.Add((name, "notifications", Num(s.Notifications), "count"));
            rows.Add((name, "measured", Num(s.Measured), "count"));
            rows.Add((name, "on_time", Num(s.OnTime), "count"));
            rows.Add((name, "late", Num(s.Late), "count"));
            rows.Add((name, "rejected", Num(s.Rejected), "count"));
            rows.Add((name, "unmeasured", Num(s.Unmeasured), "count"));
            rows.Add((name, "on_time_rate", Num(s.OnTimeRate), "ratio"));
            rows.Add((name, "min_margin", Num(s.MinMargin), "s"));
            rows.Add((name, "median_margin", Num(s.MedianMargin), "s"));
            rows.Add((name, "worst_message", s.Worst?.MessageId.ToString() ?? "", "id"));
        }
        rows.Add(("missing", "missing_sequence_numbers", Num(r.Missing.MissingCount), "count"));
        rows.Add(("missing", "gaps", string.Join(" ", r.Missing.Gaps), "links"));
        rows.Add(("missing", "alarms_raised", Num(r.Missing.AlarmsRaised), "count"));
        rows.Add(("missing", "alarms_open", Num(r.Missing.AlarmsOpen), "count"));
        var l = r.ReceiptLatency;
        rows.Add(("receipt_latency", "deliveries", Num(l.Deliveries), "count"));
        rows.Add(("receipt_latency", "confirmed", Num(l.Confirmed), "count"));
        rows.Add(("receipt_latency", "rejected", Num(l.Rejected), "count"));
        rows.Add(("receipt_latency", "unconfirmed", Num(l.Unconfirmed), "count"));
        rows.Add(("receipt_latency", "unconfirmed_overdue", Num(l.UnconfirmedOverdue), "count"));
        rows.Add(("receipt_latency", "answered_after_deadline", Num(l.AnsweredAfterDeadline), "count"));
        rows.Add(("receipt_latency", "p50", Num(l.P50), "s"));
        rows.Add(("receipt_latency", "p95", Num(l.P95), "s"));
        rows.Add(("receipt_latency", "max", Num(l.Max), "s"));
        foreach (var (name, p) in new[] { ("postlaunch_sent", r.PostLaunchSent), ("postlaunch_received", r.PostLaunchReceived) })
        {
            rows.Add((name, "expected", Num(p.Expected), "count"));
            rows.Add((name, "on_time", Num(p.OnTime), "count"));
            rows.Add((name, "late", Num(p.Late), "count"));
            rows.Add((name, "missing", Num(p.Missing), "count"));
            rows.Add((name, "pending", Num(p.Pending), "count"));
            rows.Add((name, "unconfirmed", Num(p.Unconfirmed), "count"));
            rows.Add((name, "on_time_rate", Num(p.OnTimeRate), "ratio"));
        }
        foreach (var a in r.Alarms)
        {
            var section = "alarms_" + a.Kind.Code().ToLowerInvariant();
            rows.Add((section, "raised", Num(a.Raised), "count"));
            rows.Add((section, "acknowledged", Num(a.Acknowledged), "count"));
            rows.Add((section, "resolved", Num(a.Resolved), "count"));
            rows.Add((section, "open", Num(a.Open), "count"));
            rows.Add((section, "ack_median", Num(a.AckMedian), "s"));
            rows.Add((section, "ack_max", Num(a.AckMax), "s"));
        }
        foreach (var m in r.Monthly)
        {
            rows.Add(("monthly_" + Month(m.Month), "sent_on_time_rate", Num(m.SentRate), "ratio"));
            rows.Add(("monthly_" + Month(m.Month), "received_on_time_rate", Num(m.ReceivedRate), "ratio"));
        }

        var csv = new StringBuilder("section,metric,value,unit\n");
        foreach (var row in rows)
            csv.Append(Field(row.Section)).Append(',').Append(Field(row.Metric)).Append(',').Append(Field(row.Value)).Append(',').Append(Field(row.Unit)).Append('\n');
        return csv.ToString();
    }

    // Culture-free forms kept for the pages not yet moved to the glossary (branch web's Razor report uses them); what a
    // person reads is formatted by Presentation.Rendering (Percent, Duration) in the reader's language.
    public static string Percent(double? rate) => rate is { } v ? (v * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %" : "–";

    /// <summary>Readable precision: minutes from an hour up, seconds below, milliseconds only under a second.</summary>
    public static string Human(Duration? d)
    {
        if (d is not { } v)
            return "–";
        var abs = v < Duration.Zero ? -v : v;
        var unit = abs >= Duration.FromHours(1) ? Duration.FromMinutes(1) : abs >= Duration.FromSeconds(1) ? Duration.FromSeconds(1) : Duration.Epsilon;
        var rounded = Duration.FromNanoseconds(Math.Round(v.TotalNanoseconds / unit.TotalNanoseconds) * unit.TotalNanoseconds);
        return DurationText.Format(rounded);
    }

    public static string Date(LocalDate d) => d.ToString("uuuu-MM-dd", CultureInfo.InvariantCulture);

    public static string Month(YearMonth m) => m.ToString("uuuu-MM", CultureInfo.InvariantCulture);

    /// <summary>For people: whole seconds.</summary>
    public static string Text(Instant i) => InstantPattern.General.Format(i);

    /// <summary>For machines: every digit the store has.</summary>
    public static string Exact(Instant i) => InstantPattern.ExtendedIso.Format(i);

    private static JsonObject LeadTimes(LeadTimeSummary s) => new()
    {
        ["notifications"] = s.Notifications, ["measured"] = s.Measured, ["onTime"] = s.OnTime, ["late"] = s.Late,
        ["rejected"] = s.Rejected, ["unmeasured"] = s.Unmeasured, ["onTimeRate"] = s.OnTimeRate,
        ["minMarginSeconds"] = Seconds(s.MinMargin), ["medianMarginSeconds"] = Seconds(s.MedianMargin),
        ["worst"] = s.Worst is { } w ? new JsonObject
        {
            ["messageId"] = w.MessageId.ToString(), ["counterpart"] = w.Counterpart, ["receivedAt"] = Exact(w.ReceivedAt),
            ["leadTimeSeconds"] = Seconds(w.LeadTime), ["marginSeconds"] = Seconds(w.Margin),
        } : null,
    };

    private static JsonObject PostLaunch(PostLaunchSummary p) => new()
    {
        ["expected"] = p.Expected, ["onTime"] = p.OnTime, ["late"] = p.Late, ["missing"] = p.Missing, ["pending"] = p.Pending,
        ["unconfirmed"] = p.Unconfirmed, ["onTimeRate"] = p.OnTimeRate,
    };

    private static double? Seconds(Duration? d) => d?.TotalSeconds;

    private static string Num(long n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Num(double? v) => v is { } x ? Math.Round(x, 4).ToString("0.####", CultureInfo.InvariantCulture) : "";

    private static string Num(Duration? d) => d is { } v ? v.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) : "";

    private static string Field(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
}
