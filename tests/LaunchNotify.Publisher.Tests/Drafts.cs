using System.Text.Json.Nodes;
using NodaTime;
using NodaTime.Text;

namespace LaunchNotify.Publisher.Tests;

/// <summary>Valid request bodies for each endpoint that takes one, relative to the app's clock (noon, 10 March 2026).</summary>
public static class Drafts
{
    private static string At(Instant instant) => InstantPattern.ExtendedIso.Format(instant);

    private static JsonObject Circle(string name, double lat, double lon, double radiusKm) => new()
    {
        ["type"] = "circle", ["name"] = name, ["centre"] = new JsonObject { ["lat"] = lat, ["lon"] = lon }, ["radiusKm"] = radiusKm,
    };

    /// <summary>US → RU under the 1988 agreement, the window three days ahead.</summary>
    public static JsonObject PreNotification(Instant now) => new()
    {
        ["agreementId"] = "us-ru-bmlna-1988",
        ["recipients"] = new JsonArray("RU"),
        ["launchWindow"] = new JsonObject { ["start"] = At(now + Duration.FromDays(3)), ["end"] = At(now + Duration.FromDays(3) + Duration.FromHours(4)) },
        ["missile"] = new JsonObject { ["class"] = "ICBM", ["type"] = "LGM-30G Minuteman III", ["count"] = 1, ["groupLaunch"] = false, ["rangeKm"] = 6760 },
        ["launchArea"] = Circle("Vandenberg SFB, LF-10", 34.74, -120.57, 10),
        ["impactAreas"] = new JsonArray(Circle("Reagan Test Site, Kwajalein Atoll", 9.40, 167.47, 50)),
        ["plannedAzimuthDeg"] = 247.0,
        ["remarks"] = "Operational test launch, unarmed re-entry vehicle.",
    };

    public static JsonObject Amendment(Instant now, Guid original) => new()
    {
        ["agreementId"] = "us-ru-bmlna-1988",
        ["recipients"] = new JsonArray("RU"),
        ["amends"] = original.ToString("D"),
        ["reason"] = "Window moved by two hours.",
        ["changes"] = new JsonObject
        {
            ["launchWindow"] = new JsonObject { ["start"] = At(now + Duration.FromDays(3) + Duration.FromHours(2)), ["end"] = At(now + Duration.FromDays(3) + Duration.FromHours(6)) },
        },
    };

    public static JsonObject Cancellation(Guid original) => new()
    {
        ["agreementId"] = "us-ru-bmlna-1988",
        ["recipients"] = new JsonArray("RU"),
        ["cancels"] = original.ToString("D"),
        ["reason"] = "Postponed.",
    };

    public static JsonObject PostLaunch(Guid original) => new()
    {
        ["agreementId"] = "us-ru-bmlna-1988",
        ["recipients"] = new JsonArray("RU"),
        ["reportsOn"] = original.ToString("D"),
        ["outcome"] = "notLaunched",
        ["remarks"] = "Scrubbed.",
    };

    public static JsonObject ObservedLaunch(Instant now) => new()
    {
        ["at"] = At(now - Duration.FromHours(1)),
        ["launchPoint"] = new JsonObject { ["lat"] = 62.93, ["lon"] = 40.57 },
        ["impactPoint"] = new JsonObject { ["lat"] = 57.77, ["lon"] = 161.57 },
        ["attributedCentre"] = "RU",
        ["source"] = "radar",
        ["comment"] = "seen",
    };

    public static JsonObject AlarmAction() => new() { ["by"] = "Kim", ["comment"] = "seen" };
}
