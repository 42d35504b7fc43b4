using System.Globalization;
using LaunchNotify.Node.Reports;
using NodaTime;
using LaunchNotify.Domain.Timeliness;
using LaunchNotify.Presentation;
using LaunchNotify.Web.Shared;

namespace LaunchNotify.Web.Report;

/// <summary>A bar chart laid out in SVG user units: what <see cref="BarChart"/> draws, computed here so it can be tested as data.</summary>
public sealed record Chart(
    string Name, string Title, int Width, int Height,
    IReadOnlyList<ChartLine> Grid, IReadOnlyList<ChartBar> Bars, IReadOnlyList<ChartText> Texts,
    ChartLine? Limit, IReadOnlyList<LegendItem> Legend);

public sealed record ChartBar(double X, double Y, double Width, double Height, string Fill, string Tip);

public sealed record ChartText(double X, double Y, string Text, string Class, string Anchor = "middle", string? Fill = null);

public sealed record ChartLine(double X1, double Y1, double X2, double Y2, string? Role = null);

public sealed record LegendItem(string Label, string Colour);

/// <summary>
/// The report's charts, laid out on the server: no script, no web font, no CDN, so the page works offline and prints as it shows.
/// </summary>
public static class Charts
{
    public const string SentColour = "#2b6cb0";
    public const string ReceivedColour = "#2f855a";
    public const string LimitColour = "#c53030";
    private const int Width = 720, Height = 280, Left = 48, Right = 16, Top = 28, Bottom = 48;
    private static LegendItem[] SentAndReceived(Rendering r) =>
        [new(r.Code(GlossaryCategories.Direction, "sent"), SentColour), new(r.Code(GlossaryCategories.Direction, "received"), ReceivedColour)];

    /// <summary>How many notices fell in each lead-time bin, sent and received stacked, with a line at the agreement's minimum.</summary>
    /// <param name="r">The reader's language for the axis, legend and tips; English when not given.</param>
    public static Chart LeadTimeHistogram(TimelinessReport report, Rendering? r = null)
    {
        r ??= Rendering.EnglishUtc;
        var required = report.RequiredLeadTime;
        var hours = report.Samples.Select(s => s.LeadTime.TotalHours).ToList();
        var bin = BinWidthHours(required);
        var low = Math.Min(0, Math.Floor((hours.Count == 0 ? 0 : hours.Min()) / bin) * bin);
        var high = Math.Max(required.TotalHours * 2, Math.Ceiling(((hours.Count == 0 ? 0 : hours.Max()) + 1e-9) / bin) * bin);
        var bins = (int)Math.Round((high - low) / bin);
        const int maxBins = 40;
        if (bins > maxBins)
        {
            // Far outliers share the last bin (labelled "≥") rather than squeezing the bars near the minimum.
            bins = maxBins;
            high = low + bins * bin;
        }
        var sent = new int[bins];
        var received = new int[bins];
        foreach (var s in report.Samples)
        {
            var index = Math.Clamp((int)Math.Floor((s.LeadTime.TotalHours - low) / bin), 0, bins - 1);
            (s.Direction == Direction.Sent ? sent : received)[index]++;
        }
        var peak = Math.Max(1, Enumerable.Range(0, bins).Select(i => sent[i] + received[i]).DefaultIfEmpty(0).Max());

        var plotW = Width - Left - Right;
        var plotH = Height - Top - Bottom;
        double X(double h) => Left + (h - low) / (high - low) * plotW;
        double Y(double count) => Top + plotH - count / peak * plotH;

        var grid = new List<ChartLine>();
        var texts = new List<ChartText>();
        var step = Math.Max(1, (int)Math.Ceiling(peak / 5.0));
        for (var c = 0; c <= peak; c += step)
        {
            grid.Add(new ChartLine(Left, Y(c), Width - Right, Y(c)));
            texts.Add(new ChartText(Left - 6, Y(c) + 4, r.Number(c), "tick", "end"));
        }
        var bars = new List<ChartBar>();
        var barW = (double)plotW / bins;
        for (var i = 0; i < bins; i++)
        {
            var x = Left + i * barW;
            var from = low + i * bin;
            var label = r.Text("chart.hours", $"{Hours(r, from)}–{Hours(r, from + bin)}");
            if (received[i] > 0)
                bars.Add(new ChartBar(x + 1, Y(received[i]), barW - 2, Y(0) - Y(received[i]), ReceivedColour, r.Text("chart.binTip", label, r.Number(received[i]), r.Code(GlossaryCategories.Direction, "received"))));
            if (sent[i] > 0)
                bars.Add(new ChartBar(x + 1, Y(received[i] + sent[i]), barW - 2, Y(received[i]) - Y(received[i] + sent[i]), SentColour, r.Text("chart.binTip", label, r.Number(sent[i]), r.Code(GlossaryCategories.Direction, "sent"))));
        }
        // X axis ticks: every bin when few, otherwise every few bins.
        var tickStep = Math.Max(1, (int)Math.Ceiling(bins / 12.0));
        for (var i = 0; i <= bins; i += tickStep)
        {
            var h = low + i * bin;
            var last = i == bins && bins == maxBins;
            texts.Add(new ChartText(X(h), Height - Bottom + 16, (last ? "≥" : "") + Hours(r, h), "tick"));
        }
        texts.Add(new ChartText(Left + plotW / 2.0, Height - 8, r.Text("chart.leadTimeAxis"), "axis"));
        var limitX = X(required.TotalHours);
        texts.Add(new ChartText(limitX + 4, Top - 10, r.Text("chart.minimum", r.Duration(required)), "limit", "start", LimitColour));
        return new Chart("lead-time-histogram",
            r.Text("chart.histogramTitle", report.AgreementId, r.Number(hours.Count), r.Duration(required)),
            Width, Height, grid, bars, texts, new ChartLine(limitX, Top - 6, limitX, Top + plotH, "minimum-lead-time"), SentAndReceived(r));
    }

