using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Rules;
using LaunchNotify.Protocol.Agreements;
using LaunchNotify.Protocol.Json;
using NodaTime;

namespace LaunchNotify.Protocol.Tests;

/// <summary>
/// Generated inputs (CsCheck, shrinking to the smallest failing mutation): the shipped valid examples, mutated by
/// deleting members, swapping types, planting boundary instants, odd numbers, odd strings and escapes, inverting launch
/// windows, nesting deeply, duplicating keys, truncating and flipping bytes. Whatever comes out, the parse, the schema
/// check and the agreement rules return an outcome and never throw.
/// </summary>
public class MessageMutationTests
{
    internal static readonly byte[][] Seeds = Examples.Names(Examples.ValidFolder)
        .Select(n => Examples.Load(Examples.ValidFolder, n).Document).ToArray();

    private static readonly PreNotification Original = (PreNotification)MessageParser.Parse(
        Examples.Load(Examples.ValidFolder, "prenotification-us-icbm-vandenberg-to-kwajalein").Document).Message!;

    private static readonly string[] OddStrings =
    [
        "", " ", "\0", "\ud800", "\udc00x", "\U0001F680", "‮RU", "us", "USA", "00000000-0000-0000-0000-000000000000",
        "not-a-uuid", "a", new string('x', 70), new string('y', 5000), "1.0", "2.0", "prenotification", "receipt", "circle", "ICBM",
        "launched", "rejected", "NE", "us-ru-bmlna-1988", "no-such-agreement", "\\u0000", "\"", "{}",
    ];

    private static readonly string[] Instants =
    [
        "9999-12-31T23:59:59Z", "9999-12-31T23:59:59.999999999Z", "0001-01-01T00:00:00Z", "1970-01-01T00:00:00Z",
        "1999-12-31T23:59:59.999999999Z", "2000-01-01T00:00:00Z", "2199-12-31T23:59:59.999999999Z", "2200-01-01T00:00:00Z",
        "2026-12-31T23:59:60Z", "2026-06-30T23:59:60.5Z", "2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-11-24T24:00:00Z",
        "2026-11-24T09:00:00+01:00", "2026-11-24T09:00:00", "2026-11-24t09:00:00z", "2026-11-24T09:00:00.1234567891Z",
    ];

    private static readonly string[] OddNumbers =
    [
        "1e-400", "-1e-400", "1e400", "-1e400", "-0", "0", "0.0", "1.7976931348623157e308", "4.9e-324", "9007199254740991",
        "9007199254740992", "9223372036854775807", "9223372036854775808", "123456789012345678901234567890", "5.0", "1e2", "-1",
        "360", "359.99999999999999", "90.000000000000001", "-180", "5000", "5000.0000000001", "2147483648", "86400", "0.5",
    ];

