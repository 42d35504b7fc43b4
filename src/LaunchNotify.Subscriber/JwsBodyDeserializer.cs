using System.Net.Mime;
using MassTransit;
using MassTransit.Serialization;

namespace LaunchNotify.Subscriber;

/// <summary>
/// Hands every inbox body to the consumer untouched. The wire is not MassTransit's envelope but a JWS written by any
/// AMQP client, so nothing may be decoded (or fail to decode) before the inbox processor has checked it: this
/// deserializer never throws, and the consumer reads the raw bytes from the receive context.
/// </summary>
public sealed class JwsBodyDeserializer(ContentType contentType) : IMessageDeserializer
{
    private static readonly SystemTextJsonRawMessageSerializer Raw = new(RawSerializerOptions.AnyMessageType);
    private static readonly MemoryMessageBody EmptyObject = new("{}"u8.ToArray());

    public ContentType ContentType => contentType;

    public void Probe(ProbeContext context) => context.CreateScope("jws").Add("contentType", contentType.MediaType);

    public ConsumeContext Deserialize(ReceiveContext receiveContext) =>
        new BodyConsumeContext(receiveContext, Deserialize(receiveContext.Body, receiveContext.TransportHeaders, receiveContext.InputAddress));

    public SerializerContext Deserialize(MessageBody body, Headers headers, Uri? destinationAddress = null) =>
        Raw.Deserialize(EmptyObject, headers, destinationAddress);

    public MessageBody GetMessageBody(string text) => new MemoryMessageBody(System.Text.Encoding.UTF8.GetBytes(text));
}

/// <summary>Registers <see cref="JwsBodyDeserializer"/> for one content type.</summary>
public sealed class JwsBodySerializerFactory(string mediaType) : ISerializerFactory
{
    public ContentType ContentType { get; } = new(mediaType);

    public IMessageSerializer CreateSerializer() =>
        throw new NotSupportedException("The subscriber never sends through MassTransit; receipts go out through the outbox.");

    public IMessageDeserializer CreateDeserializer() => new JwsBodyDeserializer(ContentType);

    /// <summary>The protocol's type, and what careless clients send instead: all reach the processor, which decides.</summary>
    public static readonly string[] MediaTypes = ["application/jose+json", "application/json", "application/jose", "text/plain", "application/octet-stream"];
}

/// <summary>The consumed message: empty on purpose (see <see cref="JwsBodyDeserializer"/>).</summary>
public sealed record InboxBody;
