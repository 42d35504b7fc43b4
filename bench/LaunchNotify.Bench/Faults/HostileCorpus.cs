using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;

namespace LaunchNotify.Bench.Faults;

/// <summary>One request of the intake flood: where it goes, its content type (null: none) and body, and how it was made.</summary>
public sealed record HostileBody(string Path, string? ContentType, byte[] Body, string Origin);

/// <summary>
/// Malformed and hostile submissions for the intake: the cases issue 11 names, then bodies generated and mutated with
/// CsCheck from the valid draft and the documents in schemas/examples (value swaps at any JSON path, duplicate keys,
/// type changes, byte flips, truncation, invalid UTF-8, random JSON). The same seed gives the same corpus.
/// </summary>
public static class HostileCorpus
{
    private const string Placeholder = "@@HOSTILE@@";
    private const string DuplicateKey = "@@DUPLICATE@@";

    /// <summary>Raw JSON values that have broken parsers, converters and stores (issue 11 and the usual suspects).</summary>
    private static readonly string[] HostileValues =
    [
        "null", "true", "0", "-1", "-0", "1e-400", "1e400", "-1e400", "1.00000000000000000000001", "9007199254740993",
        "123456789012345678901234567890", "0.1e-7", "\"\"", "\" \"", "\"\\ud800\"", "\"\\udfff\\ud800\"", "\"\\u0000\"",
        "\"9999-12-31T23:59:59Z\"", "\"2026-06-30T23:59:60Z\"", "\"0001-01-01T00:00:00Z\"", "\"2026-02-30T00:00:00Z\"",
        "\"2026-11-20T14:00:00+14:00\"", "\"2026-11-20T14:00:00\"", "\"10000-01-01T00:00:00Z\"", "\"NaN\"", "\"Infinity\"",
        "\"<script>alert(1)</script>\"", "\"'; DROP TABLE \\\"Inbox\\\"; --\"", "\"ZZ\"", "\"us\"", "\"\\u202eSU\"",
        "\"00000000-0000-0000-0000-000000000000\"", "\"not-a-uuid\"", "\"" + new string('a', 65) + "\"",
        "\"" + new string('x', 20_000) + "\"", "[]", "{}", "[null]", "{\"\":null}", new string('[', 64) + new string(']', 64),
        "\"\U0001D54F\"", "\"ÿ\"", "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20]",
    ];

