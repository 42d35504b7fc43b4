using System.Buffers;
using LaunchNotify.Domain.Validation;
using Microsoft.Net.Http.Headers;

namespace LaunchNotify.Publisher;

/// <summary>
/// What a request brings besides its route: the JSON body, read within the node's size limit, and query parameters,
/// each checked, so a handler gets values or a problem answer and never an exception from what a client sent.
/// </summary>
public static class RequestInput
{
    /// <summary>
    /// The body's bytes, at most <paramref name="maxBytes"/>, or the problem to answer: 413 when larger, 415 when a
    /// non-empty body is not <c>application/json</c> (or <c>+json</c>) in UTF-8, 400 when the body cannot be read.
    /// An empty body is returned as such: what it lacks is for the handler to say.
    /// </summary>
    public static async Task<(byte[]? Body, IResult? Problem)> ReadJsonAsync(HttpRequest request, int maxBytes, CancellationToken ct)
    {
        if (request.ContentLength > maxBytes)
            return (null, TooLarge($"{request.ContentLength} bytes", maxBytes));
        var buffer = new ArrayBufferWriter<byte>();
        try
        {
            while (true)
            {
                var read = await request.Body.ReadAsync(buffer.GetMemory(16 * 1024), ct);
                if (read == 0)
                    break;
                buffer.Advance(read);
                if (buffer.WrittenCount > maxBytes)
                    return (null, TooLarge($"more than {maxBytes} bytes", maxBytes));
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge("larger than the server's request limit", maxBytes));
        }
        catch (BadHttpRequestException e)
        {
            return (null, ApiProblems.Problem(e.StatusCode, "BODY_UNREADABLE", $"The body could not be read ({e.Message}); send it again, whole."));
        }
        if (buffer.WrittenCount > 0 && !IsJsonUtf8(request.ContentType))
            return (null, ApiProblems.Problem(StatusCodes.Status415UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE",
                $"The body is sent as '{ApiProblems.Shorten(request.ContentType ?? "(no Content-Type)")}'; send it as application/json (UTF-8).",
                [new ValidationError("UNSUPPORTED_MEDIA_TYPE", ApiProblems.Rule, "Content-Type", "Use Content-Type: application/json.")
                    { Args = RuleArgs.Of(("contentType", RuleArgs.Echo(request.ContentType ?? ""))) }]));
        return (buffer.WrittenSpan.ToArray(), null);
    }

    private static bool IsJsonUtf8(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var media))
            return false;
        var json = media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
                   || (media.MediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && media.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase));
        return json && (!media.Charset.HasValue || media.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase));
    }

    private static IResult TooLarge(string size, int maxBytes) =>
        ApiProblems.Problem(StatusCodes.Status413PayloadTooLarge, "BODY_TOO_LARGE",
            $"The body is {size}; this node accepts at most {maxBytes} bytes (LaunchNotify:MaxMessageBytes).", args: RuleArgs.Of(("max", RuleArgs.Of(maxBytes))));

    /// <summary>An optional <c>true</c>/<c>false</c> parameter, given at most once.</summary>
    public static bool Bool(IQueryCollection query, string name, bool absent, string rule, List<ValidationError> errors)
    {
        if (Single(query, name, rule, errors) is not { } text)
            return absent;
        if (bool.TryParse(text, out var value))
            return value;
        errors.Add(QueryError(rule, name, $"{name} '{ApiProblems.Shorten(text)}' must be true or false.", "boolean", text));
        return absent;
    }

    /// <summary>An optional whole number in <paramref name="min"/>..<paramref name="max"/>, given at most once.</summary>
    public static int Int(IQueryCollection query, string name, int min, int max, int absent, string rule, List<ValidationError> errors)
    {
        if (Single(query, name, rule, errors) is not { } text)
            return absent;
        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
            return value;
        errors.Add(QueryError(rule, name, $"{name} '{ApiProblems.Shorten(text)}' must be a whole number from {min} to {max}.", "range", text,
            ("min", RuleArgs.Of(min)), ("max", RuleArgs.Of(max))));
        return absent;
    }

    /// <summary>The parameter's one value (null when absent or empty); a parameter given twice is an error.</summary>
    public static string? Single(IQueryCollection query, string name, string rule, List<ValidationError> errors)
    {
        var values = query[name];
        if (values.Count > 1)
        {
            errors.Add(QueryError(rule, name, $"{name} is given {values.Count} times; give it once.", "repeated", null, ("count", RuleArgs.Of(values.Count))));
            return null;
        }
        return values.ToString() is { Length: > 0 } text ? text : null;
    }

    /// <summary>
    /// A bad query parameter: <c>QUERY_INVALID</c>, its English sentence, and its language-free arguments: the sentence's
    /// <paramref name="form"/> (<c>errorMessage.QUERY_INVALID.{form}</c> in the glossary), the parameter, the value sent
    /// (cut at 80 characters) and what the form needs besides.
    /// </summary>
    public static ValidationError QueryError(string rule, string name, string message, string form, string? value, params (string Name, string Value)[] more) =>
        new("QUERY_INVALID", rule, name, message)
        {
            Args = RuleArgs.Of([(RuleArgs.Form, form), ("parameter", name), .. value is null ? [] : new[] { ("value", RuleArgs.Echo(value)) }, .. more]),
        };

    /// <summary>400 with every bad parameter.</summary>
    public static IResult InvalidQuery(IReadOnlyList<ValidationError> errors) =>
        ApiProblems.Problem(StatusCodes.Status400BadRequest, "INVALID_QUERY", "The query is not valid: " + string.Join(" ", errors.Select(e => e.Message)), errors);
}
