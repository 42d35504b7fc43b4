using System.Text.Json;
using System.Text.Unicode;
using LaunchNotify.Domain.Validation;

namespace LaunchNotify.Protocol.Json;

/// <summary>
/// Reads untrusted bytes into a <see cref="JsonDocument"/> without an exception escaping: strict RFC 8259 (no comments,
/// no trailing commas, nothing after the value), no duplicate member names, at most <see cref="MaxDepth"/> levels, and
/// text that is valid Unicode (well-formed UTF-8, no lone surrogate escaped as <c>\ud800</c>), which the reader would
/// otherwise accept and throw on only later, when a string is read.
/// </summary>
public static class JsonText
{
    public const int MaxDepth = 32;

    public const string MalformedCode = "JSON_MALFORMED";
    public const string InvalidUnicodeCode = "JSON_INVALID_UNICODE";

    private static readonly JsonDocumentOptions Strict = new()
    {
        MaxDepth = MaxDepth,
        AllowDuplicateProperties = false,
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
    };

    /// <summary>The document, or the coded reason the bytes are not one. The caller disposes the document.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> utf8, out JsonDocument? document, out ValidationError? error)
    {
        document = null;
        if (InvalidUnicode(utf8.Span) is { } problem)
        {
            error = new ValidationError(InvalidUnicodeCode, "json", "", problem.Message) { Args = problem.Args };
            return false;
        }
        try
        {
            // JsonDocument has no TryParse: its JsonException is how it reports malformed text.
            document = JsonDocument.Parse(utf8, Strict);
            error = null;
            return true;
        }
        catch (JsonException e)
        {
            // The reader's place is zero-based; a person counts lines and bytes from 1.
            var args = e.LineNumber is { } line && e.BytePositionInLine is { } position
                ? RuleArgs.Of(("line", RuleArgs.Of(line + 1)), ("position", RuleArgs.Of(position + 1)))
                : RuleArgs.Of((RuleArgs.Form, "noPosition"));
            error = new ValidationError(MalformedCode, "json", "", $"Not well-formed JSON: {e.Message}") { Args = args };
            return false;
        }
    }

    /// <summary>
    /// Why the bytes are not valid Unicode JSON text, or null. Checks the raw UTF-8, then every <c>\u</c> escape: a
    /// high surrogate must be followed by an escaped low one, and a low one may not stand alone. A backslash outside a
    /// string is malformed JSON anyway, so a plain scan of escape pairs is enough.
    /// </summary>
    public static string? FindInvalidUnicode(ReadOnlySpan<byte> utf8) => InvalidUnicode(utf8)?.Message;

    /// <summary>
    /// <see cref="FindInvalidUnicode"/> with the reason's language-free arguments (its form: <c>utf8</c>,
    /// <c>lowSurrogate</c>, <c>highSurrogate</c>; the escape's byte <c>position</c>), for a reader's language.
    /// </summary>
    public static (string Message, System.Collections.Immutable.ImmutableSortedDictionary<string, string> Args)? InvalidUnicode(ReadOnlySpan<byte> utf8)
    {
        if (!Utf8.IsValid(utf8))
            return ("The text is not well-formed UTF-8 (RFC 8259 §8.1); send it as UTF-8.", RuleArgs.Of((RuleArgs.Form, "utf8")));
        for (var i = utf8.IndexOf((byte)'\\'); i >= 0 && i < utf8.Length; )
        {
            if (i + 1 >= utf8.Length)
                return null;
            if (utf8[i + 1] != (byte)'u' || !TryHex4(utf8, i + 2, out var unit))
            {
                i = Next(utf8, i + 2);
                continue;
            }
            if (unit is >= 0xDC00 and <= 0xDFFF)
                return ($"The escape at byte {i} is a lone low surrogate (\\u{unit:x4}); strings must be valid Unicode (RFC 8259 §8.2).",
                    RuleArgs.Of((RuleArgs.Form, "lowSurrogate"), ("position", RuleArgs.Of(i)), ("value", $"\\u{unit:x4}")));
            if (unit is >= 0xD800 and <= 0xDBFF)
            {
                var low = i + 6;
                if (low + 1 < utf8.Length && utf8[low] == (byte)'\\' && utf8[low + 1] == (byte)'u' && TryHex4(utf8, low + 2, out var pair) && pair is >= 0xDC00 and <= 0xDFFF)
                {
                    i = Next(utf8, low + 6);
                    continue;
                }
                return ($"The escape at byte {i} is a lone high surrogate (\\u{unit:x4}); strings must be valid Unicode (RFC 8259 §8.2).",
                    RuleArgs.Of((RuleArgs.Form, "highSurrogate"), ("position", RuleArgs.Of(i)), ("value", $"\\u{unit:x4}")));
            }
            i = Next(utf8, i + 6);
        }
        return null;
    }

    private static int Next(ReadOnlySpan<byte> utf8, int from)
    {
        if (from >= utf8.Length)
            return -1;
        var at = utf8[from..].IndexOf((byte)'\\');
        return at < 0 ? -1 : from + at;
    }

    private static bool TryHex4(ReadOnlySpan<byte> utf8, int at, out int value)
    {
        value = 0;
        if (at + 4 > utf8.Length)
            return false;
        for (var k = 0; k < 4; k++)
        {
            var digit = HexValue(utf8[at + k]);
            if (digit < 0)
                return false;
            value = (value << 4) | digit;
        }
        return true;
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };
}