    private static readonly byte[][] BadBytes =
    [
        [0xFF], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xF8, 0x88, 0x80, 0x80, 0x80], [0x00], [0xEF, 0xBB, 0xBF], [0x80],
    ];

    private static readonly string[] Paths = ["/v1/notifications", "/v1/amendments", "/v1/cancellations", "/v1/postlaunch-reports"];

    public static IReadOnlyList<HostileBody> Generate(string repoRoot, string validDraft, int count, ulong seed)
    {
        var seeds = Seeds(repoRoot, validDraft);
        var named = Named(validDraft);
        var body = Gen.Frequency(
            (5, JsonMutation(seeds)),
            (3, ByteMutation(seeds)),
            (1, RandomJson(3).Select(text => (Encoding.UTF8.GetBytes(text), "generated JSON"))));
        var request = Gen.Select(body,
            Gen.Frequency((12, Gen.Const(Paths[0])), (1, Gen.Const(Paths[1])), (1, Gen.Const(Paths[2])), (1, Gen.Const(Paths[3])),
                (1, Gen.Const(Paths[0] + "?allowLate=maybe"))),
            Gen.Frequency((20, Gen.Const<string?>("application/json")), (1, Gen.Const<string?>("text/plain")), (1, Gen.Const((string?)null))),
            (b, path, type) => new HostileBody(path, type, b.Item1, b.Item2));
        var pcg = new PCG(1, seed);
        var corpus = new List<HostileBody>(count);
        corpus.AddRange(named.Take(count));
        while (corpus.Count < count)
            corpus.Add(request.Generate(pcg, null, out _));
        return corpus;
    }

    /// <summary>The cases issue 11 names, each once, first: each got a 500 or a stack trace before.</summary>
    private static List<HostileBody> Named(string draft)
    {
        HostileBody Json(string origin, Action<JsonObject> change)
        {
            var doc = JsonNode.Parse(draft)!.AsObject();
            change(doc);
            return new HostileBody(Paths[0], "application/json", Encoding.UTF8.GetBytes(doc.ToJsonString()), origin);
        }
        HostileBody Text(string origin, string text) => new(Paths[0], "application/json", Encoding.UTF8.GetBytes(text), origin);
        string Raw(string key, string raw) => Replace(draft, key, raw);
        var window = JsonNode.Parse(draft)!["launchWindow"]!;
        var utf8 = Encoding.UTF8.GetBytes(draft).ToList();
        utf8.InsertRange(utf8.IndexOf((byte)'O') is var at and >= 0 ? at : 10, [0xFF, 0xFE]);
        return
        [
            Text("duplicate key", draft.Replace("\"agreementId\":", "\"agreementId\":\"x\",\"agreementId\":", StringComparison.Ordinal)),
            Json("window end 9999-12-31T23:59:59Z", d => d["launchWindow"]!["end"] = "9999-12-31T23:59:59Z"),
            Json("window start 9999-12-31T23:59:59Z", d => d["launchWindow"] = new JsonObject { ["start"] = "9999-12-31T23:59:59Z", ["end"] = "9999-12-31T23:59:59Z" }),
            new HostileBody(Paths[0], "application/json", [.. utf8], "invalid UTF-8"),
            Text("azimuth 1e-400", Raw("plannedAzimuthDeg", "1e-400")),
            Text("range 1e400", draft.Replace("\"rangeKm\":6760", "\"rangeKm\":1e400", StringComparison.Ordinal)),
            Json("leap second :60", d => d["launchWindow"]!["start"] = "2026-12-31T23:59:60Z"),
            Text("lone surrogate", Raw("remarks", "\"\\ud800\"")),
            Json("window ends before it starts", d => d["launchWindow"] = new JsonObject { ["start"] = window["end"]!.DeepClone(), ["end"] = window["start"]!.DeepClone() }),
            Json("window ends as it starts", d => d["launchWindow"] = new JsonObject { ["start"] = window["start"]!.DeepClone(), ["end"] = window["start"]!.DeepClone() }),
            Json("agreement id of 65 characters", d => d["agreementId"] = new string('a', 65)),
            Json("agreement id of 10,000 characters", d => d["agreementId"] = new string('a', 10_000)),
            Text("nesting 100,000 deep", new string('[', 100_000) + new string(']', 100_000)),
            Text("empty body", ""),
            Text("JSON null", "null"),
            Text("trailing garbage", draft + "}}}"),
            Text("body over the limit (600 KB)", Raw("remarks", "\"" + new string('r', 600 * 1024) + "\"")),
            Text("body just over the node's 256 KiB", Raw("remarks", "\"" + new string('r', 256 * 1024) + "\"")),
            new HostileBody(Paths[0], "text/plain", Encoding.UTF8.GetBytes(draft), "text/plain"),
            new HostileBody(Paths[0] + "?allowLate=maybe", "application/json", Encoding.UTF8.GetBytes(draft), "allowLate=maybe"),
        ];
    }

    /// <summary>The valid draft and every example document (valid and invalid), as compact JSON text.</summary>
    private static List<string> Seeds(string repoRoot, string validDraft)
    {
        var seeds = new List<string> { validDraft };
        var examples = Path.Combine(repoRoot, "schemas", "examples");
        foreach (var file in Directory.EnumerateFiles(examples, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            try
            {
                if (JsonNode.Parse(File.ReadAllText(file))?["document"] is { } document)
                    seeds.Add(document.ToJsonString());
            }
            catch (JsonException)
            {
                // A malformed example (.json.txt ones are read below as they are).
            }
        }
        foreach (var file in Directory.EnumerateFiles(examples, "*.json.txt", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            seeds.Add(File.ReadAllText(file));
        return seeds;
    }

    /// <summary>A value somewhere in a seed document replaced, deleted, duplicated under its own key or wrapped.</summary>
    private static Gen<(byte[], string)> JsonMutation(List<string> seeds) =>
        Gen.Select(Gen.Int[0, seeds.Count - 1], Gen.Int[0, int.MaxValue], Gen.Int[0, HostileValues.Length - 1], Gen.Int[0, 4], Gen.Int[0, 4], (s, where, value, op, times) =>
        {
            var text = seeds[s];
            for (var i = 0; i <= times % 2; i++)
                text = MutateJson(text, where + i * 7919, HostileValues[(value + i * 13) % HostileValues.Length], op);
            return (Encoding.UTF8.GetBytes(text), $"json mutation {op} of seed {s}");
        });

    private static string MutateJson(string text, int where, string hostile, int op)
    {
        try
        {
            return MutateParsed(text, where, hostile, op);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
            // Not JSON, or JSON System.Text.Json will not hold as a tree (a duplicate key from an earlier mutation): as it is.
            return text;
        }
    }

    private static string MutateParsed(string text, int where, string hostile, int op)
    {
        var root = JsonNode.Parse(text);
        var slots = new List<(JsonNode Parent, string? Key, int Index)>();
        Collect(root, slots);
        if (slots.Count == 0)
            return hostile;
        var (parent, key, index) = slots[where % slots.Count];
        switch (op)
        {
            case 0 when parent is JsonObject o:
                o.Remove(key!);
                return root!.ToJsonString();
            case 0 when parent is JsonArray a:
                a.RemoveAt(index);
                return root!.ToJsonString();
            case 1 when parent is JsonObject o:
                // The same key twice: the second with a hostile value.
                o[DuplicateKey] = Placeholder;
                return Replace(root!.ToJsonString(), DuplicateKey, hostile, key!);
            case 2:
                Set(parent, key, index, new JsonArray(Get(parent, key, index)?.DeepClone()));
                return root!.ToJsonString();
            default:
                Set(parent, key, index, Placeholder);
                return root!.ToJsonString().Replace("\"" + Placeholder + "\"", hostile, StringComparison.Ordinal);
        }
    }

    private static void Collect(JsonNode? node, List<(JsonNode, string?, int)> slots)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, child) in o.ToList())
                {
                    slots.Add((o, key, -1));
                    Collect(child, slots);
                }
                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    slots.Add((a, null, i));
                    Collect(a[i], slots);
                }
                break;
        }
    }

    private static JsonNode? Get(JsonNode parent, string? key, int index) => parent is JsonObject o ? o[key!] : parent.AsArray()[index];

    private static void Set(JsonNode parent, string? key, int index, JsonNode? value)
    {
        if (parent is JsonObject o)
            o[key!] = value;
        else
            parent.AsArray()[index] = value;
    }

    /// <summary>Sets <paramref name="key"/>'s value to raw JSON text in a compact document (the draft's own keys are unique).</summary>
    private static string Replace(string json, string key, string raw, string? renameTo = null)
    {
        var doc = JsonNode.Parse(json)!;
        var found = Find(doc, key) ?? throw new InvalidOperationException($"No '{key}' in the document.");
        found[key] = Placeholder;
        var text = doc.ToJsonString().Replace("\"" + Placeholder + "\"", raw, StringComparison.Ordinal);
        return renameTo is null ? text : text.Replace("\"" + key + "\":", "\"" + renameTo + "\":", StringComparison.Ordinal);
    }

    private static JsonObject? Find(JsonNode? node, string key) => node switch
    {
        JsonObject o when o.ContainsKey(key) => o,
        JsonObject o => o.Select(p => Find(p.Value, key)).FirstOrDefault(f => f is not null),
        JsonArray a => a.Select(n => Find(n, key)).FirstOrDefault(f => f is not null),
        _ => null,
    };

    /// <summary>Bytes of a seed flipped, cut, duplicated, deleted, or with invalid UTF-8 or a NUL put in.</summary>
    private static Gen<(byte[], string)> ByteMutation(List<string> seeds) =>
        Gen.Select(Gen.Int[0, seeds.Count - 1], Gen.Int[0, int.MaxValue], Gen.Int[0, 5], Gen.Int[0, 255], Gen.Int[1, 64], (int s, int at, int op, int value, int length) =>
        {
            var bytes = Encoding.UTF8.GetBytes(seeds[s]).ToList();
            if (bytes.Count == 0)
                return ((byte[])[.. BadBytes[value % BadBytes.Length]], "bad bytes");
            var i = at % bytes.Count;
            switch (op)
            {
                case 0:
                    bytes.RemoveRange(i, bytes.Count - i);
                    break;
                case 1:
                    bytes[i] ^= (byte)Math.Max(1, value);
                    break;
                case 2:
                    bytes.InsertRange(i, BadBytes[value % BadBytes.Length]);
                    break;
                case 3:
                    bytes.InsertRange(i, bytes.GetRange(i, Math.Min(length, bytes.Count - i)));
                    break;
                case 4:
                    bytes.RemoveRange(i, Math.Min(length, bytes.Count - i));
                    break;
                default:
                    bytes[i] = (byte)"{}[]\",:\\"[value % 8];
                    break;
            }
            return ((byte[])[.. bytes], $"byte mutation {op} of seed {s}");
        });

    /// <summary>Random JSON of any shape (nested up to <paramref name="depth"/>), mostly not a notification at all.</summary>
    private static Gen<string> RandomJson(int depth)
    {
        var scalar = Gen.OneOf(
            Gen.Int.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Gen.Int[0, HostileValues.Length - 1].Select(i => HostileValues[i]),
            Gen.Char['\u0020', '\u007e'].Array[0, 12].Select(cs => JsonSerializer.Serialize(new string(cs))),
            Gen.Const("null"), Gen.Const("false"));
        if (depth == 0)
            return scalar;
        var inner = RandomJson(depth - 1);
        var keys = Gen.OneOf(Gen.Const("kind"), Gen.Const("messageId"), Gen.Const("launchWindow"), Gen.Const("recipients"), Gen.Const("agreementId"),
            Gen.Const("missile"), Gen.Const("start"), Gen.Const("end"), Gen.Char['a', 'z'].Array[1, 8].Select(cs => new string(cs)));
        return Gen.Frequency(
            (3, scalar),
            (1, inner.Array[0, 4].Select(items => "[" + string.Join(',', items) + "]")),
            (2, Gen.Select(keys, inner).Array[0, 6].Select(members => "{" + string.Join(',', members.Select(m => JsonSerializer.Serialize(m.Item1) + ":" + m.Item2)) + "}")));
    }
}
