using System.Net;
using LaunchNotify.Node.Accounts;
using LaunchNotify.Presentation;
using LaunchNotify.Tests.Shared;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace LaunchNotify.Alarms.Tests.Security;

/// <summary>
/// A centre configured for Chinese in Shanghai's zone (<c>LaunchNotify:Rendering</c>) shows its dashboard pages so by
/// default; a reader's <c>?lang=</c> and <c>?tz=</c> override it for that page and its links.
/// </summary>
public sealed class DashboardRenderingDefaultTests(PublisherApp app) : IClassFixture<PublisherApp>
{
    [Fact]
    public async Task DutyPage_OfACentreConfiguredForChinese_IsChineseInItsZone_UnlessTheReaderAsksForAnother()
    {
        await TestAccounts.AddOnePerRoleAsync(app.StoreOptions);
        await using var chinese = app.WithWebHostBuilder(b => b
            .UseSetting("LaunchNotify:Rendering:Language", "zh").UseSetting("LaunchNotify:Rendering:TimeZone", "Asia/Shanghai"));
        using var http = chinese.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        http.WithToken(await TestAccounts.TokenAsync(http, NodeRoles.DutyOfficer));
        var zh = new Rendering(JsonGlossary.Default, Language.Zh, Zones.Find("Asia/Shanghai")!);

        var page = await GetAsync(http, "/dashboard/duty");
        Assert.Contains("<html lang=\"zh\">", page);
        Assert.Contains($"<h1>{zh.Text("duty.title", "US")}</h1>", page);
        Assert.Contains(zh.Text("report.timesIn", "Asia/Shanghai"), page);

        var english = await GetAsync(http, "/dashboard/duty?lang=en&tz=Europe/London");
        Assert.Contains("<html lang=\"en\">", english);
        Assert.Contains("<h1>Centre US: duty desk</h1>", english);
        Assert.Contains("Times are given in Europe/London.", english);
        // The switch offers every language, each in itself, and marks the one shown.
        foreach (var language in Languages.All)
            Assert.Contains($">{JsonGlossary.Default.Text("language.name", language)}<", english);
        Assert.Contains("aria-current=\"true\">English<", english);
    }

    private static async Task<string> GetAsync(HttpClient http, string path)
    {
        var response = await http.GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {html}");
        return html;
    }
}
