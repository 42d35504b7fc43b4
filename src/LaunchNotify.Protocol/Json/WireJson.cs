using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Values;
using NodaTime;
using NodaTime.Serialization.SystemTextJson;

namespace LaunchNotify.Protocol.Json;

/// <summary>
/// The one JSON shape of every message, as <c>schemas/v1</c> describes it: camelCase names, instants in RFC 3339
/// UTC, <c>kind</c> and an area's <c>type</c> as discriminators, absent rather than null optional fields. This writes
/// messages; <see cref="MessageParser"/> reads them (totally: coded errors, never an exception for content).
/// </summary>
public static class WireJson
{
    /// <summary>The envelope's fields come first, in this order, whatever the kind.</summary>
    private static readonly string[] EnvelopeOrder =
        ["kind", "messageId", "schemaVersion", "agreementId", "sender", "recipients", "issuedAt"];

    public static JsonSerializerOptions Options { get; } = CreateOptions(indented: false);

    public static JsonSerializerOptions IndentedOptions { get; } = CreateOptions(indented: true);

    private static JsonSerializerOptions CreateOptions(bool indented)
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            AllowOutOfOrderMetadataProperties = true,
            RespectRequiredConstructorParameters = true,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            WriteIndented = indented,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { ConfigureShapes } },
        };
        options.ConfigureForNodaTime(DateTimeZoneProviders.Tzdb);
        options.Converters.Add(new CentreCodeConverter());
        options.Converters.Add(new MessageIdConverter());
        options.Converters.Add(new AgreementIdConverter());
        options.Converters.Add(new MessageKindConverter());
        options.Converters.Add(new LaunchWindowConverter());
        options.Converters.Add(new GeoPointConverter());
        options.Converters.Add(new JsonStringEnumConverter<MissileClass>(JsonNamingPolicy.SnakeCaseUpper, allowIntegerValues: false));
        options.Converters.Add(new JsonStringEnumConverter<Quadrant>(namingPolicy: null, allowIntegerValues: false));
        options.Converters.Add(new JsonStringEnumConverter<Ocean>(namingPolicy: null, allowIntegerValues: false));
        options.Converters.Add(new JsonStringEnumConverter<PostLaunchOutcome>(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        options.Converters.Add(new JsonStringEnumConverter<ReceiptOutcome>(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        options.MakeReadOnly(populateMissingResolver: false);
        return options;
    }

    private static void ConfigureShapes(JsonTypeInfo info)
    {
        if (info.Type == typeof(Message))
        {
            info.PolymorphismOptions = new JsonPolymorphismOptions
            {
                TypeDiscriminatorPropertyName = "kind",
                UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization,
                DerivedTypes =
                {
                    new JsonDerivedType(typeof(PreNotification), MessageKind.PreNotification.WireName()),
                    new JsonDerivedType(typeof(Amendment), MessageKind.Amendment.WireName()),
                    new JsonDerivedType(typeof(Cancellation), MessageKind.Cancellation.WireName()),
                    new JsonDerivedType(typeof(PostLaunchReport), MessageKind.PostLaunch.WireName()),
                    new JsonDerivedType(typeof(Receipt), MessageKind.Receipt.WireName()),
                    new JsonDerivedType(typeof(Heartbeat), MessageKind.Heartbeat.WireName()),
                    new JsonDerivedType(typeof(Acknowledgement), MessageKind.Acknowledgement.WireName()),
                },
            };
        }
        else if (info.Type == typeof(Area))
        {
            info.PolymorphismOptions = new JsonPolymorphismOptions
            {
                TypeDiscriminatorPropertyName = "type",
                DerivedTypes =
                {
                    new JsonDerivedType(typeof(CircleArea), "circle"),
                    new JsonDerivedType(typeof(PolygonArea), "polygon"),
                    new JsonDerivedType(typeof(OceanQuadrantArea), "oceanQuadrant"),
                    new JsonDerivedType(typeof(OceanQuarterArea), "oceanQuarter"),
                    new JsonDerivedType(typeof(NamedWaterArea), "namedWater"),
                },
            };
        }

        if (typeof(Message).IsAssignableFrom(info.Type) && info.Kind == JsonTypeInfoKind.Object)
        {
            // Kind is the discriminator; the computed property must not be written twice.
            for (var i = info.Properties.Count - 1; i >= 0; i--)
            {
                var property = info.Properties[i];
                if (property.Name == "kind")
                    info.Properties.RemoveAt(i);
                else
                {
                    var at = Array.IndexOf(EnvelopeOrder, property.Name);
                    property.Order = at >= 0 ? at - EnvelopeOrder.Length : 0;
                }
            }
        }

        if (info.Type == typeof(PreNotification))
        {
            // Optional on the wire (an agreement may not ask for impact areas): absent rather than an empty array.
            foreach (var property in info.Properties.Where(p => p.Name == "impactAreas"))
                property.ShouldSerialize = (_, value) => value is IReadOnlyList<Area> { Count: > 0 };
        }

        if (typeof(Area).IsAssignableFrom(info.Type) && info.Kind == JsonTypeInfoKind.Object)
        {
            foreach (var property in info.Properties)
                property.Order = property.Name == "name" ? -1 : 0;
        }

        if (info.Type == typeof(Missile))
        {
            // Per-missile launches (schema 1.2) travel only when given.
            foreach (var property in info.Properties.Where(p => p.Name == "launches"))
                property.ShouldSerialize = (_, value) => value is IReadOnlyList<PlannedLaunch> { Count: > 0 };
        }

        if (info.Type == typeof(CircleArea))
        {
            // A radius travels in the unit the sender gave it: radiusNm (schema 1.2) or radiusKm, never both.
            foreach (var property in info.Properties.Where(p => p.Name == "radiusKm"))
                property.ShouldSerialize = (area, _) => ((CircleArea)area).RadiusNm is null;
        }
    }

    public static string Serialize(Message message, bool indented = false) =>
        JsonSerializer.Serialize(message, indented ? IndentedOptions : Options);

    public static byte[] SerializeToUtf8(Message message) => JsonSerializer.SerializeToUtf8Bytes(message, Options);
}
