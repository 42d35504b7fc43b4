using System.Globalization;
using System.Net;
using System.Text;
using LaunchNotify.Domain.Timeliness;
using NodaTime;

namespace LaunchNotify.Node.Reports;

/// <summary>
/// The report's charts as inline SVG built on the server: no script, no web font, no CDN, so the page works offline
/// and prints as it shows.
/// </summary>
public static class SvgCharts
{
    private const string SentColour = "#2b6cb0";
    private const string ReceivedColour = "#2f855a";
    private const string LimitColour = "#c53030";
    private const int Width = 720, Height = 280, Left = 48, Right = 16, Top = 28, Bottom = 48;

    /// <summary>How many notices fell in each lead-time bin, sent and received stacked, with a line at the agreement's minimum.</summary>
    public static string LeadTimeHistogram(TimelinessReport report)
    {
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

        var svg = Begin("lead-time-histogram",
            $"Lead time distribution for {report.AgreementId}: {hours.Count} notices; minimum lead time {DurationText.Format(required)}");
        Grid(svg, peak, Y);
        var barW = (double)plotW / bins;
        for (var i = 0; i < bins; i++)
        {
            var x = Left + i * barW;
            var from = low + i * bin;
            var label = $"{Hours(from)}–{Hours(from + bin)} h";
            if (received[i] > 0)
                Rect(svg, x + 1, Y(received[i]), barW - 2, Y(0) - Y(received[i]), ReceivedColour, $"{label}: {received[i]} received");
            if (sent[i] > 0)
                Rect(svg, x + 1, Y(received[i] + sent[i]), barW - 2, Y(received[i]) - Y(received[i] + sent[i]), SentColour, $"{label}: {sent[i]} sent");
        }
        // X axis ticks: every bin when few, otherwise every few bins.
        var step = Math.Max(1, (int)Math.Ceiling(bins / 12.0));
        for (var i = 0; i <= bins; i += step)
        {
            var h = low + i * bin;
            var last = i == bins && bins == maxBins;
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(X(h))}\" y=\"{Height - Bottom + 16}\" text-anchor=\"middle\" class=\"tick\">{(last ? "≥" : "")}{Hours(h)}</text>");
        }
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + plotW / 2}\" y=\"{Height - 8}\" text-anchor=\"middle\" class=\"axis\">lead time (hours from receipt to window start)</text>");
        var limitX = X(required.TotalHours);
        svg.Append(CultureInfo.InvariantCulture,
            $"<line data-role=\"minimum-lead-time\" x1=\"{F(limitX)}\" y1=\"{Top - 6}\" x2=\"{F(limitX)}\" y2=\"{Top + plotH}\" stroke=\"{LimitColour}\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>");
        svg.Append(CultureInfo.InvariantCulture,
            $"<text x=\"{F(limitX + 4)}\" y=\"{Top - 10}\" class=\"limit\" fill=\"{LimitColour}\">minimum {Esc(DurationText.Format(required))}</text>");
        Legend(svg, ("sent", SentColour), ("received", ReceivedColour));
        return End(svg);
    }

    /// <summary>On-time rate of measured notices per month, sent and received side by side (no bar: nothing measured).</summary>
    public static string MonthlyOnTime(TimelinessReport report)
    {
        var months = report.Monthly;
        var plotW = Width - Left - Right;
        var plotH = Height - Top - Bottom;
        double Y(double rate) => Top + plotH - rate * plotH;
        var svg = Begin("monthly-on-time", $"On-time rate per month for {report.AgreementId}");
        foreach (var pct in new[] { 0, 25, 50, 75, 100 })
        {
            var y = Y(pct / 100.0);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{F(y)}\" x2=\"{Width - Right}\" y2=\"{F(y)}\" class=\"grid\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{F(y + 4)}\" text-anchor=\"end\" class=\"tick\">{pct}%</text>");
        }
        var slot = months.Count == 0 ? plotW : (double)plotW / months.Count;
        var barW = Math.Min(24, slot / 2.5);
        for (var i = 0; i < months.Count; i++)
        {
            var m = months[i];
            var centre = Left + slot * (i + 0.5);
            var label = ReportFormats.Month(m.Month);
            if (m.SentRate is { } s)
                Rect(svg, centre - barW, Y(s), barW - 1, Y(0) - Y(s), SentColour, $"{label}: sent {m.SentOnTime}/{m.SentMeasured} on time");
            if (m.ReceivedRate is { } r)
                Rect(svg, centre + 1, Y(r), barW - 1, Y(0) - Y(r), ReceivedColour, $"{label}: received {m.ReceivedOnTime}/{m.ReceivedMeasured} on time");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(centre)}\" y=\"{Height - Bottom + 16}\" text-anchor=\"middle\" class=\"tick\">{Esc(m.Month.ToString("MMM", CultureInfo.InvariantCulture))}</text>");
            if (i == 0 || m.Month.Month == 1)
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(centre)}\" y=\"{Height - Bottom + 30}\" text-anchor=\"middle\" class=\"tick\">{m.Month.Year}</text>");
        }
        Legend(svg, ("sent", SentColour), ("received", ReceivedColour));
        return End(svg);
    }

    /// <summary>A quarter of the required lead time, so the minimum falls on a bin edge (24 h → 6 h bins, 72 h → 18 h).</summary>
    private static double BinWidthHours(Duration required) => required > Duration.Zero ? required.TotalHours / 4 : 1;

    private static StringBuilder Begin(string name, string title)
    {
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture,
            $"<svg xmlns=\"http://www.w3.org/2000/svg\" data-chart=\"{name}\" viewBox=\"0 0 {Width} {Height}\" width=\"{Width}\" height=\"{Height}\" role=\"img\" aria-label=\"{Esc(title)}\">");
        svg.Append("<title>").Append(Esc(title)).Append("</title>");
        svg.Append("<style>.tick{font:11px sans-serif;fill:#444}.axis{font:12px sans-serif;fill:#222}.limit{font:bold 12px sans-serif}.legend{font:12px sans-serif;fill:#222}.grid{stroke:#ddd;stroke-width:1}</style>");
        return svg;
    }

    private static string End(StringBuilder svg) => svg.Append("</svg>").ToString();

    private static void Grid(StringBuilder svg, int peak, Func<double, double> y)
    {
        var step = Math.Max(1, (int)Math.Ceiling(peak / 5.0));
        for (var c = 0; c <= peak; c += step)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{F(y(c))}\" x2=\"{Width - Right}\" y2=\"{F(y(c))}\" class=\"grid\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{F(y(c) + 4)}\" text-anchor=\"end\" class=\"tick\">{c}</text>");
        }
    }

    private static void Rect(StringBuilder svg, double x, double y, double w, double h, string colour, string tip) =>
        svg.Append(CultureInfo.InvariantCulture,
            $"<rect x=\"{F(x)}\" y=\"{F(y)}\" width=\"{F(Math.Max(0, w))}\" height=\"{F(Math.Max(0, h))}\" fill=\"{colour}\"><title>{Esc(tip)}</title></rect>");

    private static void Legend(StringBuilder svg, params (string Label, string Colour)[] items)
    {
        var x = Width - Right - 170.0;
        foreach (var (label, colour) in items)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{F(x)}\" y=\"8\" width=\"12\" height=\"12\" fill=\"{colour}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(x + 16)}\" y=\"18\" class=\"legend\">{Esc(label)}</text>");
            x += 80;
        }
    }

    private static string Hours(double h) => h.ToString("0.##", CultureInfo.InvariantCulture);

    private static string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Esc(string s) => WebUtility.HtmlEncode(s);
}
