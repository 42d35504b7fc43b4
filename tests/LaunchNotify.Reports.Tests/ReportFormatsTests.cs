using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LaunchNotify.Node.Reports;
using LaunchNotify.Presentation;
using LaunchNotify.Web.Report;
using LaunchNotify.Web.Shared;

namespace LaunchNotify.Reports.Tests;

public sealed class ReportFormatsTests
{
    private readonly TimelinessReport _report;

    public ReportFormatsTests()
    {
        var data = new ReportDataset();
        _report = TimelinessCalculator.Compute(data.Dataset, data.Request());
    }

    [Fact]
    public void Json_CarriesTheFiguresWithDurationsInSeconds()
    {
        var json = JsonNode.Parse(ReportFormats.Json(_report))!;
        Assert.Equal("us-ru-bmlna-1988", json["agreementId"]!.GetValue<string>());
        Assert.Equal(0.75, json["received"]!["onTimeRate"]!.GetValue<double>());
        Assert.Equal(-43200, json["received"]!["minMarginSeconds"]!.GetValue<double>());
        Assert.Equal(110, json["receiptLatency"]!["p50Seconds"]!.GetValue<double>());
        Assert.Equal(2700, json["receiptLatency"]!["p95Seconds"]!.GetValue<double>());
        Assert.Equal(2, json["openAlarms"]!.GetValue<int>());
        Assert.Equal(6, json["leadTimes"]!.AsArray().Count);
    }

    [Fact]
    public void Csv_IsOneMetricPerRowWithAStableHeader()
    {
        var lines = ReportFormats.Csv(_report).TrimEnd('\n').Split('\n');
        Assert.Equal("section,metric,value,unit", lines[0]);
        Assert.All(lines, l => Assert.Equal(4, l.Split(',').Length));
        Assert.Contains("received,on_time_rate,0.75,ratio", lines);
        Assert.Contains("sent,min_margin,-7230,s", lines);
        Assert.Contains("receipt_latency,max,2700,s", lines);
        Assert.Contains("alarms_missing_notification,ack_median,7200,s", lines);
        Assert.Contains("monthly_2025-02,received_on_time_rate,0.5,ratio", lines);
    }

    [Fact]
    public async Task Html_IsSelfContainedWithBothChartsAndTheMinimumLine()
    {
        var html = await ReportHtml.PageAsync(_report);
        Assert.Contains("data-chart=\"lead-time-histogram\"", html);
        Assert.Contains("data-chart=\"monthly-on-time\"", html);
        Assert.Contains("data-role=\"minimum-lead-time\"", html);
        Assert.Contains("minimum 1 day", html); // the agreement's 24 h, in words as every duration a person reads
        Assert.Contains("75.0%", html);
        // Offline: no script and nothing fetched from elsewhere (the SVG namespace is an identifier, not a fetch).
        Assert.DoesNotContain("<script", html);
        Assert.Empty(Regex.Matches(html, "(src|href)=\"(https?:)?//").Cast<Match>());
        Assert.Empty(Regex.Matches(html, "url\\(").Cast<Match>());
    }

    [Theory]
    [InlineData(Language.Ru, "Europe/Moscow", "Отчёт о своевременности: us-ru-bmlna-1988", "Срок уведомления (уведомления о предстоящих пусках)", "75,0 %", "<html lang=\"ru\">")]
    [InlineData(Language.Zh, "Asia/Shanghai", "及时性报告：us-ru-bmlna-1988", "提前通报时间（发射前通报）", "75.0%", "<html lang=\"zh\">")]
    [InlineData(Language.Fr, "Europe/Paris", "Rapport de ponctualité : us-ru-bmlna-1988", "Délai de préavis (notifications préalables)", "75,0 %", "<html lang=\"fr\">")]
    public async Task Html_InTheReadersLanguage_HasItsLabelsNumbersAndZone(Language language, string zone, string title, string heading, string rate, string htmlLang)
    {
        var html = System.Net.WebUtility.HtmlDecode(await ReportHtml.PageAsync(_report, null, new Rendering(JsonGlossary.Default, language, Zones.Find(zone)!)));

        Assert.Contains(htmlLang, html);
        Assert.Contains(title, html);
        Assert.Contains(heading, html);
        Assert.Contains(rate, html);
        Assert.Contains(zone, html);
        Assert.DoesNotContain("on-time rate", html);
        Assert.DoesNotContain("Lead time (pre-notifications)", html);
    }

    [Fact]
    public async Task Html_SameReportSameReader_IsTheSameText() =>
        Assert.Equal(await ReportHtml.PageAsync(_report, null, new Rendering(JsonGlossary.Default, Language.Ru, Zones.Find("Europe/Moscow")!)),
            await ReportHtml.PageAsync(_report, null, new Rendering(JsonGlossary.Default, Language.Ru, Zones.Find("Europe/Moscow")!)));

    [Fact]
    public async Task Html_EncodesTextFromTheStoreThroughTheTemplating()
    {
        // Text that reaches the page from outside (an agreement's title, a counterpart's code) is text, never markup.
        var hostile = _report with { AgreementTitle = "<script>alert('x')</script> & <b>", Counterpart = "\"><img src=x>" };
        var html = await ReportHtml.PageAsync(hostile);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("<img", html);
        Assert.Contains("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &lt;b&gt;", html);
        // Characters outside ASCII stay characters (the encoder allows every Unicode range), markup characters do not.
        Assert.Contains("18–24 h", await ComponentHtml.RenderAsync<BarChart>(new Dictionary<string, object?> { ["Chart"] = Charts.LeadTimeHistogram(_report) }));
    }

    [Fact]
    public async Task Histogram_PutsTheMinimumLineAtTheBinEdgeOfTheRequiredLeadTime()
    {
        var svg = await ComponentHtml.RenderAsync<BarChart>(new Dictionary<string, object?> { ["Chart"] = Charts.LeadTimeHistogram(_report) });
        // Lead times 12 h .. 48 h in 6 h bins (a quarter of 24 h) from 0 to 54 h; the minimum (24 h) is a bin edge.
        var bars = Regex.Matches(svg, "<rect x=\"[^\"]+\" y=\"[^\"]+\" width=\"[^\"]+\" height=\"[^\"]+\" fill=\"#(2b6cb0|2f855a)\"><title>").Count;
        Assert.Equal(5, bars); // 12–18 R4; 18–24 S2 (sent); 24–30 R2 (exactly 24 h is on time); 42–48 S1 (sent); 48–54 R1 and R5
        Assert.Contains("18–24 h: 1 sent", svg);
        Assert.Contains("24–30 h: 1 received", svg);
        Assert.Contains("48–54 h: 2 received", svg);
    }
}
