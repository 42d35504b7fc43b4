using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using LaunchNotify.Domain.Validation;
using LaunchNotify.Node;
using LaunchNotify.Protocol.Json;
using LaunchNotify.Protocol.Schemas;
using LaunchNotify.Tests.Shared;

namespace LaunchNotify.Presentation.Tests;

/// <summary>
/// Errors that are not agreement rules (JSON, schema, content, intake): each carries language-free arguments from which
/// the glossary's <c>errorMessage.*</c> sentence renders in every language, with exactly its placeholders filled.
/// </summary>
public sealed class ErrorMessageTests
{
    private static Rendering In(Language language) => new(JsonGlossary.Default, language, Zones.Utc);

    private static readonly IReadOnlyList<string> ValidExamples = Directory
        .GetFiles(Path.Combine(CliProcess.RepoRoot, "schemas", "examples", "valid"), "*.json").Order().Select(Document).ToList();

    /// <summary>An example file's message (the files wrap it: <c>{description, expect, document}</c>).</summary>
    private static string Document(string file) => JsonNode.Parse(File.ReadAllText(file))!["document"]!.ToJsonString();

    private static JsonObject Heartbeat() =>
        JsonNode.Parse(Document(Directory.GetFiles(Path.Combine(CliProcess.RepoRoot, "schemas", "examples", "valid"), "heartbeat*.json").Order().First()))!.AsObject();

    private static readonly string[] OddValues =
    [
        "\"\"", "\"x\"", "\"2026-12-31T23:59:60Z\"", "\"2026-02-30T00:00:00Z\"", "\"2300-01-01T00:00:00Z\"", "\"00000000-0000-0000-0000-000000000000\"",
        "\"us\"", "\"RUS\"", "\"NO SUCH\"", "\"launchorder\"", "-1", "0", "1e400", "361", "3.5", "true", "null", "[]", "{}", "[1,1]",
        $"\"{new string('y', 300)}\"", "{\"x\":1}",
    ];

    /// <summary>A valid example mutated: a member removed, replaced by an odd value or added; or the text cut or broken.</summary>
    private static readonly Gen<byte[]> Mutated =
        Gen.Select(Gen.Int[0, ValidExamples.Count - 1], Gen.Int[0, 5], Gen.Int[0, int.MaxValue], Gen.Int[0, OddValues.Length - 1],
            (example, what, where, odd) => Mutate(ValidExamples[example], what, where, OddValues[odd]));

    private static byte[] Mutate(string json, int what, int where, string odd)
    {
        if (what == 5)
            return Encoding.UTF8.GetBytes(json[..(where % json.Length)]);
        if (what == 4)
            return [.. Encoding.UTF8.GetBytes(json), 0xC3];
        var root = JsonNode.Parse(json)!.AsObject();
        var objects = Objects(root).ToList();
        var target = objects[where % objects.Count];
        var names = target.Select(p => p.Key).ToList();
        var name = names.Count == 0 ? "x" : names[where / objects.Count % names.Count];
        switch (what)
        {
            case 0: target.Remove(name); break;
            case 1: target[name] = JsonNode.Parse(odd); break;
            case 2: target["unexpected"] = JsonNode.Parse(odd); break;
            default: return Encoding.UTF8.GetBytes(odd);
        }
        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }

    private static IEnumerable<JsonObject> Objects(JsonNode node) => node switch
    {
        JsonObject o => o.Select(p => p.Value).Where(v => v is not null).SelectMany(v => Objects(v!)).Prepend(o),
        JsonArray a => a.Where(v => v is not null).SelectMany(v => Objects(v!)),
        _ => [],
    };

