using System.Text.Json;
using System.Text.Json.Nodes;
using LaunchNotify.Domain.Validation;
using LaunchNotify.Protocol.Json;

namespace LaunchNotify.Node;

/// <summary>
/// An API body read as a JSON object through the protocol's strict, total reader (<see cref="JsonText"/>: UTF-8 and
/// surrogate escapes checked, no duplicate keys, depth limited), so nothing read from the object later can throw.
/// </summary>
public static class JsonBody
{
    /// <param name="rule">The rule name the errors cite (e.g. <c>json</c>, <c>node/alarms</c>).</param>
    /// <param name="shape">What to send instead, said when the body is empty or not an object.</param>
    public static (JsonObject? Document, ValidationError? Error) ParseObject(ReadOnlyMemory<byte> utf8, string rule, string shape)
    {
        if (utf8.IsEmpty)
            return (null, new ValidationError("BODY_EMPTY", rule, "", $"The body is empty. {shape}") { Args = RuleArgs.None });
        if (!JsonText.TryParse(utf8, out var parsed, out var error))
            return (null, error! with { Rule = rule });
        using var document = parsed!;
        if (document.RootElement.ValueKind != JsonValueKind.Object)
            return (null, new ValidationError("JSON_NOT_OBJECT", rule, "", $"The body is a JSON {document.RootElement.ValueKind.ToString().ToLowerInvariant()}, not an object. {shape}")
                { Args = RuleArgs.Of(("jsonType", document.RootElement.ValueKind.ToString().ToLowerInvariant())) });
        return (JsonObject.Create(document.RootElement.Clone()), null);
    }
}
