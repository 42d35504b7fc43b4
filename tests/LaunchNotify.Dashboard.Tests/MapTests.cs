using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using LaunchNotify.Storage;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace LaunchNotify.Dashboard.Tests;

/// <summary>
/// The maps as a person sees them in Chromium, checked against positions the test projects itself (plate carrée on a
/// 1000 × 500 plane) from the store's rows, read with plain EF queries and JSON: not through the code that draws them.
/// </summary>
public sealed partial class DashboardTests
{
    private static (double X, double Y) Project(double lon, double lat) => ((lon + 180) / 360 * 1000, (90 - lat) / 180 * 500);

    /// <summary>The latest pre-notifications sent and received, as the store has them: id, launch centre, radius, impact centres.</summary>
    private async Task<List<(Guid Id, double Lat, double Lon, double RadiusKm, int Impacts)>> LatestNoticesAsync(int limit)
    {
        await using var db = new NodeDbContext(StorageOptions.SqliteFile(fixture.StorePath).ToDbContextOptions());
        var sent = await db.OutboundMessages.AsNoTracking().Where(m => m.Kind == "prenotification").OrderByDescending(m => m.SubmittedAt).Take(limit)
            .Select(m => new { m.MessageId, m.PayloadJson }).ToListAsync();
        var received = await db.Inbox.AsNoTracking().Where(m => m.Kind == "prenotification" && m.Outcome == InboxOutcome.Accepted && m.PayloadJson != null)
            .OrderByDescending(m => m.ReceivedAt).Take(limit).Select(m => new { m.MessageId, PayloadJson = m.PayloadJson! }).ToListAsync();
        return sent.Concat(received).Select(m =>
        {
            using var doc = JsonDocument.Parse(m.PayloadJson);
            var area = doc.RootElement.GetProperty("launchArea");
            var centre = area.GetProperty("centre");
            return (m.MessageId, centre.GetProperty("lat").GetDouble(), centre.GetProperty("lon").GetDouble(), area.GetProperty("radiusKm").GetDouble(),
                doc.RootElement.TryGetProperty("impactAreas", out var impacts) ? impacts.GetArrayLength() : 0);
        }).ToList();
    }

    [Fact]
    public async Task Maps_InChromium_DrawTheNotifiedAreasTracksAndObservedLaunchesWhereTheStorePutsThem()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var page = await SignedInPageAsync(browser, DashboardFixture.User, "/dashboard#map");
        var map = page.Locator("svg[data-map=dashboard-map]");
        Assert.True(await map.IsVisibleAsync());

        // Every notice of the store's latest 25 sent and 25 received has its launch area, impact areas and tracks drawn.
        var notices = await LatestNoticesAsync(25);
        Assert.NotEmpty(notices);
        Assert.Equal(notices.Count, await map.Locator("path[data-kind=launch-area]").CountAsync());
        Assert.Equal(notices.Sum(n => n.Impacts), await map.Locator("path[data-kind=impact-area]").CountAsync());
        Assert.Equal(notices.Sum(n => n.Impacts), await map.Locator("path[data-kind=track]").CountAsync());
        Assert.True(await map.Locator("g[data-layer=land] path").CountAsync() > 150); // Natural Earth's 177 countries

        // Each launch area sits where the projection puts its centre, as large as its radius (for those away from the map's edge).
        foreach (var n in notices.Where(n => Math.Abs(n.Lon) < 170).Take(8))
        {
            var box = await map.Locator($"path[data-kind=launch-area][data-message-id='{n.Id}']").EvaluateAsync<double[]>(
                "p => { const b = p.getBBox(); return [b.x + b.width / 2, b.y + b.height / 2, b.height]; }");
            var (x, y) = Project(n.Lon, n.Lat);
            Assert.InRange(box[0], x - 0.5, x + 0.5);
            Assert.InRange(box[1], y - 0.5, y + 0.5);
            var height = 2 * n.RadiusKm / 111.195 / 180 * 500; // a circle of r km spans 2r km of latitude
            Assert.InRange(box[2], height * 0.95, height * 1.05);
        }

        // The covering notice's track starts at its launch area's centre.
        var covering = notices.Single(n => n.Id == fixture.CoveringNoticeId);
        var d = await map.Locator($"path[data-kind=track][data-message-id='{covering.Id}']").First.GetAttributeAsync("d");
        var start = Regex.Match(d!, @"^M([-\d.]+) ([-\d.]+)");
        var (sx, sy) = Project(covering.Lon, covering.Lat);
        Assert.InRange(double.Parse(start.Groups[1].Value, CultureInfo.InvariantCulture), sx - 0.05, sx + 0.05);
        Assert.InRange(double.Parse(start.Groups[2].Value, CultureInfo.InvariantCulture), sy - 0.05, sy + 0.05);

