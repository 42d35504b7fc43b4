using System.CommandLine;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using LaunchNotify.Node.Accounts;
using NodaTime;
using Spectre.Console;

namespace LaunchNotify.Cli.Commands;

/// <summary>
/// <c>launchnotify login --url URL --user NAME</c>: gets a bearer token from the publisher's own OpenID Connect provider
/// (password grant at /connect/token) and keeps it in a 0600 file for later commands. <c>logout</c> forgets it.
/// </summary>
public static class LoginCommand
{
    public static Command Create(IAnsiConsole? console = null)
    {
        var url = CommonOptions.Url();
        var user = new Option<string>("--user", "-u") { Description = "Your account's user name on this centre's node.", Required = true };
        var passwordFile = PasswordInput.FileOption();
        var passwordStdin = PasswordInput.StdinOption();
        var command = new Command("login", "Sign in to a centre's publisher; the token is kept (mode 0600) for the other commands.") { url, user, passwordFile, passwordStdin };
        command.SetAction((parse, ct) => CommonOptions.Guard(async () =>
        {
            var output = console ?? AnsiConsole.Console;
            var baseUrl = parse.GetValue(url)!;
            var name = parse.GetValue(user)!;
            var password = PasswordInput.Read(parse, passwordFile, passwordStdin, output, $"Password for {name}:");
            var (token, expiresAt) = await RequestTokenAsync(baseUrl, name, password, ct);
            var path = TokenStore.Save(baseUrl, name, token, expiresAt);
            using var client = new PublisherClient(baseUrl, token);
            var (_, me) = await client.GetAsync("/v1/me", ct);
            var roles = me?["roles"] is JsonArray r ? string.Join(", ", r.Select(x => x?.ToString())) : "?";
            output.MarkupLine($"Signed in to {Markup.Escape(baseUrl.ToString())} as [bold]{Markup.Escape(name)}[/] ({Markup.Escape(roles)}) until {expiresAt:yyyy-MM-dd HH:mm} UTC; token kept in {Markup.Escape(path)}.");
            return ExitCodes.Ok;
        }, console));

        var logout = new Command("logout", "Forget the token kept for a publisher.") { };
        var logoutUrl = CommonOptions.Url();
        logout.Options.Add(logoutUrl);
        logout.SetAction((parse, _) => CommonOptions.Guard(() =>
        {
            var output = console ?? AnsiConsole.Console;
            var baseUrl = parse.GetValue(logoutUrl)!;
            output.MarkupLine(TokenStore.Forget(baseUrl) ? $"Forgot the token for {Markup.Escape(baseUrl.ToString())}." : $"No token kept for {Markup.Escape(baseUrl.ToString())}.");
            return Task.FromResult(ExitCodes.Ok);
        }, console));
        command.Subcommands.Add(logout);
        return command;
    }

    /// <summary>The OAuth 2.0 password grant against the publisher's token endpoint.</summary>
    public static async Task<(string Token, DateTimeOffset ExpiresAt)> RequestTokenAsync(Uri baseUrl, string user, string password, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(100) };
        TokenResponse response;
        try
        {
            response = await TokenClient.PasswordGrantAsync(http, user, password, ct);
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException || e.HttpRequestError == HttpRequestError.ConnectionError)
        {
            throw new CliException($"No publisher is answering at {baseUrl}; check --url (or ${PublisherClient.UrlEnvironmentVariable}).");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new CliException($"The publisher at {baseUrl} did not answer the sign-in within {http.Timeout.TotalSeconds:0} s; try again.");
        }
        if (response.AccessToken is not { Length: > 0 } token)
            throw new CliException($"Sign-in refused: {response.ErrorDescription ?? $"HTTP {response.Status}"}");
        var lifetime = Duration.FromTimeSpan(response.ExpiresIn ?? TimeSpan.FromHours(1));
        return (token, SystemClock.Instance.GetCurrentInstant().Plus(lifetime).ToDateTimeOffset());
    }
}
