namespace LaunchNotify.Domain.Values;

/// <summary>A launch or impact area. The wire names its shape in <c>type</c>.</summary>
public abstract record Area
{
    protected Area(string? name)
    {
        if (CheckName(name) is { } problem)
            throw new ArgumentException(problem, nameof(name));
        Name = string.IsNullOrWhiteSpace(name) ? null : name;
    }

    /// <summary>The area's shape as the wire names it in <c>type</c> (also the glossary's <c>areaKind.*</c> key).</summary>
    public static string WireType(Area area) => area switch
    {
        CircleArea => "circle",
        PolygonArea => "polygon",
        OceanQuadrantArea => "oceanQuadrant",
        OceanQuarterArea => "oceanQuarter",
        NamedWaterArea => "namedWater",
        _ => throw new ArgumentOutOfRangeException(nameof(area), area.GetType().Name, "an area type the wire does not name"),
    };

    /// <summary>Half the Earth's circumference, rounded down: the largest radius or reach the wire allows (schema 1.1; 5000 km in 1.0).</summary>
    public const double MaximumRadiusKm = 20000;

    /// <summary>The international nautical mile, exactly.</summary>
    public const double KmPerNauticalMile = 1.852;

    /// <summary><see cref="MaximumRadiusKm"/> in nautical miles, rounded down (schema 1.2).</summary>
    public const double MaximumRadiusNm = 10799;

    /// <summary>Why <paramref name="radiusNm"/> is no radius in nautical miles (above 0, at most <see cref="MaximumRadiusNm"/>), or null if it is one.</summary>
    public static string? CheckRadiusNm(double radiusNm) =>
        !double.IsFinite(radiusNm) || radiusNm is <= 0 or > MaximumRadiusNm ? $"A radius must be above 0 and at most {MaximumRadiusNm} NM." : null;

    public static string? CheckName(string? name) => name is { Length: > 200 } ? "An area name is at most 200 characters." : null;

    /// <summary>Why <paramref name="radiusKm"/> is no radius (above 0, at most <see cref="MaximumRadiusKm"/>), or null if it is one.</summary>
    public static string? CheckRadius(double radiusKm) =>
        !double.IsFinite(radiusKm) || radiusKm is <= 0 or > MaximumRadiusKm ? $"A radius must be above 0 and at most {MaximumRadiusKm} km." : null;

    /// <summary>Optional human name (a test range, a sea area).</summary>
    public string? Name { get; }
}

/// <summary>A point with a radius: a launch site, or an impact circle.</summary>
public sealed record CircleArea : Area
{
    public CircleArea(GeoPoint centre, double radiusKm, string? name = null) : base(name)
    {
        if (CheckRadius(radiusKm) is { } problem)
            throw new ArgumentOutOfRangeException(nameof(radiusKm), radiusKm, problem);
        Centre = centre;
        RadiusKm = radiusKm;
    }

    /// <summary>
    /// A circle whose radius the sender gave in nautical miles, as the 1988 agreement allows ("a radius specified in
    /// kilometers or nautical miles"): <see cref="RadiusKm"/> is the same length in km, and the wire keeps the miles.
    /// </summary>
    public static CircleArea InNauticalMiles(GeoPoint centre, double radiusNm, string? name = null)
    {
        if (CheckRadiusNm(radiusNm) is { } problem)
            throw new ArgumentOutOfRangeException(nameof(radiusNm), radiusNm, problem);
        return new CircleArea(centre, radiusNm * KmPerNauticalMile, name) { RadiusNm = radiusNm };
    }

    public GeoPoint Centre { get; }

    /// <summary>The radius in km (converted from <see cref="RadiusNm"/> when the sender gave miles).</summary>
    public double RadiusKm { get; }

    /// <summary>The radius as the sender gave it in nautical miles (schema 1.2), or null when given in km.</summary>
    public double? RadiusNm { get; private init; }
}

/// <summary>A closed polygon given by 3 to 100 vertices (the closing edge is implied).</summary>
public sealed record PolygonArea : Area
{
    public PolygonArea(IReadOnlyList<GeoPoint> vertices, string? name = null) : base(name)
    {
        if (CheckVertices(vertices?.Count ?? 0) is { } problem)
            throw new ArgumentException(problem, nameof(vertices));
        Vertices = vertices!.ToArray();
    }

    public static string? CheckVertices(int count) => count is < 3 or > 100 ? "A polygon needs between 3 and 100 vertices." : null;

    public IReadOnlyList<GeoPoint> Vertices { get; }

    public bool Equals(PolygonArea? other) =>
        other is not null && Name == other.Name && Vertices.SequenceEqual(other.Vertices);

    public override int GetHashCode() => HashCode.Combine(Name, Vertices.Count, Vertices[0]);
}

/// <summary>Which 90° quadrant of the compass a sector spans (NE = bearings 0°..90°).</summary>
public enum Quadrant { NE, SE, SW, NW }

/// <summary>An ocean area given as a 90° sector: a corner point, the quadrant, and how far it reaches.</summary>
public sealed record OceanQuadrantArea : Area
{
    public OceanQuadrantArea(GeoPoint corner, Quadrant quadrant, double radiusKm, string? name = null) : base(name)
    {
        if (CheckRadius(radiusKm) is { } problem)
            throw new ArgumentOutOfRangeException(nameof(radiusKm), radiusKm, problem);
        Corner = corner;
        Quadrant = quadrant;
        RadiusKm = radiusKm;
    }

    public GeoPoint Corner { get; }
    public Quadrant Quadrant { get; }
    public double RadiusKm { get; }
}

/// <summary>A named body of water (e.g. "Barents Sea"), optionally with a reference point.</summary>
public sealed record NamedWaterArea : Area
{
    public NamedWaterArea(string name, GeoPoint? referencePoint = null) : base(name)
    {
        if (string.IsNullOrWhiteSpace(name))
            throw new ArgumentException("A named body of water needs its name.", nameof(name));
        ReferencePoint = referencePoint;
    }

    public new string Name => base.Name!;
    public GeoPoint? ReferencePoint { get; }
}

/// <summary>The oceans whose quarters a notice may name (schema 1.2).</summary>
public enum Ocean { Atlantic, Pacific, Indian, Arctic, Southern }

/// <summary>
/// A quarter of a named ocean: the 1988 agreement's "quadrant within the ocean (that is, the ninety-degree sector
/// encompassing approximately one-fourth of the area of the ocean)" (Art. IV, for SLBM launch areas). The text fixes
/// no corner or reach, so the area has no outline: rules that need one give a finding, never a refusal.
/// </summary>
public sealed record OceanQuarterArea : Area
{
    public OceanQuarterArea(Ocean ocean, Quadrant quadrant, string? name = null) : base(name)
    {
        if (!Enum.IsDefined(ocean))
            throw new ArgumentOutOfRangeException(nameof(ocean), ocean, "Unknown ocean.");
        if (!Enum.IsDefined(quadrant))
            throw new ArgumentOutOfRangeException(nameof(quadrant), quadrant, "Unknown quadrant.");
        Ocean = ocean;
        Quadrant = quadrant;
    }

    public Ocean Ocean { get; }
    public Quadrant Quadrant { get; }

    /// <summary>"the NE quarter of the Pacific Ocean".</summary>
    public string Describe() => $"the {Quadrant} quarter of the {Ocean} Ocean";
}
