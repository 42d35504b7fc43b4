using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Xunit.Abstractions;
using LaunchNotify.Protocol.Schemas;

namespace LaunchNotify.Protocol.Tests;

/// <summary>
/// The schema plan (the fast path of <see cref="SchemaCatalog"/>) held to JsonSchema.Net, the authority: wherever the plan
/// says valid the library must say valid, wherever it says invalid the library must say invalid. Over the shipped examples
/// and agreements, and generated documents: mutations of every valid example, and leaf values (strings next to a pattern,
/// a format or a length; numbers next to a limit) planted in them.
/// </summary>
public class SchemaPlanTests(ITestOutputHelper output)
{
    private static readonly SchemaCatalog Catalog = Examples.Catalog;

    private sealed class Tally
    {
        public int Valid, Invalid, Unsure, Skipped;

        public override string ToString() => $"plan valid {Valid}, invalid {Invalid}, unsure {Unsure}; not a message of a known kind {Skipped}";
    }

    /// <summary>Checks one document both ways; returns the plan's verdict, or null where it is no message of a known kind.</summary>
    private static PlanVerdict? Compare(byte[] bytes, Tally tally, string? schemaName = null)
    {
        // What the catalog is given in the nodes: a document the strict reader accepted (well-formed UTF-8, no duplicate
        // member, bounded depth).
        if (!LaunchNotify.Protocol.Json.JsonText.TryParse(bytes, out var document, out _))
        {
            tally.Skipped++;
            return null;
        }
        using (document)
        {
            var root = document!.RootElement;
            schemaName ??= root.ValueKind == JsonValueKind.Object && root.TryGetProperty("kind", out var kind) && kind.ValueKind == JsonValueKind.String
                && Catalog.Names.Contains(kind.GetString()!) && kind.GetString() != "common" ? kind.GetString() : null;
            if (schemaName is null)
            {
                tally.Skipped++;
                return null;
            }
            var plan = Catalog.PlanVerdictOf(schemaName, root);
            Assert.NotNull(plan);
            bool? library;
            try
            {
                library = Catalog.LibraryVerdictOf(schemaName, root);
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                library = null;
            }
            switch (plan)
            {
                case PlanVerdict.Valid:
                    Assert.True(library == true, $"the plan says valid, the library {(library is null ? "throws" : "says invalid")}: {Encoding.UTF8.GetString(bytes)}");
                    tally.Valid++;
                    break;
                case PlanVerdict.Invalid:
                    Assert.True(library != true, $"the plan says invalid, the library valid: {Encoding.UTF8.GetString(bytes)}");
                    tally.Invalid++;
                    break;
                default:
                    tally.Unsure++;
                    break;
            }
            return plan;
        }
    }

    [Fact]
    public void EverySchemaOfTheSet_HasAPlan()
    {
        using var empty = JsonDocument.Parse("{}");
        Assert.All(Catalog.Names, name => Assert.NotNull(Catalog.PlanVerdictOf(name, empty.RootElement)));
    }

    [Fact]
    public void EveryValidExample_IsValidByThePlan_AndNoExampleIsJudgedOtherwiseThanByTheLibrary()
    {
        var tally = new Tally();
        foreach (var folder in new[] { Examples.ValidFolder, Examples.InvalidFolder, Examples.ContentInvalidFolder })
            foreach (var name in Examples.Names(folder))
            {
                var verdict = Compare(Examples.Load(folder, name).Document, tally);
                if (folder == Examples.ValidFolder)
                    Assert.True(verdict == PlanVerdict.Valid, $"{name}: the plan says {verdict}");
            }
        output.WriteLine(tally.ToString());
        // The invalid folder's schema refusals are decided by the plan, not left to the library.
        Assert.True(tally.Invalid >= 30, $"only {tally.Invalid} invalid examples decided by the plan");
    }

    [Fact]
    public void TheShippedAgreements_AreValidByThePlan()
    {
        var files = Directory.GetFiles(RepoPaths.Agreements, "*.json");
        Assert.NotEmpty(files);
        foreach (var file in files)
            Assert.Equal(PlanVerdict.Valid, Compare(File.ReadAllBytes(file), new Tally(), SchemaCatalog.AgreementSchema));
    }

    [Fact]
    public void MutatedExamples_ThePlanNeverContradictsTheLibrary()
    {
        var tally = new Tally();
        MessageMutationTests.Mutations.Sample(m => { Compare(MessageMutationTests.Mutate(MessageMutationTests.Seeds[m.Seed], m.Ops), tally); },
            iter: 3000, threads: 1, print: m => Encoding.UTF8.GetString(MessageMutationTests.Mutate(MessageMutationTests.Seeds[m.Seed], m.Ops)));
        output.WriteLine(tally.ToString());
        Assert.True(tally.Valid > 50 && tally.Invalid > 500, $"valid {tally.Valid}, invalid {tally.Invalid}, unsure {tally.Unsure}");
        // The plan decides nearly everything itself; the library is the exception.
        Assert.True(tally.Unsure * 10 < tally.Valid + tally.Invalid, $"valid {tally.Valid}, invalid {tally.Invalid}, unsure {tally.Unsure}");
    }

    private static readonly string[] Pieces =
    [
        "a", "Z", "0", "9", "-", "_", ":", ".", "T", "Z", "z", " ", "\n", "\r", "\r\n", "\t", "\0", "~", "!", "#", "[", "]", "\\", "/",
        "٣", "１", "Ａ", "ß", "İ", "\u212A", "é", "e\u0301", "\U0001F680", "\u200B", "%20", "+01:00", ".5", "60", "24", "00",
    ];

