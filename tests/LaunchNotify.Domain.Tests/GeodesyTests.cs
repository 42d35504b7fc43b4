using LaunchNotify.Domain.Geodesy;
using LaunchNotify.Domain.Values;

namespace LaunchNotify.Domain.Tests;

public class GreatCircleTests
{
    private static readonly GeoPoint London = new(51.5074, -0.1278);
    private static readonly GeoPoint Paris = new(48.8566, 2.3522);
    private const double KmPerDegree = GreatCircle.EarthRadiusKm * Math.PI / 180; // 111.195 km

    [Fact]
    public void DistanceKm_LondonToParis_IsAbout343Point5Km() =>
        Assert.InRange(GreatCircle.DistanceKm(London, Paris), 342.5, 344.5);

    [Fact]
    public void DistanceKm_EquatorToPole_IsAQuarterCircumference() =>
        Assert.Equal(Math.PI / 2 * GreatCircle.EarthRadiusKm, GreatCircle.DistanceKm(new GeoPoint(0, 30), new GeoPoint(90, 0)), 6);

    [Fact]
    public void DistanceKm_SamePoint_IsZero() => Assert.Equal(0, GreatCircle.DistanceKm(Paris, Paris));

    [Fact]
    public void DistanceKm_AcrossTheAntimeridian_TakesTheShortWay() =>
        Assert.Equal(2 * KmPerDegree, GreatCircle.DistanceKm(new GeoPoint(0, 179), new GeoPoint(0, -179)), 6);

    [Theory]
    [InlineData(0, 0, 10, 0, 0)]
    [InlineData(0, 0, 0, 10, 90)]
    [InlineData(0, 0, -10, 0, 180)]
    [InlineData(0, 0, 0, -10, 270)]
    public void InitialBearingDeg_AlongMeridianOrEquator_IsCardinal(double lat1, double lon1, double lat2, double lon2, double expected) =>
        Assert.Equal(expected, GreatCircle.InitialBearingDeg(new GeoPoint(lat1, lon1), new GeoPoint(lat2, lon2)), 9);

    [Fact]
    public void InitialBearingDeg_LondonToParis_IsAbout148Degrees() =>
        Assert.InRange(GreatCircle.InitialBearingDeg(London, Paris), 147.9, 148.3);

    [Fact]
    public void Destination_AlongTheBearingToParis_ArrivesAtParis()
    {
        var arrived = GreatCircle.Destination(London, GreatCircle.InitialBearingDeg(London, Paris), GreatCircle.DistanceKm(London, Paris));
        Assert.True(GreatCircle.DistanceKm(arrived, Paris) < 0.001);
    }

    [Fact]
    public void Destination_EastAcrossTheAntimeridian_WrapsLongitude()
    {
        var p = GreatCircle.Destination(new GeoPoint(0, 179), 90, 2 * KmPerDegree);
        Assert.Equal(0, p.Lat, 9);
        Assert.Equal(-179, p.Lon, 9);
    }

    [Fact]
    public void DistanceToSegmentKm_WhenFootInsideArc_IsCrossTrack() =>
        Assert.Equal(KmPerDegree, GreatCircle.DistanceToSegmentKm(new GeoPoint(1, 5), new GeoPoint(0, 0), new GeoPoint(0, 10)), 6);

    [Fact]
    public void DistanceToSegmentKm_WhenBeyondEnd_IsClampedToEndPoint() =>
        Assert.Equal(2 * KmPerDegree, GreatCircle.DistanceToSegmentKm(new GeoPoint(0, 12), new GeoPoint(0, 0), new GeoPoint(0, 10)), 6);

    [Fact]
    public void DistanceToSegmentKm_WhenBeforeStart_IsDistanceToStart()
    {
        var p = new GeoPoint(1, -1);
        Assert.Equal(GreatCircle.DistanceKm(p, new GeoPoint(0, 0)), GreatCircle.DistanceToSegmentKm(p, new GeoPoint(0, 0), new GeoPoint(0, 10)), 9);
    }

    [Fact]
    public void DistanceToSegmentKm_OnTheOppositeSideOfTheGlobe_IsNotCrossTrack()
    {
        // The foot of the perpendicular from (1, 185°) lies on the great circle but not on the short arc.
        var d = GreatCircle.DistanceToSegmentKm(new GeoPoint(1, -175), new GeoPoint(0, 0), new GeoPoint(0, 10));
        Assert.True(d > 100 * KmPerDegree);
    }

    [Fact]
    public void DistanceToPolylineKm_TakesTheNearestSegment()
    {
        GeoPoint[] line = [new(0, 0), new(0, 10), new(10, 10)];
        // Cross-track from the meridian 10°E at 5°N, 2° of longitude east: R·asin(cos 5° · sin 2°).
        var expected = GreatCircle.EarthRadiusKm * Math.Asin(Math.Cos(5 * Math.PI / 180) * Math.Sin(2 * Math.PI / 180));
        Assert.Equal(expected, GreatCircle.DistanceToPolylineKm(new GeoPoint(5, 12), line), 6);
    }

