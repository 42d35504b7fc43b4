using System.Text.Json.Nodes;
using LaunchNotify.Storage.Audit;
using LaunchNotify.Storage.Entities;
using NodaTime;

namespace LaunchNotify.Compliance.Tests;

/// <summary>
/// Our canonical JSON and entry hash against an independent RFC 8785 implementation: the expected values below were
/// produced by the npm package <c>canonicalize</c> (and Node's crypto for the hash), as docs/audit.md shows.
/// </summary>
public sealed class CanonicalEncodingTests
{
    [Theory]
        [InlineData("{\"b\":[3,-2,{\"z\":null,\"a\":true}],\"a\":\"x\",\"\\u00e9\":\"\u00e9\",\"A\":false,\"\":\"empty\"}", "{\"\":\"empty\",\"A\":false,\"a\":\"x\",\"b\":[3,-2,{\"a\":true,\"z\":null}],\"\u00e9\":\"\u00e9\"}")]
        [InlineData("{\"s\":\"quote\\\" backslash\\\\ slash\\/ tab\\t nl\\n cr\\r bs\\b ff\\f nul\\u0000 us\\u001f del\\u007f ls\\u2028 emoji\\ud83d\\ude00 \\u20ac\"}", "{\"s\":\"quote\\\" backslash\\\\ slash/ tab\\t nl\\n cr\\r bs\\b ff\\f nul\\u0000 us\\u001f del\u007f ls\u2028 emoji\ud83d\ude00 \u20ac\"}")]
        [InlineData("{\"n\":[0,-0,1,-1,9007199254740991,-9007199254740991,1E3,5.0]}", "{\"n\":[0,0,1,-1,9007199254740991,-9007199254740991,1000,5]}")]
        [InlineData("{\"\\u20ac\":1,\"\\r\":2,\"\\ud83d\\ude00\":3,\"\\ufb33\":4,\"1\":5}", "{\"\\r\":2,\"1\":5,\"\u20ac\":1,\"\ud83d\ude00\":3,\"\ufb33\":4}")]
        [InlineData("  [ {\"b\" : 1 , \"a\" : [ ] } , { } , \"x\" ]  ", "[{\"a\":[],\"b\":1},{},\"x\"]")]
    public void Canonicalize_ProducesTheSameBytesAsAReferenceJcsImplementation(string input, string expected)
    {
        Assert.Equal(expected, CanonicalJson.Canonicalize(input));
        Assert.True(CanonicalJson.IsCanonical(expected));
    }

    [Theory]
    [InlineData("{\"x\":1.5}")]
    [InlineData("{\"x\":9007199254740992}")]
    [InlineData("{\"x\":\"\\ud800\"}")]
    public void Canonicalize_OutsideTheSubset_RefusesInsteadOfGuessing(string input)
    {
        Assert.Throws<FormatException>(() => CanonicalJson.Canonicalize(input));
        Assert.False(CanonicalJson.IsCanonical(input));
    }

    [Fact]
    public void ComputeHash_MatchesSha256OfTheReferenceCanonicalEncoding()
    {
        var entry = new AuditEntry
        {
            Seq = 1,
            At = Instant.FromUtc(2026, 11, 20, 14, 0) + Duration.FromMilliseconds(250),
            Type = "submitted",
            MessageId = Guid.Parse("3f6c2a1e-8b7d-4c2e-9f10-5a4b3c2d1e01"),
            AgreementId = "us-ru-bmlna-1988",
            DetailsJson = CanonicalJson.Serialize(new JsonObject
            {
                ["kind"] = "prenotification",
                ["recipients"] = new JsonArray(new JsonObject { ["centre"] = "RU", ["sequence"] = 41 }),
                ["note"] = "Größe \"1\"",
            }),
            PrevHash = AuditChain.GenesisHash,
        };

        Assert.Equal(
            """{"at":"2026-11-20T14:00:00.25Z","details":{"kind":"prenotification","note":"Größe \"1\"","recipients":[{"centre":"RU","sequence":41}]},"prev":"0000000000000000000000000000000000000000000000000000000000000000","seq":1,"subject":{"agreement":"us-ru-bmlna-1988","alarm":null,"centre":null,"message":"3f6c2a1e-8b7d-4c2e-9f10-5a4b3c2d1e01"},"type":"submitted"}""",
            System.Text.Encoding.UTF8.GetString(AuditChain.CanonicalEncoding(entry)));
        Assert.Equal("b908c19d47cf66ed5125429141c2552b8397291205330f443d07f827459c87d1", AuditChain.ComputeHash(entry));
    }
}
