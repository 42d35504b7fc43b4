using System.Text;
using System.Text.Json;
using LaunchNotify.Domain.Messages;
using LaunchNotify.Protocol.Schemas;

namespace LaunchNotify.Protocol.Tests;

/// <summary>The labelled examples in <c>schemas/examples</c> (format: <c>schemas/examples/README.md</c>).</summary>
internal static class Examples
{
    public const string RawSuffix = ".json.txt";
    public const string SidecarSuffix = ".expect.json";

    public static string Folder => Path.Combine(RepoPaths.Schemas, "examples");
    public static string ValidFolder => Path.Combine(Folder, "valid");
    public static string InvalidFolder => Path.Combine(Folder, "invalid");

    /// <summary>Of their schema, but no message: labelled with what <c>MessageParser</c> reports (the content stage).</summary>
    public static string ContentInvalidFolder => Path.Combine(Folder, "content-invalid");

    /// <summary>The catalog built from the repository's schema files, so the examples check the files themselves.</summary>
    public static SchemaCatalog Catalog { get; } = SchemaCatalog.FromDirectory(Path.Combine(RepoPaths.Schemas, "v1"));

    public static IEnumerable<string> KindNames => Enum.GetValues<MessageKind>().Select(k => k.WireName());

    /// <summary>Example names (file name without extension), sorted; an example is a wrapper or a raw file with its sidecar.</summary>
    public static IReadOnlyList<string> Names(string folder) =>
        Directory.Exists(folder)
            ? Directory.GetFiles(folder)
                .Select(Path.GetFileName)
                .Select(f => f!)
                .Where(f => f.EndsWith(RawSuffix, StringComparison.Ordinal)
                            || (f.EndsWith(".json", StringComparison.Ordinal) && !f.EndsWith(SidecarSuffix, StringComparison.Ordinal)))
                .Select(NameOf)
                .Order(StringComparer.Ordinal)
                .ToList()
            : [];

    private static string NameOf(string file) =>
        file.EndsWith(RawSuffix, StringComparison.Ordinal) ? file[..^RawSuffix.Length] : file[..^".json".Length];

    /// <summary>The kind an example is about, from its name's first word (<c>message-*</c> and <c>malformed-*</c> are about no one kind).</summary>
    public static string KindOf(string name) => name.Split('-')[0];

    public static Example Load(string folder, string name)
    {
        var raw = Path.Combine(folder, name + RawSuffix);
        if (File.Exists(raw))
        {
            using var sidecar = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, name + SidecarSuffix)));
            var (description, expect) = ReadLabels(name, sidecar.RootElement, ["description", "expect"]);
            return new Example(name, description, expect, File.ReadAllBytes(raw));
        }

        using var wrapper = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, name + ".json")));
        var (text, labels) = ReadLabels(name, wrapper.RootElement, ["description", "expect", "document"]);
        var document = wrapper.RootElement.GetProperty("document").GetRawText();
        return new Example(name, text, labels, Encoding.UTF8.GetBytes(document));
    }

    private static (string Description, IReadOnlyList<(string Code, string Path)> Expect) ReadLabels(
        string name, JsonElement root, string[] properties)
    {
        var present = root.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
        if (!present.SequenceEqual(properties.Order(StringComparer.Ordinal)))
            throw new InvalidDataException($"{name}: the wrapper must have exactly {string.Join(", ", properties)}; it has {string.Join(", ", present)}.");
        var description = root.GetProperty("description").GetString();
        if (string.IsNullOrWhiteSpace(description))
            throw new InvalidDataException($"{name}: the description is empty.");
        var expect = root.GetProperty("expect").EnumerateArray()
            .Select(e => (e.GetProperty("code").GetString()!, e.GetProperty("path").GetString()!))
            .ToList();
        return (description, expect);
    }
}

internal sealed record Example(string Name, string Description, IReadOnlyList<(string Code, string Path)> Expect, byte[] Document);

public class SchemaExampleTests
{
    public static TheoryData<string> ValidExamples() => new(Examples.Names(Examples.ValidFolder));

    public static TheoryData<string> InvalidExamples() => new(Examples.Names(Examples.InvalidFolder));

    [Theory]
    [MemberData(nameof(ValidExamples))]
    public void ValidExample_PassesItsSchemaWithNoErrors(string name)
    {
        var example = Examples.Load(Examples.ValidFolder, name);

        var result = Examples.Catalog.ValidateMessage(example.Document);

        Assert.Empty(example.Expect);
        Assert.True(result.IsValid, $"{name}: {string.Join("; ", result.Errors)}");
    }

    [Theory]
    [MemberData(nameof(ValidExamples))]
    public void ValidExample_IsNamedAfterTheKindItCarries(string name)
    {
        using var document = JsonDocument.Parse(Examples.Load(Examples.ValidFolder, name).Document);

        Assert.Equal(Examples.KindOf(name), document.RootElement.GetProperty("kind").GetString());
    }

    [Theory]
    [MemberData(nameof(InvalidExamples))]
    public void InvalidExample_FailsWithExactlyTheLabelledCodesAndPaths(string name)
    {
        var example = Examples.Load(Examples.InvalidFolder, name);

        var errors = Examples.Catalog.ValidateMessage(example.Document).Errors;

        Assert.NotEmpty(example.Expect);
        var expected = example.Expect.Distinct().Order().ToList();
        var actual = errors.Select(e => (e.Code, e.Path)).Distinct().Order().ToList();
        Assert.True(expected.SequenceEqual(actual),
            $"{name}: labelled [{string.Join(", ", expected)}] but the catalog reports [{string.Join(", ", actual)}]:\n"
            + string.Join("\n", errors));
        Assert.All(errors, e => Assert.False(string.IsNullOrWhiteSpace(e.Message)));
    }

    [Fact]
    public void ExampleFolders_HoldAtLeastTwoValidAndOneInvalidExamplePerKind()
    {
        var valid = Examples.Names(Examples.ValidFolder);
        var invalid = Examples.Names(Examples.InvalidFolder);

        Assert.True(valid.Count >= 12, $"only {valid.Count} valid examples");
        Assert.True(invalid.Count >= 20, $"only {invalid.Count} invalid examples");
        Assert.All(Examples.KindNames, kind =>
        {
            Assert.True(valid.Count(n => Examples.KindOf(n) == kind) >= 2, $"fewer than 2 valid {kind} examples");
            Assert.True(invalid.Count(n => Examples.KindOf(n) == kind) >= 1, $"no invalid {kind} example");
        });
        Assert.Contains(invalid, n => Examples.KindOf(n) == "malformed");
    }

    [Fact]
    public void ExampleFolders_HoldOnlyFilesTheTestsRead()
    {
        foreach (var folder in new[] { Examples.ValidFolder, Examples.InvalidFolder, Examples.ContentInvalidFolder })
        {
            var names = Examples.Names(folder);
            var read = names.SelectMany(n => File.Exists(Path.Combine(folder, n + Examples.RawSuffix))
                    ? new[] { n + Examples.RawSuffix, n + Examples.SidecarSuffix }
                    : new[] { n + ".json" })
                .ToHashSet();
            var stray = Directory.GetFiles(folder).Select(Path.GetFileName).Where(f => !read.Contains(f!)).ToList();

            Assert.True(stray.Count == 0, $"{folder}: files no test reads: {string.Join(", ", stray)}");
            Assert.All(names, n => Examples.Load(folder, n));
        }
        Assert.DoesNotContain(Examples.Names(Examples.ValidFolder), n => File.Exists(Path.Combine(Examples.ValidFolder, n + Examples.RawSuffix)));
    }
}
