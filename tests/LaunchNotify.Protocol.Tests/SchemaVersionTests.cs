using System.Text.Json.Nodes;
using LaunchNotify.Protocol.Schemas;

namespace LaunchNotify.Protocol.Tests;

/// <summary>
/// Schema 1.1 only adds: every shipped valid example declares the lowest version that expresses it (what a sender
/// writes, <see cref="SchemaVersions.LowestFor"/>), and the same content declared 1.0 where it needs 1.1 is refused.
/// </summary>
public class SchemaVersionTests
{
    public static TheoryData<string> ValidExamples() =>
        new(Directory.GetFiles(Path.Combine(RepoPaths.Root, "schemas", "examples", "valid"), "*.json").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(ValidExamples))]
    public void ValidExample_DeclaresTheLowestVersionThatExpressesIt(string file)
    {
        var document = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "schemas", "examples", "valid", file)))!["document"]!.AsObject();

        Assert.Equal((string)document["schemaVersion"]!, SchemaVersions.LowestFor(document));
    }

    [Fact]
    public void ADocumentNeeding11_DeclaredAs10_IsRefused_AndAs11_IsAccepted()
    {
        var document = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "schemas", "examples", "valid", "prenotification-us-sounding-rocket-black-brant.json")))!["document"]!.AsObject();

        document["schemaVersion"] = "1.0";
        Assert.False(SchemaCatalog.Default.ValidateMessage(System.Text.Encoding.UTF8.GetBytes(document.ToJsonString())).IsValid);
        document["schemaVersion"] = SchemaVersions.LowestFor(document);
        Assert.True(SchemaCatalog.Default.ValidateMessage(System.Text.Encoding.UTF8.GetBytes(document.ToJsonString())).IsValid);
    }

    [Theory]
    [InlineData("1.0")]
    [InlineData("1.1")]
    public void ADocumentNeeding12_DeclaredOlder_IsRefused_AndAs12_IsAccepted(string older)
    {
        var document = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "schemas", "examples", "valid", "prenotification-ru-slbm-pacific-quarter-radius-nm.json")))!["document"]!.AsObject();

        document["schemaVersion"] = older;
        Assert.False(SchemaCatalog.Default.ValidateMessage(System.Text.Encoding.UTF8.GetBytes(document.ToJsonString())).IsValid);
        document["schemaVersion"] = SchemaVersions.LowestFor(document);
        Assert.Equal(SchemaVersions.V1_2, (string?)document["schemaVersion"]);
        Assert.True(SchemaCatalog.Default.ValidateMessage(System.Text.Encoding.UTF8.GetBytes(document.ToJsonString())).IsValid);
    }

    [Theory]
    [InlineData("""{"kind":"prenotification","launchArea":{"radiusNm":"x"},"impactAreas":[{"type":["oceanQuarter"]}]}""")]
    [InlineData("""{"kind":"prenotification","missile":["ICBM"],"launchArea":7,"impactAreas":[1,"x",null]}""")]
    [InlineData("""{"kind":"amendment","changes":{"missile":"SOUNDING_ROCKET","impactAreas":{"radiusKm":9000}}}""")]
    [InlineData("""{"kind":["prenotification"],"launchArea":[{"radiusKm":9000}]}""")]
    public void LowestFor_AnyShapeOfDraft_AnswersWithoutThrowing(string draft)
    {
        // The intake asks before the schema check, so a hostile draft of any shape reaches it (it answered 500 before).
        var version = SchemaVersions.LowestFor((JsonObject)JsonNode.Parse(draft)!);
        Assert.Contains(version, new[] { SchemaVersions.V1_0, SchemaVersions.V1_1, SchemaVersions.V1_2 });
    }
}
