namespace LaunchNotify.Domain.Values;

/// <summary>A launch or impact area. The wire names its shape in <c>type</c>.</summary>
public abstract record Area
{
    protected Area(string? name)
    {
        if (name is { Length: > 200 })
            throw new ArgumentException("An area name is at most 200 characters.", nameof(name));
        Name = string.IsNullOrWhiteSpace(name) ? null : name;
    }

    /// <summary>Half the Earth's circumference, rounded down: the largest radius or reach the wire allows (schema 1.1; 5000 km in 1.0).</summary>
    public const double MaximumRadiusKm = 20000;

    /// <summary>Optional human name (a test range, a sea area).</summary>
    public string? Name { get; }
}

/// <summary>A point with a radius: a launch site, or an impact circle.</summary>
public sealed record CircleArea : Area
{
    public CircleArea(GeoPoint centre, double radiusKm, string? name = null) : base(name)
    {
        if (!double.IsFinite(radiusKm) || radiusKm is <= 0 or > MaximumRadiusKm)
            throw new ArgumentOutOfRangeException(nameof(radiusKm), radiusKm, $"A radius must be above 0 and at most {MaximumRadiusKm} km.");
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
        if (vertices is null || vertices.Count is < 3 or > 100)
            throw new ArgumentException("A polygon needs between 3 and 100 vertices.", nameof(vertices));
        Vertices = vertices.ToArray();
    }

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
        if (!double.IsFinite(radiusKm) || radiusKm is <= 0 or > MaximumRadiusKm)
            throw new ArgumentOutOfRangeException(nameof(radiusKm), radiusKm, $"A quadrant's reach must be above 0 and at most {MaximumRadiusKm} km.");
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
