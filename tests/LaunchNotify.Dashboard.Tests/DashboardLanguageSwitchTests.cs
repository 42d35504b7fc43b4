using System.Text.RegularExpressions;
using LaunchNotify.Presentation;
using Microsoft.Playwright;

namespace LaunchNotify.Dashboard.Tests;

/// <summary>
/// The language switch in Chromium: every page a person reads (the compliance dashboard, the duty page with its live
/// updates, a notification's page, the map's legend) in the chosen language, with no English left but what is shown as
/// it is (codes, ids, agreement titles and ids, zone ids, user names, the data's source names).
/// </summary>
public sealed partial class DashboardTests
{
    /// <summary>Words the pages show as they are in every language (docs/glossary.md, "What is not translated").</summary>
    private static readonly HashSet<string> AsTheyAre = ["UTC", "Natural", "Earth", "world", "atlas", "hcoc", "launchnotify", "users", "add", "reset", "role",
        "compliance", "officer", "duty", DashboardFixture.User, DashboardFixture.DutyOfficer];

    /// <summary>Empty text for every numbered placeholder a glossary text may have (the keys confirmation has six).</summary>
    private static readonly object?[] NoArguments = Enumerable.Repeat<object?>("", 10).ToArray();

    /// <summary>The words of a language's glossary texts.</summary>
    private static HashSet<string> Vocabulary(Language language) => JsonGlossary.Default.Keys
        .SelectMany(k => Regex.Matches(JsonGlossary.Default.Text(k, language, NoArguments), @"\p{L}+").Select(m => m.Value))
        .ToHashSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The English words of a page's text, without its agreement title (the agreement file's own), ids, agreement ids and
    /// zone ids. In Chinese and Russian, any word in Latin letters; in French, the English glossary's words French does not share.
    /// </summary>
    private static List<string> EnglishWords(string text, string? agreementTitle, Language language)
    {
        if (agreementTitle is not null)
            text = text.Replace(agreementTitle, " ");
        text = Regex.Replace(text, @"\b[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}\b|\b[0-9a-f]{8}\b", " ");   // message ids, whole or short
        text = Regex.Replace(text, @"\b[a-z0-9]+(-[a-z0-9]+)+\b", " ");                                    // agreement ids, command options
        text = Regex.Replace(text, @"\b[A-Z][A-Za-z]+/[A-Za-z_]+\b", " ");                                   // tz ids
        var words = Regex.Matches(text, @"\b[A-Za-z][a-z]{2,}\b").Select(m => m.Value).Where(w => !AsTheyAre.Contains(w));
        if (language == Language.Fr)
        {
            var french = Vocabulary(Language.Fr);
            var english = Vocabulary(Language.En);
            words = words.Where(w => english.Contains(w) && !french.Contains(w));
        }
        return words.Distinct().ToList();
    }

    private static string AgreementTitle(string agreementId)
    {
        using var file = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoRoot(), "agreements", agreementId + ".json")));
        return file.RootElement.GetProperty("title").GetString()!;
    }

    [Fact]
    public async Task LanguageSwitch_InChromium_TurnsTheDashboardTheMapAndTheNotificationPageIntoThatLanguage_WithNoEnglishLeft()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var page = await SignedInPageAsync(browser, DashboardFixture.User, "/dashboard");
        Assert.Equal("en", await page.GetAttributeAsync("html", "lang")); // the centre's language by default (none configured: English)

        foreach (var language in new[] { Language.Zh, Language.Fr, Language.Ru })
        {
            var code = language.Code();
            var words = new Rendering(JsonGlossary.Default, language, Zones.Utc);
            // The visible switch names each language in itself; following it keeps the page and its query.
            await page.RunAndWaitForResponseAsync(() => page.ClickAsync($"#language-switch a[data-lang={code}]"), r => r.Request.IsNavigationRequest);
            Assert.Contains("lang=" + code, page.Url);
            Assert.Equal(code, await page.GetAttributeAsync("html", "lang"));
            Assert.Equal(words.Text("language.name"), (await page.InnerTextAsync("#language-switch [aria-current=true]")).Trim());
            Assert.Equal(words.Text("dashboard.pageTitle", "US"), await page.InnerTextAsync("h1"));
            Assert.Equal(words.Text("dashboard.sentHeading", words.Number(await page.Locator("#sent-notifications tr[data-message-id]").CountAsync())),
                await page.InnerTextAsync("h2#sent"));
            var legend = await page.InnerTextAsync("#dashboard-map-legend");
            foreach (var key in new[] { "map.launchArea", "map.impactArea", "map.track", "map.observedCovered", "map.observedUncovered" })
                Assert.Contains(words.Text(key), legend);
            var agreement = await page.GetAttributeAsync("#timeliness-report", "data-agreement");
            var english = EnglishWords(await page.InnerTextAsync("body"), agreement is null ? null : AgreementTitle(agreement), language);
            Assert.True(english.Count == 0, $"{code}: English left on the dashboard: {string.Join(", ", english)}");
        }

        // A notification's page, reached from the (Russian) dashboard, stays in Russian.
        await page.RunAndWaitForResponseAsync(() => page.Locator("#sent-notifications tr[data-message-id] a").First.ClickAsync(), r => r.Request.IsNavigationRequest);
        Assert.Contains("lang=ru", page.Url);
        Assert.Equal("ru", await page.GetAttributeAsync("html", "lang"));
        var notice = EnglishWords(await page.InnerTextAsync("body"), null, Language.Ru);
        Assert.True(notice.Count == 0, $"English left on the notification page: {string.Join(", ", notice)}");
    }

    [Fact]
    public async Task DutyPage_InFrench_StaysFrenchThroughItsLiveUpdates_WithNoEnglishLeft()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var page = await SignedInPageAsync(browser, DashboardFixture.DutyOfficer, "/dashboard/duty?lang=fr&tz=Europe/Paris");
        var fr = new Rendering(JsonGlossary.Default, Language.Fr, Zones.Find("Europe/Paris")!);
        Assert.Equal("fr", await page.GetAttributeAsync("html", "lang"));
        // The live update came over the event stream in French (the page's script passes its ?lang= on).
        var live = fr.Text("duty.live", "");
        try
        {
            await page.WaitForFunctionAsync("t => document.getElementById('live-status').textContent.startsWith(t)", live, new() { Timeout = (float)LiveWait.TotalMilliseconds });
        }
        catch (TimeoutException)
        {
            Assert.Fail($"no live update in French ('{live}…'); the page says '{await page.InnerTextAsync("#live-status")}'\n{fixture.Log}");
        }
        Assert.Equal(fr.Text("duty.awaiting"), Regex.Replace(await page.InnerTextAsync("#awaiting h2"), @"\s*\(.*\)$", ""));
        var countdown = await page.Locator("td.countdown").First.InnerTextAsync();
        Assert.True(countdown.StartsWith(fr.Text("duty.countdown.overdue", "")) || countdown.StartsWith(fr.Text("duty.countdown.left", "")), countdown);
        var english = EnglishWords(await page.InnerTextAsync("body"), null, Language.Fr);
        Assert.True(english.Count == 0, $"English left on the duty page: {string.Join(", ", english)}");
        // In Chinese, no Latin word at all but what is shown as it is.
        await page.GotoAsync(fixture.BaseUrl + "/dashboard/duty?lang=zh");
        var zh = new Rendering(JsonGlossary.Default, Language.Zh, Zones.Utc);
        await page.WaitForFunctionAsync("t => document.getElementById('live-status').textContent.startsWith(t)", zh.Text("duty.live", ""),
            new() { Timeout = (float)LiveWait.TotalMilliseconds });
        english = EnglishWords(await page.InnerTextAsync("body"), null, Language.Zh);
        Assert.True(english.Count == 0, $"English left on the duty page in Chinese: {string.Join(", ", english)}");
    }
}
