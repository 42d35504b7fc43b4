using System.Collections.Immutable;
using System.Reflection;
using System.Text.Json;
using Json.Schema;
using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Validation;
using LaunchNotify.Protocol.Json;

namespace LaunchNotify.Protocol.Schemas;

/// <summary>
/// The agreed JSON Schemas (<c>schemas/v1</c>), built once, checking documents before any agreement rule sees them.
/// Every failure becomes a <see cref="ValidationError"/> with a stable <c>SCHEMA_*</c> code and a JSON Pointer.
/// </summary>
public sealed class SchemaCatalog
{
    public const string AgreementSchema = "agreement";
    private const string BaseUri = "https://launchnotify.example/schemas/v1/";

    private static readonly Lazy<SchemaCatalog> Embedded = new(LoadEmbedded);

    private readonly Dictionary<string, JsonSchema> _schemas;
    // The schemas' own text, to read a failing keyword's value (a limit, the allowed values) into an error's arguments.
    private readonly Dictionary<string, JsonElement> _texts = new(StringComparer.Ordinal);
    // The fast path: each schema as a plan of checks whose "valid" is taken as the answer; anything else goes to the
    // library (SchemaPlan; docs/performance.md, 2026-12-07, sixth session). A schema the plan cannot take has none.
    private readonly Dictionary<string, SchemaPlan?> _plans = new(StringComparer.Ordinal);
    // Most documents are valid: the flag output only says valid or not, without building the tree of results (about
    // half the CPU of the hierarchical output). Only an invalid document is evaluated again, hierarchically, for its
    // coded errors (docs/performance.md, 2026-12-06).
    private readonly EvaluationOptions _flag = new()
    {
        OutputFormat = OutputFormat.Flag,
        RequireFormatValidation = true,
    };

    private readonly EvaluationOptions _evaluation = new()
    {
        OutputFormat = OutputFormat.Hierarchical,
        RequireFormatValidation = true,
    };

    private SchemaCatalog(IEnumerable<(string FileName, string Text)> files)
    {
        var build = new BuildOptions { SchemaRegistry = new SchemaRegistry() };
        var all = files.ToList();
        _schemas = [];
        foreach (var (fileName, text) in all.OrderBy(f => f.FileName.StartsWith("common", StringComparison.Ordinal) ? 0 : 1))
        {
            var schema = JsonSchema.FromText(text, build, new Uri(BaseUri + fileName));
            _schemas[fileName.Replace(".schema.json", "", StringComparison.Ordinal)] = schema;
            using (var document = JsonDocument.Parse(text))
                _texts[fileName] = document.RootElement.Clone();
        }
        if (!_schemas.ContainsKey("common"))
            throw new InvalidOperationException("common.schema.json is missing from the schema set.");
        foreach (var fileName in _texts.Keys)
            _plans[fileName.Replace(".schema.json", "", StringComparison.Ordinal)] = SchemaPlan.TryBuild(fileName, _texts);
    }

    /// <summary>The schemas built into this assembly from the repository's <c>schemas/v1</c>.</summary>
    public static SchemaCatalog Default => Embedded.Value;

    /// <summary>Builds the catalog from a folder (e.g. the repository's <c>schemas/v1</c>), to check the files themselves.</summary>
    public static SchemaCatalog FromDirectory(string directory) =>
        new(Directory.GetFiles(directory, "*.schema.json").Select(f => (Path.GetFileName(f), File.ReadAllText(f))));

