using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace LaunchNotify.Node.Accounts;

/// <summary>A token from a publisher's own provider, or why there is none.</summary>
public sealed record TokenResponse(string? AccessToken, TimeSpan? ExpiresIn, int Status, string? Error, string? ErrorDescription)
{
    public bool IsIssued => AccessToken is not null;
}

/// <summary>
/// The client side of the publisher's token endpoint (OAuth 2.0 password grant at <c>/connect/token</c>): one helper for
/// the CLI's login, the demo, the benchmark and the tests.
/// </summary>
public static class TokenClient
{
    public const string Path = "/connect/token";

    /// <param name="http">A client whose BaseAddress is the publisher.</param>
    public static async Task<TokenResponse> PasswordGrantAsync(HttpClient http, string user, string password, CancellationToken ct)
    {
        using var form = new FormUrlEncodedContent([new("grant_type", "password"), new("username", user), new("password", password)]);
        using var response = await http.PostAsync(Path, form, ct);
        JsonObject? body = null;
        try
        {
            body = await response.Content.ReadFromJsonAsync<JsonObject>(ct);
        }
        catch (System.Text.Json.JsonException)
        {
        }
        var token = body?["access_token"]?.GetValue<string>();
        var expiresIn = body?["expires_in"]?.GetValue<long>() is { } seconds ? TimeSpan.FromSeconds(seconds) : (TimeSpan?)null;
        return new TokenResponse(response.IsSuccessStatusCode ? token : null, expiresIn, (int)response.StatusCode,
            body?["error"]?.ToString(), body?["error_description"]?.ToString());
    }
}
