using LaunchNotify.Domain.Values;

namespace LaunchNotify.Domain.Geodesy;

/// <summary>
/// Great-circle geometry on a sphere of radius <see cref="EarthRadiusKm"/> (the IUGG mean Earth radius).
/// </summary>
/// <remarks>
/// Coordinates are WGS 84 latitude/longitude treated as spherical. Against the ellipsoid the error is at most about
/// 0.5 % of a distance (typically 0.1–0.3 %): ample for agreement distances of tens of km from a boundary that is
/// itself an approximate polyline. Distances use the haversine formula; segment and intersection tests use unit
/// vectors (n-vectors), which are stable for short and long arcs alike. Arcs are the shorter great-circle path
/// between their end points; antipodal end points have no defined arc and are not expected.
/// </remarks>
public static class GreatCircle
{
    /// <summary>Mean Earth radius R1 = (2a + b) / 3 of WGS 84, in km.</summary>
    public const double EarthRadiusKm = 6371.0088;

    private const double Epsilon = 1e-12;

    /// <summary>Great-circle distance in km (haversine).</summary>
    public static double DistanceKm(GeoPoint from, GeoPoint to)
    {
        var phi1 = Rad(from.Lat);
        var phi2 = Rad(to.Lat);
        var dPhi = phi2 - phi1;
        var dLambda = Rad(to.Lon - from.Lon);
        var h = Sq(Math.Sin(dPhi / 2)) + Math.Cos(phi1) * Math.Cos(phi2) * Sq(Math.Sin(dLambda / 2));
        return 2 * EarthRadiusKm * Math.Asin(Math.Sqrt(Math.Clamp(h, 0, 1)));
    }

    /// <summary>Initial bearing (forward azimuth) from <paramref name="from"/> to <paramref name="to"/>, degrees clockwise from true north in [0, 360).</summary>
    public static double InitialBearingDeg(GeoPoint from, GeoPoint to)
    {
        var phi1 = Rad(from.Lat);
        var phi2 = Rad(to.Lat);
        var dLambda = Rad(to.Lon - from.Lon);
        var y = Math.Sin(dLambda) * Math.Cos(phi2);
        var x = Math.Cos(phi1) * Math.Sin(phi2) - Math.Sin(phi1) * Math.Cos(phi2) * Math.Cos(dLambda);
        return NormalizeBearing(Deg(Math.Atan2(y, x)));
    }

    /// <summary>The point reached from <paramref name="from"/> after <paramref name="distanceKm"/> along the great circle with the given initial bearing.</summary>
    public static GeoPoint Destination(GeoPoint from, double bearingDeg, double distanceKm)
    {
        var delta = distanceKm / EarthRadiusKm;
        var theta = Rad(bearingDeg);
        var phi1 = Rad(from.Lat);
        var lambda1 = Rad(from.Lon);
        var sinPhi2 = Math.Sin(phi1) * Math.Cos(delta) + Math.Cos(phi1) * Math.Sin(delta) * Math.Cos(theta);
        var phi2 = Math.Asin(Math.Clamp(sinPhi2, -1, 1));
        var lambda2 = lambda1 + Math.Atan2(
            Math.Sin(theta) * Math.Sin(delta) * Math.Cos(phi1),
            Math.Cos(delta) - Math.Sin(phi1) * sinPhi2);
        return new GeoPoint(Math.Clamp(Deg(phi2), -90, 90), NormalizeLon(Deg(lambda2)));
    }

    /// <summary>The point a fraction <paramref name="f"/> (0..1) of the way along the great-circle arc from <paramref name="a"/> to <paramref name="b"/>.</summary>
    public static GeoPoint Interpolate(GeoPoint a, GeoPoint b, double f)
    {
        var va = Vec3.From(a);
        var vb = Vec3.From(b);
        var angle = va.AngleTo(vb);
        if (angle < Epsilon)
            return a;
        var s = Math.Sin(angle);
        var p = va * (Math.Sin((1 - f) * angle) / s) + vb * (Math.Sin(f * angle) / s);
        return p.ToPoint();
    }

    /// <summary>
    /// Shortest distance in km from <paramref name="p"/> to the great-circle arc <paramref name="a"/>–<paramref name="b"/>:
    /// the cross-track distance where the foot of the perpendicular lies on the arc, else the distance to the nearer end point.
    /// </summary>
    public static double DistanceToSegmentKm(GeoPoint p, GeoPoint a, GeoPoint b)
    {
        var va = Vec3.From(a);
        var vb = Vec3.From(b);
        var vp = Vec3.From(p);
        var n = va.Cross(vb);
        if (n.Length < Epsilon)
            return DistanceKm(p, a);
        n = n.Normalized();
        var foot = vp - n * vp.Dot(n);
        if (foot.Length > Epsilon && OnArc(foot.Normalized(), va, vb, n))
            return Math.Abs(Math.Asin(Math.Clamp(vp.Dot(n), -1, 1))) * EarthRadiusKm;
        return Math.Min(DistanceKm(p, a), DistanceKm(p, b));
    }

