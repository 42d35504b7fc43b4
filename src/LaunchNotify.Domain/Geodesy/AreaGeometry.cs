using LaunchNotify.Domain.Values;

namespace LaunchNotify.Domain.Geodesy;

/// <summary>
/// Distances between notified areas and a boundary polyline, and the points a trajectory is drawn between.
/// </summary>
/// <remarks>
/// <para>A trajectory is modelled as the great-circle arc from the launch area's <see cref="ReferencePoint"/> to each
/// impact area's reference point. Real ballistic ground tracks deviate from the great circle (Earth rotation, lofted
/// or depressed profiles); the agreements' distance terms are about planned, declared geometry, so the arc is the
/// reading both sides can reproduce.</para>
/// <para>An ocean quadrant is approximated by the polygon of its corner and its arc sampled every degree of bearing
/// (91 points); the chord between samples lies inside the true arc by at most r·(1 − cos 0.5°), under 0.2 km for
/// the largest allowed reach of 5000 km.</para>
/// <para>Point-in-polygon uses ray casting in latitude/longitude: correct for the small areas notified (tens to
/// hundreds of km) that do not straddle the antimeridian or a pole.</para>
/// </remarks>
public static class AreaGeometry
{
    /// <summary>Degrees of bearing between samples of an ocean quadrant's arc.</summary>
    public const double QuadrantArcStepDeg = 1.0;

    /// <summary>
    /// The point a trajectory starts or ends at: a circle's centre, a polygon's vertex centroid (mean of unit vectors),
    /// the middle of an ocean quadrant (half its reach along its middle bearing), a named water area's reference point.
    /// Null when the area has none (a named water area given by name only).
    /// </summary>
    public static GeoPoint? ReferencePoint(Area area) => area switch
    {
        CircleArea c => c.Centre,
        PolygonArea p => Centroid(p.Vertices),
        OceanQuadrantArea q => GreatCircle.Destination(q.Corner, StartBearing(q.Quadrant) + 45, q.RadiusKm / 2),
        NamedWaterArea w => w.ReferencePoint,
        OceanQuarterArea => null,
        _ => throw new ArgumentOutOfRangeException(nameof(area), area, "Unknown area shape."),
    };

    /// <summary>
    /// The least distance in km between an area and a polyline, 0 if they touch or overlap; null if the area's extent is
    /// unknown (a named water area). A circle: centre distance minus radius, floored at 0. A polygon (and a sampled ocean
    /// quadrant): 0 if an edge meets the polyline or a polyline vertex lies inside, else the least vertex-to-polyline and
    /// polyline-vertex-to-edge distance.
    /// </summary>
    public static double? MinDistanceToPolylineKm(Area area, IReadOnlyList<GeoPoint> line)
    {
        if (line.Count == 0)
            throw new ArgumentException("A polyline needs at least one point.", nameof(line));
        return area switch
        {
            CircleArea c => Math.Max(0, GreatCircle.DistanceToPolylineKm(c.Centre, line) - c.RadiusKm),
            PolygonArea p => PolygonToPolylineKm(p.Vertices, line),
            OceanQuadrantArea q => PolygonToPolylineKm(QuadrantOutline(q), line),
            NamedWaterArea or OceanQuarterArea => null,
            _ => throw new ArgumentOutOfRangeException(nameof(area), area, "Unknown area shape."),
        };
    }

    /// <summary>The outline of an ocean quadrant: its corner, then its arc sampled every <see cref="QuadrantArcStepDeg"/>.</summary>
    public static IReadOnlyList<GeoPoint> QuadrantOutline(OceanQuadrantArea quadrant)
    {
        var start = StartBearing(quadrant.Quadrant);
        var steps = (int)Math.Round(90 / QuadrantArcStepDeg);
        var outline = new List<GeoPoint>(steps + 2) { quadrant.Corner };
        for (var i = 0; i <= steps; i++)
            outline.Add(GreatCircle.Destination(quadrant.Corner, start + i * QuadrantArcStepDeg, quadrant.RadiusKm));
        return outline;
    }

    /// <summary>Whether <paramref name="p"/> lies inside the polygon (ray casting in latitude/longitude; see remarks).</summary>
    public static bool PolygonContains(IReadOnlyList<GeoPoint> vertices, GeoPoint p)
    {
        var inside = false;
        for (int i = 0, j = vertices.Count - 1; i < vertices.Count; j = i++)
        {
            var vi = vertices[i];
            var vj = vertices[j];
            if ((vi.Lat > p.Lat) != (vj.Lat > p.Lat) &&
                p.Lon < (vj.Lon - vi.Lon) * (p.Lat - vi.Lat) / (vj.Lat - vi.Lat) + vi.Lon)
                inside = !inside;
        }
        return inside;
    }

    private static double PolygonToPolylineKm(IReadOnlyList<GeoPoint> polygon, IReadOnlyList<GeoPoint> line)
    {
        if (line.Any(p => PolygonContains(polygon, p)))
            return 0;
        var min = double.PositiveInfinity;
        for (var i = 0; i < polygon.Count; i++)
        {
            var a = polygon[i];
            var b = polygon[(i + 1) % polygon.Count];
            var d = line.Count == 1 ? GreatCircle.DistanceToSegmentKm(line[0], a, b) : GreatCircle.ArcToPolylineDistanceKm(a, b, line);
            if (d == 0)
                return 0;
            min = Math.Min(min, d);
        }
        return min;
    }

    private static double StartBearing(Quadrant quadrant) => quadrant switch
    {
        Quadrant.NE => 0,
        Quadrant.SE => 90,
        Quadrant.SW => 180,
        Quadrant.NW => 270,
        _ => throw new ArgumentOutOfRangeException(nameof(quadrant), quadrant, null),
    };

    private static GeoPoint Centroid(IReadOnlyList<GeoPoint> points)
    {
        double x = 0, y = 0, z = 0;
        foreach (var p in points)
        {
            var phi = p.Lat * Math.PI / 180;
            var lambda = p.Lon * Math.PI / 180;
            x += Math.Cos(phi) * Math.Cos(lambda);
            y += Math.Cos(phi) * Math.Sin(lambda);
            z += Math.Sin(phi);
        }
        var lat = Math.Atan2(z, Math.Sqrt(x * x + y * y)) * 180 / Math.PI;
        var lon = Math.Atan2(y, x) * 180 / Math.PI;
        return new GeoPoint(Math.Clamp(lat, -90, 90), Math.Clamp(lon, -180, 180));
    }
}
