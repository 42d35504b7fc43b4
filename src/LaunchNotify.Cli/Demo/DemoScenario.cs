using System.Text.Json.Nodes;
using NodaTime;
using NodaTime.Text;

namespace LaunchNotify.Cli.Demo;

/// <summary>What a step expects: delivered and confirmed (optionally with a finding), or refused with a code.</summary>
public enum Expectation { Confirmed, ConfirmedWithFinding, Refused, Malformed }

/// <summary>One operator action in the demo: a centre submits a draft to its own publisher.</summary>
public sealed record DemoStep(string Title, string Sender, string Route, JsonObject Draft, Expectation Expect, string? ExpectedCode = null, bool AllowLate = false)
{
    /// <summary>For amendments: which earlier step's message this one refers to (its id is filled in at run time).</summary>
    public int? RefersToStep { get; init; }
}

/// <summary>
/// Realistic notifications under the 1988 US–USSR and 2009 China–Russia agreements, relative to now: valid ones, one
/// the publisher must refuse, one malformed, one sent late on purpose (LATE_NOTIFICATION at US), and an amendment;
/// plus one CN → RU notification the demo's faulty link holds back (MISSING_NOTIFICATION at RU).
/// </summary>
public static class DemoScenario
{
    /// <summary>The CN → RU notification the demo's faulty link holds back (see <see cref="DemoLinkFault"/>).</summary>
    public static JsonObject HeldBackNotification(Instant now) => new()
    {
        ["agreementId"] = "cn-ru-2009",
        ["recipients"] = new JsonArray("RU"),
        ["launchWindow"] = new JsonObject
        {
            ["start"] = InstantPattern.ExtendedIso.Format(now + Duration.FromHours(36)),
            ["end"] = InstantPattern.ExtendedIso.Format(now + Duration.FromHours(38)),
        },
        ["missile"] = new JsonObject { ["class"] = "SLV", ["type"] = "Long March 3B", ["count"] = 1, ["groupLaunch"] = false, ["rangeKm"] = 3000 },
        ["launchArea"] = new JsonObject
        {
            ["type"] = "circle", ["name"] = "Xichang Satellite Launch Center", ["centre"] = new JsonObject { ["lat"] = 28.25, ["lon"] = 102.03 }, ["radiusKm"] = 5,
        },
        ["impactAreas"] = new JsonArray(new JsonObject
        {
            ["type"] = "circle", ["name"] = "First-stage drop zone", ["centre"] = new JsonObject { ["lat"] = 27.0, ["lon"] = 106.5 }, ["radiusKm"] = 30,
        }),
        ["plannedAzimuthDeg"] = 105.0,
        ["plannedDirection"] = "east-south-east",
    };

