using System.Text.Json.Nodes;

namespace LaunchNotify.Protocol.Schemas;

/// <summary>
/// The wire's schema versions. 1.1 adds, and changes nothing 1.0 could say: the SOUNDING_ROCKET class, radii above
/// 5000 km, pre-notifications without impact areas. 1.2 adds, in the same way, what the 1988 agreement's text allows:
/// a circle's radius in nautical miles (<c>radiusNm</c>) and a quarter of a named ocean (<c>oceanQuarter</c>); and each
/// missile of a group launch with its own planned time and impact area (<c>missile.launches</c>).
/// A sender writes the lowest version that expresses its message,
/// so a counterpart that knows only 1.0 reads every message it could read before, and 1.0 messages stay valid.
/// </summary>
public static class SchemaVersions
{
    public const string V1_0 = "1.0";
    public const string V1_1 = "1.1";
    /// <summary>1.2 also adds the <c>acknowledgement</c> kind (a person read a notification); an acknowledgement is always 1.2.</summary>
    public const string V1_2 = "1.2";

    /// <summary>The lowest version whose schema accepts <paramref name="document"/>'s content.</summary>
    public static string LowestFor(JsonObject document)
    {
        if (Str(document["kind"]) == "acknowledgement")
            return V1_2;
        var launch = document["changes"] as JsonObject ?? document;
        var needs12 = Areas(launch).Any(a => a is JsonObject area && (area.ContainsKey("radiusNm") || Str(area["type"]) == "oceanQuarter"))
            || (launch["missile"] as JsonObject)?.ContainsKey("launches") == true;
        if (needs12)
            return V1_2;
        var needs11 =
            // Any shape may arrive here (the schema check comes after): look only into objects, never index a value or an array.
            Str((launch["missile"] as JsonObject)?["class"]) == "SOUNDING_ROCKET"
            || Areas(launch).Any(a => (a as JsonObject)?["radiusKm"] is JsonValue r && r.TryGetValue<double>(out var km) && km > 5000)
            || (Str(document["kind"]) == "prenotification" && document["impactAreas"] is null);
        return needs11 ? V1_1 : V1_0;
    }

    private static IEnumerable<JsonNode?> Areas(JsonObject launch) =>
        new[] { launch["launchArea"] }.Concat(launch["impactAreas"] as JsonArray ?? []);

    private static string? Str(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
