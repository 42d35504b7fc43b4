using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace LaunchNotify.Presentation;

/// <summary>
/// The glossary from one JSON file per language (<c>Glossary/en.json</c>, <c>zh.json</c>, <c>fr.json</c>, <c>ru.json</c>,
/// shipped inside this assembly): a flat object of key → text that a translator edits (comments allowed). Loading
/// checks the files against each other: the same keys everywhere, the same placeholders as English, no empty text.
/// </summary>
public sealed partial class JsonGlossary : IGlossary
{
    private readonly IReadOnlyDictionary<Language, IReadOnlyDictionary<string, string>> _texts;

    private JsonGlossary(IReadOnlyDictionary<Language, IReadOnlyDictionary<string, string>> texts)
    {
        _texts = texts;
        Keys = [.. texts[Language.En].Keys.Order(StringComparer.Ordinal)];
    }

    private static readonly Lazy<JsonGlossary> Shipped = new(LoadShipped);

    /// <summary>The glossary shipped in the binary. A file that does not load is a defect of the build, so this throws.</summary>
    public static JsonGlossary Default => Shipped.Value;

    public IReadOnlyCollection<string> Keys { get; }

    public string Text(string key, Language language, params object?[] args) =>
        TryText(key, language, out var text, args)
            ? text
            : throw new KeyNotFoundException($"The glossary has no key '{key}': add it to every file in src/LaunchNotify.Presentation/Glossary.");

    public bool TryText(string key, Language language, out string text, params object?[] args)
    {
        if (!_texts[language].TryGetValue(key, out var template))
        {
            text = "";
            return false;
        }
        // A rule sentence has named placeholders, filled by Rendering.RuleMessage: given numbered arguments, it comes back as it is.
        text = args.Length == 0 || NamedPlaceholder().IsMatch(template) ? template : string.Format(language.Culture(), template, args);
        return true;
    }

    /// <summary>The glossary's files as shipped (embedded resources named <c>LaunchNotify.Glossary.{code}.json</c>).</summary>
    public static IReadOnlyDictionary<Language, string> ShippedFiles()
    {
        var files = new Dictionary<Language, string>();
        foreach (var language in Languages.All)
        {
            using var stream = typeof(JsonGlossary).Assembly.GetManifestResourceStream($"LaunchNotify.Glossary.{language.Code()}.json");
            if (stream is null)
                continue;
            using var reader = new StreamReader(stream);
            files[language] = reader.ReadToEnd();
        }
        return files;
    }

    private static JsonGlossary LoadShipped()
    {
        var (glossary, problems) = Load(ShippedFiles());
        return glossary ?? throw new InvalidOperationException("The shipped glossary does not load:" + Environment.NewLine + string.Join(Environment.NewLine, problems));
    }

    /// <summary>
    /// Reads one JSON text per language. Returns the glossary, or null and every problem found (each names the file and
    /// key): a missing file, malformed JSON, a value that is not text, a repeated key, a key missing from a language or
    /// unknown to English, empty text, a text whose placeholders differ from the English one or that does not format.
    /// </summary>
    public static (JsonGlossary? Glossary, IReadOnlyList<string> Problems) Load(IReadOnlyDictionary<Language, string> files)
    {
        var problems = new List<string>();
        var texts = new Dictionary<Language, IReadOnlyDictionary<string, string>>();
        foreach (var language in Languages.All)
        {
            var file = $"{language.Code()}.json";
            if (!files.TryGetValue(language, out var json))
            {
                problems.Add($"{file}: missing; every language needs its file.");
                continue;
            }
            texts[language] = Parse(file, json, problems);
        }
        if (!texts.TryGetValue(Language.En, out var english))
            return (null, problems);

        foreach (var (language, entries) in texts.Where(t => t.Key != Language.En))
        {
            var file = $"{language.Code()}.json";
            foreach (var key in english.Keys.Where(k => !entries.ContainsKey(k)).Order(StringComparer.Ordinal))
                problems.Add($"{file}: no translation of '{key}'.");
            foreach (var key in entries.Keys.Where(k => !english.ContainsKey(k)).Order(StringComparer.Ordinal))
                problems.Add($"{file}: '{key}' is not in en.json (a misspelt key, or one to add to every language).");
            foreach (var (key, text) in entries)
                if (english.TryGetValue(key, out var source) && !Placeholders(source).SetEquals(Placeholders(text)))
                    problems.Add($"{file}: '{key}' has placeholders {{{string.Join("}, {", Placeholders(text).Order(StringComparer.Ordinal))}}} where en.json has {{{string.Join("}, {", Placeholders(source).Order(StringComparer.Ordinal))}}}.");
        }
        return problems.Count == 0 ? (new JsonGlossary(texts), problems) : (null, problems);
    }

