using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using LaunchNotify.Protocol.Signing;
using NodaTime;
using RabbitMQ.Client;

namespace LaunchNotify.Integration.Tests.Exchange;

/// <summary>Messages made the way a counterpart without LaunchNotify's code makes them: JSON written by hand.</summary>
internal static class WireMessages
{
    /// <summary>A pre-notification US → RU under us-ru-bmlna-1988, valid against its schema and the agreement (30 h ahead).</summary>
    public static byte[] UsToRuPreNotification(Guid messageId, long sequence, Instant now, string remarks = "Hand-written by a counterpart.")
    {
        var start = now + Duration.FromHours(30);
        return Encoding.UTF8.GetBytes($$"""
            {
              "kind": "prenotification",
              "messageId": "{{messageId:D}}",
              "schemaVersion": "1.0",
              "agreementId": "us-ru-bmlna-1988",
              "sender": "US",
              "recipients": [ { "centre": "RU", "sequence": {{sequence}} } ],
              "issuedAt": "{{Drafts.At(now)}}",
              "launchWindow": { "start": "{{Drafts.At(start)}}", "end": "{{Drafts.At(start + Duration.FromHours(4))}}" },
              "missile": { "class": "ICBM", "type": "LGM-30G Minuteman III", "count": 1, "groupLaunch": false, "rangeKm": 6760 },
              "launchArea": { "type": "circle", "name": "Vandenberg SFB", "centre": { "lat": 34.74, "lon": -120.57 }, "radiusKm": 10 },
              "impactAreas": [ { "type": "circle", "name": "Reagan Test Site", "centre": { "lat": 9.395, "lon": 167.471 }, "radiusKm": 50 } ],
              "plannedAzimuthDeg": 247.5,
              "remarks": "{{remarks}}"
            }
            """);
    }

    public static byte[] Sign(byte[] payload, CentreKey key) => Jws.SignFlattened(payload, key.Key, key.Kid);

    /// <summary>The same protected header and signature over another payload: what an attacker who alters a message sends.</summary>
    public static byte[] WithPayloadSwapped(byte[] body, byte[] otherPayload) => global::LaunchNotify.Bench.Faults.Counterpart.WithPayloadSwapped(body, otherPayload);

    /// <summary>The receipt's payload, unverified (the caller verifies separately).</summary>
    public static JsonElement PayloadOf(byte[] body)
    {
        using var document = JsonDocument.Parse(body);
        var payload = Base64Url.DecodeFromChars(document.RootElement.GetProperty("payload").GetString()!);
        return JsonDocument.Parse(payload).RootElement.Clone();
    }

    public static string? Header(BasicGetResult message, string name) =>
        message.BasicProperties.Headers?.TryGetValue(name, out var value) == true && value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : null;
}
