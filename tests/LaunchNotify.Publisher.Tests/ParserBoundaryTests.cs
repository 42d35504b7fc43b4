using System.Text;
using System.Text.Json.Nodes;
using static LaunchNotify.Tests.Shared.PublisherApp;

namespace LaunchNotify.Publisher.Tests;

/// <summary>
/// The inputs of issue 11 that made the intake answer 500: schema-valid drafts whose values the message parser could
/// not hold. Each must be accepted or refused with a code, and nothing logged as an error.
/// </summary>
public sealed class ParserBoundaryTests : IDisposable
{
    private readonly PublisherApp _app = new();
    private readonly HttpClient _http;

    public ParserBoundaryTests() => _http = _app.CreateClient();

    public void Dispose()
    {
        _http.Dispose();
        _app.Dispose();
    }

    public static TheoryData<string, string> Drafted => new()
    {
        { "window ends before it starts", """{"launchWindow":{"start":"2026-03-13T16:00:00Z","end":"2026-03-13T12:00:00Z"}}""" },
        { "window of no length", """{"launchWindow":{"start":"2026-03-13T12:00:00Z","end":"2026-03-13T12:00:00Z"}}""" },
        { "leap second", """{"launchWindow":{"start":"2026-03-13T12:00:00Z","end":"2026-06-30T23:59:60Z"}}""" },
        { "year 9999", """{"launchWindow":{"start":"2026-03-13T12:00:00Z","end":"9999-12-31T23:59:59Z"}}""" },
        { "year 9999, last nanosecond", """{"launchWindow":{"start":"9999-12-31T23:59:59.999999999Z","end":"9999-12-31T23:59:59.999999999Z"}}""" },
        { "1e-400", """{"plannedAzimuthDeg":1e-400}""" },
        { "1e-400 as a latitude", """{"launchArea":{"type":"circle","name":"x","centre":{"lat":1e-400,"lon":0},"radiusKm":5}}""" },
        { "agreement id over 64 characters", "{\"agreementId\":\"" + new string('a', 65) + "\"}" },
        { "recipient given twice", """{"recipients":["RU","RU"]}""" },
    };

    [Theory]
    [MemberData(nameof(Drafted))]
    public async Task SchemaValidButUnholdable_IsRefusedWithACode(string what, string overrides)
    {
        var draft = Drafts.PreNotification(Noon);
        foreach (var (name, value) in JsonNode.Parse(overrides)!.AsObject().ToList())
            draft[name] = value?.DeepClone();
        using var response = await _http.PostAsync("/v1/notifications", new StringContent(draft.ToJsonString(), Encoding.UTF8, "application/json"));

        // Accepted (a value that is merely odd, such as 1e-400 for 0) or refused with a code; never a 500.
        await Problems.AssertHandledAsync(response, what);
        Assert.True(_app.Logs.Failures.Count == 0, $"{what} logged: {string.Join("\n", _app.Logs.Failures)}");
    }
}
