using System.Globalization;
using System.Text;
using LaunchNotify.Domain.Geodesy;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Maps;
using LaunchNotify.Node.Reports;
using LaunchNotify.Presentation;
using LaunchNotify.Web.Shared;

namespace LaunchNotify.Web.Maps;

/// <summary>An outline or line on the map: a launch or impact area, a track, a boundary; <see cref="PathData"/> in SVG user units.</summary>
public sealed record MapShape(string Kind, string PathData, Guid? MessageId, string Tip);

/// <summary>A point on the map: an observed launch (covered or not), or a named water area's reference point.</summary>
public sealed record MapMarker(string Kind, double X, double Y, string Tip, Guid? Id, IReadOnlyList<Guid> CoveredBy);

/// <summary>A boundary with the distance rule its agreement sets, drawn as the line and bands as wide as the rule's distances.</summary>
public sealed record MapBoundaryShape(string AgreementId, string PathData, double LaunchBandWidth, double ImpactBandWidth, string Rule);

/// <summary>Everything <see cref="WorldMap"/> draws, laid out: computed here so it can be tested as data.</summary>
public sealed record MapPicture(
    string ViewBox, double MarkerRadius, IReadOnlyList<string> Land, IReadOnlyList<double> LandOffsets, IReadOnlyList<MapShape> Shapes, IReadOnlyList<MapMarker> Markers,
    IReadOnlyList<MapBoundaryShape> Boundaries);

/// <summary>
/// Lays <see cref="MapData"/> out on the <see cref="Equirectangular"/> plane: circles as 72-point geodesic outlines, ocean
/// quadrants as <see cref="AreaGeometry.QuadrantOutline"/>, tracks as great-circle arcs (64 points) from the launch area's
/// reference point to each impact area's. Lines crossing the antimeridian are kept continuous and drawn once more
/// shifted by 360°, so the map's edge cuts them where they leave it.
/// </summary>
public static class MapLayout
{
    private const int CirclePoints = 72, TrackPoints = 64;
    private const double KmPerDegree = GreatCircle.EarthRadiusKm * Math.PI / 180;