    /// <summary>Shortest distance in km from <paramref name="p"/> to a polyline of great-circle arcs (a single point is allowed).</summary>
    public static double DistanceToPolylineKm(GeoPoint p, IReadOnlyList<GeoPoint> line)
    {
        if (line.Count == 0)
            throw new ArgumentException("A polyline needs at least one point.", nameof(line));
        if (line.Count == 1)
            return DistanceKm(p, line[0]);
        var min = double.PositiveInfinity;
        for (var i = 0; i + 1 < line.Count; i++)
            min = Math.Min(min, DistanceToSegmentKm(p, line[i], line[i + 1]));
        return min;
    }

    /// <summary>Whether the great-circle arcs <paramref name="a1"/>–<paramref name="a2"/> and <paramref name="b1"/>–<paramref name="b2"/> meet (touching counts).</summary>
    public static bool SegmentsIntersect(GeoPoint a1, GeoPoint a2, GeoPoint b1, GeoPoint b2)
    {
        var va1 = Vec3.From(a1);
        var va2 = Vec3.From(a2);
        var vb1 = Vec3.From(b1);
        var vb2 = Vec3.From(b2);
        var na = va1.Cross(va2);
        var nb = vb1.Cross(vb2);
        if (na.Length < Epsilon || nb.Length < Epsilon)
        {
            // A degenerate arc is a point: it meets the other arc if it lies on it.
            var (point, (c1, c2)) = na.Length < Epsilon ? (a1, (b1, b2)) : (b1, (a1, a2));
            return DistanceToSegmentKm(point, c1, c2) < 1e-6;
        }
        na = na.Normalized();
        nb = nb.Normalized();
        var line = na.Cross(nb);
        if (line.Length < 1e-10)
        {
            // Same great circle: they meet if they overlap.
            return OnArc(vb1, va1, va2, na) || OnArc(vb2, va1, va2, na) || OnArc(va1, vb1, vb2, nb);
        }
        var x = line.Normalized();
        return (OnArc(x, va1, va2, na) && OnArc(x, vb1, vb2, nb)) ||
               (OnArc(-x, va1, va2, na) && OnArc(-x, vb1, vb2, nb));
    }

    /// <summary>
    /// Shortest distance in km between two great-circle arcs: 0 if they meet, otherwise the least of the four
    /// end-point-to-arc distances (exact on the sphere: two arcs shorter than a half circle that do not meet are
    /// nearest at an end point of one of them, since the only interior critical points of the distance between two
    /// great circles are maxima).
    /// </summary>
    public static double ArcToArcDistanceKm(GeoPoint a1, GeoPoint a2, GeoPoint b1, GeoPoint b2)
    {
        if (SegmentsIntersect(a1, a2, b1, b2))
            return 0;
        return Math.Min(
            Math.Min(DistanceToSegmentKm(a1, b1, b2), DistanceToSegmentKm(a2, b1, b2)),
            Math.Min(DistanceToSegmentKm(b1, a1, a2), DistanceToSegmentKm(b2, a1, a2)));
    }

    /// <summary>Whether the arc <paramref name="a"/>–<paramref name="b"/> meets any segment of <paramref name="line"/>.</summary>
    public static bool ArcCrossesPolyline(GeoPoint a, GeoPoint b, IReadOnlyList<GeoPoint> line)
    {
        for (var i = 0; i + 1 < line.Count; i++)
        {
            if (SegmentsIntersect(a, b, line[i], line[i + 1]))
                return true;
        }
        return false;
    }

    /// <summary>Shortest distance in km between the arc <paramref name="a"/>–<paramref name="b"/> and a polyline (0 if they meet).</summary>
    public static double ArcToPolylineDistanceKm(GeoPoint a, GeoPoint b, IReadOnlyList<GeoPoint> line)
    {
        if (line.Count == 0)
            throw new ArgumentException("A polyline needs at least one point.", nameof(line));
        if (line.Count == 1)
            return DistanceToSegmentKm(line[0], a, b);
        var min = double.PositiveInfinity;
        for (var i = 0; i + 1 < line.Count; i++)
            min = Math.Min(min, ArcToArcDistanceKm(a, b, line[i], line[i + 1]));
        return min;
    }

