using Microsoft.Playwright;

namespace LaunchNotify.Dashboard.Tests;

/// <summary>The dashboard's report in the reader's language and zone (?lang=, ?tz=), as Chromium shows it.</summary>
public sealed class DashboardLanguageTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    [Fact]
    public async Task Report_WithLangAndTz_ReadsInThatLanguageAndAnUnknownLanguageIsSaidNotFailed()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = DashboardFixture.Chromium,
            Headless = true,
            Args = ["--no-sandbox"],
        });
        var page = await browser.NewPageAsync();
        await page.GotoAsync(fixture.BaseUrl + "/dashboard?lang=ru&tz=Europe/Moscow");
        await page.FillAsync("input[name=username]", DashboardFixture.User);
        await page.FillAsync("input[name=password]", DashboardFixture.Password);
        await page.RunAndWaitForResponseAsync(() => page.ClickAsync("button[type=submit]"),
            r => r.Request.IsNavigationRequest && r.Status is not (301 or 302 or 303));

        // The login returns to the page asked for; the report section is in Russian, its times in Moscow's zone.
        if (!page.Url.Contains("lang=ru", StringComparison.Ordinal))
            await page.GotoAsync(fixture.BaseUrl + "/dashboard?lang=ru&tz=Europe/Moscow");
        var report = page.Locator("#timeliness-report");
        Assert.Equal("ru", await report.GetAttributeAsync("lang"));
        var text = await report.InnerTextAsync();
        Assert.Contains("Срок уведомления (уведомления о предстоящих пусках)", text);
        Assert.Contains("получено своевременно", text);
        Assert.Contains("Время указано в поясе Europe/Moscow.", text);
        Assert.DoesNotContain("received on time", text);

        var response = await page.GotoAsync(fixture.BaseUrl + "/dashboard?lang=xx");
        Assert.Equal(200, response!.Status);
        Assert.Contains("'xx' is not a language of the glossary; use one of en, zh, fr, ru.", await page.InnerTextAsync("body"));
        Assert.Contains("received on time", await page.Locator("#timeliness-report").InnerTextAsync());
    }
}