    /// <param name="focus">Zoom to the notices' areas (a notification's page) rather than show the whole world.</param>
    /// <param name="r">The reader's language and zone for the tips and the boundary's rule; English and UTC when not given.</param>
    public static MapPicture Lay(MapData data, bool focus, Rendering? r = null)
    {
        r ??= Rendering.EnglishUtc;
        var shapes = new List<MapShape>();
        var markers = new List<MapMarker>();
        var extent = new Extent();
        foreach (var n in data.Notices)
        {
            var who = $"{n.Sender} {n.MessageId.ToString()[..8]}";
            // A notice's shapes are laid out around its launch area's longitude, so one crossing the antimeridian stays in one piece.
            var near = AreaGeometry.ReferencePoint(n.LaunchArea)?.Lon ?? 0;
            Add(shapes, markers, extent, n.LaunchArea, "launch-area", n.MessageId, r.Text("map.areaTip", who, r.Text("map.launchArea"), r.Area(n.LaunchArea)), near);
            foreach (var impact in n.ImpactAreas)
                Add(shapes, markers, extent, impact, "impact-area", n.MessageId, r.Text("map.areaTip", who, r.Text("map.impactArea"), r.Area(impact)), near);
            if (AreaGeometry.ReferencePoint(n.LaunchArea) is { } from)
                foreach (var impact in n.ImpactAreas)
                    if (AreaGeometry.ReferencePoint(impact) is { } to)
                    {
                        var track = Enumerable.Range(0, TrackPoints + 1).Select(i => GreatCircle.Interpolate(from, to, (double)i / TrackPoints)).ToList();
                        shapes.Add(new MapShape("track", Path(track.Select(p => (p.Lon, p.Lat)), closed: false, extent, near),
                            n.MessageId, r.Text("map.trackTip", who, r.Kilometres(GreatCircle.DistanceKm(from, to)))));
                    }
        }
        foreach (var l in data.Launches)
        {
            var (x, y) = Equirectangular.Project(l.LaunchPoint);
            extent.Include(x, y);
            var verdict = l.Covered ? r.Text("map.coveredBy", string.Join(", ", l.CoveredBy.Select(id => id.ToString()[..8]))) : r.Text("map.uncovered");
            markers.Add(new MapMarker(l.Covered ? "observed-launch-covered" : "observed-launch-uncovered", x, y,
                r.Text("map.observedTip", l.AttributedCentre, r.InstantShort(l.At), verdict), l.Id, l.CoveredBy));
        }
        var boundaries = data.Boundaries.Select(b =>
        {
            var t = b.Terms;
            var rule = r.Text("map.boundaryRule", b.AgreementId, r.Distance(t.LaunchSiteMinDistanceKm), r.Distance(t.ImpactAreaMinDistanceKm),
                r.Distance(t.TrajectoryMinDistanceKm), r.Text(t.TrajectoryMayCross ? "map.mayCross" : "map.mayNotCross"));
            return new MapBoundaryShape(b.AgreementId, Path(t.Boundary.Points.Select(p => (p.Lon, p.Lat)), closed: false, null),
                Band(t.LaunchSiteMinDistanceKm), Band(t.ImpactAreaMinDistanceKm), rule);
        }).ToList();

        var (box, scale) = focus ? extent.ViewBox() : ([0, 0, Equirectangular.Width, Equirectangular.Height], 1.0);
        var land = WorldAtlas.Countries.Select(c => string.Concat(c.Rings.Select(r => Path(Polar(r), closed: true, null)))).ToList();
        // A zoomed view past the map's edge shows the land of the other side there.
        List<double> landOffsets = [0];
        if (box[0] < 0)
            landOffsets.Add(-Equirectangular.Width);
        if (box[0] + box[2] > Equirectangular.Width)
            landOffsets.Add(Equirectangular.Width);
        return new MapPicture(string.Join(' ', box.Select(Svg.N2)), 4 * scale, land, landOffsets, shapes, markers, boundaries);
    }

    /// <summary>A distance either side of a line as a stroke width in user units (degrees of latitude; east–west it is approximate).</summary>
    private static double Band(double km) => 2 * km / KmPerDegree * (Equirectangular.Height / 180);

    private static void Add(List<MapShape> shapes, List<MapMarker> markers, Extent extent, Area area, string kind, Guid messageId, string tip, double near)
    {
        IEnumerable<GeoPoint>? outline = area switch
        {
            CircleArea c => Enumerable.Range(0, CirclePoints).Select(i => GreatCircle.Destination(c.Centre, i * 360.0 / CirclePoints, c.RadiusKm)),
            PolygonArea p => p.Vertices,
            OceanQuadrantArea q => AreaGeometry.QuadrantOutline(q),
            _ => null,
        };
        if (outline is not null)
            shapes.Add(new MapShape(kind, Path(outline.Select(p => (p.Lon, p.Lat)), closed: true, extent, near), messageId, tip));
        else if (AreaGeometry.ReferencePoint(area) is { } point)
        {
            // A named body of water: its reference point only (its extent is a name, not a shape).
            var (x, y) = Equirectangular.Project(Unwrap(point.Lon, near), point.Lat);
            extent.Include(x, y);
            markers.Add(new MapMarker(kind, x, y, tip, messageId, []));
        }
    }

