using LaunchNotify.Domain.Values;
using NodaTime;

namespace LaunchNotify.Domain.Tests;

public class ValueTypeTests
{
    [Theory]
    [InlineData("")]
    [InlineData("us")]
    [InlineData("USA")]
    [InlineData("U1")]
    public void CentreCode_WhenNotTwoUpperCaseLetters_IsRefused(string value) =>
        Assert.Throws<ArgumentException>(() => new CentreCode(value));

    [Fact]
    public void CentreCode_WhenTwoUpperCaseLetters_IsKept() => Assert.Equal("RU", new CentreCode("RU").Value);

    [Theory]
    [InlineData(90.0001, 0)]
    [InlineData(-90.0001, 0)]
    [InlineData(0, 180.0001)]
    [InlineData(0, -180.0001)]
    [InlineData(double.NaN, 0)]
    public void GeoPoint_WhenOutOfRange_IsRefused(double lat, double lon) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new GeoPoint(lat, lon));

    [Fact]
    public void GeoPoint_AtTheLimits_IsKept()
    {
        var p = new GeoPoint(-90, 180);
        Assert.Equal((-90.0, 180.0), (p.Lat, p.Lon));
    }

    [Fact]
    public void MessageId_WhenEmpty_IsRefused() => Assert.Throws<ArgumentException>(() => new MessageId(Guid.Empty));

    [Fact]
    public void LaunchWindow_WhenEndIsNotAfterStart_IsRefused()
    {
        var t = Instant.FromUtc(2026, 1, 1, 0, 0);
        Assert.Throws<ArgumentException>(() => new LaunchWindow(t, t));
        Assert.Throws<ArgumentException>(() => new LaunchWindow(t, t - Duration.FromSeconds(1)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(20000.1)]
    public void CircleArea_WhenRadiusOutOfRange_IsRefused(double radiusKm) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new CircleArea(new GeoPoint(0, 0), radiusKm));

    [Fact]
    public void PolygonArea_WithFewerThanThreeVertices_IsRefused() =>
        Assert.Throws<ArgumentException>(() => new PolygonArea([new GeoPoint(0, 0), new GeoPoint(1, 1)]));

    [Theory]
    [InlineData("US-RU")]
    [InlineData("us--ru")]
    [InlineData("-us")]
    [InlineData("x")]
    public void AgreementId_WhenNotLowerCaseHyphenated_IsRefused(string value) =>
        Assert.Throws<ArgumentException>(() => new AgreementId(value));
}
