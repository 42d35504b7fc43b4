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

    /// <summary>The centre's configured language, as the node reads it (LaunchNotify:Rendering:Language).</summary>
    public const string LanguageVariable = "LaunchNotify__Rendering__Language";

    /// <summary>The centre's configured time zone, as the node reads it (LaunchNotify:Rendering:TimeZone).</summary>
    public const string TimeZoneVariable = "LaunchNotify__Rendering__TimeZone";

    public static Option<string?> Lang() => new("--lang")
    {
        Description = $"Language of what is printed for people: en, zh, fr or ru (default ${LanguageVariable}, the centre's setting, else en). JSON and CSV stay codes.",
    };

    public static Option<string?> TimeZone() => new("--tz")
    {
        Description = $"Time zone of the times printed for people, a tz database id such as Europe/Moscow (default ${TimeZoneVariable}, else Etc/UTC).",
    };

    /// <summary>
    /// The reader's rendering: --lang and --tz, else the centre's configuration in the environment
    /// (<see cref="LanguageVariable"/>, <see cref="TimeZoneVariable"/>), else English and UTC. A value it cannot use is refused, saying what is allowed.
    /// </summary>
    public static Presentation.Rendering Rendering(ParseResult parse, Option<string?> lang, Option<string?> timeZone)
    {
        var configured = new Presentation.RenderingLanguage(Presentation.JsonGlossary.Default, Presentation.Language.En, Presentation.Zones.Utc)
            .For(Environment.GetEnvironmentVariable(LanguageVariable), Environment.GetEnvironmentVariable(TimeZoneVariable));
        if (configured.Rendering is null)
            throw new CliException($"{LanguageVariable}/{TimeZoneVariable}: {configured.Problem}");
        var chosen = new Presentation.RenderingLanguage(Presentation.JsonGlossary.Default, configured.Rendering.Language, configured.Rendering.Zone)
            .For(parse.GetValue(lang), parse.GetValue(timeZone));
        return chosen.Rendering ?? throw new CliException($"--lang/--tz: {chosen.Problem}");
    }

    /// <summary>An instant from the API (ISO 8601) in the reader's culture and zone; anything else as it came, absent as "-".</summary>
    public static string When(Presentation.Rendering rendering, string? isoText) =>
        isoText is null ? "-"
        : NodaTime.Text.InstantPattern.ExtendedIso.Parse(isoText) is { Success: true } parsed ? rendering.InstantShort(parsed.Value) : isoText;

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
    public static IReadOnlyList<ValidationError> Errors(JsonNode? node) =>
        node is JsonArray array ? array.Deserialize<List<ValidationError>>(WireJson.Options) ?? [] : [];
}