    /// <summary>
    /// SVG path data for a line through (lon, lat) points: longitudes unwrapped so no step exceeds 180° (a line crossing
    /// the antimeridian stays continuous), plus a copy shifted back by 360° for the part beyond the map's edge.
    /// </summary>
    /// <param name="near">The longitude the first point is unwrapped towards (the notice's launch area), if any.</param>
    public static string Path(IEnumerable<(double Lon, double Lat)> points, bool closed, Extent? extent, double? near = null)
    {
        var unwrapped = new List<(double Lon, double Lat)>();
        foreach (var (lon, lat) in points)
            unwrapped.Add((unwrapped.Count > 0 ? Unwrap(lon, unwrapped[^1].Lon) : near is { } n ? Unwrap(lon, n) : lon, lat));
        if (unwrapped.Count == 0)
            return "";
        var d = new StringBuilder();
        var min = unwrapped.Min(p => p.Lon);
        var max = unwrapped.Max(p => p.Lon);
        foreach (var shift in new[] { 0.0, max > 180 ? -360.0 : min < -180 ? 360.0 : double.NaN })
        {
            if (double.IsNaN(shift))
                continue;
            for (var i = 0; i < unwrapped.Count; i++)
            {
                var (x, y) = Equirectangular.Project(unwrapped[i].Lon + shift, unwrapped[i].Lat);
                if (shift == 0)
                    extent?.Include(x, y);
                d.Append(i == 0 ? 'M' : 'L').Append(Svg.N2(x)).Append(' ').Append(Svg.N2(y));
            }
            if (closed)
                d.Append('Z');
        }
        return d.ToString();
    }

    /// <summary><paramref name="lon"/> plus or minus whole turns, to within 180° of <paramref name="near"/>.</summary>
    private static double Unwrap(double lon, double near)
    {
        while (lon - near > 180) lon -= 360;
        while (lon - near < -180) lon += 360;
        return lon;
    }

    /// <summary>A ring that goes all the way round a pole (Antarctica) is closed through the pole, not across the map.</summary>
    private static IEnumerable<(double Lon, double Lat)> Polar(IReadOnlyList<(double Lon, double Lat)> ring)
    {
        double travelled = 0;
        for (var i = 1; i < ring.Count; i++)
        {
            var step = ring[i].Lon - ring[i - 1].Lon;
            travelled += step > 180 ? step - 360 : step < -180 ? step + 360 : step;
        }
        if (Math.Abs(travelled) < 359)
            return ring;
        var pole = ring.Average(p => p.Lat) < 0 ? -90.0 : 90.0;
        // The end, unwrapped, lies a full turn from the start: go down to the pole there and back along it to below the
        // start, in steps under 180° so the unwrapping keeps them.
        var start = ring[0].Lon;
        return [.. ring, (start + travelled, pole), (start + travelled * 2 / 3, pole), (start + travelled / 3, pole), (start, pole)];
    }

    /// <summary>The bounding box of what a notification's map must show, in user units.</summary>
    public sealed class Extent
    {
        private double _minX = double.PositiveInfinity, _minY = double.PositiveInfinity, _maxX = double.NegativeInfinity, _maxY = double.NegativeInfinity;

        public void Include(double x, double y)
        {
            _minX = Math.Min(_minX, x);
            _maxX = Math.Max(_maxX, x);
            _minY = Math.Min(_minY, y);
            _maxY = Math.Max(_maxY, y);
        }

        /// <summary>The box with a margin, at least 60 × 30 units, 2:1 like the world; the whole world when empty or wider.</summary>
        public (double[] Box, double Scale) ViewBox()
        {
            double[] world = [0, 0, Equirectangular.Width, Equirectangular.Height];
            if (double.IsInfinity(_minX))
                return (world, 1);
            var w = Math.Max(60, (_maxX - _minX) * 1.4);
            var h = Math.Max(30, (_maxY - _minY) * 1.4);
            (w, h) = w / h >= 2 ? (w, w / 2) : (h * 2, h);
            if (w >= Equirectangular.Width)
                return (world, 1);
            var x = (_minX + _maxX) / 2 - w / 2;
            var y = Math.Clamp((_minY + _maxY) / 2 - h / 2, 0, Equirectangular.Height - h);
            return ([x, y, w, h], w / Equirectangular.Width);
        }
    }
}
