using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Json.More;
using Json.Schema;

namespace LaunchNotify.Protocol.Schemas;

/// <summary>What a <see cref="SchemaPlan"/> can say of a document.</summary>
public enum PlanVerdict : byte
{
    /// <summary>Every keyword holds, by the library's own tests of each: the document is valid.</summary>
    Valid,
    /// <summary>Some keyword surely fails, where the library's verdict on it could not differ.</summary>
    Invalid,
    /// <summary>The plan cannot be sure (a number at the edge of a limit, a length the library may count otherwise, a
    /// keyword the plan does not take): the library decides.</summary>
    Unsure,
}

/// <summary>
/// One schema of the catalog, turned once into a tree of checks that walks a document without the library's evaluation
/// machinery (its evaluation paths, results and keyword dispatch cost ~0.2 ms per notification at each end:
/// docs/performance.md, 2026-12-07, sixth session). It is a fast path, never the authority: only
/// <see cref="PlanVerdict.Valid"/> is taken as the answer; anything else goes to JsonSchema.Net, which also explains every
/// refusal. So that a "valid" can be trusted, each leaf test is the library's own where it has one
/// (<see cref="JsonElementExtensions.GetSchemaValueType"/> for <c>type</c>, the registered <see cref="Formats"/>,
/// <c>IsEquivalentTo</c> for <c>const</c>, <c>enum</c> and <c>uniqueItems</c>), a regular expression built with the
/// library's options, and a number, length or pattern result that another reading of the keyword could turn around is
/// <see cref="PlanVerdict.Unsure"/> (which <c>not</c> and <c>if</c> keep unsure). A schema that uses any keyword the
/// plan does not know gets no plan at all. <c>SchemaPlanTests</c> runs the plan and the library side by side over the
/// shipped examples and generated mutations of them.
/// </summary>
public sealed class SchemaPlan
{
    private readonly Node _root;

    private SchemaPlan(Node root) => _root = root;

    /// <summary>The plan's verdict on a document; never throws (an exception inside a check is <see cref="PlanVerdict.Unsure"/>).</summary>
    public PlanVerdict Check(JsonElement document)
    {
        try
        {
            return _root.Run(document);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or OverflowException or ArgumentException or RegexMatchTimeoutException)
        {
            return PlanVerdict.Unsure;
        }
    }

    /// <summary>
    /// The plan of one file's schema, its <c>$ref</c>s resolved in the set (by file name, as the catalog's files name each
    /// other), or null where the schema uses anything the plan does not take.
    /// </summary>
    public static SchemaPlan? TryBuild(string fileName, IReadOnlyDictionary<string, JsonElement> files)
    {
        try
        {
            var builder = new Builder(files);
            return new SchemaPlan(builder.Build(fileName, ""));
        }
        catch (NotSupportedException)
        {
            return null;
        }
    }

    private static PlanVerdict And(PlanVerdict a, PlanVerdict b) =>
        a == PlanVerdict.Invalid || b == PlanVerdict.Invalid ? PlanVerdict.Invalid
        : a == PlanVerdict.Unsure || b == PlanVerdict.Unsure ? PlanVerdict.Unsure
        : PlanVerdict.Valid;

    private static PlanVerdict Of(bool valid) => valid ? PlanVerdict.Valid : PlanVerdict.Invalid;

    private abstract class Test
    {
        public abstract PlanVerdict Run(JsonElement instance);
    }

    /// <summary>A schema object: all of its keywords' tests, an invalid one deciding at once.</summary>
    private sealed class Node : Test
    {
        public Test[] Tests = [];

        public override PlanVerdict Run(JsonElement instance) => ByEach(Tests, instance);
    }

    /// <summary>One value by every test: the first invalid decides at once, else unsure if any is.</summary>
    private static PlanVerdict ByEach(Test[] tests, JsonElement value)
    {
        var verdict = PlanVerdict.Valid;
        foreach (var test in tests)
        {
            verdict = And(verdict, test.Run(value));
            if (verdict == PlanVerdict.Invalid)
                return verdict;
        }
        return verdict;
    }

