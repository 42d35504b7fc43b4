using System.Text.Json;
using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Validation;
using LaunchNotify.Protocol.Schemas;

namespace LaunchNotify.Protocol.Json;

/// <summary>How far a parse got: the JSON text, the agreed schema, or the typed content.</summary>
public enum ParseStage { Json, Schema, Content }

/// <summary>A recipient as the payload names it, before anything is checked.</summary>
public readonly record struct ClaimedRecipient(string Centre, long? Sequence);

/// <summary>
/// What a payload says about itself (id, kind, sender, agreement, recipients), read from any JSON object whatever else
/// is wrong with it, so an inbox can decide who to answer before the schema or the signature is checked. Each value is
/// null (or left out) where the payload does not give it in the expected form.
/// </summary>
public sealed record MessageHeader(Guid? MessageId, string? Kind, string? Sender, string? AgreementId, IReadOnlyList<ClaimedRecipient> Recipients)
{
    public bool IsAddressedTo(string centre) => Recipients.Any(r => r.Centre == centre);

    public long? SequenceFor(string centre) => Recipients.FirstOrDefault(r => r.Centre == centre).Sequence;

    internal static MessageHeader Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
            return new MessageHeader(null, null, null, null, []);
        var recipients = new List<ClaimedRecipient>();
        if (root.TryGetProperty("recipients", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var r in list.EnumerateArray())
            {
                if (r.ValueKind == JsonValueKind.Object && Text(r, "centre") is { } centre)
                    recipients.Add(new ClaimedRecipient(centre, r.TryGetProperty("sequence", out var s) && s.ValueKind == JsonValueKind.Number && s.TryGetInt64(out var n) ? n : null));
            }
        }
        var id = Text(root, "messageId") is { } idText && Guid.TryParseExact(idText, "D", out var guid) && guid != Guid.Empty ? guid : (Guid?)null;
        return new MessageHeader(id, Text(root, "kind"), Text(root, "sender"), Text(root, "agreementId"), recipients);
    }

    private static string? Text(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}

/// <summary>
/// The one outcome of reading a message from outside: the typed <see cref="Message"/>, or the coded errors that keep it
/// from being one (with the <see cref="Stage"/> that found them). <see cref="Header"/> is there whenever the text was a
/// JSON document, even when the message is not valid.
/// </summary>
public sealed record MessageParse(ParseStage Stage, Message? Message, MessageHeader? Header, IReadOnlyList<ValidationError> Errors)
{
    public bool IsValid => Message is not null;

    /// <summary>The stage's name as tools print it: <c>json</c>, <c>schema</c> or <c>content</c>.</summary>
    public string StageName => Stage switch
    {
        ParseStage.Json => "json",
        ParseStage.Schema => "schema",
        _ => "content",
    };
}

/// <summary>
/// Parses a message once, totally: bytes → JSON document (<see cref="JsonText"/>) → the agreed schema → a typed
/// <see cref="Message"/> through <see cref="MessageContentReader"/>. Whatever the bytes, it returns a
/// <see cref="MessageParse"/>; it never throws for content (docs/protocol.md, "Reading a message").
/// </summary>
public static class MessageParser
{
    /// <summary>Parses <paramref name="utf8Json"/> against <paramref name="schemas"/> (default: the embedded <c>schemas/v1</c>).</summary>
    public static MessageParse Parse(ReadOnlyMemory<byte> utf8Json, SchemaCatalog? schemas = null)
    {
        if (!JsonText.TryParse(utf8Json, out var document, out var error))
            return new MessageParse(ParseStage.Json, null, null, [error!]);
        using (document)
        {
            var root = document!.RootElement;
            var header = MessageHeader.Read(root);
            var schema = (schemas ?? SchemaCatalog.Default).ValidateMessage(root);
            if (!schema.IsValid)
                return new MessageParse(ParseStage.Schema, null, header, schema.Errors);
            var (message, errors) = MessageContentReader.Read(root);
            return new MessageParse(ParseStage.Content, message, header, errors);
        }
    }

    /// <summary>
    /// Reads a message this node stored after parsing it (the inbox's or outbox's payload): no schema pass. A stored
    /// payload that does not read is a damaged store, not content, so this throws <see cref="InvalidDataException"/>.
    /// </summary>
    public static Message ReadStored(string json) => ReadStored(System.Text.Encoding.UTF8.GetBytes(json));

    /// <inheritdoc cref="ReadStored(string)"/>
    public static Message ReadStored(ReadOnlyMemory<byte> utf8Json)
    {
        if (!JsonText.TryParse(utf8Json, out var document, out var error))
            throw new InvalidDataException($"A stored message is not JSON: {error}");
        using (document)
        {
            var (message, errors) = MessageContentReader.Read(document!.RootElement);
            return message ?? throw new InvalidDataException($"A stored message does not read: {string.Join("; ", errors)}");
        }
    }
}
