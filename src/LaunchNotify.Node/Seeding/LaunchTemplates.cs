using System.Text.Json.Nodes;

namespace LaunchNotify.Node.Seeding;

/// <summary>A kind of launch a centre notifies under an agreement, with the places and numbers of the real programmes.</summary>
public sealed record LaunchTemplate(
    string Title,
    string MissileClass,
    string MissileType,
    long RangeKm,
    Area LaunchArea,
    Area ImpactArea,
    double? AzimuthDeg,
    string? Direction)
{
    public JsonObject Missile() => new()
    {
        ["class"] = MissileClass, ["type"] = MissileType, ["count"] = 1, ["groupLaunch"] = false, ["rangeKm"] = RangeKm,
    };
}

public sealed record Area(string Name, double Lat, double Lon, double RadiusKm)
{
    public JsonObject ToJson() => new()
    {
        ["type"] = "circle", ["name"] = Name, ["centre"] = new JsonObject { ["lat"] = Lat, ["lon"] = Lon }, ["radiusKm"] = RadiusKm,
    };
}

/// <summary>Who notifies what under which reference agreement, and how often a year (round numbers in the range of recent years).</summary>
public static class LaunchTemplates
{
    public sealed record Programme(string AgreementId, string Sender, double PerYear, IReadOnlyList<LaunchTemplate> Launches);

    private static readonly Area Vandenberg = new("Vandenberg SFB, LF-10", 34.74, -120.57, 10);
    private static readonly Area Kwajalein = new("Reagan Test Site, Kwajalein Atoll", 9.40, 167.47, 50);
    private static readonly Area Kura = new("Kura test range, Kamchatka", 57.77, 161.83, 40);
    private static readonly Area Plesetsk = new("Plesetsk Cosmodrome", 62.93, 40.58, 15);
    private static readonly Area WhiteSea = new("White Sea, submerged launch area", 64.90, 37.20, 40);

    public static readonly IReadOnlyList<Programme> All =
    [
        new("us-ru-bmlna-1988", "US", 14,
        [
            new("Minuteman III test, Vandenberg → Kwajalein", "ICBM", "LGM-30G Minuteman III", 6760, Vandenberg, Kwajalein, 247, null),
            new("Trident II D5 test, Atlantic Test Range", "SLBM", "UGM-133 Trident II D5", 7400,
                new("Eastern Range, submerged launch area", 28.40, -77.80, 40), new("South Atlantic impact area", -8.0, -14.4, 80), 120, null),
        ]),
        new("us-ru-bmlna-1988", "RU", 18,
        [
            new("Bulava SLBM, White Sea → Kura", "SLBM", "R-30 Bulava", 5600, WhiteSea, Kura, 42, null),
            new("Yars ICBM, Plesetsk → Kura", "ICBM", "RS-24 Yars", 5800, Plesetsk, Kura, 45, null),
        ]),
        new("cn-ru-2009", "CN", 20,
        [
            new("Long March 2D space launch, Jiuquan", "SLV", "Long March 2D", 2500,
                new("Jiuquan Satellite Launch Center", 40.96, 100.28, 5), new("First-stage drop zone", 41.8, 103.6, 30), 60, "north-east"),
            new("Long March 4C space launch, Taiyuan", "SLV", "Long March 4C", 2800,
                new("Taiyuan Satellite Launch Center", 38.85, 111.61, 5), new("First-stage drop zone, Shaanxi", 36.5, 111.2, 30), 175, "south"),
        ]),
        new("cn-ru-2009", "RU", 8,
        [
            new("Soyuz-2.1b space launch, Plesetsk", "SLV", "Soyuz-2.1b", 3000, Plesetsk, new("First-stage drop zone, Komi", 65.3, 44.8, 30), 10, "north"),
            new("Angara-A5 space launch, Vostochny", "SLV", "Angara-A5", 3500,
                new("Vostochny Cosmodrome", 51.88, 128.33, 5), new("First-stage drop zone, Sea of Okhotsk", 53.6, 141.0, 50), 70, "east"),
        ]),
        new("in-pk-2005", "IN", 10,
        [
            new("Agni-V flight test, Abdul Kalam Island", "IRBM", "Agni-V", 5000,
                new("Dr. A.P.J. Abdul Kalam Island", 20.76, 87.08, 3), new("Bay of Bengal / Indian Ocean impact zone", 3.0, 90.0, 150), 175.5, "south"),
            new("Prithvi-II flight test, Chandipur", "SRBM", "Prithvi-II", 350,
                new("Integrated Test Range, Chandipur", 21.45, 87.02, 3), new("Bay of Bengal impact area", 19.6, 88.9, 30), 140, "south-east"),
        ]),
        new("in-pk-2005", "PK", 8,
        [
            new("Shaheen-III flight test, Sonmiani", "MRBM", "Shaheen-III", 2750,
                new("Sonmiani Flight Test Range", 25.19, 66.75, 5), new("Arabian Sea impact area", 18.0, 60.0, 80), 220, "south-west"),
            new("Ghauri flight test, Sonmiani", "MRBM", "Ghauri", 1300,
                new("Sonmiani Flight Test Range", 25.19, 66.75, 5), new("Arabian Sea impact area", 21.5, 62.0, 60), 235, "south-west"),
        ]),
        new("hcoc", "US", 6,
        [
            new("Falcon 9 space launch, Cape Canaveral", "SLV", "Falcon 9", 2000,
                new("Cape Canaveral SFS, SLC-40", 28.56, -80.58, 5), new("Atlantic first-stage recovery area", 31.0, -74.0, 50), 50, "north-east"),
        ]),
        new("hcoc", "RU", 6,
        [
            new("Soyuz-2.1a space launch, Plesetsk", "SLV", "Soyuz-2.1a", 3000, Plesetsk, new("First-stage drop zone, Komi", 65.3, 44.8, 30), 10, "north"),
        ]),
        new("hcoc", "IN", 6,
        [
            new("PSLV space launch, Sriharikota", "SLV", "PSLV", 2500,
                new("Satish Dhawan Space Centre", 13.72, 80.23, 5), new("Bay of Bengal drop zone", 9.5, 81.0, 50), 175, "south"),
        ]),
    ];
}
