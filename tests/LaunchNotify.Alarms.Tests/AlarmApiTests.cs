using System.Net;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Text.Json.Nodes;
using LaunchNotify.Domain.Alarms;
using LaunchNotify.Node.Accounts;
using LaunchNotify.Protocol.Json;
using NodaTime;
using NodaTime.Text;
using static LaunchNotify.Tests.Shared.PublisherApp;

namespace LaunchNotify.Alarms.Tests;

public sealed class AlarmApiTests : IDisposable
{
    private readonly PublisherApp _app = new();
    private readonly HttpClient _http;

    /// <summary>Signed in as duty officer "kim" (acknowledging and resolving is a duty officer's act).</summary>
    public AlarmApiTests() => _http = _app.ClientAs(NodeRoles.DutyOfficer, "kim");

    public void Dispose()
    {
        _http.Dispose();
        _app.Dispose();
    }

    private Task<(HttpStatusCode Status, JsonNode? Body)> PostAsync(string path, object body) => PostAsync(_http, path, body);

    private static async Task<(HttpStatusCode Status, JsonNode? Body)> PostAsync(HttpClient http, string path, object body)
    {
        using var response = await http.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length > 0 ? JsonNode.Parse(text) : null);
    }

    private async Task<(HttpStatusCode Status, JsonNode? Body)> GetAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task AcknowledgeThenResolve_StoresWhoWhenAndWhy_AndBumpsTheVersion()
    {
        var alarm = await _app.RaiseAsync(AlarmKind.ReceiptOverdue);

        _app.Clock.Advance(Duration.FromMinutes(3));
        var (ackStatus, acked) = await PostAsync($"/v1/alarms/{alarm.Id}/acknowledge", new { comment = "calling RU" });
        _app.Clock.Advance(Duration.FromMinutes(7));
        var (resolveStatus, resolved) = await PostAsync($"/v1/alarms/{alarm.Id}/resolve", new { comment = "RU confirmed by phone" });
        var (_, shown) = await GetAsync($"/v1/alarms/{alarm.Id}");

        Assert.Equal(HttpStatusCode.OK, ackStatus);
        Assert.Equal("acknowledged", acked!["state"]!.ToString());
        Assert.Equal(2, acked["version"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.OK, resolveStatus);
        Assert.Equal("resolved", resolved!["state"]!.ToString());
        Assert.Equal(3, shown!["version"]!.GetValue<int>());
        // The signed-in account, not the typed name.
        Assert.Equal("kim", shown["acknowledgedBy"]!.ToString());
        Assert.Equal("kim", shown["resolvedBy"]!.ToString());
        Assert.False(string.IsNullOrEmpty(shown["acknowledgedBySubject"]?.ToString()));
        Assert.Equal("calling RU", shown["acknowledgeComment"]!.ToString());
        Assert.Equal(InstantPattern.ExtendedIso.Format(Noon + Duration.FromMinutes(3)), shown["acknowledgedAt"]!.ToString());
        Assert.Equal("RU confirmed by phone", shown["resolveComment"]!.ToString());
        Assert.Equal(InstantPattern.ExtendedIso.Format(Noon + Duration.FromMinutes(10)), shown["resolvedAt"]!.ToString());
        Assert.Equal("US", shown["centre"]!.ToString());
        Assert.Equal("RU", shown["counterpart"]!.ToString());
    }

    [Fact]
    public async Task Acknowledge_AResolvedAlarm_Is409SayingWhoResolvedIt()
    {
        var alarm = await _app.RaiseAsync(AlarmKind.LinkSilent);
        await PostAsync($"/v1/alarms/{alarm.Id}/resolve", new { });
        using var lee = await _app.ClientAsync(NodeRoles.DutyOfficer, "lee");

        var (status, body) = await PostAsync(lee, $"/v1/alarms/{alarm.Id}/acknowledge", new { });

        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal("ALARM_RESOLVED", body!["code"]!.ToString());
        Assert.Contains("already resolved by kim", body["detail"]!.ToString());
        Assert.Equal("kim", body["alarm"]!["resolvedBy"]!.ToString());
    }

    [Fact]
    public async Task AcknowledgeAgain_KeepsTheFirstAcknowledgement()
    {
        var alarm = await _app.RaiseAsync(AlarmKind.LinkSilent);
        await PostAsync($"/v1/alarms/{alarm.Id}/acknowledge", new { });
        using var lee = await _app.ClientAsync(NodeRoles.DutyOfficer, "lee");
        var (status, body) = await PostAsync(lee, $"/v1/alarms/{alarm.Id}/acknowledge", new { });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("kim", body!["acknowledgedBy"]!.ToString());
        Assert.Equal(2, body["version"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("GET", "")]
    [InlineData("POST", "/acknowledge")]
    [InlineData("POST", "/resolve")]
    public async Task UnknownAlarm_Is404(string method, string action)
    {
        var id = Guid.NewGuid();
        var (status, body) = method == "GET" ? await GetAsync($"/v1/alarms/{id}") : await PostAsync($"/v1/alarms/{id}{action}", new { });
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("NOT_FOUND", body!["code"]!.ToString());
        Assert.Contains("launchnotify alarms", body["detail"]!.ToString());
    }

    [Fact]
    public async Task Acknowledge_WithATypedName_IgnoresItRecordsTheAccountAndWarns()
    {
        var alarm = await _app.RaiseAsync(AlarmKind.LinkSilent);
        using var response = await _http.PostAsJsonAsync($"/v1/alarms/{alarm.Id}/acknowledge", new { by = "someone else", comment = "seen" });
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("kim", body!["acknowledgedBy"]!.ToString());
        Assert.Contains("ignored", response.Headers.GetValues("X-LaunchNotify-Warning").Single());
        await using var db = _app.Db();
        var entry = db.Set<LaunchNotify.Storage.Entities.AuditEntry>().Single(e => e.AlarmId == alarm.Id && e.Type == "alarm-acknowledged");
        Assert.Equal("kim", entry.ActorName);
        Assert.Equal(body["acknowledgedBySubject"]!.ToString(), entry.ActorSubject);
        Assert.Equal(NodeRoles.DutyOfficer, entry.ActorRoles);
    }

    [Fact]
    public async Task Acknowledge_WithoutABody_RecordsTheSignedInAccount()
    {
        var alarm = await _app.RaiseAsync(AlarmKind.LinkSilent);
        using var response = await _http.PostAsync($"/v1/alarms/{alarm.Id}/acknowledge", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("kim", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["acknowledgedBy"]!.ToString());
    }

    [Fact]
    public async Task Acknowledge_MalformedJsonAndBadId_Are400()
    {
        using var malformed = await _http.PostAsync($"/v1/alarms/{Guid.NewGuid()}/acknowledge", new StringContent("{by:", System.Text.Encoding.UTF8, "application/json"));
        using var badId = await _http.PostAsJsonAsync("/v1/alarms/42/acknowledge", new { });
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Contains("JSON_MALFORMED", await malformed.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, badId.StatusCode);
        Assert.Contains("'42' is not an alarm id", JsonNode.Parse(await badId.Content.ReadAsStringAsync())!["detail"]!.ToString());
    }

    [Fact]
    public async Task List_FiltersByStateKindOpenAndSince()
    {
        var late = await _app.RaiseAsync(AlarmKind.LateNotification);
        _app.Clock.Advance(Duration.FromHours(1));
        var silent = await _app.RaiseAsync(AlarmKind.LinkSilent);
        var resolved = await _app.RaiseAsync(AlarmKind.LinkSilent);
        await _app.Book.ResolveAsync(resolved.Id, new LaunchNotify.Storage.Audit.Actor("test:Kim", "Kim", ["duty-officer"]), null, CancellationToken.None);

        static IEnumerable<string> Ids(JsonNode? list) => list!.AsArray().Select(a => a!["id"]!.ToString());
        Assert.Equal(3, (await GetAsync("/v1/alarms")).Body!.AsArray().Count);
        Assert.Equal([late.Id.ToString()], Ids((await GetAsync("/v1/alarms?kind=LATE_NOTIFICATION")).Body));
        Assert.Equal([resolved.Id.ToString()], Ids((await GetAsync("/v1/alarms?state=resolved")).Body));
        Assert.Equal([silent.Id.ToString()], Ids((await GetAsync("/v1/alarms?open=true&kind=link_silent")).Body));
        var since = InstantPattern.ExtendedIso.Format(Noon + Duration.FromMinutes(30));
        Assert.Equal(2, (await GetAsync($"/v1/alarms?since={since}")).Body!.AsArray().Count);
        Assert.Single((await GetAsync("/v1/alarms?limit=1")).Body!.AsArray());
    }

    [Fact]
    public async Task List_ChangedSince_ListsChangesOldestFirst()
    {
        var first = await _app.RaiseAsync(AlarmKind.LinkSilent);
        _app.Clock.Advance(Duration.FromMinutes(1));
        var second = await _app.RaiseAsync(AlarmKind.LinkSilent);
        _app.Clock.Advance(Duration.FromMinutes(1));
        await _app.Book.AcknowledgeAsync(first.Id, new LaunchNotify.Storage.Audit.Actor("test:Kim", "Kim", ["duty-officer"]), null, CancellationToken.None);

        var since = InstantPattern.ExtendedIso.Format(Noon + Duration.FromSeconds(30));
        var changes = (await GetAsync($"/v1/alarms?changedSince={since}")).Body!.AsArray();

        Assert.Equal([second.Id.ToString(), first.Id.ToString()], changes.Select(a => a!["id"]!.ToString()));
        Assert.Equal("acknowledged", changes[1]!["state"]!.ToString());
    }

    [Theory]
    [InlineData("state=closed", "state 'closed' is not one of open, acknowledged, resolved")]
    [InlineData("kind=LATE", "kind 'LATE' is not an alarm kind; use one of LATE_NOTIFICATION")]
    [InlineData("since=yesterday", "since 'yesterday' is not an instant; give it in RFC 3339 UTC")]
    [InlineData("limit=0", "limit '0' must be a whole number from 1 to 1000")]
    [InlineData("open=maybe", "open 'maybe' must be true or false")]
    public async Task List_BadQuery_Is400WithAClearMessage(string query, string message)
    {
        var (status, body) = await GetAsync("/v1/alarms?" + query);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("INVALID_QUERY", body!["code"]!.ToString());
        Assert.Contains(message, body["detail"]!.ToString());
    }

    [Fact]
    public async Task Stream_SendsEachChangeAsItHappens()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await _http.GetAsync("/v1/alarms/stream", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        await using var stream = await response.Content.ReadAsStreamAsync(cts.Token);
        await using var events = SseParser.Create(stream).EnumerateAsync(cts.Token).GetAsyncEnumerator(cts.Token);

        Assert.True(await events.MoveNextAsync());
        Assert.Equal("following", events.Current.EventType);
        var alarm = await _app.RaiseAsync(AlarmKind.MissingNotification);
        Assert.True(await events.MoveNextAsync());
        Assert.Equal("alarm", events.Current.EventType);
        var sent = JsonNode.Parse(events.Current.Data)!;
        Assert.Equal(alarm.Id.ToString(), sent["id"]!.ToString());
        Assert.Equal($"{alarm.Id}.v1", events.Current.EventId);

        await _app.Book.AcknowledgeAsync(alarm.Id, new LaunchNotify.Storage.Audit.Actor("test:Kim", "Kim", ["duty-officer"]), "on it", CancellationToken.None);
        Assert.True(await events.MoveNextAsync());
        Assert.Equal("acknowledged", JsonNode.Parse(events.Current.Data)!["state"]!.ToString());
    }

    [Fact]
    public void AlarmView_RoutingKey_IsCentreKindSeverityState()
    {
        var view = Node.Alarms.AlarmView.From(new Storage.Entities.Alarm
        {
            Id = Guid.NewGuid(), Kind = AlarmKind.LaunchWithoutNotification, Severity = AlarmSeverity.Critical, State = AlarmState.Open,
            DedupeKey = "k", Summary = "s", Version = 1,
        }, Us);
        Assert.Equal("US.LAUNCH_WITHOUT_NOTIFICATION.critical.open", view.RoutingKey);
        var json = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(view, WireJson.Options))!;
        Assert.Equal("LAUNCH_WITHOUT_NOTIFICATION", json["kind"]!.ToString());
        Assert.Null(json["details"]);
    }
}
