using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LaunchNotify.Publisher.Tests;

/// <summary>What every error answer of the API must be: RFC 9457 problem details with a code and coded errors.</summary>
public static class Problems
{
    /// <summary>Fails unless the answer is a well-formed problem (no 5xx); returns it parsed.</summary>
    public static async Task<JsonObject> AssertProblemAsync(HttpResponseMessage response, string context)
    {
        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status is >= 400 and < 500, $"{context}: HTTP {status}, not a 4xx: {Cut(text)}");
        Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json",
            $"{context}: HTTP {status} with Content-Type '{response.Content.Headers.ContentType}', not application/problem+json: {Cut(text)}");
        JsonObject problem;
        try
        {
            problem = JsonNode.Parse(text) as JsonObject ?? throw new JsonException("not an object");
        }
        catch (JsonException e)
        {
            throw new Xunit.Sdk.XunitException($"{context}: HTTP {status} body is not a JSON object ({e.Message}): {Cut(text)}");
        }
        Assert.True(problem["status"]?.GetValue<int>() == status, $"{context}: 'status' is not {status}: {Cut(text)}");
        Assert.False(string.IsNullOrEmpty((string?)problem["title"]), $"{context}: no title: {Cut(text)}");
        Assert.False(string.IsNullOrEmpty((string?)problem["detail"]), $"{context}: no detail: {Cut(text)}");
        Assert.Matches("^[A-Z][A-Z0-9_]+$", (string?)problem["code"] ?? "");
        var errors = problem["errors"] as JsonArray;
        Assert.True(errors is { Count: > 0 }, $"{context}: no errors: {Cut(text)}");
        foreach (var error in errors!)
        {
            Assert.Matches("^[A-Z][A-Z0-9_]+$", (string?)error?["code"] ?? "");
            Assert.NotNull((string?)error?["path"]);
            Assert.False(string.IsNullOrEmpty((string?)error?["message"]), $"{context}: an error without a message: {Cut(text)}");
        }
        return problem;
    }

    /// <summary>Any answer: a success with a JSON body, or a problem. Never a 5xx.</summary>
    public static async Task AssertHandledAsync(HttpResponseMessage response, string context)
    {
        if (response.IsSuccessStatusCode)
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.NoContent || JsonNode.Parse(text) is not null, $"{context}: success without a JSON body");
            return;
        }
        await AssertProblemAsync(response, context);
    }

    private static string Cut(string text) => text.Length <= 600 ? text : text[..600] + "…";
}