    [Fact]
    public void SegmentsIntersect_WhenArcsCross_IsTrue() =>
        Assert.True(GreatCircle.SegmentsIntersect(new GeoPoint(-1, 0), new GeoPoint(1, 0), new GeoPoint(0, -1), new GeoPoint(0, 1)));

    [Fact]
    public void SegmentsIntersect_WhenOnlyTheExtendedCirclesCross_IsFalse() =>
        Assert.False(GreatCircle.SegmentsIntersect(new GeoPoint(1, 0), new GeoPoint(2, 0), new GeoPoint(0, -1), new GeoPoint(0, 1)));

    [Fact]
    public void SegmentsIntersect_WhenArcsTouchAtAnEndPoint_IsTrue() =>
        Assert.True(GreatCircle.SegmentsIntersect(new GeoPoint(0, 0), new GeoPoint(1, 0), new GeoPoint(0, 0), new GeoPoint(0, 1)));

    [Fact]
    public void SegmentsIntersect_WhenParallelApart_IsFalse() =>
        Assert.False(GreatCircle.SegmentsIntersect(new GeoPoint(0, 0), new GeoPoint(0, 1), new GeoPoint(0.1, 0), new GeoPoint(0.1, 1)));

    [Fact]
    public void SegmentsIntersect_WhenOverlappingOnTheSameCircle_IsTrue() =>
        Assert.True(GreatCircle.SegmentsIntersect(new GeoPoint(0, 0), new GeoPoint(0, 2), new GeoPoint(0, 1), new GeoPoint(0, 3)));

    [Fact]
    public void SegmentsIntersect_WhenDisjointOnTheSameCircle_IsFalse() =>
        Assert.False(GreatCircle.SegmentsIntersect(new GeoPoint(0, 0), new GeoPoint(0, 1), new GeoPoint(0, 2), new GeoPoint(0, 3)));

    [Theory]
    [InlineData(30, 70, 31, 75, 29, 71, 33, 73.5)]
    [InlineData(24, 68, 26, 69, 25.5, 70, 27.5, 70.5)]
    [InlineData(10, 10, 10, 20, 12, 12, 14, 25)]
    public void ArcToArcDistanceKm_MatchesDenseSampling(double a1Lat, double a1Lon, double a2Lat, double a2Lon, double b1Lat, double b1Lon, double b2Lat, double b2Lon)
    {
        GeoPoint a1 = new(a1Lat, a1Lon), a2 = new(a2Lat, a2Lon), b1 = new(b1Lat, b1Lon), b2 = new(b2Lat, b2Lon);
        var sampled = Enumerable.Range(0, 2001)
            .Select(i => GreatCircle.DistanceToSegmentKm(GreatCircle.Interpolate(a1, a2, i / 2000.0), b1, b2))
            .Min();
        var exact = GreatCircle.ArcToArcDistanceKm(a1, a2, b1, b2);
        Assert.True(exact <= sampled + 1e-6, $"exact {exact} above sampled {sampled}");
        Assert.True(sampled - exact < 0.5, $"exact {exact} far below sampled {sampled}");
    }

    [Fact]
    public void ArcToArcDistanceKm_WhenCrossing_IsZero() =>
        Assert.Equal(0, GreatCircle.ArcToArcDistanceKm(new GeoPoint(-1, 0), new GeoPoint(1, 0), new GeoPoint(0, -1), new GeoPoint(0, 1)));

    [Fact]
    public void Interpolate_Halfway_IsTheMidpointOfTheArc()
    {
        var mid = GreatCircle.Interpolate(new GeoPoint(0, 0), new GeoPoint(0, 10), 0.5);
        Assert.Equal(0, mid.Lat, 9);
        Assert.Equal(5, mid.Lon, 9);
    }

    [Theory]
    [InlineData(350, 10, 20)]
    [InlineData(10, 350, 20)]
    [InlineData(0, 180, 180)]
    [InlineData(90, 90, 0)]
    public void BearingDifferenceDeg_IsTheSmallerAngle(double b1, double b2, double expected) =>
        Assert.Equal(expected, GreatCircle.BearingDifferenceDeg(b1, b2), 9);
}

public class AreaGeometryTests
{
    private const double KmPerDegree = GreatCircle.EarthRadiusKm * Math.PI / 180;

    // A north-south boundary along the meridian 70°E from 20°N to 36°N.
    private static readonly GeoPoint[] Meridian = [new(20, 70), new(28, 70), new(36, 70)];

    [Fact]
    public void MinDistance_Circle_IsCentreDistanceMinusRadius()
    {
        var circle = new CircleArea(new GeoPoint(28, 70).Offset(90, 100), 30);
        Assert.Equal(70, AreaGeometry.MinDistanceToPolylineKm(circle, Meridian)!.Value, 1);
    }