    private static readonly JsonSerializerOptions WriteOptions = new() { MaxDepth = 256, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly string[] Keys = ["kind", "messageId", "sender", "agreementId", "recipients", "issuedAt", "launchWindow", "outcome", "x"];

    /// <summary>A seed example and the mutations to apply to it, each three numbers (what, where, which).</summary>
    internal static readonly Gen<(int Seed, int[] Ops)> Mutations =
        Gen.Select(Gen.Int[0, Seeds.Length - 1], Gen.Int[0, int.MaxValue].Array[3, 15], (seed, ops) => (seed, ops));

    [Fact]
    public void MutatedExamples_NeverMakeTheParseTheSchemaCheckOrTheRulesThrow()
    {
        var parsedValid = 0;
        var stages = new HashSet<ParseStage>();
        Mutations.Sample(m =>
        {
            var bytes = Mutate(Seeds[m.Seed], m.Ops);
            var parse = MessageParser.Parse(bytes, Examples.Catalog);
            var schema = Examples.Catalog.ValidateMessage(bytes);
            stages.Add(parse.Stage);

            Assert.Equal(parse.Message is null, parse.Errors.Count > 0);
            Assert.All(parse.Errors, e => Assert.False(string.IsNullOrWhiteSpace(e.Code) || string.IsNullOrWhiteSpace(e.Message)));
            if (parse.Stage == ParseStage.Json)
                Assert.All(schema.Errors, e => Assert.StartsWith("JSON_", e.Code));
            else
                Assert.NotNull(parse.Header);
            if (parse.Message is not { } message)
                return;

            parsedValid++;
            Assert.True(schema.IsValid, "the parse gave a message the schema refuses");
            Assert.True(MessageParser.Parse(WireJson.SerializeToUtf8(message), Examples.Catalog).IsValid, "what the parse gave does not parse again");
            EvaluateEverywhere(message);
        }, iter: 2000, threads: 1, print: m => Encoding.UTF8.GetString(Mutate(Seeds[m.Seed], m.Ops)));

        // The generator reaches every stage, and some mutations leave a valid message for the rules to see.
        Assert.Equal([ParseStage.Json, ParseStage.Schema, ParseStage.Content], stages.Order());
        Assert.True(parsedValid >= 20, $"only {parsedValid} mutated messages were valid: the rules were hardly exercised");
    }

    /// <summary>The rules under the message's agreement, as sender and as receiver, at the edges of the instants a message may carry.</summary>
    private static void EvaluateEverywhere(Message message)
    {
        if (!AgreementCatalog.Default.TryGet(message.AgreementId, out var agreement))
            return;
        var rules = new AgreementRules();
        Instant[] moments = [message.IssuedAt, MessageContentReader.Earliest, MessageContentReader.Latest - Duration.Epsilon];
        foreach (var at in moments)
        {
            foreach (var original in new[] { null, Original })
            {
                rules.Evaluate(message, agreement, EvaluatingSide.Sender, message.Sender, at, original);
                rules.Evaluate(message, agreement, EvaluatingSide.Receiver, message.Recipients[0].Centre, at, original);
            }
        }
    }

    internal static byte[] Mutate(byte[] seed, int[] ops)
    {
        var root = JsonNode.Parse(seed)!;
        var textOps = new List<(int What, int A, int B)>();
        for (var i = 0; i + 2 < ops.Length; i += 3)
        {
            var (what, a, b) = (ops[i] % 10, ops[i + 1], ops[i + 2]);
            if (what >= 7)
            {
                textOps.Add((what, a, b));
                continue;
            }
            var slots = Slots(root);
            if (slots.Count == 0)
                break;
            var slot = slots[a % slots.Count];
            switch (what)
            {
                case 0:
                    Remove(slot);
                    break;
                case 1:
                    Set(slot, (b % 6) switch
                    {
                        0 => null,
                        1 => JsonValue.Create(true),
                        2 => JsonValue.Create(42),
                        3 => JsonValue.Create("42"),
                        4 => new JsonObject(),
                        _ => new JsonArray(),
                    });
                    break;
                case 2:
                    Set(slot, JsonValue.Create(OddStrings[b % OddStrings.Length]));
                    break;
                case 3:
                    Set(slot, JsonNode.Parse(OddNumbers[b % OddNumbers.Length]));
                    break;
                case 4:
                    var instants = slots.Where(s => Get(s) is JsonValue v && v.TryGetValue<string>(out var t) && t.Length > 10 && t[4] == '-').ToList();
                    if (instants.Count > 0)
                        Set(instants[a % instants.Count], JsonValue.Create(Instants[b % Instants.Length]));
                    break;
                case 5:
                    foreach (var window in slots.Select(Get).OfType<JsonObject>().Where(o => o.ContainsKey("start") && o.ContainsKey("end")))
                    {
                        // An earlier operation may have set either to JSON null.
                        var start = window["start"]?.DeepClone();
                        window["start"] = b % 2 == 0 ? window["end"]?.DeepClone() : start?.DeepClone();
                        window["end"] = start;
                    }
                    break;
                default:
                    JsonNode nested = JsonValue.Create(1);
                    for (var depth = 0; depth < 10 + b % 60; depth++)
                        nested = new JsonArray(nested);
                    Set(slot, nested);
                    break;
            }
        }

        var bytes = Encoding.UTF8.GetBytes(root.ToJsonString(WriteOptions));
        foreach (var (what, a, b) in textOps)
        {
            if (bytes.Length == 0)
                break;
            bytes = what switch
            {
                7 when Array.IndexOf(bytes, (byte)'{') is var brace and >= 0 =>
                    [.. bytes[..(brace + 1)], .. Encoding.UTF8.GetBytes($"\"{Keys[b % Keys.Length]}\":{OddNumbers[a % OddNumbers.Length]},"), .. bytes[(brace + 1)..]],
                8 => bytes[..(a % bytes.Length)],
                9 => Flip(bytes, a % bytes.Length, (byte)b),
                _ => bytes,
            };
        }
        return bytes;
    }

    private static byte[] Flip(byte[] bytes, int at, byte value)
    {
        var copy = (byte[])bytes.Clone();
        copy[at] = value;
        return copy;
    }

    private readonly record struct Slot(JsonNode Parent, string? Key, int Index);

    private static List<Slot> Slots(JsonNode root)
    {
        var slots = new List<Slot>();
        void Walk(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject o:
                    foreach (var (key, child) in o.ToList())
                    {
                        slots.Add(new Slot(o, key, -1));
                        Walk(child);
                    }
                    break;
                case JsonArray a:
                    for (var i = 0; i < a.Count; i++)
                    {
                        slots.Add(new Slot(a, null, i));
                        Walk(a[i]);
                    }
                    break;
            }
        }
        Walk(root);
        return slots;
    }

    private static JsonNode? Get(Slot s) => s.Parent is JsonObject o ? o[s.Key!] : s.Parent.AsArray()[s.Index];

    private static void Set(Slot s, JsonNode? value)
    {
        if (s.Parent is JsonObject o)
            o[s.Key!] = value;
        else
            s.Parent.AsArray()[s.Index] = value;
    }

    private static void Remove(Slot s)
    {
        if (s.Parent is JsonObject o)
            o.Remove(s.Key!);
        else
            s.Parent.AsArray().RemoveAt(s.Index);
    }
}
