using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LaunchNotify.Cli.Commands;

/// <summary>
/// Talks to a centre's publisher API with a bearer token (<see cref="TokenStore"/>), turning connection failures and
/// refusals for want of a sign-in or a role into advice.
/// </summary>
public sealed class PublisherClient : IDisposable
{
    public const string UrlEnvironmentVariable = "LAUNCHNOTIFY_URL";

    private readonly HttpClient _http;
    private readonly Uri baseUrl;

    /// <param name="token">The bearer token; null sends none (the publisher then answers 401 with how to sign in).</param>
    public PublisherClient(Uri baseUrl, string? token)
    {
        this.baseUrl = baseUrl;
        _http = new() { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };
        TokenStore.Apply(_http, token);
    }

    public Uri BaseUrl => baseUrl;

    public static Uri DefaultUrl => new(Environment.GetEnvironmentVariable(UrlEnvironmentVariable) is { Length: > 0 } url ? url : "http://127.0.0.1:5080");

    public async Task<(int Status, JsonNode? Body)> PostAsync(string path, byte[] body, CancellationToken ct)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return await SendAsync(() => _http.PostAsync(path, content, ct), ct);
    }

    public Task<(int Status, JsonNode? Body)> GetAsync(string path, CancellationToken ct) => SendAsync(() => _http.GetAsync(path, ct), ct);

    /// <summary>Opens a long-lived response (server-sent events): the body stream, read as it comes.</summary>
    public async Task<Stream> OpenStreamAsync(string path, CancellationToken ct)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException || e.HttpRequestError == HttpRequestError.ConnectionError)
        {
            throw NoPublisher();
        }
        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                var text = await response.Content.ReadAsStringAsync(ct);
                if (AuthRefusal((int)response.StatusCode, text) is { } refusal)
                    throw refusal;
                JsonNode? problem = null;
                try
                {
                    problem = JsonNode.Parse(text);
                }
                catch (JsonException)
                {
                    // Not a problem document (a proxy's page, say): the status and text below say enough.
                }
                throw problem is null ? new CliException($"{path} answered {(int)response.StatusCode}: {text}") : Refusal((int)response.StatusCode, problem);
            }
        }
        return await response.Content.ReadAsStreamAsync(ct);
    }

    private async Task<(int, JsonNode?)> SendAsync(Func<Task<HttpResponseMessage>> send, CancellationToken ct)
    {
        try
        {
            using var response = await send();
            var text = await response.Content.ReadAsStringAsync(ct);
            if (AuthRefusal((int)response.StatusCode, text) is { } refusal)
                throw refusal;
            JsonNode? node = null;
            try
            {
                node = text.Length > 0 ? JsonNode.Parse(text) : null;
            }
            catch (JsonException)
            {
                node = JsonValue.Create(text);
            }
            return ((int)response.StatusCode, node);
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException || e.HttpRequestError == HttpRequestError.ConnectionError)
        {
            throw NoPublisher();
        }
    }

    /// <summary>401 and 403 end every command the same way: the publisher's reason, and how to sign in.</summary>
    private CliException? AuthRefusal(int status, string body)
    {
        if (status is not (401 or 403))
            return null;
        string? detail = null;
        try
        {
            detail = JsonNode.Parse(body)?["detail"]?.ToString();
        }
        catch (JsonException)
        {
        }
        return status == 401
            ? new CliException($"{detail ?? "Not signed in."} Sign in with 'launchnotify login --url {baseUrl} --user NAME', or give --token-file FILE or ${TokenStore.TokenVariable}.")
            : new CliException(detail ?? "Your account's role does not allow this (docs/security.md).");
    }

    /// <summary>
    /// An error answer of the API (RFC 9457 problem details with a <c>code</c>, docs/api.md) as the user's advice:
    /// the publisher's own words (they say what to do), or the status if it gave none.
    /// In a language other than English (<paramref name="rendering"/>), the problem's coded errors in that language where
    /// each carries its arguments (docs/glossary.md, "Other errors"); else the English detail.
    /// </summary>
    public static CliException Refusal(int status, JsonNode? body, Presentation.Rendering? rendering = null) => new(Describe(status, body, rendering));

    /// <inheritdoc cref="Refusal"/>
    public static string Describe(int status, JsonNode? body, Presentation.Rendering? rendering = null) =>
        rendering is { Language: not Presentation.Language.En } r && Translated(body, r) is { } translated ? translated
        : body is JsonObject problem && problem["detail"] is JsonValue detail && detail.TryGetValue<string>(out var text) && text.Length > 0
            ? text
            : $"The publisher answered HTTP {status}{(body is null ? "" : ": " + body.ToJsonString())}";

    /// <summary>The problem's errors in the reader's language, or null where one of them has no arguments to render from.</summary>
    private static string? Translated(JsonNode? body, Presentation.Rendering r)
    {
        if (body is not JsonObject problem || problem["errors"] is not JsonArray)
            return null;
        IReadOnlyList<Domain.Validation.ValidationError> errors;
        try
        {
            errors = Views.Errors(problem["errors"]);
        }
        catch (JsonException)
        {
            return null; // not the documented shape: the English detail says what there is
        }
        return errors.Count > 0 && errors.All(e => e.Args is not null && (r.RuleMessage(e.Code, e.Args) ?? r.ErrorMessage(e.Code, e.Args)) is not null)
            ? string.Join(" ", errors.Select(r.Finding))
            : null;
    }

    private CliException NoPublisher() => new(
        $"No publisher is answering at {baseUrl}. Start the centre's publisher (dotnet run --project src/LaunchNotify.Publisher) " +
        $"or point --url / {UrlEnvironmentVariable} at a running one; 'launchnotify demo' starts a whole exchange.");

    public void Dispose() => _http.Dispose();
}

/// <summary>A failure the user can fix; the message says how.</summary>
public sealed class CliException(string message) : Exception(message);