    /// <summary>Every value by one test: the first invalid decides at once, else unsure if any is.</summary>
    private static PlanVerdict EachBy(Test test, IEnumerable<JsonElement> values)
    {
        var verdict = PlanVerdict.Valid;
        foreach (var value in values)
        {
            verdict = And(verdict, test.Run(value));
            if (verdict == PlanVerdict.Invalid)
                return verdict;
        }
        return verdict;
    }

    private sealed class Constant(PlanVerdict verdict) : Test
    {
        public override PlanVerdict Run(JsonElement instance) => verdict;
    }

    private sealed class TypeTest(SchemaValueType expected) : Test
    {
        public override PlanVerdict Run(JsonElement instance)
        {
            if (instance.ValueKind != JsonValueKind.Number)
                return Of(expected.HasFlag(instance.GetSchemaValueType()));
            if (expected.HasFlag(SchemaValueType.Number))
                return PlanVerdict.Valid;
            if (!expected.HasFlag(SchemaValueType.Integer))
                return PlanVerdict.Invalid;
            // What counts as an integer has differed between versions (1.0, 1e2, beyond 64 bits): only a plain integer
            // literal that fits in 64 bits is one for certain.
            return instance.TryGetInt64(out _) && PlainInteger(instance) ? PlanVerdict.Valid : PlanVerdict.Unsure;
        }

        private static bool PlainInteger(JsonElement number)
        {
            var text = number.GetRawText();
            return !text.Contains('.') && !text.Contains('e') && !text.Contains('E');
        }
    }

    private sealed class EqualsOneOf(JsonElement[] allowed) : Test
    {
        public override PlanVerdict Run(JsonElement instance)
        {
            foreach (var value in allowed)
                if (value.IsEquivalentTo(instance))
                    return PlanVerdict.Valid;
            return PlanVerdict.Invalid;
        }
    }

    private enum Bound { Minimum, Maximum, ExclusiveMinimum, ExclusiveMaximum }

    /// <summary>A limit on a number: decided only for a number whose decimal reading is exact, and where reading it as a
    /// double gives the same answer (library versions have compared either way).</summary>
    private sealed class NumberLimit : Test
    {
        private readonly Bound _bound;
        private readonly bool _hasDouble;
        private readonly double _double;
        private readonly bool _hasDecimal;
        private readonly decimal _decimal;

        public NumberLimit(Bound bound, JsonElement limit)
        {
            _bound = bound;
            _hasDouble = limit.TryGetDouble(out _double) && double.IsFinite(_double);
            _hasDecimal = limit.TryGetDecimal(out _decimal);
        }

        public override PlanVerdict Run(JsonElement instance)
        {
            if (instance.ValueKind != JsonValueKind.Number)
                return PlanVerdict.Valid;
            if (!_hasDouble || !_hasDecimal || !ExactAsDecimal(instance) || !instance.TryGetDouble(out var x) || !double.IsFinite(x)
                || !instance.TryGetDecimal(out var y))
                return PlanVerdict.Unsure;
            var byDouble = Holds(x.CompareTo(_double));
            var byDecimal = Holds(y.CompareTo(_decimal));
            return byDouble == byDecimal ? Of(byDouble) : PlanVerdict.Unsure;
        }

        /// <summary>A number written without an exponent in at most 28 significant digits: the decimal reading is its exact
        /// value (1e-400 is read as 0 as a decimal and as a double, though it is above 0).</summary>
        private static bool ExactAsDecimal(JsonElement number)
        {
            var text = number.GetRawText();
            if (text.AsSpan().IndexOfAny('e', 'E') >= 0)
                return false;
            var digits = 0;
            var leading = true;
            foreach (var c in text)
            {
                if (c is < '0' or > '9')
                    continue;
                if (leading && c == '0')
                    continue;
                leading = false;
                digits++;
            }
            return digits <= 28;
        }

