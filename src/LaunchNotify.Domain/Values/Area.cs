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

    /// <summary>Half the Earth's circumference, rounded down: the largest radius or reach the wire allows (schema 1.1; 5000 km in 1.0).</summary>
    public const double MaximumRadiusKm = 20000;

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

    public GeoPoint Centre { get; }
    public double RadiusKm { get; }
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
