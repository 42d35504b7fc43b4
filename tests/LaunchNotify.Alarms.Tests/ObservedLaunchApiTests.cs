using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using LaunchNotify.Domain.Values;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using static LaunchNotify.Tests.Shared.Notices;
using static LaunchNotify.Tests.Shared.PublisherApp;

namespace LaunchNotify.Alarms.Tests;

public sealed class ObservedLaunchApiTests : IDisposable
{
    private readonly PublisherApp _app = new();
    private readonly HttpClient _http;

    public ObservedLaunchApiTests() => _http = _app.ClientAs(LaunchNotify.Node.Accounts.NodeRoles.DutyOfficer);

    public void Dispose()
    {
        _http.Dispose();
        _app.Dispose();
    }

    private static JsonObject Launch(string at = "2026-03-10T11:00:00Z", string centre = "RU", double lat = 62.95, double lon = 40.6, (double, double)? impact = null)
    {
        var body = new JsonObject
        {
            ["at"] = at,
            ["launchPoint"] = new JsonObject { ["lat"] = lat, ["lon"] = lon },
            ["attributedCentre"] = centre,
            ["source"] = "radar-3",
        };
        if (impact is var (ilat, ilon))
            body["impactPoint"] = new JsonObject { ["lat"] = ilat, ["lon"] = ilon };
        return body;
    }

