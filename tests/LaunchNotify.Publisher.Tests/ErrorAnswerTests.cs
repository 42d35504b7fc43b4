using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using LaunchNotify.Storage;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static LaunchNotify.Tests.Shared.PublisherApp;

namespace LaunchNotify.Publisher.Tests;

/// <summary>Each kind of bad request, one by one: the status it gets, and a problem body whose code says why.</summary>
public sealed class ErrorAnswerTests : IDisposable
{
    private readonly PublisherApp _app = new();
    private readonly HttpClient _http;

    public ErrorAnswerTests() => _http = _app.CreateClient();

    public void Dispose()
    {
        _http.Dispose();
        _app.Dispose();
    }

    private static ByteArrayContent Json(byte[] bytes, string? contentType = "application/json")
    {
        var content = new ByteArrayContent(bytes);
        if (contentType is not null)
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return content;
    }

    private static ByteArrayContent Json(string text, string? contentType = "application/json") => Json(Encoding.UTF8.GetBytes(text), contentType);

    private string Draft() => Drafts.PreNotification(Noon).ToJsonString();

    private async Task<JsonObject> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var problem = await Problems.AssertProblemAsync(response, $"{response.RequestMessage!.Method} {response.RequestMessage.RequestUri}");
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(code, (string?)problem["code"]);
        return problem;
    }

    [Fact]
    public async Task ValidSubmission_Is202_NotAProblem()
    {
        using var response = await _http.PostAsync("/v1/notifications", Json(Draft()));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Empty(_app.Logs.Failures);
    }

    [Theory]
    [InlineData("{\"agreementId\":\"us-ru-bmlna-1988\",\"agreementId\":\"cn-ru-2009\"}", "JSON_MALFORMED", "")]
    [InlineData("{\"remarks\":\"\\ud800\"}", "JSON_INVALID_UNICODE", "")]
    [InlineData("{\"remarks\":\"\\udfff\"}", "JSON_INVALID_UNICODE", "")]
    [InlineData("", "BODY_EMPTY", "")]
    [InlineData("[1,2]", "JSON_NOT_OBJECT", "")]
    [InlineData("{\"a\":", "JSON_MALFORMED", "")]
    [InlineData("\uFEFF{}", "JSON_MALFORMED", "")]
    public async Task HostileJson_Is400WithItsCodeAndPath(string body, string code, string path)
    {
        using var response = await _http.PostAsync("/v1/notifications", Json(body));
        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest, "SUBMISSION_MALFORMED");
        Assert.Equal(code, (string?)problem["errors"]![0]!["code"]);
        Assert.Equal(path, (string?)problem["errors"]![0]!["path"]);
    }

    [Fact]
    public async Task DuplicateKeyInsideTheDocument_IsFoundWhereverItIs()
    {
        var text = Draft().Replace("\"lat\":34.74,", "\"lat\":34.74,\"lat\":0,");
        using var response = await _http.PostAsync("/v1/notifications", Json(text));
        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest, "SUBMISSION_MALFORMED");
        Assert.Contains("Duplicate property 'lat'", (string?)problem["errors"]![0]!["message"]);
    }

    [Fact]
    public async Task InvalidUtf8_Is400EncodingInvalid()
    {
        var bytes = Encoding.UTF8.GetBytes(Draft().Replace("Operational", "Operati\u0001nal"));
        bytes[Array.IndexOf(bytes, (byte)1)] = 0xC3;
        using var response = await _http.PostAsync("/v1/notifications", Json(bytes));
        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest, "SUBMISSION_MALFORMED");
        Assert.Equal("JSON_INVALID_UNICODE", (string?)problem["errors"]![0]!["code"]);
    }

    [Fact]
    public async Task DeepNesting_Is400()
    {
        var deep = "{\"remarks\":" + new string('[', 5000) + new string(']', 5000) + "}";
        using var response = await _http.PostAsync("/v1/notifications", Json(deep));
        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest, "SUBMISSION_MALFORMED");
        Assert.Contains("depth", (string?)problem["detail"]);
    }

    [Fact]
    public async Task OversizeBody_Is413_WithOrWithoutContentLength()
    {
        var big = "{\"remarks\":\"" + new string('x', 300 * 1024) + "\"}";
        using var declared = await _http.PostAsync("/v1/notifications", Json(big));
        await ProblemAsync(declared, HttpStatusCode.RequestEntityTooLarge, "BODY_TOO_LARGE");

        var chunked = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(big)));
        chunked.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/observed-launches") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        using var streamed = await _http.SendAsync(request);
        await ProblemAsync(streamed, HttpStatusCode.RequestEntityTooLarge, "BODY_TOO_LARGE");
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/xml")]
    [InlineData("application/json; charset=utf-16")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData(null)]
    public async Task WrongContentType_Is415(string? contentType)
    {
        foreach (var path in new[] { "/v1/notifications", "/v1/observed-launches", $"/v1/alarms/{Guid.NewGuid()}/acknowledge" })
        {
            using var response = await _http.PostAsync(path, Json(Draft(), contentType));
            await ProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE");
        }
    }

    [Fact]
    public async Task JsonSuffixAndUtf8Charset_AreAccepted()
    {
        using var response = await _http.PostAsync("/v1/notifications", Json(Draft(), "application/vnd.launchnotify+json; charset=UTF-8"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Theory]
    [InlineData("/v1/notifications?allowLate=maybe", "allowLate")]
    [InlineData("/v1/notifications?allowLate=true&allowLate=false", "allowLate")]
    public async Task BadQueryOnASubmission_Is400NamingTheParameter(string path, string parameter)
    {
        using var response = await _http.PostAsync(path, Json(Draft()));
        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest, "INVALID_QUERY");
        Assert.Equal(("QUERY_INVALID", parameter), ((string?)problem["errors"]![0]!["code"], (string?)problem["errors"]![0]!["path"]));
    }

    [Theory]
    [InlineData("/v1/notifications?limit=abc")]
    [InlineData("/v1/notifications?limit=99999999999999999999")]
    [InlineData("/v1/inbox?all=yes")]
    [InlineData("/v1/inbox?limit=-1")]
    [InlineData("/v1/observed-launches?limit=1e3")]
    [InlineData("/v1/alarms?since=9999-99-99")]
    [InlineData("/v1/alarms/stream?kind=NOPE")]
    public async Task BadQueryOnAList_Is400(string path)
    {
        using var response = await _http.GetAsync(path);
        await ProblemAsync(response, HttpStatusCode.BadRequest, "INVALID_QUERY");
    }

    [Theory]
    [InlineData("/v1/notifications/not-a-uuid")]
    [InlineData("/v1/notifications/1%3B2%20drop/evidence")]
    [InlineData("/v1/observed-launches/42")]
    [InlineData("/v1/alarms/%E2%80%AE")]
    public async Task BadIdInAPath_Is400InvalidId(string path)
    {
        using var response = await _http.GetAsync(path);
        await ProblemAsync(response, HttpStatusCode.BadRequest, "INVALID_ID");
    }

    [Theory]
    [InlineData("/v1/notifications/6e5d4c3b-2a19-4807-9e6d-5c4b3a291807")]
    [InlineData("/v1/notifications/6e5d4c3b-2a19-4807-9e6d-5c4b3a291807/evidence")]
    [InlineData("/v1/observed-launches/6e5d4c3b-2a19-4807-9e6d-5c4b3a291807")]
    [InlineData("/v1/nothing-here")]
    [InlineData("/")]
    public async Task UnknownThing_Is404WithABody(string path)
    {
        using var response = await _http.GetAsync(path);
        await ProblemAsync(response, HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Fact]
    public async Task WrongMethod_Is405WithABodyNamingTheAllowedOne()
    {
        using var response = await _http.DeleteAsync("/v1/notifications");
        var problem = await ProblemAsync(response, HttpStatusCode.MethodNotAllowed, "METHOD_NOT_ALLOWED");
        Assert.Contains("GET", (string?)problem["detail"]);
        Assert.Contains("POST", (string?)problem["detail"]);
    }

    [Fact]
    public async Task RefusedUnderTheAgreement_Is422WithTheRulesCodes()
    {
        var draft = Drafts.PreNotification(Noon);
        draft["agreementId"] = "no-such-agreement";
        using var response = await _http.PostAsync("/v1/notifications", Json(draft.ToJsonString()));
        var problem = await ProblemAsync(response, (HttpStatusCode)422, "SUBMISSION_REFUSED");
        Assert.Equal("AGREEMENT_UNKNOWN", (string?)problem["errors"]![0]!["code"]);
        Assert.NotNull((string?)problem["messageId"]);
    }

    [Fact]
    public async Task AnUnhandledException_Is500ProblemWithoutDetails_AndIsLoggedAsAnError()
    {
        // The store works while the host starts (accounts, roles), then fails under the request: a bug, not the caller's.
        var factory = new ThrowingFactory(_app.StoreOptions);
        using var broken = _app.WithWebHostBuilder(b => b.ConfigureTestServices(s =>
            s.AddSingleton<IDbContextFactory<NodeDbContext>>(factory)));
        using var http = broken.CreateClient();
        http.DefaultRequestHeaders.Authorization = _http.DefaultRequestHeaders.Authorization;
        _ = broken.Server;
        factory.Armed = true;
        using var response = await http.GetAsync("/v1/notifications");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        var problem = JsonNode.Parse(text)!;
        Assert.Equal("INTERNAL_ERROR", (string?)problem["code"]);
        Assert.DoesNotContain(ThrowingFactory.Secret, text);
        Assert.DoesNotContain("at LaunchNotify", text);
        Assert.Contains((string)problem["traceId"]!, (string?)problem["detail"]);
        Assert.Contains(_app.Logs.Failures, e => e.Exception?.Message == ThrowingFactory.Secret);
    }

    private sealed class ThrowingFactory(LaunchNotify.Storage.StorageOptions store) : IDbContextFactory<NodeDbContext>
    {
        public const string Secret = "the store's password is hunter2";

        public volatile bool Armed;

        public NodeDbContext CreateDbContext() => Armed ? throw new InvalidOperationException(Secret) : new LaunchNotify.Storage.StoreContextFactory(store).CreateDbContext();
    }
}