    [Fact]
    public void MinDistance_CircleOverlappingTheLine_IsZero()
    {
        var circle = new CircleArea(new GeoPoint(28, 70).Offset(90, 10), 30);
        Assert.Equal(0, AreaGeometry.MinDistanceToPolylineKm(circle, Meridian));
    }

    [Fact]
    public void MinDistance_PolygonCrossedByTheLine_IsZero()
    {
        var polygon = new PolygonArea([new(27, 69.5), new(27, 70.5), new(28, 70.5), new(28, 69.5)]);
        Assert.Equal(0, AreaGeometry.MinDistanceToPolylineKm(polygon, Meridian));
    }

    [Fact]
    public void MinDistance_PolygonContainingAShortLine_IsZero()
    {
        var polygon = new PolygonArea([new(27, 69), new(27, 71), new(29, 71), new(29, 69)]);
        Assert.Equal(0, AreaGeometry.MinDistanceToPolylineKm(polygon, [new GeoPoint(27.5, 70), new GeoPoint(28.5, 70)]));
    }

    [Fact]
    public void MinDistance_PolygonApart_IsItsNearestVertexDistance()
    {
        var polygon = new PolygonArea([new(27, 71), new(27, 72), new(28, 72), new(28, 71)]);
        var d = AreaGeometry.MinDistanceToPolylineKm(polygon, Meridian)!.Value;
        Assert.Equal(GreatCircle.DistanceToPolylineKm(new GeoPoint(28, 71), Meridian), d, 6);
    }

    [Fact]
    public void MinDistance_PolygonApartFromALineVertex_UsesTheLineVertexToEdgeDistance()
    {
        // The boundary's corner pokes towards the middle of the polygon's long west edge.
        GeoPoint[] corner = [new(20, 60), new(28, 70), new(36, 60)];
        var polygon = new PolygonArea([new(26, 71), new(26, 73), new(30, 73), new(30, 71)]);
        var d = AreaGeometry.MinDistanceToPolylineKm(polygon, corner)!.Value;
        Assert.Equal(GreatCircle.DistanceToSegmentKm(new GeoPoint(28, 70), new GeoPoint(30, 71), new GeoPoint(26, 71)), d, 6);
        Assert.True(d < GreatCircle.DistanceToPolylineKm(new GeoPoint(26, 71), corner));
    }

    [Fact]
    public void MinDistance_OceanQuadrantFacingAway_IsItsCornerDistance()
    {
        var quadrant = new OceanQuadrantArea(new GeoPoint(28, 71), Quadrant.SE, 500);
        Assert.Equal(GreatCircle.DistanceToPolylineKm(new GeoPoint(28, 71), Meridian), AreaGeometry.MinDistanceToPolylineKm(quadrant, Meridian)!.Value, 1);
    }

    [Fact]
    public void MinDistance_OceanQuadrantReachingOverTheLine_IsZero()
    {
        var quadrant = new OceanQuadrantArea(new GeoPoint(28, 71), Quadrant.NW, 500);
        Assert.Equal(0, AreaGeometry.MinDistanceToPolylineKm(quadrant, Meridian));
    }

    [Fact]
    public void MinDistance_NamedWaterArea_IsUnknown() =>
        Assert.Null(AreaGeometry.MinDistanceToPolylineKm(new NamedWaterArea("Arabian Sea", new GeoPoint(15, 65)), Meridian));

    [Fact]
    public void ReferencePoint_OfAnOceanQuadrant_LiesInsideItAtHalfItsReach()
    {
        var corner = new GeoPoint(10, 60);
        var p = AreaGeometry.ReferencePoint(new OceanQuadrantArea(corner, Quadrant.NE, 400))!.Value;
        Assert.Equal(200, GreatCircle.DistanceKm(corner, p), 6);
        Assert.Equal(45, GreatCircle.InitialBearingDeg(corner, p), 6);
    }

    [Fact]
    public void ReferencePoint_OfASquarePolygon_IsItsCentre()
    {
        var p = AreaGeometry.ReferencePoint(new PolygonArea([new(-1, -1), new(-1, 1), new(1, 1), new(1, -1)]))!.Value;
        Assert.Equal(0, p.Lat, 9);
        Assert.Equal(0, p.Lon, 9);
    }

    [Fact]
    public void ReferencePoint_OfANamedWaterAreaWithoutPoint_IsNull() =>
        Assert.Null(AreaGeometry.ReferencePoint(new NamedWaterArea("Barents Sea")));

    [Fact]
    public void KmPerDegree_IsTheSphericalValue() => Assert.Equal(111.195, KmPerDegree, 3);
}

internal static class GeoTestExtensions
{
    public static GeoPoint Offset(this GeoPoint p, double bearingDeg, double km) => GreatCircle.Destination(p, bearingDeg, km);
}
