using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using LaunchNotify.Domain.Alarms;
using static LaunchNotify.Tests.Shared.PublisherApp;

namespace LaunchNotify.Publisher.Tests;

/// <summary>
/// Thousands of generated hostile requests per endpoint against the real publisher: not one 5xx, every error answer a
/// problem with a code, and nothing logged as an error. LAUNCHNOTIFY_FUZZ_ITERATIONS sets the count per endpoint
/// (default 2,000); a failure prints CsCheck's seed, which replays it.
/// </summary>
public sealed class HostileBodyTests : IAsyncLifetime
{
    private static readonly long Iterations = long.TryParse(Environment.GetEnvironmentVariable("LAUNCHNOTIFY_FUZZ_ITERATIONS"), out var n) ? n : 2000;

    private static readonly string?[] ContentTypes =
        ["application/json", "application/json", "application/json", "application/json; charset=utf-8", "text/plain", null, "application/json; charset=latin1", "application/problem+json", ";;;"];

    private readonly PublisherApp _app = new();
    private HttpClient _http = null!;
    private Guid _original;
    private Guid _alarm;
    private readonly ConcurrentDictionary<int, int> _statuses = new();

    public async Task InitializeAsync()
    {
        _http = _app.CreateClient();
        using var submitted = await _http.PostAsync("/v1/notifications", JsonContent(Encoding.UTF8.GetBytes(Drafts.PreNotification(Noon).ToJsonString()), "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        _original = Guid.Parse((string)JsonNode.Parse(await submitted.Content.ReadAsStringAsync())!["messageId"]!);
        _alarm = (await _app.RaiseAsync(AlarmKind.LinkSilent)).Id;
    }

    public Task DisposeAsync()
    {
        _http.Dispose();
        _app.Dispose();
        return Task.CompletedTask;
    }

    private JsonObject Seed(string endpoint) => endpoint switch
    {
        "/v1/notifications" => Drafts.PreNotification(Noon),
        "/v1/amendments" => Drafts.Amendment(Noon, _original),
        "/v1/cancellations" => Drafts.Cancellation(_original),
        "/v1/postlaunch-reports" => Drafts.PostLaunch(_original),
        "/v1/observed-launches" => Drafts.ObservedLaunch(Noon),
        _ => Drafts.AlarmAction(),
    };

    [Theory]
    [InlineData("/v1/notifications")]
    [InlineData("/v1/amendments")]
    [InlineData("/v1/cancellations")]
    [InlineData("/v1/postlaunch-reports")]
    [InlineData("/v1/observed-launches")]
    [InlineData("/v1/alarms/{alarm}/acknowledge")]
    [InlineData("/v1/alarms/{alarm}/resolve")]
    public async Task MutatedBodies_AreAnsweredWithoutA5xx_AndEveryRefusalIsACodedProblem(string endpoint)
    {
        var path = endpoint.Replace("{alarm}", _alarm.ToString());
        var seed = Seed(endpoint);
        var gen = Gen.Select(Mutations.Some, Gen.Int[0, ContentTypes.Length - 1], Gen.Bool);
        await gen.SampleAsync(async (mutations, contentType, allowLate) =>
            {
                var body = Mutations.Apply(seed, mutations);
                using var response = await _http.PostAsync(path + (allowLate ? "?allowLate=true" : ""), JsonContent(body, ContentTypes[contentType]));
                _statuses.AddOrUpdate((int)response.StatusCode, 1, (_, c) => c + 1);
                await Problems.AssertHandledAsync(response, $"POST {path} [{string.Join(", ", mutations)}] {Encoding.Latin1.GetString(body)[..Math.Min(body.Length, 300)]}" +
                    (_app.Logs.Failures.LastOrDefault() is { } logged ? $"\nlogged: {logged.ToString()[..Math.Min(logged.ToString().Length, 1500)]}" : ""));
            },
            iter: Iterations, threads: 4, print: t => $"{string.Join(", ", t.Item1)} content-type #{t.Item2} allowLate={t.Item3}");

        // The generator must reach both sides of the edge, or the test proves little.
        Assert.True(_statuses.Keys.Any(s => s is 400), "no mutated body was refused as malformed");
        Assert.True(_statuses.Keys.Any(s => s is 200 or 201 or 202 or 409 or 422), "no mutated body got past the parser");
        Assert.True(_app.Logs.Failures.Count == 0, "logged as errors:\n" + string.Join("\n", _app.Logs.Failures.Take(5)));
    }

    private static readonly string[] HostileSegments =
        ["x", "42", "00000000-0000-0000-0000-000000000000", "6e5d4c3b-2a19-4807-9e6d-5c4b3a291807", "%E2%80%AE", "..", "%2e%2e%2f", new string('a', 5000), "%ff", "%C0%AF", "null", "-1", "RU", "ru"];

    private static readonly string[] HostileQueryValues =
        ["", "maybe", "true", "TRUE", "1", "-1", "0", "1001", "99999999999999999999", "1e3", "%00", "%ff", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z",
         "2026-03-10T23:59:60Z", "LINK_SILENT", "open", new string('z', 3000), "a&limit=5", "%E2%80%AE"];

    private static readonly string[] Templates =
    [
        "GET /v1/notifications/{seg}", "GET /v1/notifications/{seg}/evidence", "GET /v1/notifications?limit={q}", "GET /v1/inbox?limit={q}&all={q}",
        "GET /v1/observed-launches?limit={q}", "GET /v1/observed-launches/{seg}", "GET /v1/alarms?state={q}&kind={q}&open={q}&since={q}&changedSince={q}&limit={q}",
        "GET /v1/alarms/{seg}", "POST /v1/alarms/{seg}/acknowledge", "PUT /v1/notifications", "DELETE /v1/alarms/{seg}", "PATCH /v1/observed-launches",
        "GET /v1/{seg}", "POST /v1/notifications?allowLate={q}", "HEAD /v1/notifications/{seg}", "OPTIONS /v1/alarms",
        "POST /v1/inbox/{seg}/{seg}/acknowledge", "GET /v1/inbox/awaiting-acknowledgement?limit={q}", "DELETE /v1/inbox/{seg}/{seg}/acknowledge",
    ];

    [Fact]
    public async Task GeneratedPathsQueriesAndMethods_AreAnsweredWithoutA5xx()
    {
        var gen = Gen.Select(Gen.Int[0, Templates.Length - 1], Gen.Int[0, HostileSegments.Length - 1], Gen.Int[0, HostileQueryValues.Length - 1].Array[6]);
        await gen.SampleAsync(async (template, segment, values) =>
            {
                var line = Templates[template].Replace("{seg}", HostileSegments[segment]);
                var i = 0;
                while (line.Contains("{q}"))
                {
                    var at = line.IndexOf("{q}", StringComparison.Ordinal);
                    line = line[..at] + HostileQueryValues[values[i++ % values.Length]] + line[(at + 3)..];
                }
                var (method, target) = (line[..line.IndexOf(' ')], line[(line.IndexOf(' ') + 1)..]);
                using var request = new HttpRequestMessage(new HttpMethod(method), target);
                if (method is "POST" or "PUT" or "PATCH")
                    request.Content = JsonContent(Encoding.UTF8.GetBytes("{\"by\":\"Kim\"}"), "application/json");
                using var response = await _http.SendAsync(request);
                if (method == "HEAD")
                    Assert.True((int)response.StatusCode < 500, $"{line}: HTTP {(int)response.StatusCode}");
                else
                    await Problems.AssertHandledAsync(response, line +
                        (_app.Logs.Failures.LastOrDefault() is { } logged ? $"\nlogged: {logged.ToString()[..Math.Min(logged.ToString().Length, 3000)]}" : ""));
            },
            iter: Iterations, threads: 4, print: t => $"{Templates[t.Item1]} seg #{t.Item2} values [{string.Join(",", t.Item3)}]");
        Assert.True(_app.Logs.Failures.Count == 0, "logged as errors:\n" + string.Join("\n", _app.Logs.Failures.Take(5)));
    }

    private static ByteArrayContent JsonContent(byte[] body, string? contentType)
    {
        var content = new ByteArrayContent(body);
        if (contentType is not null)
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return content;
    }
}
