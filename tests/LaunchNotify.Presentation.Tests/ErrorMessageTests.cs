using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using Humanizer;
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
            || e.Code.StartsWith("MESSAGE_KIND_", StringComparison.Ordinal) || e.Code.StartsWith("INSTANT_", StringComparison.Ordinal)
            || e.Rule == ContentCodes.Rule;
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

    /// <summary>
    /// The content reader's checks that a value type makes (window, missile, areas, points), its own defence behind the
    /// schemas (which refuse most of these first; only the window's order is the reader's alone): said from their arguments.
    /// </summary>
    [Theory]
    [InlineData("/launchWindow/end", "\"2026-11-24T07:01:00Z\"", "WINDOW_NOT_AFTER_START", "« /launchWindow » : une fenêtre de lancement doit finir après son début")]
    [InlineData("/missile/groupLaunch", "true", "VALUE_INVALID", "« /missile/groupLaunch » : un lancement groupé compte au moins deux missiles.")]
    [InlineData("/missile/type", "\"TYPE\"", "VALUE_INVALID", "« /missile/type » : un type de missile compte au plus 100 caractères.")]
    [InlineData("/missile/rangeKm", "25000", "NUMBER_OUT_OF_RANGE", "« /missile/rangeKm » : une portée doit être supérieure à 0")]
    [InlineData("/launchArea/radiusKm", "0", "NUMBER_OUT_OF_RANGE", "« /launchArea/radiusKm » : un rayon doit être supérieur à 0 et d'au plus 20")]
    [InlineData("/launchArea/centre/lat", "91", "NUMBER_OUT_OF_RANGE", "« /launchArea/centre » : la latitude doit être comprise entre -90 et 90 degrés.")]
    [InlineData("/launchArea/centre/lon", "-181", "NUMBER_OUT_OF_RANGE", "« /launchArea/centre » : la longitude doit être comprise entre -180 et 180 degrés.")]
    [InlineData("/launchArea/type", "\"hexagon\"", "VALUE_INVALID", "« /launchArea/type » : le type d'une zone est circle")]
    [InlineData("/launchArea/name", "\"NAME\"", "VALUE_INVALID", "« /launchArea/name » : un nom de zone compte au plus 200 caractères.")]
    [InlineData("/impactAreas/0", "{\"type\":\"polygon\",\"vertices\":[{\"lat\":1,\"lon\":1},{\"lat\":2,\"lon\":2}]}", "VALUE_INVALID", "« /impactAreas/0/vertices » : un polygone a entre 3 et 100 sommets ; celui-ci en a 2.")]
    [InlineData("/impactAreas/0", "{\"type\":\"namedWater\"}", "VALUE_INVALID", "« /impactAreas/0/name » : une étendue d'eau désignée doit avoir son nom.")]
    public void AValueTypesOwnCheck_IsSaidInFrenchFromItsArguments(string pointer, string value, string code, string french)
    {
        var root = JsonNode.Parse(ValidExamples.Single(d => d.Contains("\"Vandenberg SFB\"", StringComparison.Ordinal)))!;
        var segments = pointer.Trim('/').Split('/');
        var parent = segments[..^1].Aggregate(root, (node, segment) => int.TryParse(segment, out var i) ? node[i]! : node[segment]!);
        var replacement = value switch
        {
            "\"TYPE\"" => JsonValue.Create(new string('t', 101)),
            "\"NAME\"" => JsonValue.Create(new string('n', 201)),
            _ => JsonNode.Parse(value),
        };
        if (int.TryParse(segments[^1], out var index))
            parent.AsArray()[index] = replacement;
        else
            parent[segments[^1]] = replacement;
        if (segments[^1] == "groupLaunch")
            root["missile"]!["count"] = 1;

        // The content reader itself: the schemas check most of these limits too, and a message they refuse never reaches it.
        using var document = System.Text.Json.JsonDocument.Parse(root.ToJsonString());
        var errors = MessageContentReader.Read(document.RootElement).Errors;

        var error = errors.FirstOrDefault(e => e.Code == code && e.Rule == ContentCodes.Rule && french.Contains(e.Path, StringComparison.Ordinal));
        Assert.True(error is not null, $"no {code} from the content reader among: {string.Join("; ", errors)}");
        Assert.StartsWith(french, In(Language.Fr).Sentence(error));
        Assert.Equal(error.Message, In(Language.En).Sentence(error));
        Assert.Null(Problem(error));
    }

    /// <summary>Every reason the inbox parks a delivery with (the signature codes, read from their class) has its sentence in every language.</summary>
    [Fact]
    public void EveryParkedDeliveryReason_HasItsSentenceInEveryLanguage()
    {
        var signing = typeof(LaunchNotify.Protocol.Signing.SigningErrorCodes).GetFields().Select(f => (string)f.GetValue(null)!)
            .Select(code => (code, RuleArgs.Of()));
        var inbox = new (string Code, System.Collections.Immutable.ImmutableSortedDictionary<string, string> Args)[]
        {
            ("MESSAGE_TOO_LARGE", RuleArgs.Of((RuleArgs.Form, "delivery"), ("bytes", "70000"), ("max", "65536"))),
            ("PAYLOAD_MALFORMED", RuleArgs.Of((RuleArgs.Form, "notJson"))),
            ("PAYLOAD_MALFORMED", RuleArgs.Of((RuleArgs.Form, "noMessageId"))),
            ("PAYLOAD_MALFORMED", RuleArgs.Of((RuleArgs.Form, "noSender"))),
            ("PAYLOAD_MALFORMED", RuleArgs.Of((RuleArgs.Form, "senderNotCentre"), ("value", "usa"))),
            ("BROKER_IDENTITY_MISSING", RuleArgs.Of()),
            ("BROKER_IDENTITY_MISMATCH", RuleArgs.Of(("value", "CN"), ("sender", "US"))),
            ("NOT_ADDRESSED_HERE", RuleArgs.Of(("centre", "RU"), ("parties", "CN, FR"))),
            ("ACKNOWLEDGEMENT_UNKNOWN_ORIGINAL", RuleArgs.Of(("sender", "RU"), ("reference", "3f6c2a1e-8b7d-4c2e-9f10-5a4b3c2d1e01"))),
            ("ACKNOWLEDGEMENT_REPEATED", RuleArgs.Of(("sender", "RU"), ("reference", "3f6c2a1e-8b7d-4c2e-9f10-5a4b3c2d1e01"),
                ("other", "3f6c2a1e-8b7d-4c2e-9f10-5a4b3c2d1e02"), ("acknowledgedAt", "2026-11-24T07:01:00Z"))),
            ("ACKNOWLEDGEMENT_OF_REJECTED", RuleArgs.Of(("sender", "RU"), ("reference", "3f6c2a1e-8b7d-4c2e-9f10-5a4b3c2d1e01"))),
            ("ACKNOWLEDGEMENT_MISMATCH", RuleArgs.Of(("sender", "RU"), ("reference", "3f6c2a1e-8b7d-4c2e-9f10-5a4b3c2d1e01"))),
            ("ACKNOWLEDGEMENT_TIME_INVALID", RuleArgs.Of(("sender", "RU"), ("reference", "3f6c2a1e-8b7d-4c2e-9f10-5a4b3c2d1e01"), ("acknowledgedAt", "2026-11-24T07:01:00Z"))),
            ("PROCESSING_FAILED", RuleArgs.Of(("centre", "RU"))),
        };
        var problems = new List<string>();
        foreach (var (code, args) in signing.Concat(inbox))
        {
            var error = new ValidationError(code, "node/inbox", "", "English") { Args = args };
            // Problem: an English sentence exists for the code and form, and every other language renders it, filled.
            if (Problem(error) is { } problem)
                problems.Add(problem);
        }
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
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

/// <summary>An observed launch's coverage findings: their figures rendered from arguments, in the reader's language.</summary>
public sealed class CoverageMessageTests
{
    private static Rendering In(Language language, string zone = "Etc/UTC") => new(JsonGlossary.Default, language, Zones.Find(zone)!);

    private static readonly Domain.Messages.PreNotification Notice = (Domain.Messages.PreNotification)MessageParser.Parse(Encoding.UTF8.GetBytes(
        JsonNode.Parse(File.ReadAllText(Path.Combine(CliProcess.RepoRoot, "schemas", "examples", "valid", "prenotification-us-icbm-vandenberg-to-kwajalein.json")))!["document"]!
            .ToJsonString()), SchemaCatalog.Default).Message!;

    private static readonly NodaTime.Instant Opens = Notice.LaunchWindow.Start;

    private static Domain.Launches.CoverageAssessment Assess(NodaTime.Duration fromOpening, double dLat, double dLon, bool impact, NodaTime.Duration knownBefore,
        NodaTime.Duration tolerance)
    {
        var centre = ((Domain.Values.CircleArea)Notice.LaunchArea).Centre;
        var launchPoint = new Domain.Values.GeoPoint(Math.Clamp(centre.Lat + dLat, -90, 90), centre.Lon + dLon);
        var impactPoint = impact ? new Domain.Values.GeoPoint(Math.Clamp(centre.Lat - dLon, -90, 90), centre.Lon - dLat) : (Domain.Values.GeoPoint?)null;
        var at = Opens + fromOpening;
        return Domain.Launches.LaunchCoverage.Assess(new(at, launchPoint, impactPoint, Notice.Sender),
            [new Domain.Launches.NoticeHistory(Notice, at - knownBefore, [])], new Domain.Launches.CoverageTolerance(50, tolerance));
    }

    /// <summary>
    /// Generated observations around the example notice (before, in and after its window, near and far from its areas,
    /// known before or only after the launch, with and without a window tolerance): every finding carries arguments
    /// whose names are exactly its sentence's placeholders, and renders in every other language with nothing unfilled
    /// and not as the English sentence.
    /// </summary>
    [Fact]
    public void EveryFindingOfTheCoverageCheck_RendersInEveryLanguageFromItsArguments()
    {
        var problems = new List<string>();
        var seen = new HashSet<string>();
        // Half the launches inside the window and near the areas, so that notices known only after them (KNOWN_AFTER_LAUNCH) are met.
        var minutesGen = Gen.OneOf(Gen.Int[0, 360], Gen.Int[-72 * 60, 80 * 60]);
        var degreesGen = Gen.OneOf(Gen.Double[-0.05, 0.05], Gen.Double[-3, 3]);
        var gen = Gen.Select(minutesGen, degreesGen, degreesGen, Gen.Bool, Gen.Int[-600, 600 * 60], Gen.Int[0, 30]);
        gen.Sample(t =>
        {
            var (minutes, dLat, dLon, impact, knownBefore, toleranceMinutes) = t;
            var assessment = Assess(NodaTime.Duration.FromMinutes(minutes), dLat, dLon, impact, NodaTime.Duration.FromMinutes(knownBefore),
                NodaTime.Duration.FromMinutes(toleranceMinutes));
            foreach (var f in assessment.Covering.Concat(assessment.NearMisses).Concat(assessment.NotifiedAfterLaunch).SelectMany(n => n.Misses.Concat(n.Notes)))
            {
                seen.Add(f.Code);
                if (f.Args is null)
                {
                    problems.Add($"{f.Code}: no arguments ({f.Message})");
                    continue;
                }
                var key = f.Args.TryGetValue(RuleArgs.Form, out var form) ? $"coverageMessage.{f.Code}.{form}" : $"coverageMessage.{f.Code}";
                if (!JsonGlossary.Default.TryText(key, Language.En, out var template))
                {
                    problems.Add($"no {key}");
                    continue;
                }
                if (!JsonGlossary.Placeholders(template).SetEquals(f.Args.Keys.Where(k => k != RuleArgs.Form)))
                    problems.Add($"{key}: placeholders and arguments differ ({string.Join(",", f.Args.Keys)})");
                foreach (var language in Languages.All.Where(l => l != Language.En))
                {
                    var text = In(language, "Asia/Shanghai").CoverageFinding(f.Code, f.Message, f.Args);
                    if (text.Contains('{') || text.Contains(f.Code, StringComparison.Ordinal))
                        problems.Add($"{key} in {language.Code()}: {text}");
                }
            }
        }, iter: 1500, threads: 1);

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems.Distinct().Take(20)));
        Assert.Superset(new HashSet<string> { "OUTSIDE_WINDOW", "LAUNCH_POINT_OUTSIDE_AREA", "IMPACT_POINT_OUTSIDE_AREAS", "KNOWN_AFTER_LAUNCH" }, seen);
    }

    [Fact]
    public void ALaunchTwoHoursEarlyAndOffTheArea_IsSaidInRussianAndFrench_WithTheCulturesFigures()
    {
        var assessment = Assess(NodaTime.Duration.FromHours(-2), 1, 0, impact: false, NodaTime.Duration.FromDays(1), NodaTime.Duration.Zero);
        var misses = Assert.Single(assessment.NearMisses).Misses;

        var window = misses.Single(m => m.Code == Domain.Launches.CoverageCodes.OutsideWindow);
        var russian = In(Language.Ru, "Europe/Moscow").CoverageFinding(window.Code, window.Message, window.Args);
        Assert.Contains($"за 2 {TimeUnit.Hour.ToSymbol(System.Globalization.CultureInfo.GetCultureInfo("ru-RU"))} до открытия окна", russian);
        Assert.Contains("UTC+03:00", russian);

        var area = misses.Single(m => m.Code == Domain.Launches.CoverageCodes.LaunchPointOutsideArea);
        var french = In(Language.Fr).CoverageFinding(area.Code, area.Message, area.Args);
        Assert.Matches(@"Le point de lancement 35,74 ; -120,\d+ est à \d+(,\d)? km hors de la zone de lancement \(cercle\) \(tolérance 50 km\)\.", french);
        Assert.Equal(area.Message, In(Language.En).CoverageFinding(area.Code, area.Message, area.Args));
    }
}

