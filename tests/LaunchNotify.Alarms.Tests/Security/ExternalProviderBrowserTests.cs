using LaunchNotify.Node.Accounts;
using Microsoft.Playwright;
using static LaunchNotify.Alarms.Tests.Security.LoopbackOidcProvider;

namespace LaunchNotify.Alarms.Tests.Security;

/// <summary>
/// The dashboard's sign-in at an external provider in headless Chromium: the node on 127.0.0.1 and the provider on
/// <c>localhost</c> (another site, so the cookies' SameSite rules apply as with a real provider), through the provider's
/// login page and back, then signing out through the provider's end-session endpoint.
/// </summary>
public sealed class ExternalProviderBrowserTests : IAsyncLifetime
{
    private const string Chromium = "/usr/bin/chromium";
    private LoopbackOidcProvider _provider = null!;
    private ExternalProviderPublisher _app = null!;
    private string _node = "";

    public async Task InitializeAsync()
    {
        if (!File.Exists(Chromium))
            throw new InvalidOperationException($"{Chromium} is missing: run infra/chromium/install.sh (infra/test.sh does) to install Debian's chromium.");
        _provider = await LoopbackOidcProvider.StartAsync("", host: "localhost");
        _app = new ExternalProviderPublisher(_provider.Issuer, dashboardClient: true, onKestrel: true);
        _node = _app.Address.GetLeftPart(UriPartial.Authority);
        _provider.NodeBase = _node;
        _provider.Accounts = new Dictionary<string, TestUser>
        {
            ["kim"] = new("c0ffee-0101", "kim.compliance", NodeRoles.ComplianceOfficer),
            ["olga"] = new("c0ffee-0102", "olga.operator", NodeRoles.Operator),
        };
    }

    public async Task DisposeAsync()
    {
        _app.Dispose();
        await _provider.DisposeAsync();
    }

    [Fact]
    public async Task Chromium_SignsInAtTheProvidersLoginPage_LandsOnThePageAskedFor_AndSignsOutThere()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox"], // CI runs as root, where Chromium's sandbox refuses to start
        });
        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();

        // Without a sign-in the dashboard sends the browser to the provider's login page.
        await page.GotoAsync(_node + "/dashboard?lang=fr");
        Assert.StartsWith(_provider.Issuer + "connect/authorize", page.Url);
        Assert.Contains("code_challenge=", page.Url);
        await page.FillAsync("#username", "kim");
        var landed = await ClickAndLandAsync(page, "#sign-in", _node + "/dashboard?lang=fr");

        Assert.Equal(200, landed!.Status);
        Assert.Contains("kim.compliance", await page.InnerTextAsync("body"));
        Assert.Equal("fr", await page.GetAttributeAsync("html", "lang"));
        var cookie = (await context.CookiesAsync()).Single(c => c.Name == "launchnotify-dashboard");
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Lax, cookie.SameSite);
        // The API does not take the browser's cookie.
        Assert.Equal(401, (await page.GotoAsync(_node + "/v1/notifications"))!.Status);

        // Signing out goes through the provider's end-session endpoint (the page's form-action lets the redirect through) and back.
        await page.GotoAsync(_node + "/dashboard/duty");
        Assert.Equal(200, (await ClickAndLandAsync(page, "form[action='/dashboard/logout'] button", _node + "/dashboard/login"))!.Status);
        Assert.Single(_provider.EndSessionHints);
        Assert.Equal(1, await page.Locator("#provider-sign-in").CountAsync());
        Assert.DoesNotContain(await context.CookiesAsync(), c => c.Name == "launchnotify-dashboard");

        // Signed out: the next page asks the provider again, and an operator signing in there gets the duty page, not the dashboard.
        await page.GotoAsync(_node + "/dashboard");
        Assert.StartsWith(_provider.Issuer + "connect/authorize", page.Url);
        await page.FillAsync("#username", "olga");
        var refused = await ClickAndLandAsync(page, "#sign-in", _node + "/dashboard");
        Assert.Equal(403, refused!.Status);
        Assert.Contains("olga.operator", await page.InnerTextAsync("body"));
        Assert.Equal(200, (await page.GotoAsync(_node + "/dashboard/duty"))!.Status);
    }

    /// <summary>
    /// Clicks and returns the page the browser lands on after the redirects (through the provider and back), once that
    /// page is at <paramref name="landsAt"/> and parsed. Asked of the document itself (its address and its
    /// <c>readyState</c>, polled), not through Playwright's load-state events: in full-suite runs on a loaded machine the
    /// wait for the "load" event, and later for DOMContentLoaded, timed out after 30 s although the page had arrived and
    /// fired both (it passes alone). What the assertions read is the URL, the status, the body's text and the cookies.
    /// </summary>
    private static async Task<IResponse?> ClickAndLandAsync(IPage page, string selector, string landsAt)
    {
        var response = await page.RunAndWaitForResponseAsync(() => page.ClickAsync(selector),
            r => r.Request.IsNavigationRequest && r.Status is not (301 or 302 or 303));
        await page.WaitForFunctionAsync("url => location.href === url && document.readyState !== 'loading'", landsAt,
            new PageWaitForFunctionOptions { PollingInterval = 100 });
        Assert.Equal(landsAt, page.Url);
        return response;
    }
}