        private bool Holds(int comparison) => _bound switch
        {
            Bound.Minimum => comparison >= 0,
            Bound.Maximum => comparison <= 0,
            Bound.ExclusiveMinimum => comparison > 0,
            _ => comparison < 0,
        };
    }

    /// <summary>A string's length: UTF-16 units, code points and text elements agree on any ASCII string; otherwise
    /// decided only where the three readings agree.</summary>
    private sealed class LengthLimit(bool minimum, long limit) : Test
    {
        public override PlanVerdict Run(JsonElement instance)
        {
            if (instance.ValueKind != JsonValueKind.String)
                return PlanVerdict.Valid;
            var text = instance.GetString()!;
            var byUnits = Holds(text.Length);
            if (Ascii.IsValid(text))
                return Of(byUnits);
            var byRunes = Holds(text.EnumerateRunes().Count());
            var byElements = Holds(new StringInfo(text).LengthInTextElements);
            return byUnits == byRunes && byRunes == byElements ? Of(byUnits) : PlanVerdict.Unsure;
        }

        private bool Holds(long length) => minimum ? length >= limit : length <= limit;
    }

    private sealed class CountLimit(JsonValueKind kind, bool minimum, long limit) : Test
    {
        public override PlanVerdict Run(JsonElement instance)
        {
            if (instance.ValueKind != kind)
                return PlanVerdict.Valid;
            long count = kind == JsonValueKind.Array ? instance.GetArrayLength() : instance.EnumerateObject().LongCount();
            return Of(minimum ? count >= limit : count <= limit);
        }
    }

    /// <summary>
    /// A pattern, with the library's options (ECMAScript). On a string with anything beyond ASCII the same pattern with
    /// .NET's default options must agree too (the two differ on such strings only), else the library decides.
    /// </summary>
    private sealed class PatternTest(string pattern) : Test
    {
        private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);
        private readonly Regex _ecma = new(pattern, RegexOptions.ECMAScript | RegexOptions.Compiled, Timeout);
        private readonly Regex _plain = new(pattern, RegexOptions.None, Timeout);