/// <summary>A key announcement's refusals (the protocol's own reading of it) in the reader's language.</summary>
public sealed class KeyAnnouncementMessageTests
{
    private static readonly Domain.Values.CentreCode Us = new("US"), Ru = new("RU");

    private static Protocol.Signing.KeyAnnouncement Announcement(Protocol.Signing.JwkSet keys) =>
        new(Guid.NewGuid(), Us, [Ru], NodaTime.Instant.FromUtc(2026, 12, 6, 8, 0), keys, [], []);

    [Fact]
    public void AnAnnouncementOfAnotherCentresKey_IsRefusedInRussianAndChinese_NamingBothCentres()
    {
        using var ru = Protocol.Signing.CentreKey.Generate(Ru);
        var (read, errors) = Protocol.Signing.KeyAnnouncement.Read(Announcement(new([ru.PublicJwk])).ToPayload(), SchemaCatalog.Default);

        Assert.Null(read);
        var error = Assert.Single(errors);
        Assert.Equal($"Ключ «{ru.Kid}» принадлежит центру RU; центр US может объявлять только свои ключи.",
            new Rendering(JsonGlossary.Default, Language.Ru, Zones.Utc).Sentence(error));
        Assert.Equal($"密钥“{ru.Kid}”属于中心 RU；中心 US 只能公告自己的密钥。", new Rendering(JsonGlossary.Default, Language.Zh, Zones.Utc).Sentence(error));
    }

    [Fact]
    public void AnAnnouncementWithAPointOffTheCurve_SaysWhichKeyInFrench()
    {
        using var key = Protocol.Signing.CentreKey.Generate(Us);
        var payload = JsonNode.Parse(Announcement(new([key.PublicJwk])).ToPayload())!.AsObject();
        payload["keys"]![0]!["y"] = payload["keys"]![0]!["x"]!.GetValue<string>();

        var (_, errors) = Protocol.Signing.KeyAnnouncement.Read(Encoding.UTF8.GetBytes(payload.ToJsonString()), SchemaCatalog.Default);

        Assert.Equal("La clé 0 de l'annonce n'est pas une clé publique EC P-256 utilisable.",
            new Rendering(JsonGlossary.Default, Language.Fr, Zones.Utc).Sentence(Assert.Single(errors)));
    }
}