        // Observed launches: the covered one drawn with the notice that covered it, the uncovered one marked as such, each where it was observed.
        await using (var db = new NodeDbContext(StorageOptions.SqliteFile(fixture.StorePath).ToDbContextOptions()))
        {
            var launches = await db.ObservedLaunches.AsNoTracking().ToListAsync();
            Assert.Equal(launches.Count(l => l.Covered), await map.Locator("[data-kind=observed-launch-covered]").CountAsync());
            Assert.Equal(launches.Count(l => !l.Covered), await map.Locator("[data-kind=observed-launch-uncovered]").CountAsync());
            var covered = launches.Single(l => l.Id == fixture.CoveredLaunchId);
            Assert.True(covered.Covered, "the fixture's launch inside the notice's area and window must be covered");
            var marker = map.Locator($"circle[data-kind=observed-launch-covered][data-launch-id='{covered.Id}']");
            Assert.Contains(fixture.CoveringNoticeId.ToString(), await marker.GetAttributeAsync("data-covered-by"));
            var (cx, cy) = Project(covered.LaunchLon, covered.LaunchLat);
            Assert.InRange(double.Parse((await marker.GetAttributeAsync("cx"))!, CultureInfo.InvariantCulture), cx - 0.01, cx + 0.01);
            Assert.InRange(double.Parse((await marker.GetAttributeAsync("cy"))!, CultureInfo.InvariantCulture), cy - 0.01, cy + 0.01);
            var uncovered = launches.Single(l => l.Id == fixture.UncoveredLaunchId);
            Assert.False(uncovered.Covered);
            var cross = map.Locator($"g[data-kind=observed-launch-uncovered][data-launch-id='{uncovered.Id}']");
            var (ux, uy) = Project(uncovered.LaunchLon, uncovered.LaunchLat);
            Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"translate({ux:0.##} {uy:0.##})"), await cross.GetAttributeAsync("transform"));
            Assert.Contains("no notification covered it", await cross.Locator("title").TextContentAsync());
        }

        // The legend says what each mark means.
        var legend = await page.InnerTextAsync("#dashboard-map-legend");
        foreach (var words in new[] { "launch area", "impact area", "great-circle track", "observed launch, covered by a notification", "observed launch without a notification" })
            Assert.Contains(words, legend);

        // The notice's own page zooms to its areas and lists the launch it covered.
        await page.ClickAsync($"#sent-notifications tr[data-message-id='{covering.Id}'] a");
        await page.WaitForURLAsync($"**/dashboard/notifications/{covering.Id}", new() { Timeout = 120_000 }); // a bound: slow on a loaded machine
        var zoomed = page.Locator("svg[data-map=notification-map]");
        var viewBox = (await zoomed.GetAttributeAsync("viewBox"))!.Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        Assert.True(viewBox[2] < 1000, $"the notification's map should zoom in, viewBox {string.Join(' ', viewBox)}");
        Assert.InRange(sx, viewBox[0], viewBox[0] + viewBox[2]);
        Assert.InRange(sy, viewBox[1], viewBox[1] + viewBox[3]);
        Assert.Equal(1, await zoomed.Locator($"path[data-kind=launch-area][data-message-id='{covering.Id}']").CountAsync());
        Assert.Equal(covering.Impacts, await zoomed.Locator("path[data-kind=track]").CountAsync());
        Assert.Equal(1, await zoomed.Locator($"circle[data-kind=observed-launch-covered][data-launch-id='{fixture.CoveredLaunchId}']").CountAsync());
        Assert.Contains("Observed launches this notification covered: US at", await page.InnerTextAsync("#covered-launches"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(ResultsFolder, "notification-map.png"), FullPage = true });
    }
}

/// <summary>The HTML report's map (the file launchnotify report writes), opened from disk in Chromium: IN–PK's boundary and its distance rule.</summary>
public sealed class ReportMapTests
{
    private static readonly string Repo = DashboardTests.RepoRoot();