    private static SchemaCatalog LoadEmbedded()
    {
        var assembly = typeof(SchemaCatalog).Assembly;
        return new SchemaCatalog(assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("schemas/v1/", StringComparison.Ordinal))
            .Select(n => (n["schemas/v1/".Length..], ReadResource(assembly, n))));
    }

    internal static string ReadResource(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name) ?? throw new InvalidOperationException($"Resource {name} missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public IReadOnlyCollection<string> Names => _schemas.Keys;

    /// <summary>Checks a message: well-formed JSON, a known <c>kind</c>, then that kind's schema.</summary>
    public ValidationResult ValidateMessage(ReadOnlySpan<byte> utf8Json)
    {
        if (!JsonText.TryParse(utf8Json.ToArray(), out var document, out var parseError))
            return new ValidationResult([parseError!]);
        using (document)
            return ValidateMessage(document!.RootElement);
    }

    /// <summary>Checks a message already read by <see cref="JsonText.TryParse"/>: a known <c>kind</c>, then that kind's schema.</summary>
    public ValidationResult ValidateMessage(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
            return Single("SCHEMA_TYPE", "schema:type", "", "A message must be a JSON object.", RuleArgs.Of((RuleArgs.Form, "notObject")));
        if (!root.TryGetProperty("kind", out var kindElement) || kindElement.ValueKind != JsonValueKind.String)
            return Single("MESSAGE_KIND_MISSING", "schema:kind", "/kind", "The message has no 'kind' (prenotification, amendment, cancellation, postlaunch, receipt, heartbeat or acknowledgement).",
                RuleArgs.Of(("kinds", MessageKindList)));
        var kind = kindElement.GetString();
        if (!MessageKinds.TryParse(kind, out _))
            return Single("MESSAGE_KIND_UNKNOWN", "schema:kind", "/kind", $"Unknown message kind '{Shorten(kind)}'; expected prenotification, amendment, cancellation, postlaunch, receipt, heartbeat or acknowledgement.",
                RuleArgs.Of(("value", Shorten(kind) ?? ""), ("kinds", MessageKindList)));
        return Evaluate(kind!, root);
    }

    /// <summary>The kinds a message may have, as the <c>kinds</c> argument of an error.</summary>
    public static readonly string MessageKindList = string.Join(",", Enum.GetValues<MessageKind>().Select(k => k.WireName()));

    private static string? Shorten(string? text) => text is { Length: > 40 } ? text[..40] + "…" : text;

    /// <summary>Checks a document against one named schema (e.g. <see cref="AgreementSchema"/>).</summary>
    public ValidationResult Validate(string schemaName, ReadOnlySpan<byte> utf8Json)
    {
        if (!JsonText.TryParse(utf8Json.ToArray(), out var document, out var parseError))
            return new ValidationResult([parseError!]);
        using (document)
            return Evaluate(schemaName, document!.RootElement);
    }

    private ValidationResult Evaluate(string schemaName, JsonElement root)
    {
        if (!_schemas.TryGetValue(schemaName, out var schema))
            throw new ArgumentException($"No schema named '{schemaName}'.", nameof(schemaName));
        if (_plans.GetValueOrDefault(schemaName)?.Check(root) == PlanVerdict.Valid)
            return ValidationResult.Valid;
        if (schema.Evaluate(root, _flag).IsValid)
            return ValidationResult.Valid;
        // The flag's verdict stands; the hierarchical pass only explains it.
        var results = schema.Evaluate(root, _evaluation);
        var failures = new List<(ValidationError Error, string Keyword, Uri Location)>();
        Collect(schemaName, results, failures, new HashSet<(string, string)>());
        var errors = failures.Select(f => f.Error with { Args = Arguments(f.Error.Path, f.Keyword, f.Location, root) }).ToList();
        if (errors.Count == 0)
            errors.Add(new ValidationError("SCHEMA_INVALID", $"{schemaName}.schema.json", "", "The document does not match its schema.") { Args = RuleArgs.None });
        return new ValidationResult(errors);
    }

    /// <summary>The fast plan's verdict on a document, or null where the schema has no plan (for the tests that hold the
    /// plan to the library).</summary>
    public PlanVerdict? PlanVerdictOf(string schemaName, JsonElement root) => _plans.GetValueOrDefault(schemaName)?.Check(root);

    /// <summary>The library's verdict alone (JsonSchema.Net, flag output), without the plan.</summary>
    public bool LibraryVerdictOf(string schemaName, JsonElement root) =>
        (_schemas.TryGetValue(schemaName, out var schema) ? schema : throw new ArgumentException($"No schema named '{schemaName}'.", nameof(schemaName)))
            .Evaluate(root, _flag).IsValid;

    /// <summary>Walks only the failing branches: a failure inside a passing <c>not</c> or <c>if</c> is no error.</summary>
    private static void Collect(string schemaName, EvaluationResults node, List<(ValidationError, string, Uri)> errors, HashSet<(string, string)> seen)
    {
        if (node.IsValid)
            return;
        if (node.Errors is not null)
        {
            var path = node.InstanceLocation.ToString();
            var schemaPointer = node.SchemaLocation.Fragment;
            foreach (var (reportedKeyword, message) in node.Errors)
            {
                // A "false" subschema (additionalProperties: false) reports with no keyword of its own.
                var keyword = reportedKeyword.Length > 0 ? reportedKeyword : LastSegment(node.EvaluationPath.ToString());
                if (seen.Add((keyword, path)))
                    errors.Add((new ValidationError(CodeFor(keyword), $"{schemaName}.schema.json:{keyword}", path, Explain(keyword, path, schemaPointer, message)),
                        keyword, node.SchemaLocation));
            }
        }
        foreach (var child in node.Details ?? [])
        {
            switch (LastSegment(child.EvaluationPath.ToString()))
            {
                case "if":
                    // A failing 'if' only picks 'else'; it is never an error of its own.
                    continue;
                case "not":
                    // The library records no error for a failing 'not': its subschema passing is the failure.
                    if (child.IsValid && seen.Add(("not", node.InstanceLocation.ToString())))
                    {
                        var path = node.InstanceLocation.ToString();
                        errors.Add((new ValidationError(CodeFor("not"), $"{schemaName}.schema.json:not", path,
                            Explain("not", path, node.SchemaLocation.Fragment, "it takes a form the schema forbids here")), "not", node.SchemaLocation));
                    }
                    continue;
                default:
                    Collect(schemaName, child, errors, seen);
                    break;
            }
        }
    }

    private static string LastSegment(string pointer)
    {
        var segments = pointer.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments.Length == 0 ? "false" : segments[^1];
    }

    private static string CodeFor(string keyword) => keyword switch
    {
        "required" => "SCHEMA_REQUIRED",
        "additionalProperties" or "unevaluatedProperties" or "false" => "SCHEMA_UNKNOWN_PROPERTY",
        "type" => "SCHEMA_TYPE",
        "enum" or "const" => "SCHEMA_VALUE_NOT_ALLOWED",
        "pattern" => "SCHEMA_PATTERN",
        "format" => "SCHEMA_FORMAT",
        "minimum" or "maximum" or "exclusiveMinimum" or "exclusiveMaximum" => "SCHEMA_OUT_OF_RANGE",
        "minItems" or "maxItems" => "SCHEMA_ITEM_COUNT",
        "minLength" or "maxLength" => "SCHEMA_LENGTH",
        "minProperties" or "maxProperties" => "SCHEMA_PROPERTY_COUNT",
        "uniqueItems" => "SCHEMA_DUPLICATE_ITEMS",
        _ => "SCHEMA_" + string.Concat(keyword.Select(c => char.IsUpper(c) ? "_" + c : char.ToUpperInvariant(c).ToString())),
    };

    /// <summary>Hints for the shared definitions, so a person knows what the value should look like.</summary>
    private static readonly (string Def, string Hint)[] Hints =
    [
        ("/$defs/instant", "an RFC 3339 instant in UTC ending in 'Z', e.g. 2026-11-24T09:00:00Z"),
        ("/$defs/centreCode", "a centre code of two upper-case letters (ISO 3166-1 alpha-2), e.g. RU"),
        ("/$defs/agreementId", "an agreement id of lower-case words joined by hyphens, e.g. us-ru-bmlna-1988"),
        ("/$defs/uuid", "a UUID other than the all-zero one, e.g. 5b0d7a52-3c1e-4a7f-9a51-0f2f4c1d2e3a"),
        ("/$defs/missileClass", "one of ICBM, SLBM, IRBM, MRBM, SRBM, SLV, BALLISTIC"),
        ("/$defs/azimuthDeg", "an azimuth in degrees from 0 up to (not including) 360"),
    ];

    private static string Explain(string keyword, string path, string schemaPointer, string message)
    {
        var where = path.Length == 0 ? "The document" : $"'{path}'";
        if (keyword is "additionalProperties" or "unevaluatedProperties" or "false")
            return $"{where} is not a property this message may carry; remove it or check its spelling.";
        foreach (var (def, hint) in Hints)
        {
            if (schemaPointer.Contains(def, StringComparison.Ordinal))
                return $"{where} must be {hint} ({message}).";
        }
        return $"{where}: {message}";
    }

    private static ValidationResult Single(string code, string rule, string path, string message, ImmutableSortedDictionary<string, string> args) =>
        new([new ValidationError(code, rule, path, message) { Args = args }]);

    // ---- an error's language-free arguments (docs/glossary.md, "Other errors") ----

    /// <summary>
    /// The figures of a schema error, read from the failing keyword's value in the schema's own text: the missing
    /// properties, the allowed values, the limit, the pattern or format, or the shared definition's hint. Null where the
    /// keyword's value cannot be read: then the keyword's name.
    /// </summary>
    private ImmutableSortedDictionary<string, string> Arguments(string path, string keyword, Uri uri, JsonElement root)
    {
        var at = ("at", path);
        if (keyword is "additionalProperties" or "unevaluatedProperties" or "false" or "not" or "uniqueItems")
            return RuleArgs.Of(at);
        foreach (var (def, _) in Hints)
        {
            if (uri.Fragment.Contains(def, StringComparison.Ordinal))
                return RuleArgs.Of((RuleArgs.Form, "hint"), at, ("hint", def["/$defs/".Length..]));
        }
        var file = uri.Segments.Length > 0 ? uri.Segments[^1] : "";
        if (!_texts.TryGetValue(file, out var text) || Navigate(text, Uri.UnescapeDataString(uri.Fragment.TrimStart('#'))) is not { } schema
            || schema.ValueKind != JsonValueKind.Object || !schema.TryGetProperty(keyword, out var value))
            return RuleArgs.Of((RuleArgs.Form, "keyword"), at, ("keyword", keyword));
        switch (keyword)
        {
            case "required" when value.ValueKind == JsonValueKind.Array:
                var instance = Navigate(root, path);
                var missing = value.EnumerateArray().Select(v => v.GetString() ?? "")
                    .Where(name => instance is not { ValueKind: JsonValueKind.Object } o || !o.TryGetProperty(name, out _));
                return RuleArgs.Of(at, ("properties", string.Join(", ", missing)));
            case "type":
                return RuleArgs.Of(at, ("types", value.ValueKind == JsonValueKind.Array
                    ? string.Join(",", value.EnumerateArray().Select(t => t.GetString())) : value.GetString() ?? ""));
            case "enum" when value.ValueKind == JsonValueKind.Array:
                return RuleArgs.Of(at, ("allowed", string.Join(", ", value.EnumerateArray().Select(Literal))));
            case "const":
                return RuleArgs.Of(at, ("allowed", Literal(value)));
            case "pattern" or "format" when value.ValueKind == JsonValueKind.String:
                return RuleArgs.Of(at, (keyword, value.GetString()!));
            case "minimum" or "maximum" or "exclusiveMinimum" or "exclusiveMaximum" or "minItems" or "maxItems"
                or "minLength" or "maxLength" or "minProperties" or "maxProperties" when value.TryGetDouble(out var limit):
                return RuleArgs.Of((RuleArgs.Form, keyword), at, ("limit", RuleArgs.Of(limit)));
            default:
                return RuleArgs.Of((RuleArgs.Form, "keyword"), at, ("keyword", keyword));
        }
    }

    private static string Literal(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();

    /// <summary>The element a JSON Pointer names (RFC 6901), or null.</summary>
    private static JsonElement? Navigate(JsonElement element, string pointer)
    {
        foreach (var raw in pointer.Split('/').Skip(1))
        {
            var token = raw.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty(token, out var child))
                element = child;
            else if (element.ValueKind == JsonValueKind.Array && int.TryParse(token, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var i) && i < element.GetArrayLength())
                element = element[i];
            else
                return null;
        }
        return element;
    }
}
