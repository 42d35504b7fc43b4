using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LaunchNotify.Storage.Audit;

/// <summary>
/// JSON in the canonical form of RFC 8785 (JCS) for the subset the audit log uses: objects, arrays, strings,
/// booleans, null and integers within ±(2^53 − 1). Keys sorted by UTF-16 code units, no white space, strings with
/// only <c>"</c>, <c>\</c> and control characters escaped (<c>\b \t \n \f \r</c>, else <c>\u00xx</c> lower case).
/// </summary>
/// <remarks>
/// Written here because no maintained .NET JCS package exists; leaving out fractional numbers (whose ECMAScript
/// formatting is the hard part of JCS) keeps it short, and any JCS library (e.g. npm <c>canonicalize</c>) produces
/// the same bytes for this subset, which the tests check against reference outputs.
/// </remarks>
public static class CanonicalJson
{
    public const long MaxSafeInteger = 9007199254740991;

    /// <summary>The canonical text of <paramref name="node"/>.</summary>
    /// <exception cref="FormatException">A fractional or too large number, or a string with a lone surrogate.</exception>
    public static string Serialize(JsonNode? node)
    {
        var text = new StringBuilder();
        Write(text, node);
        return text.ToString();
    }

    /// <summary>Parses JSON text and returns its canonical form.</summary>
    /// <exception cref="FormatException">Not JSON, or outside the subset.</exception>
    public static string Canonicalize(string json)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            throw new FormatException($"Not well-formed JSON: {e.Message}", e);
        }
        return Serialize(node);
    }

    /// <summary>True if <paramref name="json"/> is already exactly in canonical form.</summary>
    public static bool IsCanonical(string json)
    {
        try
        {
            return Canonicalize(json) == json;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    private static void Write(StringBuilder text, JsonNode? node)
    {
        switch (node)
        {
            case null:
                text.Append("null");
                break;
            case JsonObject obj:
                text.Append('{');
                var first = true;
                foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (!first)
                        text.Append(',');
                    first = false;
                    WriteString(text, key);
                    text.Append(':');
                    Write(text, value);
                }
                text.Append('}');
                break;
            case JsonArray array:
                text.Append('[');
                for (var i = 0; i < array.Count; i++)
                {
                    if (i > 0)
                        text.Append(',');
                    Write(text, array[i]);
                }
                text.Append(']');
                break;
            case JsonValue value:
                WriteValue(text, value);
                break;
        }
    }

    private static void WriteValue(StringBuilder text, JsonValue value)
    {
        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                string s;
                try
                {
                    s = value.GetValue<string>();
                }
                catch (InvalidOperationException e)
                {
                    // System.Text.Json refuses to decode a lone surrogate escape ("\ud800").
                    throw new FormatException($"A string cannot be read: {e.Message}", e);
                }
                WriteString(text, s);
                break;
            case JsonValueKind.True:
                text.Append("true");
                break;
            case JsonValueKind.False:
                text.Append("false");
                break;
            case JsonValueKind.Null:
                text.Append("null");
                break;
            case JsonValueKind.Number:
                text.Append(Integer(value).ToString(CultureInfo.InvariantCulture));
                break;
            default:
                throw new FormatException($"Cannot write a JSON value of kind {value.GetValueKind()}.");
        }
    }

    private static long Integer(JsonValue value)
    {
        // Through the JSON text, so that any CLR number type (and a parsed "1e3" or "5.0") is read alike.
        var raw = value.ToJsonString();
        long n;
        if (long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
            n = l;
        else if (decimal.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d == decimal.Truncate(d) && Math.Abs(d) <= MaxSafeInteger)
            n = (long)d;
        else
            throw new FormatException($"Audit details hold integers only; {value.ToJsonString()} is not one. Write it as a string.");
        if (Math.Abs(n) > MaxSafeInteger)
            throw new FormatException($"{n} is beyond ±(2^53 − 1), which JSON readers cannot hold exactly. Write it as a string.");
        return n;
    }

    /// <summary>A string as canonical JSON writes it, or <c>null</c>.</summary>
    internal static void WriteStringOrNull(StringBuilder text, string? s)
    {
        if (s is null)
            text.Append("null");
        else
            WriteString(text, s);
    }

    private static void WriteString(StringBuilder text, string s)
    {
        text.Append('"');
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\b': text.Append("\\b"); break;
                case '\f': text.Append("\\f"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                default:
                    if (c < 0x20)
                        text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
                        text.Append(c).Append(s[++i]);
                    else if (char.IsSurrogate(c))
                        throw new FormatException("A string holds a lone surrogate, which canonical JSON (I-JSON) does not allow.");
                    else
                        text.Append(c);
                    break;
            }
        }
        text.Append('"');
    }
}
