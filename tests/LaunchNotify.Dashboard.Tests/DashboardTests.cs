using System.Diagnostics;
using LaunchNotify.Domain.Alarms;
using LaunchNotify.Node.Reports;
using LaunchNotify.Storage;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using LaunchNotify.Tests.Shared;
using Microsoft.Playwright;
using NodaTime;

namespace LaunchNotify.Dashboard.Tests;

/// <summary>What a compliance officer sees in a real browser: Debian's chromium, headless, driven by Playwright.</summary>
public sealed partial class DashboardTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    private static readonly string ResultsFolder = Path.Combine(AppContext.BaseDirectory, "dashboard-screenshots");

    /// <summary>The centre's rendering (the fixture configures none: English, UTC), for the glossary's words the page must show.</summary>
    private static readonly LaunchNotify.Presentation.Rendering English = LaunchNotify.Presentation.Rendering.EnglishUtc;

    [Fact]
    public async Task Dashboard_InChromium_RequiresTheLoginThenShowsNotificationsAlarmsAndTheReport()
    {
        var timer = Stopwatch.StartNew();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = DashboardFixture.Chromium,
            Headless = true,
            Args = ["--no-sandbox"], // CI runs as root, where Chromium's sandbox refuses to start
        });

        // 1. Without a sign-in the officer is sent to the login page; a wrong password and an operator's account get no dashboard.
        await using (var visitor = await browser.NewContextAsync())
        {
            var page = await visitor.NewPageAsync();
            await page.GotoAsync(fixture.BaseUrl + "/dashboard");
            Assert.Contains("/dashboard/login", page.Url);
            Assert.Equal("Sign in", await page.InnerTextAsync("h1"));
            Assert.Equal(0, await page.Locator("#sent-notifications").CountAsync());

            var refused = await SignInAsync(page, DashboardFixture.User, "guess-the-password");
            Assert.Equal(401, refused!.Status);
            Assert.Contains("Wrong user name or password", await page.InnerTextAsync("#login-problem"));
            Assert.Equal(0, await page.Locator("#sent-notifications").CountAsync());

            var asOperator = await SignInAsync(page, DashboardFixture.Operator, DashboardFixture.Password);
            Assert.Equal(403, asOperator!.Status);
            Assert.Equal(0, await page.Locator("#sent-notifications").CountAsync());
        }

        // 2. Signed in as a compliance officer: the seeded notifications, their status per recipient, and the open alarms, as the store has them.
        await using var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1200, Height = 900 } });
        var officer = await context.NewPageAsync();
        await officer.GotoAsync(fixture.BaseUrl + "/dashboard");
        var ok = await SignInAsync(officer, DashboardFixture.User, DashboardFixture.Password);
        Assert.Equal(200, ok!.Status);
        Assert.EndsWith("/dashboard", officer.Url);
        Assert.Equal("Centre US: compliance dashboard", await officer.InnerTextAsync("h1"));
        var cookie = (await context.CookiesAsync()).Single(c => c.Name == "launchnotify-dashboard");
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);

        // Expected values come from the store's rows read here with plain EF queries, never through the queries or the
        // report code the dashboard renders with: a bug there must not be able to agree with itself.
        await using var db = new NodeDbContext(StorageOptions.SqliteFile(fixture.StorePath).ToDbContextOptions());
        var sent = await db.OutboundMessages.AsNoTracking().Include(m => m.Deliveries).OrderByDescending(m => m.SubmittedAt).Take(25).ToListAsync();
        Assert.NotEmpty(sent);
        var rows = officer.Locator("#sent-notifications tr[data-message-id]");
        Assert.Equal(sent.Count, await rows.CountAsync());
        for (var i = 0; i < Math.Min(5, sent.Count); i++)
        {
            var expected = sent[i];
            var row = rows.Nth(i);
            Assert.Equal(expected.MessageId.ToString(), await row.GetAttributeAsync("data-message-id"));
            // Each recipient's status as the store has it, in the glossary's words (the page is in the centre's language, English).
            var statuses = await row.Locator("span.delivery").EvaluateAllAsync<string[][]>("ss => ss.map(s => [s.dataset.recipient, s.dataset.status, s.textContent.trim()])");
            Assert.Equal(expected.Deliveries.OrderBy(d => d.Recipient, StringComparer.Ordinal).Select(d =>
                    new[] { d.Recipient, d.Status.ToString().ToLowerInvariant(), $"{d.Recipient} #{d.Sequence} {English.Text("deliveryStatus." + d.Status.ToString().ToLowerInvariant())}" }),
                statuses);
        }
        // The seeded history has unconfirmed deliveries; they must show as such, not as confirmed.
        var unconfirmed = sent.SelectMany(m => m.Deliveries).Count(d => d.Status == DeliveryStatus.Published);
        Assert.True(unconfirmed > 0, "seed 7 leaves deliveries without a receipt among the latest 25");
        Assert.Equal(unconfirmed, await officer.Locator("#sent-notifications span.delivery.published").CountAsync());

        var open = await db.Alarms.AsNoTracking().Where(a => a.State != AlarmState.Resolved).ToListAsync();
        Assert.NotEmpty(open); // seed 7 leaves alarms open: the test must see one listed
        var alarmRows = officer.Locator("#open-alarms tr[data-alarm-kind]");
        Assert.Equal(Math.Min(100, open.Count), await alarmRows.CountAsync());
        // Each summary is the glossary's sentence for its kind with the alarm's own fields (the node's English summary stays on the API).
        Assert.Equal(open.Select(a => English.Text("alarmSummary." + a.Kind.Code(), a.Centre ?? "–", a.AgreementId ?? "–", a.MessageId?.ToString()[..8] ?? "–",
                a.Sequences ?? "–", a.DueAt is { } due ? English.InstantShort(due) : "–")).Order(StringComparer.Ordinal),
            (await officer.Locator("#open-alarms tr[data-alarm-kind] td:last-child").AllInnerTextsAsync()).Select(t => t.Trim()).Order(StringComparer.Ordinal));

        // 3. The officer picks the agreement and the seeded period; the report shows the store's on-time rate and its charts.
        var seed = fixture.Seed;
        var period = new ReportPeriod(seed.From, seed.From.PlusDays(seed.Days - 1));
        await officer.SelectOptionAsync("select[name=agreement]", "us-ru-bmlna-1988");
        await officer.FillAsync("input[name=from]", ReportFormats.Date(period.From));
        await officer.FillAsync("input[name=to]", ReportFormats.Date(period.To));
        await officer.ClickAsync("form.pickers button[type=submit]");
        await officer.WaitForURLAsync(url => url.Contains("from=" + ReportFormats.Date(period.From)));

        // On time: received at least the agreement's minimum lead time (read from its file) before the window starts.
        using var agreement = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(RepoRoot(), "agreements", "us-ru-bmlna-1988.json")));
        var minimum = Duration.FromHours(agreement.RootElement.GetProperty("notification").GetProperty("minimumLeadTimeHours").GetDouble());
        var (start, end) = (period.From.AtStartOfDayInZone(DateTimeZone.Utc).ToInstant(), period.To.PlusDays(1).AtStartOfDayInZone(DateTimeZone.Utc).ToInstant());
        var receivedLeads = (await db.Inbox.AsNoTracking()
                .Where(m => m.AgreementId == "us-ru-bmlna-1988" && m.Kind == "prenotification" && m.Outcome == InboxOutcome.Accepted && m.WindowStart != null).ToListAsync())
            .Where(m => m.ReceivedAt >= start && m.ReceivedAt < end).Select(m => m.WindowStart!.Value - m.ReceivedAt).ToList();
        var sentLeads = (await db.OutboundMessages.AsNoTracking().Include(m => m.Deliveries)
                .Where(m => m.AgreementId == "us-ru-bmlna-1988" && m.Kind == "prenotification" && m.WindowStart != null).ToListAsync())
            .Where(m => m.IssuedAt >= start && m.IssuedAt < end)
            .SelectMany(m => m.Deliveries.Where(d => d.Status != DeliveryStatus.Rejected && d.RecipientReceivedAt != null)
                .Select(d => m.WindowStart!.Value - d.RecipientReceivedAt!.Value)).ToList();
        Assert.NotEmpty(receivedLeads);
        Assert.NotEmpty(sentLeads);
        static string Percent(List<Duration> leads, Duration minimum) =>
            (100.0 * leads.Count(l => l >= minimum) / leads.Count).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + "%"; // English, as the page is without ?lang
        Assert.Equal(Percent(receivedLeads, minimum), await officer.InnerTextAsync("[data-figure=received-on-time-rate] b"));
        Assert.Equal(Percent(sentLeads, minimum), await officer.InnerTextAsync("[data-figure=sent-on-time-rate] b"));
        Assert.Equal($"{receivedLeads.Count(l => l >= minimum)} of {receivedLeads.Count}", await officer.InnerTextAsync("[data-figure=received-on-time-rate] span:last-child"));
        var histogram = officer.Locator("svg[data-chart=lead-time-histogram]");
        Assert.True(await histogram.IsVisibleAsync());
        Assert.Equal(1, await histogram.Locator("line[data-role=minimum-lead-time]").CountAsync());
        // Every measured notice is counted in exactly one bar.
        Assert.Equal(receivedLeads.Count + sentLeads.Count,
            await histogram.Locator("rect title").EvaluateAllAsync<int>("ts => ts.map(t => parseInt(t.textContent.split(': ')[1])).reduce((a, b) => a + b, 0)"));
        Assert.True(await officer.Locator("svg[data-chart=monthly-on-time]").IsVisibleAsync());

        Directory.CreateDirectory(ResultsFolder);
        await officer.ScreenshotAsync(new() { Path = Path.Combine(ResultsFolder, "dashboard.png"), FullPage = true });
        Console.WriteLine($"Dashboard e2e: seed {fixture.SeedTime.TotalSeconds:0.0} s, browser part {timer.Elapsed.TotalSeconds:0.0} s");
    }

    internal static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "LaunchNotify.sln")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new DirectoryNotFoundException("The repository root (with LaunchNotify.sln) is not above the test's folder.");
    }

    private static Task<IBrowser> LaunchAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = DashboardFixture.Chromium,
        Headless = true,
        Args = ["--no-sandbox"], // CI runs as root, where Chromium's sandbox refuses to start
    });

    /// <summary>A new browser context signed in as <paramref name="user"/> at <paramref name="path"/>; the page it landed on.</summary>
    private async Task<IPage> SignedInPageAsync(IBrowser browser, string user, string path)
    {
        var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1200, Height = 900 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(fixture.BaseUrl + path);
        var response = await SignInAsync(page, user, DashboardFixture.Password);
        Assert.Equal(200, response!.Status);
        return page;
    }

    /// <summary>
    /// Fills the login form and submits it; the response of the page it lands on, once the browser shows that page parsed.
    /// Asked of the document itself (its address and <c>readyState</c>, polled), not through Playwright's "load" event: in
    /// full-suite runs on a loaded machine that wait timed out after 30 s although the page had arrived (it passes alone;
    /// the same fix as <c>ExternalProviderBrowserTests.ClickAndLandAsync</c>).
    /// </summary>
    private static async Task<IResponse?> SignInAsync(IPage page, string user, string password)
    {
        await page.FillAsync("input[name=username]", user);
        await page.FillAsync("input[name=password]", password);
        // The page the form lands on (after the redirect back into the dashboard, if any).
        var response = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("button[type=submit]"),
            r => r.Request.IsNavigationRequest && r.Status is not (301 or 302 or 303));
        await page.WaitForFunctionAsync("url => location.href === url && document.readyState !== 'loading'", response.Url,
            new PageWaitForFunctionOptions { PollingInterval = 100 });
        return response;
    }

    [Fact]
    public async Task Dashboard_OffersNoWriteEndpoint()
    {
        // The same bearer tokens as the API work here too (for tools; people use the login page).
        using var http = new HttpClient { BaseAddress = new Uri(fixture.BaseUrl) };
        http.WithToken(await TestAccounts.TokenAsync(http, DashboardFixture.User));
        foreach (var method in new[] { HttpMethod.Post, HttpMethod.Put, HttpMethod.Delete, HttpMethod.Patch })
        {
            var response = await http.SendAsync(new HttpRequestMessage(method, fixture.BaseUrl + "/dashboard"));
            Assert.Equal(System.Net.HttpStatusCode.MethodNotAllowed, response.StatusCode);
        }
        var page = await http.GetAsync(fixture.BaseUrl + "/dashboard");
        Assert.Contains("default-src 'none'", page.Headers.GetValues("Content-Security-Policy").Single());
        var html = await page.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<script", html);
        // The one form that posts is signing out.
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(html, "method=\"post\"", System.Text.RegularExpressions.RegexOptions.IgnoreCase));
        Assert.Contains($"action=\"/dashboard/logout\"", html);
    }

}