    private static Dictionary<string, string> Parse(string file, string json, List<string> problems)
    {
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            problems.Add($"{file}: not JSON ({e.Message}).");
            return entries;
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                problems.Add($"{file}: must be one object of \"key\": \"text\" pairs.");
                return entries;
            }
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!KeyShape().IsMatch(property.Name))
                    problems.Add($"{file}: '{property.Name}' is not a key (letters, digits, '_' and '-' in dot-separated parts).");
                else if (property.Value.ValueKind != JsonValueKind.String)
                    problems.Add($"{file}: '{property.Name}' must be text, not {property.Value.ValueKind}.");
                else if (string.IsNullOrWhiteSpace(property.Value.GetString()))
                    problems.Add($"{file}: '{property.Name}' is empty.");
                else if (!entries.TryAdd(property.Name, property.Value.GetString()!))
                    problems.Add($"{file}: '{property.Name}' appears twice.");
                else if (!Formats(entries[property.Name]))
                    problems.Add($"{file}: '{property.Name}' is not a valid format (braces are written {{{{ and }}}}; placeholders {{0}}, {{1}}…).");
            }
        }
        return entries;
    }

    /// <summary>
    /// Whether the text formats: positional placeholders ({0}) for labels, or named ones ({agreement}) for a rule's
    /// sentence (<c>ruleMessage.*</c>, filled by <see cref="Rendering.RuleMessage"/>), never both in one text.
    /// </summary>
    private static bool Formats(string text)
    {
        var names = Placeholders(text);
        var named = names.Any(n => !char.IsAsciiDigit(n[0]));
        if (named && names.Any(n => char.IsAsciiDigit(n[0])))
            return false;
        try
        {
            _ = string.Format(CultureInfo.InvariantCulture, named ? NamedPlaceholder().Replace(text, "{0}") : text, new object?[10]);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>The placeholders of a text: the numbers of {0}, {1:N0}, or the names of {agreement}.</summary>
    public static HashSet<string> Placeholders(string text) =>
        [.. Placeholder().Matches(text.Replace("{{", "").Replace("}}", "")).Select(m => m.Groups[1].Value)];

    /// <summary>Fills a text's named placeholders ({agreement}) from <paramref name="values"/>; {{ and }} are literal braces.</summary>
    public static string FillNamed(string template, Func<string, string?> values) =>
        NamedOrBrace().Replace(template, m => m.Value switch
        {
            "{{" => "{",
            "}}" => "}",
            _ => values(m.Groups[1].Value) ?? m.Value,
        });

    [GeneratedRegex(@"\{(\d+|[A-Za-z][A-Za-z0-9]*)(?:,[^}:]*)?(?::[^}]*)?\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"(?<!\{)\{([A-Za-z][A-Za-z0-9]*)\}")]
    private static partial Regex NamedPlaceholder();

    [GeneratedRegex(@"\{\{|\}\}|\{([A-Za-z][A-Za-z0-9]*)\}")]
    private static partial Regex NamedOrBrace();

    [GeneratedRegex(@"^[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+)*$")]
    private static partial Regex KeyShape();
}
