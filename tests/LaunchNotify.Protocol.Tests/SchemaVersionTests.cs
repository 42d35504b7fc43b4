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
}