    public static IReadOnlyList<DemoStep> Build(Instant now)
    {
        string At(Duration fromNow) => InstantPattern.ExtendedIso.Format(now + fromNow);
        JsonObject Window(double startHours, double lengthHours) => new()
        {
            ["start"] = At(Duration.FromMinutes((long)(startHours * 60))),
            ["end"] = At(Duration.FromMinutes((long)((startHours + lengthHours) * 60))),
        };
        JsonObject Circle(string name, double lat, double lon, double radiusKm) => new()
        {
            ["type"] = "circle", ["name"] = name, ["centre"] = new JsonObject { ["lat"] = lat, ["lon"] = lon }, ["radiusKm"] = radiusKm,
        };
        JsonObject Missile(string cls, string type, long rangeKm) => new()
        {
            ["class"] = cls, ["type"] = type, ["count"] = 1, ["groupLaunch"] = false, ["rangeKm"] = rangeKm,
        };

        return
        [
            new("Minuteman III test, Vandenberg → Kwajalein", "US", "/v1/notifications", new JsonObject
            {
                ["agreementId"] = "us-ru-bmlna-1988",
                ["recipients"] = new JsonArray("RU"),
                ["launchWindow"] = Window(30, 4),
                ["missile"] = Missile("ICBM", "LGM-30G Minuteman III", 6760),
                ["launchArea"] = Circle("Vandenberg SFB, LF-10", 34.74, -120.57, 10),
                ["impactAreas"] = new JsonArray(Circle("Reagan Test Site, Kwajalein Atoll", 9.40, 167.47, 50)),
                ["plannedAzimuthDeg"] = 247.0,
                ["remarks"] = "Operational test launch, unarmed re-entry vehicle.",
            }, Expectation.Confirmed),

            new("Bulava SLBM, White Sea → Kura", "RU", "/v1/notifications", new JsonObject
            {
                ["agreementId"] = "us-ru-bmlna-1988",
                ["recipients"] = new JsonArray("US"),
                ["launchWindow"] = Window(26, 3),
                ["missile"] = Missile("SLBM", "R-30 Bulava", 5600),
                ["launchArea"] = Circle("White Sea, submerged launch area", 64.90, 37.20, 40),
                ["impactAreas"] = new JsonArray(Circle("Kura test range, Kamchatka", 57.77, 161.83, 40)),
                ["plannedAzimuthDeg"] = 42.0,
            }, Expectation.Confirmed),

            new("Long March 2D space launch, Jiuquan", "CN", "/v1/notifications", new JsonObject
            {
                ["agreementId"] = "cn-ru-2009",
                ["recipients"] = new JsonArray("RU"),
                ["launchWindow"] = Window(48, 1),
                ["missile"] = Missile("SLV", "Long March 2D", 2500),
                ["launchArea"] = Circle("Jiuquan Satellite Launch Center", 40.96, 100.28, 5),
                ["impactAreas"] = new JsonArray(Circle("First-stage drop zone", 41.8, 103.6, 30)),
                ["plannedAzimuthDeg"] = 60.0,
                ["plannedDirection"] = "north-east",
            }, Expectation.Confirmed),

            new("Yars ICBM, Plesetsk → Kura, notified only 20 h ahead", "RU", "/v1/notifications", new JsonObject
            {
                ["agreementId"] = "us-ru-bmlna-1988",
                ["recipients"] = new JsonArray("US"),
                ["launchWindow"] = Window(20, 2),
                ["missile"] = Missile("ICBM", "RS-24 Yars", 5800),
                ["launchArea"] = Circle("Plesetsk Cosmodrome", 62.93, 40.58, 15),
                ["impactAreas"] = new JsonArray(Circle("Kura test range, Kamchatka", 57.77, 161.83, 40)),
            }, Expectation.ConfirmedWithFinding, "LATE_NOTIFICATION", AllowLate: true),

            new("ATACMS short-range test notified under the ICBM/SLBM agreement", "US", "/v1/notifications", new JsonObject
            {
                ["agreementId"] = "us-ru-bmlna-1988",
                ["recipients"] = new JsonArray("RU"),
                ["launchWindow"] = Window(40, 2),
                ["missile"] = Missile("SRBM", "MGM-140 ATACMS", 300),
                ["launchArea"] = Circle("White Sands Missile Range", 33.0, -106.4, 10),
                ["impactAreas"] = new JsonArray(Circle("White Sands impact area", 33.6, -106.5, 10)),
            }, Expectation.Refused, "SCOPE_CLASS_NOT_COVERED"),

            new("A draft with no launch window", "CN", "/v1/notifications", new JsonObject
            {
                ["agreementId"] = "cn-ru-2009",
                ["recipients"] = new JsonArray("RU"),
                ["missile"] = Missile("SLV", "Long March 7", 3000),
                ["launchArea"] = Circle("Wenchang", 19.61, 110.95, 5),
                ["impactAreas"] = new JsonArray(Circle("Drop zone", 21.0, 113.0, 30)),
            }, Expectation.Malformed, "SCHEMA_REQUIRED"),

            new("US extends the Minuteman III window by 2 h", "US", "/v1/amendments", new JsonObject
            {
                ["kind"] = "amendment",
                ["agreementId"] = "us-ru-bmlna-1988",
                ["recipients"] = new JsonArray("RU"),
                ["reason"] = "Range weather: window extended.",
                ["changes"] = new JsonObject { ["launchWindow"] = Window(30, 6) },
            }, Expectation.Confirmed) { RefersToStep = 0 },
        ];
    }
}
