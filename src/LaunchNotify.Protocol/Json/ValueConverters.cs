using System.Text.Json;
using System.Text.Json.Serialization;
using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Values;

namespace LaunchNotify.Protocol.Json;

/// <summary>Value types travel as the plain strings the schemas describe.</summary>
internal sealed class CentreCodeConverter : JsonConverter<CentreCode>
{
    public override CentreCode Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        new(reader.GetString()!);

    public override void Write(Utf8JsonWriter writer, CentreCode value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Value);

    public override CentreCode ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        new(reader.GetString()!);

    public override void WriteAsPropertyName(Utf8JsonWriter writer, CentreCode value, JsonSerializerOptions options) =>
        writer.WritePropertyName(value.Value);
}

internal sealed class MessageIdConverter : JsonConverter<MessageId>
{
    public override MessageId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        MessageId.Parse(reader.GetString()!);

    public override void Write(Utf8JsonWriter writer, MessageId value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString());
}

internal sealed class AgreementIdConverter : JsonConverter<AgreementId>
{
    public override AgreementId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        new(reader.GetString()!);

    public override void Write(Utf8JsonWriter writer, AgreementId value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Value);
}

internal sealed class MessageKindConverter : JsonConverter<MessageKind>
{
    public override MessageKind Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString();
        return MessageKinds.TryParse(text, out var kind) ? kind : throw new JsonException($"Unknown message kind '{text}'.");
    }

    public override void Write(Utf8JsonWriter writer, MessageKind value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.WireName());
}

/// <summary>A launch window is <c>{"start": instant, "end": instant}</c>.</summary>
internal sealed class LaunchWindowConverter : JsonConverter<LaunchWindow>
{
    private sealed record Dto(NodaTime.Instant Start, NodaTime.Instant End);

    public override LaunchWindow Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var dto = JsonSerializer.Deserialize<Dto>(ref reader, options) ?? throw new JsonException("A launch window cannot be null.");
        return new LaunchWindow(dto.Start, dto.End);
    }

    public override void Write(Utf8JsonWriter writer, LaunchWindow value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, new Dto(value.Start, value.End), options);
}

/// <summary>A point is <c>{"lat": number, "lon": number}</c>; structs need an explicit converter to use the checking constructor.</summary>
internal sealed class GeoPointConverter : JsonConverter<GeoPoint>
{
    private sealed record Dto(double Lat, double Lon);

    public override GeoPoint Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var dto = JsonSerializer.Deserialize<Dto>(ref reader, options) ?? throw new JsonException("A point cannot be null.");
        return new GeoPoint(dto.Lat, dto.Lon);
    }

    public override void Write(Utf8JsonWriter writer, GeoPoint value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteNumber("lat", value.Lat);
        writer.WriteNumber("lon", value.Lon);
        writer.WriteEndObject();
    }
}
