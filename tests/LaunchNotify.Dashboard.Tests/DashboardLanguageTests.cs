using System.Globalization;
using Humanizer;
using Microsoft.Playwright;
using NodaTime;

namespace LaunchNotify.Dashboard.Tests;

/// <summary>The dashboard's report in the reader's language and zone (?lang=, ?tz=), as Chromium shows it.</summary>
public sealed class DashboardLanguageTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    [Fact]
    public async Task Report_WithLangAndTz_ReadsInThatLanguageAndAnUnknownLanguageIsSaidNotFailed()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium(playwright);
        // The report section is in Russian, its times in Moscow's zone.
        var page = await SignedInAsync(browser, "/dashboard?lang=ru&tz=Europe/Moscow");
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

        // What the page refuses is said in the reader's language too: a malformed date, an agreement it does not know.
        await page.GotoAsync(fixture.BaseUrl + "/dashboard?lang=fr&from=2026-13-45");
        Assert.Contains("« 2026-13-45 » n'est pas une date pour « from » ; utilisez AAAA-MM-JJ.", await page.InnerTextAsync("body"));
        await page.GotoAsync(fixture.BaseUrl + "/dashboard?lang=zh&agreement=no-such-agreement");
        var body = await page.InnerTextAsync("body");
        Assert.Contains("此处不知道协定“no-such-agreement”", body);
        Assert.DoesNotContain("is not known here", body);
    }

    [Fact]
    public async Task NotificationPage_InRussian_SaysALateNoticesFindingWithItsFiguresFromTheGlossary()
    {
        // RU notifies a launch whose window opens in 20 h; US-RU asks for 24 h, so US records LATE_NOTIFICATION with figures.
        var id = await fixture.ReceiveNoticeFromRuAsync(Duration.FromHours(20));
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium(playwright);
        var page = await SignedInAsync(browser, $"/dashboard/notifications/{id}?lang=ru");

        var text = await page.InnerTextAsync("body");
        var hour = TimeUnit.Hour.ToSymbol(CultureInfo.GetCultureInfo("ru-RU"));
        Assert.Contains("LATE_NOTIFICATION: Получено за 19 " + hour, text);  // 20 h ahead, less the seconds the test took
        Assert.Contains($"us-ru-bmlna-1988 требует не менее 24 {hour}: опоздание на 4 {hour}", text);
        Assert.DoesNotContain("Received", text);
        Assert.DoesNotContain("requires at least", text);
    }

    private static Task<IBrowser> Chromium(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = DashboardFixture.Chromium,
        Headless = true,
        Args = ["--no-sandbox"],
    });

    /// <summary>A new page on <paramref name="path"/>, signed in on the way (the login returns to the page asked for).</summary>
    private async Task<IPage> SignedInAsync(IBrowser browser, string path)
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync(fixture.BaseUrl + path);
        await page.FillAsync("input[name=username]", DashboardFixture.User);
        await page.FillAsync("input[name=password]", DashboardFixture.Password);
        await page.RunAndWaitForResponseAsync(() => page.ClickAsync("button[type=submit]"),
            r => r.Request.IsNavigationRequest && r.Status is not (301 or 302 or 303));
        if (!page.Url.EndsWith(path, StringComparison.Ordinal))
            await page.GotoAsync(fixture.BaseUrl + path);
        return page;
    }
}
