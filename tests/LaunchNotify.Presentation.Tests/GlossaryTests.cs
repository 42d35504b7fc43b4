extern alias cli;
using System.Reflection;
using System.Text.Json.Nodes;
using LaunchNotify.Domain.Alarms;
using LaunchNotify.Domain.Launches;
using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Rules;
using LaunchNotify.Node.Broker;
using LaunchNotify.Storage.Entities;

namespace LaunchNotify.Presentation.Tests;

/// <summary>The glossary files: complete in every language, and a key for every coded value the code and the wire have.</summary>
public sealed class GlossaryTests
{
    private static readonly IReadOnlyDictionary<Language, string> Shipped = JsonGlossary.ShippedFiles();

    [Fact]
    public void ShippedFiles_EveryKeyHasATranslationInEveryLanguage()
    {
        Assert.Equal(Languages.All.Order(), Shipped.Keys.Order());
        var (glossary, problems) = JsonGlossary.Load(Shipped);
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        Assert.NotNull(glossary);
        foreach (var key in glossary.Keys)
            foreach (var language in Languages.All)
                Assert.True(glossary.TryText(key, language, out var text) && text.Trim().Length > 0, $"{language.Code()}: {key}");
    }

    [Fact]
    public void Load_WhenALanguageLacksAKey_NamesTheFileAndTheKey()
    {
        var files = Shipped.ToDictionary();
        var french = JsonNode.Parse(Strip(files[Language.Fr]))!.AsObject();
        french.Remove("alarmKind.LINK_SILENT");
        files[Language.Fr] = french.ToJsonString();

        var (glossary, problems) = JsonGlossary.Load(files);

        Assert.Null(glossary);
        Assert.Equal("fr.json: no translation of 'alarmKind.LINK_SILENT'.", Assert.Single(problems));
    }

    [Fact]
    public void Load_WhenATranslationDropsAPlaceholderOrAddsAKey_SaysSo()
    {
        var files = Shipped.ToDictionary();
        var russian = JsonNode.Parse(Strip(files[Language.Ru]))!.AsObject();
        russian["report.title"] = "Отчёт о своевременности";
        russian["report.titel"] = "опечатка";
        files[Language.Ru] = russian.ToJsonString();

        var (_, problems) = JsonGlossary.Load(files);

        Assert.Contains(problems, p => p.StartsWith("ru.json: 'report.title' has placeholders {} where en.json has {0}", StringComparison.Ordinal));
        Assert.Contains("ru.json: 'report.titel' is not in en.json (a misspelt key, or one to add to every language).", problems);
    }