    /// <summary>
    /// Generated hostile documents through the schema check and the content reader: every JSON and schema error carries
    /// arguments; every error with arguments has a sentence whose placeholders its arguments fill exactly, and which
    /// renders in every language with no placeholder left and no English sentence in its place.
    /// </summary>
    [Fact]
    public void EveryErrorTheParserAndTheSchemasEmit_RendersInEveryLanguageFromItsArguments()
    {
        var problems = new List<string>();
        var seen = new HashSet<string>();
        Mutated.Sample(bytes =>
        {
            var errors = SchemaCatalog.Default.ValidateMessage(bytes).Errors.Concat(MessageParser.Parse(bytes, SchemaCatalog.Default).Errors);
            foreach (var e in errors)
            {
                seen.Add(e.Code);
                if (Problem(e) is { } problem)
                    problems.Add(problem);
            }
        }, iter: 2000, threads: 1);

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems.Distinct().Take(20)));
        Assert.Superset(new HashSet<string> { "JSON_MALFORMED", "JSON_INVALID_UNICODE", "SCHEMA_REQUIRED", "SCHEMA_UNKNOWN_PROPERTY", "SCHEMA_TYPE" }, seen);
    }

    private static string? Problem(ValidationError e)
    {
        var mustCarry = e.Code.StartsWith("JSON_", StringComparison.Ordinal) || e.Code.StartsWith("SCHEMA_", StringComparison.Ordinal)
            || e.Code.StartsWith("MESSAGE_KIND_", StringComparison.Ordinal) || e.Code.StartsWith("INSTANT_", StringComparison.Ordinal);
        if (e.Args is null)
            return mustCarry ? $"{e.Code} at {e.Path}: no arguments ({e.Message})" : null;
        var english = In(Language.En).ErrorMessage(e.Code, e.Args);
        if (english is null)
            return $"{e.Code} {string.Join(",", e.Args.Select(a => a.Key + "=" + a.Value))}: no errorMessage sentence";
        foreach (var name in e.Args.Keys.Where(k => k != RuleArgs.Form))
            if (!RuleArgs.Kinds.ContainsKey(name))
                return $"{e.Code}: argument '{name}' has no kind";
        foreach (var language in Languages.All.Where(l => l != Language.En))
        {
            var r = In(language);
            var text = r.Sentence(e);
            if (text.Contains('{') && !e.Args.Values.Any(v => v.Contains('{')) || text == e.Message)
                return $"{e.Code} in {language.Code()}: '{text}'";
        }
        return null;
    }

    [Theory]
    [InlineData("", "BODY_EMPTY", "Le corps est vide")]
    [InlineData("[1]", "JSON_NOT_OBJECT", "Le corps est un(e) tableau JSON")]
    [InlineData("{\"a\": 1,}", "JSON_MALFORMED", "JSON mal formé à la ligne 1, octet 9")]
    public void ABodyThatIsNoObject_IsSaidInFrenchWithItsFigures(string body, string code, string french)
    {
        var (document, error) = JsonBody.ParseObject(Encoding.UTF8.GetBytes(body), "json", "Send an object.");

        Assert.Null(document);
        Assert.Equal(code, error!.Code);
        Assert.StartsWith(french, In(Language.Fr).Sentence(error));
        Assert.Equal(error.Message, In(Language.En).Sentence(error));
    }

    [Fact]
    public void ASchemaLimit_IsReadFromTheSchema_AndWrittenWithTheCulturesNumbers()
    {
        var heartbeat = Heartbeat();
        heartbeat["intervalSeconds"] = 0;

        var error = Assert.Single(SchemaCatalog.Default.ValidateMessage(Encoding.UTF8.GetBytes(heartbeat.ToJsonString())).Errors);

        Assert.Equal("SCHEMA_OUT_OF_RANGE", error.Code);
        Assert.Equal("minimum", error.Args![RuleArgs.Form]);
        Assert.Equal("«/intervalSeconds» должно быть не меньше 1.", In(Language.Ru).Sentence(error));
        Assert.Equal("“/intervalSeconds”必须不小于 1。", In(Language.Zh).Sentence(error));
    }

    [Fact]
    public void AMissingMember_NamesWhatIsMissing_InEveryLanguage()
    {
        var heartbeat = Heartbeat();
        heartbeat.Remove("intervalSeconds");

        var error = SchemaCatalog.Default.ValidateMessage(Encoding.UTF8.GetBytes(heartbeat.ToJsonString())).Errors.First(e => e.Code == "SCHEMA_REQUIRED");

        Assert.Equal("intervalSeconds", error.Args!["properties"]);
        foreach (var language in Languages.All.Where(l => l != Language.En))
            Assert.Contains("intervalSeconds", In(language).Sentence(error));
        Assert.Equal("« / » n'a pas ce qui est requis : intervalSeconds.", In(Language.Fr).Sentence(error));
    }

    /// <summary>Every sentence of an error that is not a rule has a translation with the same placeholders (the loader's check, made explicit for these keys).</summary>
    [Fact]
    public void EveryErrorSentence_HasTheSamePlaceholdersInEveryLanguage()
    {
        var keys = JsonGlossary.Default.Keys.Where(k => k.StartsWith("errorMessage.", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(keys);
        foreach (var key in keys)
        {
            var english = JsonGlossary.Placeholders(JsonGlossary.Default.Text(key, Language.En));
            foreach (var language in Languages.All)
            {
                Assert.True(JsonGlossary.Default.TryText(key, language, out var text), $"{language.Code()}: {key}");
                Assert.True(english.SetEquals(JsonGlossary.Placeholders(text)), $"{language.Code()}: {key}");
                foreach (var name in english)
                    Assert.True(RuleArgs.Kinds.ContainsKey(name), $"{key}: placeholder {{{name}}} is no argument kind");
            }
        }
    }
}