    /// <summary>
    /// Which side of a polyline (walked from its first point to its last) <paramref name="p"/> lies on, judged at the
    /// polyline's nearest point: the sign of the cross-track offset where that point lies inside a segment; at an inner
    /// vertex, the side both adjoining segments agree on (the outside of the turn). <see cref="PolylineSide.Undetermined"/>
    /// where <paramref name="p"/> lies on the line, or where the nearest point is the line's first or last point (beyond
    /// its ends nothing says which side is which) unless <paramref name="extendEnds"/>: then the end segment's great
    /// circle, extended, decides.
    /// </summary>
    public static PolylineSide SideOfPolyline(GeoPoint p, IReadOnlyList<GeoPoint> line, bool extendEnds = false)
    {
        if (line.Count < 2)
            return PolylineSide.Undetermined;
        var vp = Vec3.From(p);
        var best = -1;
        var bestKm = double.PositiveInfinity;
        for (var i = 0; i + 1 < line.Count; i++)
        {
            var d = DistanceToSegmentKm(p, line[i], line[i + 1]);
            if (d < bestKm)
            {
                bestKm = d;
                best = i;
            }
        }
        if (bestKm < 1e-6)
            return PolylineSide.Undetermined;
        var a = Vec3.From(line[best]);
        var b = Vec3.From(line[best + 1]);
        var n = a.Cross(b);
        if (n.Length < Epsilon)
            return PolylineSide.Undetermined;
        n = n.Normalized();
        var foot = vp - n * vp.Dot(n);
        double signed;
        if (foot.Length > Epsilon && OnArc(foot.Normalized(), a, b, n))
        {
            signed = vp.Dot(n);
        }
        else
        {
            // The nearest point is an end of this segment: an inner vertex, or an end of the whole line.
            var vertex = DistanceKm(p, line[best]) <= DistanceKm(p, line[best + 1]) ? best : best + 1;
            if (vertex == 0 || vertex == line.Count - 1)
            {
                if (!extendEnds)
                    return PolylineSide.Undetermined;
                signed = vp.Dot(n);
                return signed > 0 ? PolylineSide.Left : signed < 0 ? PolylineSide.Right : PolylineSide.Undetermined;
            }
            var n1 = Vec3.From(line[vertex - 1]).Cross(Vec3.From(line[vertex]));
            var n2 = Vec3.From(line[vertex]).Cross(Vec3.From(line[vertex + 1]));
            if (n1.Length < Epsilon || n2.Length < Epsilon)
                return PolylineSide.Undetermined;
            signed = vp.Dot(n1.Normalized()) + vp.Dot(n2.Normalized());
        }
        return signed > 0 ? PolylineSide.Left : signed < 0 ? PolylineSide.Right : PolylineSide.Undetermined;
    }

    /// <summary>Smallest angle between two bearings, in [0, 180] degrees.</summary>
    public static double BearingDifferenceDeg(double bearing1, double bearing2)
    {
        var d = Math.Abs(NormalizeBearing(bearing1) - NormalizeBearing(bearing2));
        return d > 180 ? 360 - d : d;
    }

    internal static double NormalizeBearing(double deg)
    {
        var b = deg % 360;
        if (b < 0)
            b += 360;
        return b >= 360 ? 0 : b;
    }

    private static double NormalizeLon(double deg)
    {
        var l = (deg + 540) % 360 - 180;
        return l < -180 ? l + 360 : l;
    }

    /// <summary>Whether unit vector <paramref name="x"/>, on the great circle with normal <paramref name="n"/>, lies between <paramref name="a"/> and <paramref name="b"/>.</summary>
    private static bool OnArc(Vec3 x, Vec3 a, Vec3 b, Vec3 n)
    {
        // Tolerance ~ 1 mm on the Earth's surface, so that touching end points count.
        const double tolerance = 1e-10;
        if (Math.Abs(x.Dot(n)) > 1e-9)
            return false;
        return a.Cross(x).Dot(n) >= -tolerance && x.Cross(b).Dot(n) >= -tolerance && x.Dot(a + b) > -tolerance;
    }

    private static double Rad(double deg) => deg * Math.PI / 180;
    private static double Deg(double rad) => rad * 180 / Math.PI;
    private static double Sq(double x) => x * x;

    private readonly record struct Vec3(double X, double Y, double Z)
    {
        public static Vec3 From(GeoPoint p)
        {
            var phi = Rad(p.Lat);
            var lambda = Rad(p.Lon);
            return new Vec3(Math.Cos(phi) * Math.Cos(lambda), Math.Cos(phi) * Math.Sin(lambda), Math.Sin(phi));
        }

        public GeoPoint ToPoint()
        {
            var n = Normalized();
            var lat = Deg(Math.Asin(Math.Clamp(n.Z, -1, 1)));
            var lon = Deg(Math.Atan2(n.Y, n.X));
            return new GeoPoint(Math.Clamp(lat, -90, 90), Math.Clamp(lon, -180, 180));
        }

        public double Length => Math.Sqrt(X * X + Y * Y + Z * Z);
        public Vec3 Normalized() => this * (1 / Length);
        public double Dot(Vec3 o) => X * o.X + Y * o.Y + Z * o.Z;
        public Vec3 Cross(Vec3 o) => new(Y * o.Z - Z * o.Y, Z * o.X - X * o.Z, X * o.Y - Y * o.X);
        public double AngleTo(Vec3 o) => Math.Atan2(Cross(o).Length, Dot(o));
        public static Vec3 operator *(Vec3 v, double s) => new(v.X * s, v.Y * s, v.Z * s);
        public static Vec3 operator +(Vec3 a, Vec3 b) => new(a.X + b.X, a.Y + b.Y, a.Z + b.Z);
        public static Vec3 operator -(Vec3 a, Vec3 b) => new(a.X - b.X, a.Y - b.Y, a.Z - b.Z);
        public static Vec3 operator -(Vec3 v) => new(-v.X, -v.Y, -v.Z);
    }
}

/// <summary>A side of a polyline walked from its first point to its last.</summary>
public enum PolylineSide { Undetermined, Left, Right }
