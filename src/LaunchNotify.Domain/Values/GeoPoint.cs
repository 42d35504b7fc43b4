namespace LaunchNotify.Domain.Values;

/// <summary>A point on the WGS 84 ellipsoid in decimal degrees (latitude −90..90, longitude −180..180).</summary>
public readonly record struct GeoPoint
{
    public double Lat { get; }
    public double Lon { get; }

    public GeoPoint(double lat, double lon)
    {
        if (!double.IsFinite(lat) || lat is < -90 or > 90)
            throw new ArgumentOutOfRangeException(nameof(lat), lat, "Latitude must be between -90 and 90 degrees.");
        if (!double.IsFinite(lon) || lon is < -180 or > 180)
            throw new ArgumentOutOfRangeException(nameof(lon), lon, "Longitude must be between -180 and 180 degrees.");
        Lat = lat;
        Lon = lon;
    }

    public override string ToString() => FormattableString.Invariant($"{Lat:0.####},{Lon:0.####}");
}