    /// <summary>On-time rate of measured notices per month, sent and received side by side (no bar: nothing measured).</summary>
    public static Chart MonthlyOnTime(TimelinessReport report, Rendering? r = null)
    {
        r ??= Rendering.EnglishUtc;
        var months = report.Monthly;
        var plotW = Width - Left - Right;
        var plotH = Height - Top - Bottom;
        double Y(double rate) => Top + plotH - rate * plotH;
        var grid = new List<ChartLine>();
        var texts = new List<ChartText>();
        foreach (var pct in new[] { 0, 25, 50, 75, 100 })
        {
            var y = Y(pct / 100.0);
            grid.Add(new ChartLine(Left, y, Width - Right, y));
            texts.Add(new ChartText(Left - 6, y + 4, r.Percent(pct / 100.0), "tick", "end"));
        }
        var bars = new List<ChartBar>();
        var slot = months.Count == 0 ? plotW : (double)plotW / months.Count;
        var barW = Math.Min(24, slot / 2.5);
        for (var i = 0; i < months.Count; i++)
        {
            var m = months[i];
            var centre = Left + slot * (i + 0.5);
            var label = ReportFormats.Month(m.Month);
            if (m.SentRate is { } s)
                bars.Add(new ChartBar(centre - barW, Y(s), barW - 1, Y(0) - Y(s), SentColour,
                    r.Text("chart.monthTip", label, r.Code(GlossaryCategories.Direction, "sent"), r.Number(m.SentOnTime), r.Number(m.SentMeasured))));
            if (m.ReceivedRate is { } rate)
                bars.Add(new ChartBar(centre + 1, Y(rate), barW - 1, Y(0) - Y(rate), ReceivedColour,
                    r.Text("chart.monthTip", label, r.Code(GlossaryCategories.Direction, "received"), r.Number(m.ReceivedOnTime), r.Number(m.ReceivedMeasured))));
            texts.Add(new ChartText(centre, Height - Bottom + 16, r.Culture.DateTimeFormat.GetAbbreviatedMonthName(m.Month.Month), "tick"));
            if (i == 0 || m.Month.Month == 1)
                texts.Add(new ChartText(centre, Height - Bottom + 30, m.Month.Year.ToString(CultureInfo.InvariantCulture), "tick"));
        }
        return new Chart("monthly-on-time", r.Text("chart.monthlyTitle", report.AgreementId), Width, Height, grid, bars, texts, null, SentAndReceived(r));
    }

    /// <summary>A quarter of the required lead time, so the minimum falls on a bin edge (24 h → 6 h bins, 72 h → 18 h).</summary>
    private static double BinWidthHours(Duration required) => required > Duration.Zero ? required.TotalHours / 4 : 1;

    private static string Hours(Rendering r, double h) => h.ToString("0.##", r.Culture);
}