        public override PlanVerdict Run(JsonElement instance)
        {
            if (instance.ValueKind != JsonValueKind.String)
                return PlanVerdict.Valid;
            var text = instance.GetString()!;
            var ecma = _ecma.IsMatch(text);
            if (Ascii.IsValid(text))
                return Of(ecma);
            return ecma == _plain.IsMatch(text) ? Of(ecma) : PlanVerdict.Unsure;
        }
    }

    /// <summary>A format, by the library's own registered test. Beside each format the schemas say <c>"type": "string"</c>,
    /// which decides any other kind of value.</summary>
    private sealed class FormatTest(Format format) : Test
    {
        public override PlanVerdict Run(JsonElement instance) =>
            instance.ValueKind != JsonValueKind.String ? PlanVerdict.Unsure : Of(format.Validate(instance, out _));
    }

    private sealed class RequiredTest(string[] names) : Test
    {
        public override PlanVerdict Run(JsonElement instance)
        {
            if (instance.ValueKind != JsonValueKind.Object)
                return PlanVerdict.Valid;
            foreach (var name in names)
                if (!instance.TryGetProperty(name, out _))
                    return PlanVerdict.Invalid;
            return PlanVerdict.Valid;
        }
    }

    /// <summary><c>properties</c> and <c>additionalProperties</c> (either may be absent) in one walk of the object's members.</summary>
    private sealed class PropertiesTest(Dictionary<string, Test> properties, Test? additional) : Test
    {
        public override PlanVerdict Run(JsonElement instance)
        {
            if (instance.ValueKind != JsonValueKind.Object)
                return PlanVerdict.Valid;
            var verdict = PlanVerdict.Valid;
            foreach (var member in instance.EnumerateObject())
            {
                var test = properties.TryGetValue(member.Name, out var declared) ? declared : additional;
                if (test is null)
                    continue;
                verdict = And(verdict, test.Run(member.Value));
                if (verdict == PlanVerdict.Invalid)
                    return verdict;
            }
            return verdict;
        }
    }

    private sealed class PropertyNamesTest(Test names) : Test
    {
        public override PlanVerdict Run(JsonElement instance) =>
            instance.ValueKind != JsonValueKind.Object
                ? PlanVerdict.Valid
                : EachBy(names, instance.EnumerateObject().Select(member => JsonSerializer.SerializeToElement(member.Name)));
    }

    private sealed class ItemsTest(Test items) : Test
    {
        public override PlanVerdict Run(JsonElement instance) =>
            instance.ValueKind != JsonValueKind.Array ? PlanVerdict.Valid : EachBy(items, instance.EnumerateArray());
    }

    /// <summary>Unique items, compared by the library's equivalence; decided for arrays of strings, booleans and nulls only
    /// (numbers and structures: the library decides).</summary>
    private sealed class UniqueItemsTest : Test
    {
        public override PlanVerdict Run(JsonElement instance)
        {
            if (instance.ValueKind != JsonValueKind.Array)
                return PlanVerdict.Valid;
            var items = new List<JsonElement>(instance.GetArrayLength());
            foreach (var item in instance.EnumerateArray())
            {
                if (item.ValueKind is not (JsonValueKind.String or JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null))
                    return PlanVerdict.Unsure;
                foreach (var earlier in items)
                    if (earlier.IsEquivalentTo(item))
                        return PlanVerdict.Invalid;
                items.Add(item);
            }
            return PlanVerdict.Valid;
        }
    }

    private sealed class AllOfTest(Test[] all) : Test
    {
        public override PlanVerdict Run(JsonElement instance) => ByEach(all, instance);
    }

    private sealed class NotTest(Test inner) : Test
    {
        public override PlanVerdict Run(JsonElement instance) => inner.Run(instance) switch
        {
            PlanVerdict.Valid => PlanVerdict.Invalid,
            PlanVerdict.Invalid => PlanVerdict.Valid,
            _ => PlanVerdict.Unsure,
        };
    }

    private sealed class IfTest(Test condition, Test? then, Test? otherwise) : Test
    {
        public override PlanVerdict Run(JsonElement instance) => condition.Run(instance) switch
        {
            PlanVerdict.Valid => then?.Run(instance) ?? PlanVerdict.Valid,
            PlanVerdict.Invalid => otherwise?.Run(instance) ?? PlanVerdict.Valid,
            _ => PlanVerdict.Unsure,
        };
    }

    /// <summary>Builds the tests of a schema set once, each subschema once (a <c>$ref</c> shares its target's node).</summary>
    private sealed class Builder(IReadOnlyDictionary<string, JsonElement> files)
    {
        private const string Draft202012 = "https://json-schema.org/draft/2020-12/schema";
        private readonly Dictionary<(string File, string Pointer), Node> _built = [];

        // Keywords that only annotate: no effect on a verdict.
        private static readonly HashSet<string> Annotations = ["$schema", "$id", "$defs", "$comment", "title", "description", "examples", "default", "deprecated", "readOnly", "writeOnly"];

        public Node Build(string file, string pointer)
        {
            if (_built.TryGetValue((file, pointer), out var done))
                return done;
            if (!files.TryGetValue(file, out var document))
                throw new NotSupportedException($"No schema file {file}.");
            var node = new Node();
            _built[(file, pointer)] = node;
            var schema = Navigate(document, pointer);
            node.Tests = Tests(file, pointer, schema);
            return node;
        }

        private Test[] Tests(string file, string pointer, JsonElement schema)
        {
            if (schema.ValueKind == JsonValueKind.True)
                return [];
            if (schema.ValueKind == JsonValueKind.False)
                return [new Constant(PlanVerdict.Invalid)];
            if (schema.ValueKind != JsonValueKind.Object)
                throw new NotSupportedException("A schema is an object or a boolean.");

            var tests = new List<Test>();
            Dictionary<string, Test>? properties = null;
            Test? additional = null;
            Test? condition = null, then = null, otherwise = null;
            foreach (var keyword in schema.EnumerateObject())
            {
                var at = pointer + "/" + Escape(keyword.Name);
                var value = keyword.Value;
                switch (keyword.Name)
                {
                    case "$schema" when pointer.Length == 0 && value.ValueEquals(Draft202012):
                    case "$id" when pointer.Length == 0:
                    case "$defs":
                        break;
                    case "$schema" or "$id":
                        throw new NotSupportedException("A nested $id or another draft.");
                    case var name when Annotations.Contains(name):
                        break;
                    case "$ref":
                        tests.Add(Reference(file, value.GetString() ?? throw new NotSupportedException("$ref")));
                        break;
                    case "type":
                        tests.Add(new TypeTest(TypeOf(value)));
                        break;
                    case "const":
                        tests.Add(new EqualsOneOf([value.Clone()]));
                        break;
                    case "enum":
                        tests.Add(new EqualsOneOf(value.EnumerateArray().Select(v => v.Clone()).ToArray()));
                        break;
                    case "minimum":
                        tests.Add(new NumberLimit(Bound.Minimum, Number(value)));
                        break;
                    case "maximum":
                        tests.Add(new NumberLimit(Bound.Maximum, Number(value)));
                        break;
                    case "exclusiveMinimum":
                        tests.Add(new NumberLimit(Bound.ExclusiveMinimum, Number(value)));
                        break;
                    case "exclusiveMaximum":
                        tests.Add(new NumberLimit(Bound.ExclusiveMaximum, Number(value)));
                        break;
                    case "minLength":
                        tests.Add(new LengthLimit(true, Count(value)));
                        break;
                    case "maxLength":
                        tests.Add(new LengthLimit(false, Count(value)));
                        break;
                    case "minItems":
                        tests.Add(new CountLimit(JsonValueKind.Array, true, Count(value)));
                        break;
                    case "maxItems":
                        tests.Add(new CountLimit(JsonValueKind.Array, false, Count(value)));
                        break;
                    case "minProperties":
                        tests.Add(new CountLimit(JsonValueKind.Object, true, Count(value)));
                        break;
                    case "maxProperties":
                        tests.Add(new CountLimit(JsonValueKind.Object, false, Count(value)));
                        break;
                    case "pattern":
                        tests.Add(new PatternTest(value.GetString() ?? throw new NotSupportedException("pattern")));
                        break;
                    case "format":
                        tests.Add(new FormatTest(KnownFormat(value.GetString())));
                        break;
                    case "required":
                        tests.Add(new RequiredTest(value.EnumerateArray().Select(v => v.GetString() ?? throw new NotSupportedException("required")).ToArray()));
                        break;
                    case "properties":
                        properties = value.EnumerateObject().ToDictionary(p => p.Name, p => (Test)Build(file, at + "/" + Escape(p.Name)), StringComparer.Ordinal);
                        break;
                    case "additionalProperties":
                        additional = Build(file, at);
                        break;
                    case "propertyNames":
                        tests.Add(new PropertyNamesTest(Build(file, at)));
                        break;
                    case "items" when value.ValueKind is JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False:
                        tests.Add(new ItemsTest(Build(file, at)));
                        break;
                    case "uniqueItems" when value.ValueKind is JsonValueKind.True:
                        tests.Add(new UniqueItemsTest());
                        break;
                    case "uniqueItems" when value.ValueKind is JsonValueKind.False:
                        break;
                    case "allOf":
                        tests.Add(new AllOfTest(value.EnumerateArray().Select((_, i) => (Test)Build(file, at + "/" + i.ToString(CultureInfo.InvariantCulture))).ToArray()));
                        break;
                    case "not":
                        tests.Add(new NotTest(Build(file, at)));
                        break;
                    case "if":
                        condition = Build(file, at);
                        break;
                    case "then":
                        then = Build(file, at);
                        break;
                    case "else":
                        otherwise = Build(file, at);
                        break;
                    default:
                        throw new NotSupportedException($"The plan does not take '{keyword.Name}'.");
                }
            }
            if (properties is not null || additional is not null)
                tests.Add(new PropertiesTest(properties ?? new Dictionary<string, Test>(StringComparer.Ordinal), additional));
            // An 'if' without 'then' or 'else' decides nothing.
            if (condition is not null && (then is not null || otherwise is not null))
                tests.Add(new IfTest(condition, then, otherwise));
            return [.. tests];
        }

        /// <summary>A reference within the set: <c>#/…</c> in the same file, or <c>file.schema.json#/…</c> beside it.</summary>
        private Node Reference(string file, string reference)
        {
            var hash = reference.IndexOf('#', StringComparison.Ordinal);
            var target = hash < 0 ? reference : reference[..hash];
            var fragment = hash < 0 ? "" : reference[(hash + 1)..];
            if (target.Length > 0 && (target.Contains('/') || target.Contains(':') || !files.ContainsKey(target)))
                throw new NotSupportedException($"$ref {reference} leaves the set.");
            if (fragment.Length > 0 && (fragment[0] != '/' || fragment.Contains('%')))
                throw new NotSupportedException($"$ref {reference}: only plain JSON Pointers.");
            return Build(target.Length == 0 ? file : target, fragment);
        }

        private static JsonElement Navigate(JsonElement document, string pointer)
        {
            var node = document;
            foreach (var raw in pointer.Split('/').Skip(1))
            {
                var segment = raw.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
                if (node.ValueKind == JsonValueKind.Object && node.TryGetProperty(segment, out var child))
                    node = child;
                else if (node.ValueKind == JsonValueKind.Array && int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < node.GetArrayLength())
                    node = node[index];
                else
                    throw new NotSupportedException($"No {pointer} in the schema.");
            }
            return node;
        }

        private static string Escape(string name) => name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

        private static SchemaValueType TypeOf(JsonElement value)
        {
            var names = value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().Select(v => v.GetString()).ToArray() : [value.GetString()];
            SchemaValueType type = 0;
            foreach (var name in names)
                type |= name switch
                {
                    "object" => SchemaValueType.Object,
                    "array" => SchemaValueType.Array,
                    "string" => SchemaValueType.String,
                    "number" => SchemaValueType.Number,
                    "integer" => SchemaValueType.Integer,
                    "boolean" => SchemaValueType.Boolean,
                    "null" => SchemaValueType.Null,
                    _ => throw new NotSupportedException($"type {name}"),
                };
            return type;
        }

        private static JsonElement Number(JsonElement value) =>
            value.ValueKind == JsonValueKind.Number ? value.Clone() : throw new NotSupportedException("A limit is a number.");

        private static long Count(JsonElement value) =>
            value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var count) && count >= 0 ? count : throw new NotSupportedException("A count is a non-negative integer.");

        private static Format KnownFormat(string? name)
        {
            var format = FormatRegistry.Global.Get(name ?? throw new NotSupportedException("format"));
            // An unknown name gives a format that fails everything when formats are required: the library decides those.
            return format.Key == name && name is "date-time" or "uuid" or "uri" or "date" or "time" or "email" or "hostname" or "ipv4" or "ipv6" or "uri-reference" or "duration"
                ? format
                : throw new NotSupportedException($"format {name}");
        }
    }
}