    private async Task<(HttpStatusCode Status, JsonNode Body)> RecordAsync(JsonObject body)
    {
        using var response = await _http.PostAsJsonAsync("/v1/observed-launches", body);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    [Fact]
    public async Task Record_InsideAnAcceptedNotice_IsCoveredByItAndRaisesNoAlarm()
    {
        var notice = Pre(Ru, Us);
        await _app.ReceiveAsync(notice, Noon - Duration.FromDays(2));

        var (status, body) = await RecordAsync(Launch(impact: (57.9, 161.0)));

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.True(body["covered"]!.GetValue<bool>());
        Assert.Equal(notice.MessageId.ToString(), body["coveredBy"]![0]!["messageId"]!.ToString());
        Assert.Null(body["alarmId"]);
        await using var db = _app.Db();
        Assert.Empty(await db.Alarms.ToListAsync());
        var stored = await db.ObservedLaunches.SingleAsync();
        Assert.True(stored.Covered);
        Assert.Equal("radar-3", stored.Source);
        Assert.Equal(50, stored.ToleranceKm);
    }

    [Fact]
    public async Task Record_WithoutAnyNotice_RaisesACriticalLaunchWithoutNotificationAlarm()
    {
        var (status, body) = await RecordAsync(Launch(centre: "CN", lat: 40.96, lon: 100.29));

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.False(body["covered"]!.GetValue<bool>());
        var alarmId = body["alarmId"]!.ToString();
        var alarm = JsonNode.Parse(await _http.GetStringAsync($"/v1/alarms/{alarmId}"))!;
        Assert.Equal("LAUNCH_WITHOUT_NOTIFICATION", alarm["kind"]!.ToString());
        Assert.Equal("critical", alarm["severity"]!.ToString());
        Assert.Equal("open", alarm["state"]!.ToString());
        Assert.Equal("CN", alarm["counterpart"]!.ToString());
        Assert.Equal(body["id"]!.ToString(), alarm["details"]!["observedLaunchId"]!.ToString());
        Assert.Contains("no notification covers it", alarm["summary"]!.ToString());
    }

    [Fact]
    public async Task Record_LaunchPointBeyondTheTolerance_IsNotCoveredAndNamesTheNearMiss()
    {
        var notice = Pre(Ru, Us);
        await _app.ReceiveAsync(notice, Noon - Duration.FromDays(2));

        // Severodvinsk is about 160 km north of Plesetsk: far outside 20 km + 50 km.
        var (_, body) = await RecordAsync(Launch(lat: 64.56, lon: 39.82));

        Assert.False(body["covered"]!.GetValue<bool>());
        var miss = body["nearMisses"]![0]!;
        Assert.Equal(notice.MessageId.ToString(), miss["messageId"]!.ToString());
        Assert.Equal("LAUNCH_POINT_OUTSIDE_AREA", miss["misses"]![0]!["code"]!.ToString());
        Assert.NotNull(body["alarmId"]);
    }

    [Fact]
    public async Task Record_RejectedNotice_DoesNotCover()
    {
        await _app.ReceiveAsync(Pre(Ru, Us), Noon - Duration.FromDays(2), InboxOutcome.Rejected);
        var (_, body) = await RecordAsync(Launch());
        Assert.False(body["covered"]!.GetValue<bool>());
        Assert.Empty(body["nearMisses"]!.AsArray());
    }

    [Fact]
    public async Task Record_CancelledNotice_DoesNotCover()
    {
        var notice = Pre(Ru, Us);
        await _app.ReceiveAsync(notice, Noon - Duration.FromDays(2));
        await _app.ReceiveAsync(Cancel(notice), Noon - Duration.FromDays(1));

        var (_, body) = await RecordAsync(Launch());

        Assert.False(body["covered"]!.GetValue<bool>());
        Assert.Equal("CANCELLED", body["nearMisses"]![0]!["misses"]![0]!["code"]!.ToString());
    }

    [Fact]
    public async Task Record_OwnCentresLaunch_IsCheckedAgainstItsSentNotices()
    {
        var ours = Pre(Us, Ru) with { LaunchArea = new CircleArea(new GeoPoint(34.74, -120.57), 20, "Vandenberg") };
        await _app.SendAsync(ours);

        var (_, covered) = await RecordAsync(Launch(centre: "US", lat: 34.8, lon: -120.6));
        var (_, notCovered) = await RecordAsync(Launch(centre: "US", lat: 28.5, lon: -80.6));

        Assert.True(covered["covered"]!.GetValue<bool>());
        Assert.Equal(ours.MessageId.ToString(), covered["coveredBy"]![0]!["messageId"]!.ToString());
        Assert.False(notCovered["covered"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Record_NoticeArrivingAfterwards_DoesNotCoverRetroactively_TheAlarmStaysWithANote()
    {
        var (_, recorded) = await RecordAsync(Launch());
        Assert.False(recorded["covered"]!.GetValue<bool>());
        var alarmId = recorded["alarmId"]!.ToString();

        var late = Pre(Ru, Us);
        await _app.ReceiveAsync(late, Noon + Duration.FromMinutes(10));
        var view = JsonNode.Parse(await _http.GetStringAsync($"/v1/observed-launches/{recorded["id"]}"))!;

        Assert.False(view["covered"]!.GetValue<bool>());
        Assert.Equal(late.MessageId.ToString(), view["notifiedAfterLaunch"]![0]!["messageId"]!.ToString());
        Assert.Contains("1 h 10 min after the launch", view["note"]!.ToString());
        Assert.Contains($"Alarm {alarmId} stays", view["note"]!.ToString());
        var alarm = JsonNode.Parse(await _http.GetStringAsync($"/v1/alarms/{alarmId}"))!;
        Assert.Equal("open", alarm["state"]!.ToString());
    }

    [Fact]
    public async Task Record_SameIdTwice_IsRecordedOnce()
    {
        var body = Launch();
        body["id"] = Guid.NewGuid().ToString();

        var (first, _) = await RecordAsync(body);
        var (second, again) = await RecordAsync(body);

        Assert.Equal(HttpStatusCode.Created, first);
        Assert.Equal(HttpStatusCode.OK, second);
        Assert.Equal(body["id"]!.ToString(), again["id"]!.ToString());
        await using var db = _app.Db();
        Assert.Equal(1, await db.ObservedLaunches.CountAsync());
        Assert.Equal(1, await db.Alarms.CountAsync());
    }

    [Fact]
    public async Task Record_BadInstantLatitudeAndCentre_Is400WithEveryProblemAndWhatToDo()
    {
        var (status, body) = await RecordAsync(Launch(at: "10/03/2026 11:00", centre: "XX", lat: 95));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        var errors = body["errors"]!.AsArray().ToDictionary(e => e!["path"]!.ToString(), e => e!);
        Assert.Equal("INSTANT_INVALID", errors["/at"]["code"]!.ToString());
        Assert.Contains("RFC 3339 UTC, e.g. \"2026-03-10T08:00:00Z\"", errors["/at"]["message"]!.ToString());
        Assert.Equal("LATITUDE_OUT_OF_RANGE", errors["/launchPoint/lat"]["code"]!.ToString());
        Assert.Contains("95 is outside -90..90", errors["/launchPoint/lat"]["message"]!.ToString());
        Assert.Equal("CENTRE_UNKNOWN", errors["/attributedCentre"]["code"]!.ToString());
        Assert.Contains("Known centres: ", errors["/attributedCentre"]["message"]!.ToString());
        await using var db = _app.Db();
        Assert.Equal(0, await db.ObservedLaunches.CountAsync());
    }

    [Theory]
    [InlineData("ru", "CENTRE_INVALID")]
    [InlineData(null, "FIELD_REQUIRED")]
    public async Task Record_MalformedCentre_Is400(string? centre, string code)
    {
        var body = Launch();
        body["attributedCentre"] = centre;
        var (status, response) = await RecordAsync(body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(code, response["errors"]![0]!["code"]!.ToString());
    }

    [Fact]
    public async Task Record_LaunchInTheFuture_Is400()
    {
        var (status, body) = await RecordAsync(Launch(at: "2026-03-10T13:00:00Z"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("LAUNCH_IN_FUTURE", body["errors"]![0]!["code"]!.ToString());
        Assert.Contains("1 h ahead of this node's clock", body["errors"]![0]!["message"]!.ToString());
    }

    [Fact]
    public async Task Record_ImpactPointWithoutLongitude_Is400()
    {
        var body = Launch();
        body["impactPoint"] = new JsonObject { ["lat"] = 57.0 };
        var (status, response) = await RecordAsync(body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("/impactPoint/lon", response["errors"]![0]!["path"]!.ToString());
    }

    [Fact]
    public async Task Get_UnknownLaunch_Is404AndBadId400()
    {
        using var missing = await _http.GetAsync($"/v1/observed-launches/{Guid.NewGuid()}");
        using var bad = await _http.GetAsync("/v1/observed-launches/nope");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task List_ShowsRecordedLaunchesNewestFirst()
    {
        await RecordAsync(Launch(at: "2026-03-10T09:00:00Z"));
        _app.Clock.Advance(Duration.FromMinutes(1));
        await RecordAsync(Launch(at: "2026-03-10T10:00:00Z", centre: "CN"));

        var list = JsonNode.Parse(await _http.GetStringAsync("/v1/observed-launches"))!.AsArray();

        Assert.Equal(["CN", "RU"], list.Select(l => l!["attributedCentre"]!.ToString()));
        Assert.All(list, l => Assert.NotNull(l!["alarmId"]));
    }

    [Fact]
    public async Task Record_ACruiseMissileWithoutNotice_RaisesNoAlarm_ButSaysWhy()
    {
        var body = Launch(centre: "IN", lat: 21.45, lon: 87.02, impact: (19.5, 88.0));
        body["class"] = "cruise";

        var (status, view) = await RecordAsync(body);

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.False(view["covered"]!.GetValue<bool>());
        Assert.Null(view["alarmId"]);
        Assert.Equal("cruise", (string?)view["class"]);
        Assert.Contains("not subject to the launch-notification agreements", (string?)view["note"]);
        await using var db = _app.Db();
        Assert.Empty(await db.Alarms.ToListAsync());
    }

    [Fact]
    public async Task Record_ACruiseMissileThatFellAcrossTheBorder_RaisesACriticalAlarmNotingIt()
    {
        // 9 March 2022: a BrahMos from near Sirsa came down near Mian Channu, in Pakistan.
        var body = Launch(at: "2026-03-10T11:00:00Z", centre: "IN", lat: 29.53, lon: 75.03, impact: (30.44, 72.35));
        body["class"] = "cruise";

        var (status, view) = await RecordAsync(body);

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Contains("PK side of the boundary 'in-pk-border'", (string?)view["impactNote"]);
        await using var db = _app.Db();
        var alarm = await db.Alarms.SingleAsync();
        Assert.Equal(view["alarmId"]!.ToString(), alarm.Id.ToString());
        Assert.Equal(Domain.Alarms.AlarmSeverity.Critical, alarm.Severity);
        Assert.Contains("Cruise missile attributed to IN", alarm.Summary);
        Assert.Contains("PK side", alarm.Summary);
    }

    [Fact]
    public async Task Record_AnUnknownClass_IsRefusedNamingTheClasses()
    {
        var body = Launch();
        body["class"] = "hypersonic-glide";

        var (status, view) = await RecordAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("cruise", view.ToJsonString());
    }
}
