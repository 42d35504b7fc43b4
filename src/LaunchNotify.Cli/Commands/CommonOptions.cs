using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.Json;
using System.Text.Json.Nodes;
using LaunchNotify.Domain.Validation;
using LaunchNotify.Protocol.Json;
using Spectre.Console;

namespace LaunchNotify.Cli.Commands;

public static class CommonOptions
{
    public static Option<Uri> Url() => new("--url")
    {
        Description = $"The centre's publisher API (default ${PublisherClient.UrlEnvironmentVariable} or http://127.0.0.1:5080).",
        DefaultValueFactory = _ => PublisherClient.DefaultUrl,
        CustomParser = HttpUrl,
    };

    /// <summary>A file holding a bearer token (or the file 'launchnotify login' keeps); never the token itself as an argument.</summary>
    public static Option<FileInfo?> TokenFile() => new("--token-file")
    {
        Description = $"A file (mode 0600) with the bearer token to send (default: ${TokenStore.TokenVariable}, else the token 'launchnotify login' kept for --url).",
    };

    /// <summary>A client for the command's --url with the token from --token-file, the environment or the login file.</summary>
    public static PublisherClient Client(ParseResult parse, Option<Uri> url, Option<FileInfo?> tokenFile)
    {
        var baseUrl = parse.GetValue(url)!;
        return new PublisherClient(baseUrl, TokenStore.Find(baseUrl, parse.GetValue(tokenFile)));
    }

    /// <summary>An absolute http(s) URL. System.CommandLine 2.0 has no built-in Uri conversion: without this, every --url fails.</summary>
    public static Uri? HttpUrl(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
            return uri;
        result.AddError($"'{text}' is not an http(s) URL; write it like http://127.0.0.1:5080.");
        return null;
    }

    /// <summary>Runs a command, printing a <see cref="CliException"/> as advice instead of a stack trace.</summary>
    public static async Task<int> Guard(Func<Task<int>> run, IAnsiConsole? console = null)
    {
        try
        {
            return await run();
        }
        catch (CliException e)
        {
            (console ?? AnsiConsole.Console).MarkupLine($"[red]error:[/] {Markup.Escape(e.Message)}");
            return ExitCodes.Failed;
        }
    }
}

/// <summary>Machine-readable output: written as is, never wrapped to the terminal's width nor mixed with markup.</summary>
public static class RawOutput
{
    public static void Line(IAnsiConsole console, string text)
    {
        var writer = console.Profile.Out.Writer;
        writer.WriteLine(text);
        writer.Flush();
    }
}

public static class Views
{
    /// <summary>
    /// An instant as every human-readable CLI output shows it: whole seconds, UTC, "2026-03-10T08:00:00Z" (the store and
    /// the API keep fractions; --json prints them as they are). "-" when absent; text that is no instant, as it came.
    /// </summary>
    public static string When(JsonNode? node)
    {
        var text = node?.ToString();
        if (string.IsNullOrEmpty(text))
            return "-";
        var parsed = NodaTime.Text.InstantPattern.ExtendedIso.Parse(text);
        return parsed.Success ? When(parsed.Value) : text;
    }

    public static string When(NodaTime.Instant instant) =>
        NodaTime.Text.InstantPattern.General.Format(NodaTime.Instant.FromUnixTimeSeconds(instant.ToUnixTimeSeconds()));

    public static IReadOnlyList<ValidationError> Errors(JsonNode? node) =>
        node is JsonArray array ? array.Deserialize<List<ValidationError>>(WireJson.Options) ?? [] : [];
}
