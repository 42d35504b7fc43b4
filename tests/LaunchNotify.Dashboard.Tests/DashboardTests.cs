using System.Diagnostics;
using LaunchNotify.Node.Alarms;
using LaunchNotify.Node.Queries;
using LaunchNotify.Node.Reports;
using LaunchNotify.Protocol.Agreements;
using LaunchNotify.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using LaunchNotify.Tests.Shared;
using Microsoft.Playwright;
using NodaTime;

namespace LaunchNotify.Dashboard.Tests;

/// <summary>What a compliance officer sees in a real browser: Debian's chromium, headless, driven by Playwright.</summary>
public sealed partial class DashboardTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    private static readonly string ResultsFolder = Path.Combine(AppContext.BaseDirectory, "dashboard-screenshots");

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

        var db = new StoreContextFactory(StorageOptions.SqliteFile(fixture.StorePath));
        var sent = await new StatusQueries(db).RecentAsync(25, default);
        Assert.NotEmpty(sent);
        var rows = officer.Locator("#sent-notifications tr[data-message-id]");
        Assert.Equal(sent.Count, await rows.CountAsync());
        for (var i = 0; i < Math.Min(5, sent.Count); i++)
        {
            var expected = sent[i];
            var row = rows.Nth(i);
            Assert.Equal(expected.MessageId.ToString(), await row.GetAttributeAsync("data-message-id"));
            var statuses = await row.Locator("span.delivery").AllInnerTextsAsync();
            Assert.Equal(expected.Recipients.Select(r => $"{r.Centre} #{r.Sequence} {r.Status}"), statuses.Select(s => s.Trim()));
        }
        // The seeded history has unconfirmed deliveries; they must show as such, not as confirmed.
        var unconfirmed = sent.SelectMany(m => m.Recipients).Count(r => r.Status == "published");
        Assert.Equal(unconfirmed, await officer.Locator("#sent-notifications span.delivery.published").CountAsync());

        var open = await new AlarmBook(db, SystemClock.Instance, NullLogger<AlarmBook>.Instance).ListAsync(new AlarmFilter(OpenOnly: true), default);
        Assert.NotEmpty(open); // seed 7 leaves alarms open: the test must see one listed
        var alarmRows = officer.Locator("#open-alarms tr[data-alarm-kind]");
        Assert.Equal(open.Count, await alarmRows.CountAsync());
        Assert.Contains(open[0].Summary, await alarmRows.First.InnerTextAsync());

        // 3. The officer picks the agreement and the seeded period; the report shows the store's on-time rate and its charts.
        var seed = fixture.Seed;
        var period = new ReportPeriod(seed.From, seed.From.PlusDays(seed.Days - 1));
        await officer.SelectOptionAsync("select[name=agreement]", "us-ru-bmlna-1988");
        await officer.FillAsync("input[name=from]", ReportFormats.Date(period.From));
        await officer.FillAsync("input[name=to]", ReportFormats.Date(period.To));
        await officer.ClickAsync("form.pickers button[type=submit]");
        await officer.WaitForURLAsync(url => url.Contains("from=" + ReportFormats.Date(period.From)));

        var expectedReport = await new TimelinessQueries(db, AgreementCatalog.Default, SystemClock.Instance)
            .ReportAsync("us-ru-bmlna-1988", null, period, default);
        Assert.True(expectedReport.Received.Measured > 0);
        Assert.Equal(ReportFormats.Percent(expectedReport.Received.OnTimeRate),
            await officer.InnerTextAsync("[data-figure=received-on-time-rate] b"));
        Assert.Equal(ReportFormats.Percent(expectedReport.Sent.OnTimeRate),
            await officer.InnerTextAsync("[data-figure=sent-on-time-rate] b"));
        var histogram = officer.Locator("svg[data-chart=lead-time-histogram]");
        Assert.True(await histogram.IsVisibleAsync());
        Assert.Equal(1, await histogram.Locator("line[data-role=minimum-lead-time]").CountAsync());
        Assert.Equal(expectedReport.Samples.Count,
            await histogram.Locator("rect title").EvaluateAllAsync<int>("ts => ts.map(t => parseInt(t.textContent.split(': ')[1])).reduce((a, b) => a + b, 0)"));
        Assert.True(await officer.Locator("svg[data-chart=monthly-on-time]").IsVisibleAsync());

        Directory.CreateDirectory(ResultsFolder);
        await officer.ScreenshotAsync(new() { Path = Path.Combine(ResultsFolder, "dashboard.png"), FullPage = true });
        Console.WriteLine($"Dashboard e2e: seed {fixture.SeedTime.TotalSeconds:0.0} s, browser part {timer.Elapsed.TotalSeconds:0.0} s");
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

    /// <summary>Fills the login form and submits it; the response of the page it lands on.</summary>
    private static async Task<IResponse?> SignInAsync(IPage page, string user, string password)
    {
        await page.FillAsync("input[name=username]", user);
        await page.FillAsync("input[name=password]", password);
        // The page the form lands on (after the redirect back into the dashboard, if any).
        var response = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("button[type=submit]"),
            r => r.Request.IsNavigationRequest && r.Status is not (301 or 302 or 303));
        await page.WaitForLoadStateAsync(LoadState.Load);
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