    [Theory]
    [InlineData("{ \"a.b\": ", "not JSON")]
    [InlineData("[\"a\"]", "must be one object")]
    [InlineData("{ \"a.b\": 3 }", "must be text")]
    [InlineData("{ \"a.b\": \"  \" }", "is empty")]
    [InlineData("{ \"a.b\": \"x\", \"a.b\": \"y\" }", "appears twice")]
    [InlineData("{ \"a.b\": \"{0\" }", "is not a valid format")]
    [InlineData("{ \"a b\": \"x\" }", "is not a key")]
    public void Load_HostileFile_IsAProblemNotAnException(string json, string expected)
    {
        var files = Languages.All.ToDictionary(l => l, _ => "{ \"a.b\": \"x\" }");
        files[Language.Zh] = json;

        var (glossary, problems) = JsonGlossary.Load(files);

        Assert.Null(glossary);
        Assert.Contains(problems, p => p.StartsWith("zh.json", StringComparison.Ordinal) && p.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Load_WithoutAFileForALanguage_SaysWhichIsMissing()
    {
        var files = Shipped.Where(f => f.Key != Language.Ru).ToDictionary();
        Assert.Contains("ru.json: missing; every language needs its file.", JsonGlossary.Load(files).Problems);
    }

    [Fact]
    public void Text_OfANamedSentenceGivenNumberedArguments_ComesBackUnfilled_NotAFormatException() =>
        Assert.Equal(JsonGlossary.Default.Text("ruleMessage.NOT_ADDRESSED_TO_THIS_CENTRE", Language.Fr),
            JsonGlossary.Default.Text("ruleMessage.NOT_ADDRESSED_TO_THIS_CENTRE", Language.Fr, "a", "b"));

    [Fact]
    public void Text_OfAKeyTheGlossaryLacks_ThrowsNamingTheKey()
    {
        var e = Assert.Throws<KeyNotFoundException>(() => JsonGlossary.Default.Text("report.noSuchLabel", Language.En));
        Assert.Contains("report.noSuchLabel", e.Message);
    }

    /// <summary>Every code the program can show a person has a key: enums, rule and coverage codes, and the wire schema's enums.</summary>
    [Fact]
    public void EveryCodedValueInTheCodeAndOnTheWire_HasAKey()
    {
        var keys = JsonGlossary.Default.Keys.ToHashSet();
        var missing = new List<string>();
        void Need(string key)
        {
            if (!keys.Contains(key))
                missing.Add(key);
        }

        foreach (var v in Enum.GetValues<MissileClass>()) Need($"missileClass.{WireCodes.Of(v)}");
        foreach (var v in Enum.GetValues<AlarmKind>()) Need($"alarmKind.{v.Code()}");
        foreach (var v in Enum.GetValues<AlarmSeverity>()) Need($"alarmSeverity.{WireCodes.Of(v)}");
        foreach (var v in Enum.GetValues<AlarmState>()) Need($"alarmState.{WireCodes.Of(v)}");
        foreach (var v in Enum.GetValues<ReceiptOutcome>()) Need($"receiptOutcome.{WireCodes.Of(v)}");
        foreach (var v in Enum.GetValues<PostLaunchOutcome>()) Need($"postLaunchOutcome.{WireCodes.Of(v)}");
        foreach (var v in Enum.GetValues<MessageKind>()) Need($"messageKind.{v.WireName()}");
        foreach (var v in Enum.GetValues<DeliveryStatus>()) Need($"deliveryStatus.{WireCodes.CamelCase(v)}");
        foreach (var v in Enum.GetValues<LinkCondition>()) Need($"linkCondition.{WireCodes.CamelCase(v)}");
        foreach (var v in Enum.GetValues<Domain.Values.Quadrant>()) Need($"quadrant.{v}");
        foreach (var v in Enum.GetValues<Node.Reports.Direction>()) Need($"direction.{WireCodes.CamelCase(v)}");
        foreach (var code in Constants(typeof(RuleCodes)).Append(cli::LaunchNotify.Cli.Commands.ValidateCommand.ReferenceUnchecked))
        {
            Need($"rule.{code}.title");
            Need($"rule.{code}.meaning");
        }
        foreach (var code in Constants(typeof(CoverageCodes))) Need($"coverage.{code}");
        foreach (var name in Constants(typeof(RuleSetNames))) Need($"ruleSet.{name}");

        // The wire's own lists (schemas/v1/common.schema.json): what a counterpart can send.
        var common = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoRoot(), "schemas", "v1", "common.schema.json")))!;
        foreach (var code in common["$defs"]!["missileClass"]!["enum"]!.AsArray()) Need($"missileClass.{code}");
        foreach (var code in common["$defs"]!["area"]!["properties"]!["type"]!["enum"]!.AsArray()) Need($"areaKind.{code}");
        foreach (var code in common["$defs"]!["kind"]!["enum"]!.AsArray()) Need($"messageKind.{code}");

        Assert.True(missing.Count == 0, "no glossary key for: " + string.Join(", ", missing));
    }

    private static IEnumerable<string> Constants(Type type) =>
        type.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral && f.FieldType == typeof(string)).Select(f => (string)f.GetRawConstantValue()!);

    /// <summary>The files' leading comment lines (JSON with comments is what the loader reads; JsonNode does not skip them).</summary>
    private static string Strip(string json) => string.Join('\n', json.Split('\n').Where(line => !line.TrimStart().StartsWith("//", StringComparison.Ordinal)));

    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "LaunchNotify.sln")))
                return dir.FullName;
        throw new InvalidOperationException("LaunchNotify.sln not found above " + AppContext.BaseDirectory);
    }
}
