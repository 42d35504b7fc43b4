using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using LaunchNotify.Node.Accounts;

namespace LaunchNotify.Cli.Commands;

/// <summary>
/// Where the CLI finds its bearer token for a publisher: <c>--token-file FILE</c>, else <c>$LAUNCHNOTIFY_TOKEN</c>, else
/// the file <c>launchnotify login</c> kept for that publisher's URL (mode 0600, under <c>$LAUNCHNOTIFY_TOKEN_DIR</c> or
/// <c>~/.config/launchnotify/tokens</c>). Never a command-line argument: other users of the machine can read those.
/// </summary>
public static class TokenStore
{
    public const string TokenVariable = "LAUNCHNOTIFY_TOKEN";
    public const string DirectoryVariable = "LAUNCHNOTIFY_TOKEN_DIR";

    public static string Directory => Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } dir
        ? dir
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config", "launchnotify", "tokens");

    /// <summary>One file per publisher, named after its scheme, host and port.</summary>
    public static string PathFor(Uri url) => Path.Combine(Directory, $"{url.Scheme}_{url.Host.Replace(':', '-')}_{url.Port}.json");

    public static string Save(Uri url, string user, string accessToken, DateTimeOffset expiresAt)
    {
        var path = PathFor(url);
        SecretFile.WriteOwnerOnly(path, new JsonObject
        {
            ["url"] = url.GetLeftPart(UriPartial.Authority),
            ["user"] = user,
            ["expiresAt"] = expiresAt.ToString("O"),
            ["accessToken"] = accessToken,
        }.ToJsonString());
        return path;
    }

    /// <summary>The token to send to <paramref name="url"/>, or null (the publisher's 401 then says how to sign in).</summary>
    public static string? Find(Uri url, FileInfo? tokenFile)
    {
        if (tokenFile is not null)
            return Read(tokenFile.FullName, "--token-file") ?? throw new CliException($"The token file {tokenFile.FullName} holds no token.");
        if (Environment.GetEnvironmentVariable(TokenVariable) is { Length: > 0 } token)
            return token.Trim();
        var path = PathFor(url);
        return File.Exists(path) ? Read(path, "The token file 'launchnotify login' kept") : null;
    }

    public static bool Forget(Uri url)
    {
        var path = PathFor(url);
        if (!File.Exists(path))
            return false;
        File.Delete(path);
        return true;
    }

    /// <summary>A raw token, or the JSON <see cref="Save"/> writes.</summary>
    private static string? Read(string path, string what)
    {
        string text;
        try
        {
            text = SecretFile.ReadOwnerOnly(path, what);
        }
        catch (SecretFileException e)
        {
            throw new CliException(e.Message);
        }
        if (!text.StartsWith('{'))
            return text.Length > 0 ? text : null;
        try
        {
            return JsonNode.Parse(text)?["accessToken"]?.GetValue<string>();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new CliException($"{what} {path} is not a token file; sign in again with 'launchnotify login'.");
        }
    }

    public static void Apply(HttpClient http, string? token)
    {
        if (token is not null)
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }
}
