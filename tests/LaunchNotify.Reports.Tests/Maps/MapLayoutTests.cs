using System.Globalization;
using System.Text.RegularExpressions;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Maps;
using LaunchNotify.Web.Maps;
using NodaTime;

namespace LaunchNotify.Reports.Tests.Maps;

public sealed class MapLayoutTests
{
    private static List<(double X, double Y)> Points(string d) =>
        Regex.Matches(d, @"[ML]([-\d.]+) ([-\d.]+)").Select(m => (double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture))).ToList();

    [Theory]
    [InlineData(-180, 90, 0, 0)]
    [InlineData(180, -90, 1000, 500)]
    [InlineData(0, 0, 500, 250)]
    [InlineData(-120.57, 34.74, 165.083, 153.5)]
    public void Project_IsPlateCarreeOnA1000By500Plane(double lon, double lat, double x, double y)
    {
        var (px, py) = Equirectangular.Project(lon, lat);
        Assert.Equal(x, px, 3);
        Assert.Equal(y, py, 3);
    }

    [Fact]
    public void Atlas_HasNaturalEarthsCountriesWithClosedRings()
    {
        var countries = WorldAtlas.Countries;
        Assert.Equal(177, countries.Count);
        var france = countries.Single(c => c.Name == "France");
        // Paris (48.86 N, 2.35 E) lies inside one of France's rings' bounding boxes; Madrid's is in Spain's.
        Assert.Contains(france.Rings, r => r.Min(p => p.Lon) < 2.35 && r.Max(p => p.Lon) > 2.35 && r.Min(p => p.Lat) < 48.86 && r.Max(p => p.Lat) > 48.86);
        Assert.All(countries.SelectMany(c => c.Rings), r => Assert.Equal(r[0], r[^1]));
    }

    [Fact]
    public void Track_CrossingTheAntimeridian_IsOneContinuousLinePlusACopyFromTheOtherEdge()
    {
        // Vandenberg to Kwajalein goes west across 180°: drawn continuous past the left edge, then again shifted by the map's width.
        var notice = new MapNotice(Guid.NewGuid(), true, "US", "us-ru-bmlna-1988", Instant.FromUtc(2025, 1, 1, 0, 0), Instant.FromUtc(2025, 1, 1, 6, 0),
            new CircleArea(new GeoPoint(34.74, -120.57), 10), [new CircleArea(new GeoPoint(9.40, 167.47), 50)]);
        var picture = MapLayout.Lay(new MapData([notice], [], []), focus: true);
        var track = Points(picture.Shapes.Single(s => s.Kind == "track").PathData);
        Assert.Equal(2 * 65, track.Count);
        var first = track.Take(65).ToList();
        Assert.All(first.Zip(first.Skip(1)), pair => Assert.True(Math.Abs(pair.First.X - pair.Second.X) < 10, "no jump across the map"));
        Assert.True(first[^1].X < 0); // past the left edge, where 167.47° E is −192.53°
        Assert.Equal(first[^1].X + 1000, track[^1].X, 2);
        // The zoomed view covers the whole track on the launch's side, and the land beyond the left edge is drawn there.
        var box = picture.ViewBox.Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        Assert.True(box[0] <= first.Min(p => p.X) && box[0] + box[2] >= first.Max(p => p.X));
        Assert.Contains(-1000.0, picture.LandOffsets);
    }

    [Fact]
    public void Antarctica_IsClosedThroughTheSouthPole_NotAcrossTheMap()
    {
        var picture = MapLayout.Lay(MapData.Empty, focus: false);
        var antarctica = WorldAtlas.Countries.ToList().FindIndex(c => c.Name == "Antarctica");
        var points = Points(picture.Land[antarctica]);
        Assert.Contains(points, p => p.Y == 500); // the pole's line at the map's bottom
        Assert.InRange(points.Min(p => p.X), -0.01, 0.01);
        Assert.InRange(points.Max(p => p.X), 999.99, 1000.01);
    }

    [Fact]
    public void ObservedLaunches_AreMarkedCoveredByTheirNoticesOrUncovered()
    {
        var notice = Guid.NewGuid();
        var data = new MapData([], [
            new MapLaunch(Guid.NewGuid(), Instant.FromUtc(2025, 1, 1, 0, 0), new GeoPoint(10, 20), null, "US", [notice]),
            new MapLaunch(Guid.NewGuid(), Instant.FromUtc(2025, 1, 1, 0, 0), new GeoPoint(-10, -20), null, "RU", []),
        ], []);
        var markers = MapLayout.Lay(data, focus: false).Markers;
        Assert.Equal(["observed-launch-covered", "observed-launch-uncovered"], markers.Select(m => m.Kind));
        Assert.Equal([notice], markers[0].CoveredBy);
        Assert.Contains(notice.ToString()[..8], markers[0].Tip);
        Assert.Equal((555.556, 222.222), (Math.Round(markers[0].X, 3), Math.Round(markers[0].Y, 3)));
    }
}
