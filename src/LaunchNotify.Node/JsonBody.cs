using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;
using LaunchNotify.Domain.Validation;

namespace LaunchNotify.Node;

/// <summary>
/// Reads a JSON object that came from outside (an API body) completely and once, so that nothing read from it later
/// can throw: System.Text.Json parses lazily, and an invalid UTF-8 sequence, a lone surrogate escape or a duplicate key
/// would otherwise surface as an exception at first access, deep in whatever looks at the document.
/// </summary>
public static class JsonBody
{
    /// <summary>Nesting deeper than this is refused (no message of the protocol comes near it).</summary>
    public const int MaxDepth = 32;

    private static readonly JsonDocumentOptions Options = new() { MaxDepth = MaxDepth, AllowDuplicateProperties = true };

    /// <summary>
    /// The document as a JSON object, or the first reason it is not one: not UTF-8, not well-formed, nested too deep,
    /// not an object, a key given twice, a string that is not Unicode text, a number that is not a finite double.
    /// </summary>
    /// <param name="rule">The rule name the errors cite (e.g. <c>json</c>, <c>node/alarms</c>).</param>
    /// <param name="shape">What to send instead, said when the body is empty or not an object.</param>
    public static (JsonObject? Document, ValidationError? Error) ParseObject(ReadOnlyMemory<byte> utf8, string rule, string shape)
    {
        if (utf8.IsEmpty)
            return (null, new ValidationError("BODY_EMPTY", rule, "", $"The body is empty. {shape}"));
        if (!Utf8.IsValid(utf8.Span))
            return (null, new ValidationError("ENCODING_INVALID", rule, "", "The body is not valid UTF-8; send JSON encoded as UTF-8 (RFC 8259)."));
        if (utf8.Span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            return (null, new ValidationError("JSON_MALFORMED", rule, "", "The body starts with a byte order mark; send UTF-8 JSON without one (RFC 8259 §8.1)."));

        using var document = Parse(utf8, rule, out var parseError);
        if (document is null)
            return (null, parseError);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
            return (null, new ValidationError("JSON_NOT_OBJECT", rule, "", $"The body is a JSON {document.RootElement.ValueKind.ToString().ToLowerInvariant()}, not an object. {shape}"));
        if (Check(document.RootElement, "", rule) is { } error)
            return (null, error);
        return (JsonObject.Create(document.RootElement.Clone()), null);
    }

    private static JsonDocument? Parse(ReadOnlyMemory<byte> utf8, string rule, out ValidationError? error)
    {
        error = null;
        try
        {
            return JsonDocument.Parse(utf8, Options);
        }
        catch (JsonException e)
        {
            error = new ValidationError("JSON_MALFORMED", rule, "", $"Not well-formed JSON: {e.Message}");
            return null;
        }
    }

    /// <summary>Visits every value once; the first problem found, with its JSON Pointer.</summary>
    private static ValidationError? Check(JsonElement element, string path, string rule)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var names = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    if (!TryReadString(() => property.Name, out var name))
                        return new ValidationError("STRING_INVALID", rule, path, "A key is not Unicode text (a lone surrogate escape such as \\ud800).");
                    var at = path + "/" + name.Replace("~", "~0").Replace("/", "~1");
                    if (!names.Add(name))
                        return new ValidationError("JSON_DUPLICATE_KEY", rule, at, $"The key \"{name}\" is given twice in one object; give each key once.");
                    if (Check(property.Value, at, rule) is { } inner)
                        return inner;
                }
                return null;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (Check(item, $"{path}/{index++}", rule) is { } inner)
                        return inner;
                }
                return null;
            case JsonValueKind.String:
                return TryReadString(element.GetString, out _)
                    ? null
                    : new ValidationError("STRING_INVALID", rule, path, "The string is not Unicode text (a lone surrogate escape such as \\ud800).");
            case JsonValueKind.Number:
                return element.TryGetDouble(out var number) && double.IsFinite(number)
                    ? null
                    : new ValidationError("NUMBER_OUT_OF_RANGE", rule, path, $"The number {element.GetRawText()} is too large for any field of the protocol.");
            default:
                return null;
        }
    }

    /// <summary>System.Text.Json has no TryGetString: an escape that decodes to a lone surrogate is only found by reading it.</summary>
    private static bool TryReadString(Func<string?> read, out string value)
    {
        try
        {
            value = read() ?? "";
            return true;
        }
        catch (InvalidOperationException)
        {
            value = "";
            return false;
        }
    }
}