    /// <summary>A string leaf of a valid example changed a little: a piece inserted, a character dropped or replaced, the
    /// value cut, doubled or emptied; most stay next to what the schema allows, where a pattern, a format or a length decides.</summary>
    private static readonly Gen<(int Seed, int Leaf, int Edit, int At, string Piece)> StringEdits =
        Gen.Select(Gen.Int[0, MessageMutationTests.Seeds.Length - 1], Gen.Int[0, 1000], Gen.Int[0, 6], Gen.Int[0, 1000], Gen.Int[0, Pieces.Length - 1].Select(i => Pieces[i]));

    [Fact]
    public void StringsNextToAPatternAFormatOrALength_ThePlanNeverContradictsTheLibrary()
    {
        var tally = new Tally();
        StringEdits.Sample(e => { Compare(EditString(e), tally); }, iter: 4000, threads: 1, print: e => Encoding.UTF8.GetString(EditString(e)));
        output.WriteLine(tally.ToString());
        Assert.True(tally.Valid > 200 && tally.Invalid > 200, $"valid {tally.Valid}, invalid {tally.Invalid}, unsure {tally.Unsure}");
    }

    private static byte[] EditString((int Seed, int Leaf, int Edit, int At, string Piece) e)
    {
        var root = JsonNode.Parse(MessageMutationTests.Seeds[e.Seed])!;
        var leaves = Leaves(root, JsonValueKind.String);
        var leaf = leaves[e.Leaf % leaves.Count];
        var text = leaf.GetValue<string>();
        var at = text.Length == 0 ? 0 : e.At % (text.Length + 1);
        var edited = e.Edit switch
        {
            0 => text.Insert(at, e.Piece),
            1 => text + e.Piece,
            2 => at < text.Length ? text.Remove(at, 1) : text[..^1],
            3 => at < text.Length ? text.Remove(at, 1).Insert(at, e.Piece) : e.Piece + text,
            4 => text[..at],
            5 => text + text,
            _ => "",
        };
        leaf.ReplaceWith(JsonValue.Create(edited));
        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }

    private static readonly string[] NumberTexts =
    [
        "0", "-0", "0.0", "1", "-1", "1.0", "1e0", "1E2", "1e-400", "1e400", "-1e400", "0.1", "1.5", "2147483648", "9223372036854775807",
        "9223372036854775808", "123456789012345678901234567890", "4.9e-324", "1.7976931348623157e308",
    ];

    /// <summary>A number leaf of a valid example replaced: a neighbour of its own value or of a limit the schemas use
    /// (±ε, ±1, scaled, as an integer or with a fraction or an exponent), or an odd number.</summary>
    private static readonly Gen<(int Seed, int Leaf, int Form, int Limit, int Delta)> NumberEdits =
        Gen.Select(Gen.Int[0, MessageMutationTests.Seeds.Length - 1], Gen.Int[0, 1000], Gen.Int[0, 7], Gen.Int[0, 1000], Gen.Int[-3, 3]);

    private static readonly decimal[] Limits = [0m, 1m, 5m, 8m, 20m, 59m, 60m, 90m, 180m, 360m, 1000m, 5000m, 20000m, 86400m, -90m, -180m];

    [Fact]
    public void NumbersNextToALimit_ThePlanNeverContradictsTheLibrary()
    {
        var tally = new Tally();
        NumberEdits.Sample(e => { Compare(EditNumber(e), tally); }, iter: 4000, threads: 1, print: e => Encoding.UTF8.GetString(EditNumber(e)));
        output.WriteLine(tally.ToString());
        Assert.True(tally.Valid > 200 && tally.Invalid > 200, $"valid {tally.Valid}, invalid {tally.Invalid}, unsure {tally.Unsure}");
    }

    private static byte[] EditNumber((int Seed, int Leaf, int Form, int Limit, int Delta) e)
    {
        var root = JsonNode.Parse(MessageMutationTests.Seeds[e.Seed])!;
        var leaves = Leaves(root, JsonValueKind.Number);
        if (leaves.Count == 0)
            return Encoding.UTF8.GetBytes(root.ToJsonString());
        var leaf = leaves[e.Leaf % leaves.Count];
        var own = decimal.Parse(leaf.ToJsonString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture);
        var near = e.Limit % 2 == 0 ? own : Limits[e.Limit / 2 % Limits.Length];
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var text = e.Form switch
        {
            0 => (near + e.Delta).ToString(inv),
            1 => (near + e.Delta * 0.000000000000001m).ToString(inv),
            2 => (near + e.Delta * 0.0000000000000000000000001m).ToString(inv),
            3 => (near + e.Delta).ToString(inv) + ".0",
            4 => (near + e.Delta).ToString(inv) + "e0",
            5 => ((double)near + e.Delta * 1e-13).ToString("R", inv),
            6 => (near * 10 + e.Delta).ToString(inv) + "e-1",
            _ => NumberTexts[e.Limit % NumberTexts.Length],
        };
        JsonNode? number;
        try
        {
            number = JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            // A form that does not apply to this value (a fraction given ".0"): an odd number instead.
            number = JsonNode.Parse(NumberTexts[e.Limit % NumberTexts.Length]);
        }
        leaf.ReplaceWith(number);
        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }

    private static List<JsonValue> Leaves(JsonNode root, JsonValueKind kind)
    {
        var leaves = new List<JsonValue>();
        void Walk(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject o:
                    foreach (var (_, child) in o)
                        Walk(child);
                    break;
                case JsonArray a:
                    foreach (var child in a)
                        Walk(child);
                    break;
                case JsonValue v when v.GetValueKind() == kind:
                    leaves.Add(v);
                    break;
            }
        }
        Walk(root);
        return leaves;
    }
}