    [Fact]
    public async Task ReportMap_InChromium_DrawsTheInPkBoundaryWithItsDistanceRuleAndTheNoticeBesideIt()
    {
        // The agreement's numbers and the boundary's points, read from the repository's files by the test itself.
        using var agreement = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Repo, "agreements", "in-pk-2005.json")));
        using var border = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Repo, "agreements", "boundaries", "in-pk-border.json")));
        var geography = agreement.RootElement.GetProperty("geography");
        var points = border.RootElement.GetProperty("points").EnumerateArray().Select(p => (Lat: p.GetProperty("lat").GetDouble(), Lon: p.GetProperty("lon").GetDouble())).ToList();

        var catalog = LaunchNotify.Protocol.Agreements.AgreementCatalog.Default;
        Assert.True(catalog.TryGet(new LaunchNotify.Domain.Values.AgreementId("in-pk-2005"), out var inPk));
        var window = NodaTime.Instant.FromUtc(2025, 3, 1, 6, 0);
        var noticeId = Guid.NewGuid();
        var map = new LaunchNotify.Node.Maps.MapData(
            [new(noticeId, false, "PK", "in-pk-2005", window, window + NodaTime.Duration.FromHours(6),
                new LaunchNotify.Domain.Values.CircleArea(new(29.0, 66.5), 20, "test range"),
                [new LaunchNotify.Domain.Values.CircleArea(new(25.0, 63.0), 30, "Arabian Sea")])],
            [], [new("in-pk-2005", inPk.Geography!)]);
        var report = LaunchNotify.Node.Reports.TimelinessCalculator.Compute(
            new LaunchNotify.Node.Reports.TimelinessDataset("IN", [], [], []),
            new LaunchNotify.Node.Reports.ReportRequest(inPk, new LaunchNotify.Node.Reports.ReportPeriod(new(2025, 3, 1), new(2025, 3, 31)), null,
                window + NodaTime.Duration.FromDays(40)));
        var file = Path.Combine(AppContext.BaseDirectory, "dashboard-screenshots", "report-in-pk.html");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllTextAsync(file, await LaunchNotify.Web.Report.ReportHtml.PageAsync(report, map));

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = DashboardFixture.Chromium, Headless = true, Args = ["--no-sandbox"] });
        var page = await browser.NewPageAsync();
        await page.GotoAsync(new Uri(file).AbsoluteUri);
        var svg = page.Locator("svg[data-map=report-map-figure]");
        Assert.True(await svg.IsVisibleAsync());

        // The boundary line runs through the file's points, projected by the test.
        var d = (await svg.Locator("path[data-kind=boundary]").GetAttributeAsync("d"))!;
        var drawn = Regex.Matches(d, @"[ML]([-\d.]+) ([-\d.]+)").Select(m => (X: double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), Y: double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture))).ToList();
        Assert.Equal(points.Count, drawn.Count);
        for (var i = 0; i < points.Count; i++)
        {
            var (x, y) = ((points[i].Lon + 180) / 360 * 1000, (90 - points[i].Lat) / 180 * 500);
            Assert.InRange(drawn[i].X, x - 0.01, x + 0.01);
            Assert.InRange(drawn[i].Y, y - 0.01, y + 0.01);
        }
        // Bands as wide as the rule's distances either side of the line (km over km per degree of latitude, in plane units).
        var impactBand = double.Parse((await svg.Locator("path[data-band=impact-area]").GetAttributeAsync("stroke-width"))!, CultureInfo.InvariantCulture);
        Assert.InRange(impactBand, 2 * geography.GetProperty("impactAreaMinDistanceKm").GetDouble() / 111.195 / 180 * 500 - 0.01,
            2 * geography.GetProperty("impactAreaMinDistanceKm").GetDouble() / 111.195 / 180 * 500 + 0.01);

        // The legend states the rule with the agreement's numbers.
        var rule = await page.InnerTextAsync("li[data-boundary=in-pk-2005]");
        Assert.Contains($"launch sites at least {geography.GetProperty("launchSiteMinDistanceKm").GetDouble():0.#} km", rule);
        Assert.Contains($"impact areas at least {geography.GetProperty("impactAreaMinDistanceKm").GetDouble():0.#} km", rule);
        Assert.Contains($"trajectories at least {geography.GetProperty("trajectoryMinDistanceKm").GetDouble():0.#} km", rule);
        Assert.Contains(geography.GetProperty("trajectoryMayCross").GetBoolean() ? "may cross it" : "may not cross it", rule);

        // The notice's launch area is drawn where its centre projects, with its track to the impact area.
        var box = await svg.Locator($"path[data-kind=launch-area][data-message-id='{noticeId}']").EvaluateAsync<double[]>(
            "p => { const b = p.getBBox(); return [b.x + b.width / 2, b.y + b.height / 2]; }");
        Assert.InRange(box[0], (66.5 + 180) / 360 * 1000 - 0.3, (66.5 + 180) / 360 * 1000 + 0.3);
        Assert.InRange(box[1], (90 - 29.0) / 180 * 500 - 0.3, (90 - 29.0) / 180 * 500 + 0.3);
        Assert.Equal(1, await svg.Locator($"path[data-kind=track][data-message-id='{noticeId}']").CountAsync());
        // Offline: nothing in the file is fetched from elsewhere.
        Assert.DoesNotContain("<script", await page.ContentAsync());
    }
}
