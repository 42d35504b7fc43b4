using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LaunchNotify.Domain.Alarms;
using LaunchNotify.Domain.Values;
using LaunchNotify.Protocol.Signing;
using LaunchNotify.Storage;
using LaunchNotify.Storage.Entities;
using LaunchNotify.Tests.Shared;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using NodaTime;
using NodaTime.Text;

namespace LaunchNotify.Dashboard.Tests;

/// <summary>
/// The duty officer's live page in Chromium: what it shows is compared with the store's rows read here (plain EF and
/// the agreement files), and changes made elsewhere (a launch recorded, a notice submitted, an alarm acknowledged
/// through the API) reach the open page without a reload.
/// </summary>
public sealed partial class DashboardTests
{
    private static readonly TimeSpan LiveWait = TimeSpan.FromSeconds(30); // the stream polls every second; generous for a loaded machine

    private NodeDbContext Store() => new(StorageOptions.SqliteFile(fixture.StorePath).ToDbContextOptions());

    private static Duration ReceiptDeadline(string agreementId)
    {
        using var file = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoRoot(), "agreements", agreementId + ".json")));
        return Duration.FromMinutes(file.RootElement.GetProperty("deadlines").GetProperty("receiptMinutes").GetDouble());
    }

    [Fact]
    public async Task DutyPage_InChromium_ShowsTheStoresBoard_UpdatesLive_AndLetsTheDutyOfficerAct()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1200, Height = 900 } });
        var page = await context.NewPageAsync();
        // A duty officer signing in without asking for a page lands on the duty page, not the compliance dashboard.
        await page.GotoAsync(fixture.BaseUrl + "/dashboard/login");
        Assert.Equal(200, (await SignInAsync(page, DashboardFixture.DutyOfficer, DashboardFixture.Password))!.Status);
        Assert.EndsWith("/dashboard/duty", page.Url);
        await page.WaitForSelectorAsync("#live-status:has-text('Live: updated')", new() { Timeout = (float)LiveWait.TotalMilliseconds });
        // Marks this document: a reload would lose it, so every check below that still finds it saw a live update.
        await page.EvaluateAsync("() => window.sameDocument = true");

        await using (var db = Store())
        {
            // Waiting for acknowledgement: accepted notices no person has acknowledged, the earliest deadline first (the
            // stored acknowledgement deadline; the agreement's receipt deadline after receipt where none was stored).
            string[] kinds = ["prenotification", "amendment", "cancellation", "postlaunch"];
            var waiting = (await db.Inbox.AsNoTracking().Where(m => kinds.Contains(m.Kind) && m.Outcome == InboxOutcome.Accepted && m.AcknowledgedAt == null).ToListAsync())
                .Select(m => (m.MessageId, Deadline: m.AcknowledgeDueAt ?? m.ReceivedAt + ReceiptDeadline(m.AgreementId!)))
                .OrderBy(m => m.Deadline).ToList();
            Assert.NotEmpty(waiting);
            var rows = page.Locator("#awaiting-table tr[data-message-id]");
            Assert.Equal(Math.Min(25, waiting.Count), await rows.CountAsync());
            var first = waiting.First();
            Assert.Equal(first.MessageId.ToString(), await rows.First.GetAttributeAsync("data-message-id"));
            var countdown = rows.First.Locator("td.countdown");
            Assert.Equal(InstantPattern.ExtendedIso.Format(first.Deadline), await countdown.GetAttributeAsync("data-deadline"));
            // The seeded history is in the past: overdue, and counting up every second in the browser.
            var before = await countdown.InnerTextAsync();
            Assert.StartsWith("overdue by ", before);
            await page.WaitForFunctionAsync("t => document.querySelector('#awaiting-table tr[data-message-id] td.countdown').textContent !== t", before,
                new() { Timeout = (float)LiveWait.TotalMilliseconds });

            // Open alarms by severity, as many as the store has of each.
            var open = await db.Alarms.AsNoTracking().Where(a => a.State != AlarmState.Resolved).ToListAsync();
            foreach (var severity in new[] { "critical", "warning", "info" })
                Assert.Equal(open.Count(a => a.Severity.ToString().ToLowerInvariant() == severity),
                    await page.Locator($"#alarms table[data-severity={severity}] tr[data-alarm-id]").CountAsync());

            // One row per counterpart this centre has exchanged with; silent where a LINK_SILENT alarm is open for it.
            var counterparts = (await db.Inbox.AsNoTracking().Select(m => m.Sender).Distinct().ToListAsync())
                .Concat(await db.Deliveries.AsNoTracking().Select(d => d.Recipient).Distinct().ToListAsync()).Where(c => c != "US").Distinct().Order().ToList();
            Assert.Equal(counterparts, await page.Locator("#links-state tr[data-counterpart]").EvaluateAllAsync<string[]>("rs => rs.map(r => r.dataset.counterpart)"));
            foreach (var c in counterparts)
                if (open.Any(a => a.Kind == AlarmKind.LinkSilent && a.Centre == c))
                    Assert.Equal("silent", await page.GetAttributeAsync($"#links-state tr[data-counterpart={c}]", "data-link-state"));
        }

        // A notice submitted now with its window in three hours appears under "windows opening" without a reload.
        using var operatorApi = new HttpClient { BaseAddress = new Uri(fixture.BaseUrl) };
        operatorApi.WithToken(await TestAccounts.TokenAsync(operatorApi, DashboardFixture.Operator));
        // Whole seconds, as the wire carries them.
        var windowStart = Instant.FromUnixTimeSeconds(SystemClock.Instance.GetCurrentInstant().ToUnixTimeSeconds()) + Duration.FromHours(3);
        var submitted = await operatorApi.PostAsJsonAsync("/v1/notifications", new
        {
            agreementId = "hcoc",
            recipients = new[] { "RU" },
            launchWindow = new { start = InstantPattern.General.Format(windowStart), end = InstantPattern.General.Format(windowStart + Duration.FromHours(4)) },
            missile = new { @class = "SLV", type = "Falcon 9", count = 1, rangeKm = 2000 },
            plannedAzimuthDeg = 70.0,
            launchArea = new { type = "circle", name = "Cape Canaveral", centre = new { lat = 28.56, lon = -80.58 }, radiusKm = 10 },
            impactAreas = new[] { new { type = "circle", name = "Atlantic", centre = new { lat = 30.5, lon = -70.0 }, radiusKm = 100 } },
        });
        var submittedBody = await submitted.Content.ReadAsStringAsync();
        Assert.True(submitted.IsSuccessStatusCode, $"submit answered {(int)submitted.StatusCode}: {submittedBody}");
        var noticeId = JsonDocument.Parse(submittedBody).RootElement.GetProperty("messageId").GetString();
        var upcoming = page.Locator($"#upcoming-table tr[data-message-id='{noticeId}']");
        await upcoming.WaitForAsync(new() { Timeout = (float)LiveWait.TotalMilliseconds });
        Assert.Contains("RU", await upcoming.InnerTextAsync());
        Assert.Equal(InstantPattern.ExtendedIso.Format(windowStart), await upcoming.Locator("td.countdown").GetAttributeAsync("data-deadline"));
        Assert.EndsWith(" left", await upcoming.Locator("td.countdown").InnerTextAsync());

        // A launch nobody notified raises a critical alarm, which appears under "critical" without a reload.
        using var dutyApi = new HttpClient { BaseAddress = new Uri(fixture.BaseUrl) };
        dutyApi.WithToken(await TestAccounts.TokenAsync(dutyApi, DashboardFixture.DutyOfficer));
        var recorded = await dutyApi.PostAsJsonAsync("/v1/observed-launches", new
        {
            at = InstantPattern.General.Format(SystemClock.Instance.GetCurrentInstant() - Duration.FromMinutes(1)),
            launchPoint = new { lat = -20.0, lon = -140.0 }, attributedCentre = "RU", source = "duty page test",
        });
        Assert.Equal(HttpStatusCode.Created, recorded.StatusCode);
        var alarmId = JsonDocument.Parse(await recorded.Content.ReadAsStringAsync()).RootElement.GetProperty("alarmId").GetGuid();
        var alarmRow = page.Locator($"#alarms table[data-severity=critical] tr[data-alarm-id='{alarmId}']");
        await alarmRow.WaitForAsync(new() { Timeout = (float)LiveWait.TotalMilliseconds });
        Assert.Equal("open", await alarmRow.GetAttributeAsync("data-state"));
        Assert.True(await page.EvaluateAsync<bool>("() => window.sameDocument === true"), "the page was reloaded instead of updated");

        // The duty officer acknowledges it on the page, then resolves it with a comment: recorded under their account.
        await alarmRow.Locator("button[data-action=acknowledge]").ClickAsync();
        await page.WaitForSelectorAsync($"#alarms tr[data-alarm-id='{alarmId}'][data-state=acknowledged]", new() { Timeout = (float)LiveWait.TotalMilliseconds });
        await using (var db = Store())
        {
            var alarm = await db.Alarms.AsNoTracking().SingleAsync(a => a.Id == alarmId);
            Assert.Equal(AlarmState.Acknowledged, alarm.State);
            Assert.Equal(DashboardFixture.DutyOfficer, alarm.AcknowledgedBy);
        }
        var row = page.Locator($"#alarms tr[data-alarm-id='{alarmId}']");
        await row.Locator("input[name=comment]").FillAsync("tracked by radar, no threat; RU informed");
        await row.Locator("button[data-action=resolve]").ClickAsync();
        await page.WaitForSelectorAsync($"#alarms tr[data-alarm-id='{alarmId}']", new() { State = WaitForSelectorState.Detached, Timeout = (float)LiveWait.TotalMilliseconds });
        await using (var db = Store())
        {
            var alarm = await db.Alarms.AsNoTracking().SingleAsync(a => a.Id == alarmId);
            Assert.Equal(AlarmState.Resolved, alarm.State);
            Assert.Equal(DashboardFixture.DutyOfficer, alarm.ResolvedBy);
            Assert.Equal("tracked by radar, no threat; RU informed", alarm.ResolveComment);
        }

        // Acknowledged elsewhere (the API), it changes on the open page without a reload.
        await page.EvaluateAsync("() => window.sameDocument = true");
        var other = await Store().Alarms.AsNoTracking().Where(a => a.State == AlarmState.Open).Select(a => a.Id).FirstAsync();
        Assert.True((await dutyApi.PostAsync($"/v1/alarms/{other}/acknowledge", null)).IsSuccessStatusCode);
        await page.WaitForSelectorAsync($"#alarms tr[data-alarm-id='{other}'][data-state=acknowledged]", new() { Timeout = (float)LiveWait.TotalMilliseconds });
        Assert.True(await page.EvaluateAsync<bool>("() => window.sameDocument === true"), "the page was reloaded instead of updated");
        await page.ScreenshotAsync(new() { Path = Path.Combine(ResultsFolder, "duty.png"), FullPage = true });
    }

    [Fact]
    public async Task DutyPage_InChromium_TheDutyOfficerAcknowledgesANotice_AndTheSignedAcknowledgementIsStoredAndQueuedToItsSender()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var page = await (await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1200, Height = 900 } })).NewPageAsync();
        await page.GotoAsync(fixture.BaseUrl + "/dashboard/login?returnUrl=/dashboard/duty");
        Assert.Equal(200, (await SignInAsync(page, DashboardFixture.DutyOfficer, DashboardFixture.Password))!.Status);
        Assert.EndsWith("/dashboard/duty", page.Url);

        // The notice to acknowledge: one RU sends now (the seed leaves only a few unread, which other tests look at).
        var messageId = await fixture.ReceiveNoticeFromRuAsync();
        InboxMessage before;
        await using (var db = Store())
            before = await db.Inbox.AsNoTracking().SingleAsync(m => m.MessageId == messageId);
        Assert.Null(before.AcknowledgedAt);
        Assert.Equal(InboxOutcome.Accepted, before.Outcome);
        // It reaches the open page without a reload, with its button.
        var row = page.Locator($"#awaiting-table tr[data-message-id='{messageId}']");
        await row.WaitForAsync(new() { Timeout = (float)LiveWait.TotalMilliseconds });
        var clickedAt = SystemClock.Instance.GetCurrentInstant();

        await row.Locator("button[data-action=acknowledge-notice]").ClickAsync();
        // Back on the duty page, without the notice in the waiting panel.
        await page.WaitForSelectorAsync($"#awaiting-table tr[data-message-id='{messageId}']",
            new() { State = WaitForSelectorState.Detached, Timeout = (float)LiveWait.TotalMilliseconds });
        Assert.EndsWith("/dashboard/duty#awaiting", page.Url);

        await using (var db = Store())
        {
            // Recorded under the signed-in account, at the instant of the click.
            var entry = await db.Inbox.AsNoTracking().SingleAsync(m => m.MessageId == messageId);
            Assert.NotNull(entry.AcknowledgedAt);
            Assert.InRange(entry.AcknowledgedAt!.Value, clickedAt - Duration.FromSeconds(1), SystemClock.Instance.GetCurrentInstant());
            Assert.Equal(DashboardFixture.DutyOfficer, entry.AcknowledgedByName);
            Assert.NotNull(entry.AcknowledgementMessageId);

            // The acknowledgement waits in the outbox for the sender, signed with US's key: verified here against the
            // trust store's public key, and its payload names the notice, its kind and the instants.
            var outbound = await db.Outbox.AsNoTracking().SingleAsync(m => m.MessageId == entry.AcknowledgementMessageId);
            Assert.Equal("acknowledgement", outbound.Kind);
            Assert.Equal(entry.Sender, outbound.Recipient);
            Assert.Equal(entry.AcknowledgementJws, outbound.Body);
            var check = new JwsSignatureVerifier(KeyStore.LoadTrustedKeys(fixture.Seed.KeysDirectory))
                .Verify(outbound.Body, new CentreCode("US"), entry.AcknowledgedAt.Value);
            Assert.True(check.IsValid, check.Reason);
            using var payload = JsonDocument.Parse(check.Payload!);
            var p = payload.RootElement;
            Assert.Equal("acknowledgement", p.GetProperty("kind").GetString());
            Assert.Equal(messageId.ToString(), p.GetProperty("acknowledgementFor").GetString());
            Assert.Equal(entry.Kind, p.GetProperty("acknowledgedKind").GetString());
            Assert.Equal(entry.AcknowledgedAt.Value, InstantPattern.ExtendedIso.Parse(p.GetProperty("acknowledgedAt").GetString()!).Value);
            Assert.Equal(entry.ReceivedAt, InstantPattern.ExtendedIso.Parse(p.GetProperty("receivedAt").GetString()!).Value);

            // The audit chain names the person.
            Assert.True(await db.Set<AuditEntry>().AsNoTracking().AnyAsync(a => a.Type == "acknowledged" && a.MessageId == messageId));
        }
    }

    [Fact]
    public async Task DutyPage_ForAnOperator_ShowsTheBoardWithoutActions_AndItsFormsRefuseOtherRolesAndForgedPosts()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(fixture.BaseUrl) };
        http.WithToken(await TestAccounts.TokenAsync(http, DashboardFixture.Operator));
        var page = await http.GetAsync("/dashboard/duty", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        string html;
        try
        {
            html = await page.Content.ReadAsStringAsync();
        }
        catch (HttpRequestException e)
        {
            throw new InvalidOperationException($"The duty page broke off: {e.Message}\n{fixture.Log}", e);
        }
        Assert.Contains("id=\"awaiting-table\"", html);
        Assert.DoesNotContain("data-action=", html); // an operator may not act on alarms nor acknowledge notices: no forms
        var waitingNotice = new { Sender = "RU", MessageId = await fixture.ReceiveNoticeFromRuAsync() };
        Assert.Equal(HttpStatusCode.Forbidden,
            (await http.PostAsync($"/dashboard/duty/notices/{waitingNotice.Sender}/{waitingNotice.MessageId}/acknowledge", new FormUrlEncodedContent([]))).StatusCode);
        Assert.Contains("script-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single());
        var alarm = await Store().Alarms.AsNoTracking().Where(a => a.State != AlarmState.Resolved).Select(a => a.Id).FirstAsync();
        try
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await http.PostAsync($"/dashboard/duty/alarms/{alarm}/acknowledge", new FormUrlEncodedContent([]))).StatusCode);
        }
        catch (HttpRequestException e)
        {
            throw new InvalidOperationException($"The refusal broke off: {e.Message}\n{fixture.Log}", e);
        }

        // A duty officer's post without the page's token (another site's form) is refused and changes nothing.
        using var duty = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(fixture.BaseUrl) };
        duty.WithToken(await TestAccounts.TokenAsync(duty, DashboardFixture.DutyOfficer));
        var forged = await duty.PostAsync($"/dashboard/duty/alarms/{alarm}/resolve", new FormUrlEncodedContent([new("comment", "forged")]));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.NotEqual(AlarmState.Resolved, (await Store().Alarms.AsNoTracking().SingleAsync(a => a.Id == alarm)).State);
        var forgedAck = await duty.PostAsync($"/dashboard/duty/notices/{waitingNotice.Sender}/{waitingNotice.MessageId}/acknowledge", new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.BadRequest, forgedAck.StatusCode);
        Assert.Null((await Store().Inbox.AsNoTracking().SingleAsync(m => m.MessageId == waitingNotice.MessageId)).AcknowledgedAt);
    }
}
