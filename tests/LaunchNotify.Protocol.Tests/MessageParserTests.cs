using System.Text;
using LaunchNotify.Domain.Messages;
using LaunchNotify.Protocol.Json;

namespace LaunchNotify.Protocol.Tests;

/// <summary>The one total parse: every labelled example ends in a message or in exactly its labelled coded errors.</summary>
public class MessageParserTests
{
    public static TheoryData<string> ContentInvalidExamples() => new(Examples.Names(Examples.ContentInvalidFolder));

    [Theory]
    [MemberData(nameof(SchemaExampleTests.ValidExamples), MemberType = typeof(SchemaExampleTests))]
    public void Parse_ValidExample_GivesItsMessageWithItsHeader(string name)
    {
        var example = Examples.Load(Examples.ValidFolder, name);

        var parse = MessageParser.Parse(example.Document, Examples.Catalog);

        Assert.True(parse.IsValid, $"{name}: {string.Join("; ", parse.Errors)}");
        Assert.Empty(parse.Errors);
        Assert.Equal(Examples.KindOf(name), parse.Message!.Kind.WireName());
        Assert.Equal(parse.Message.MessageId.Value, parse.Header!.MessageId);
        Assert.Equal(parse.Message.Sender.Value, parse.Header.Sender);
        Assert.All(parse.Message.Recipients, r => Assert.Equal(r.Sequence, parse.Header.SequenceFor(r.Centre)));
    }

    [Theory]
    [MemberData(nameof(SchemaExampleTests.InvalidExamples), MemberType = typeof(SchemaExampleTests))]
    public void Parse_InvalidExample_StopsAtJsonOrSchemaWithExactlyTheLabelledCodes(string name)
    {
        var example = Examples.Load(Examples.InvalidFolder, name);

        var parse = MessageParser.Parse(example.Document, Examples.Catalog);

        Assert.Null(parse.Message);
        Assert.Contains(parse.Stage, new[] { ParseStage.Json, ParseStage.Schema });
        AssertLabelled(name, example, parse);
    }

    [Theory]
    [MemberData(nameof(ContentInvalidExamples))]
    public void Parse_ContentInvalidExample_PassesItsSchemaButGivesExactlyTheLabelledContentErrors(string name)
    {
        var example = Examples.Load(Examples.ContentInvalidFolder, name);

        var schema = Examples.Catalog.ValidateMessage(example.Document);
        var parse = MessageParser.Parse(example.Document, Examples.Catalog);

        Assert.True(schema.IsValid, $"{name} should be of its schema: {string.Join("; ", schema.Errors)}");
        Assert.Null(parse.Message);
        Assert.Equal(ParseStage.Content, parse.Stage);
        AssertLabelled(name, example, parse);
        // What an inbox needs to answer the sender is still there.
        Assert.NotNull(parse.Header!.MessageId);
        Assert.NotNull(parse.Header.Sender);
        Assert.Equal(Examples.KindOf(name), parse.Header.Kind);
    }

    [Fact]
    public void ContentInvalidFolder_HoldsTheIssuesOddCases()
    {
        var codes = Examples.Names(Examples.ContentInvalidFolder)
            .SelectMany(n => Examples.Load(Examples.ContentInvalidFolder, n).Expect).Select(e => e.Code).ToHashSet();

        Assert.Superset(codes, new HashSet<string>
        {
            ContentCodes.WindowNotAfterStart, ContentCodes.InstantLeapSecond, ContentCodes.InstantOutOfRange, ContentCodes.NumberOutOfRange,
        });
    }

    [Theory]
    [InlineData("5.0", true)]
    [InlineData("5e0", true)]
    [InlineData("5.5", false)]
    [InlineData("1e400", false)]
    public void Parse_IntegerWrittenAsANumberWithZeroFraction_IsTheIntegerTheSchemaAccepts(string number, bool valid)
    {
        var example = Examples.Load(Examples.ValidFolder, "heartbeat-us-ru-after-notifications");
        var json = Encoding.UTF8.GetString(example.Document).Replace("\"intervalSeconds\": 60", $"\"intervalSeconds\": {number}", StringComparison.Ordinal);

        var parse = MessageParser.Parse(Encoding.UTF8.GetBytes(json), Examples.Catalog);

        Assert.Equal(valid, parse.IsValid);
        if (valid)
            Assert.Equal(5, Assert.IsType<Heartbeat>(parse.Message).IntervalSeconds);
    }

    [Fact]
    public void Parse_EscapedBackslashBeforeU_IsNoSurrogate()
    {
        var example = Examples.Load(Examples.ValidFolder, "prenotification-us-icbm-vandenberg-to-kwajalein");
        var json = Encoding.UTF8.GetString(example.Document).Replace("Vandenberg SFB", @"Vandenberg \\ud800 SFB", StringComparison.Ordinal);

        var parse = MessageParser.Parse(Encoding.UTF8.GetBytes(json), Examples.Catalog);

        Assert.True(parse.IsValid, string.Join("; ", parse.Errors));
        Assert.Equal(@"Vandenberg \ud800 SFB", Assert.IsType<PreNotification>(parse.Message).LaunchArea.Name);
    }

    [Fact]
    public void Parse_SurrogatePairEscaped_IsText()
    {
        var example = Examples.Load(Examples.ValidFolder, "prenotification-us-icbm-vandenberg-to-kwajalein");
        var json = Encoding.UTF8.GetString(example.Document).Replace("Vandenberg SFB", @"Vandenberg \ud83d\ude80 SFB", StringComparison.Ordinal);

        var parse = MessageParser.Parse(Encoding.UTF8.GetBytes(json), Examples.Catalog);

        Assert.True(parse.IsValid, string.Join("; ", parse.Errors));
        Assert.Equal("Vandenberg \U0001F680 SFB", Assert.IsType<PreNotification>(parse.Message).LaunchArea.Name);
    }

    private static void AssertLabelled(string name, Example example, MessageParse parse)
    {
        Assert.NotEmpty(example.Expect);
        var expected = example.Expect.Distinct().Order().ToList();
        var actual = parse.Errors.Select(e => (e.Code, e.Path)).Distinct().Order().ToList();
        Assert.True(expected.SequenceEqual(actual),
            $"{name}: labelled [{string.Join(", ", expected)}] but the parse reports [{string.Join(", ", actual)}]:\n" + string.Join("\n", parse.Errors));
        Assert.All(parse.Errors, e => Assert.False(string.IsNullOrWhiteSpace(e.Message)));
    }
}
