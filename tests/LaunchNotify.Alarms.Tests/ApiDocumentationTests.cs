using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LaunchNotify.Tests.Shared;

namespace LaunchNotify.Alarms.Tests;

/// <summary>
/// docs/api.md lists exactly the endpoints of the publisher's own OpenAPI document (<c>GET /openapi/v1.json</c>), so a
/// counterpart's team can trust the page without reading the source. The dashboard (HTML) is not part of the API.
/// </summary>
public sealed partial class ApiDocumentationTests(PublisherApp app) : IClassFixture<PublisherApp>
{
    [Fact]
    public async Task ApiDoc_ListsEveryEndpointOfTheOpenApiDocument_AndNoOther()
    {
        using var client = app.CreateClient();
        var openApi = JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json"))!;
        var served = openApi["paths"]!.AsObject()
            .Where(p => !p.Key.StartsWith("/dashboard", StringComparison.Ordinal))
            .SelectMany(p => p.Value!.AsObject().Select(m => $"{m.Key.ToUpperInvariant()} {p.Key}"))
            .ToHashSet();
        var doc = await File.ReadAllTextAsync(Path.Combine(CliProcess.RepoRoot, "docs", "api.md"));
        // The dashboard's pages have a table of their own there (checked against the app's routes below).
        var documented = Endpoint().Matches(doc).Where(m => !m.Groups[2].Value.StartsWith("/dashboard", StringComparison.Ordinal))
            .Select(m => $"{m.Groups[1].Value} {m.Groups[2].Value}").ToHashSet();

        Assert.True(served.Count >= 10, "The OpenAPI document lists only: " + string.Join(", ", served));
        Assert.True(served.SetEquals(documented),
            $"Served but not in docs/api.md: {string.Join(", ", served.Except(documented))}. In docs/api.md but not served: {string.Join(", ", documented.Except(served))}.");
    }

    [Fact]
    public async Task ApiDoc_ListsEveryDashboardPage()
    {
        var doc = await File.ReadAllTextAsync(Path.Combine(CliProcess.RepoRoot, "docs", "api.md"));
        var pages = Security.EndpointAuthorizationTests.Expected.Keys.Concat(Security.EndpointAuthorizationTests.Anonymous)
            .Where(k => k.Contains(" /dashboard", StringComparison.Ordinal))
            .Select(k => k[(k.IndexOf(' ') + 1)..].Replace("{id:guid}", "{id}"))
            .Distinct().ToList();
        Assert.NotEmpty(pages);
        Assert.All(pages, page => Assert.Contains($"{page}`", doc));
    }

    [GeneratedRegex(@"^\| `(GET|POST|PUT|PATCH|DELETE) (/[^`?]*)`", RegexOptions.Multiline)]
    private static partial Regex Endpoint();
}
