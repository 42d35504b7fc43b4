namespace LaunchNotify.Domain.Values;

/// <summary>A point on the WGS 84 ellipsoid in decimal degrees (latitude −90..90, longitude −180..180).</summary>
public readonly record struct GeoPoint
{
    public double Lat { get; }
    public double Lon { get; }

    public GeoPoint(double lat, double lon)
    {
        if (Check(lat, lon) is { } problem)
            throw new ArgumentOutOfRangeException(problem.StartsWith("Lat", StringComparison.Ordinal) ? nameof(lat) : nameof(lon), problem);
        Lat = lat;
        Lon = lon;
    }

    /// <summary>Why <paramref name="lat"/>, <paramref name="lon"/> make no point, or null if they do (ask before constructing).</summary>
    public static string? Check(double lat, double lon) =>
        !double.IsFinite(lat) || lat is < -90 or > 90 ? "Latitude must be between -90 and 90 degrees."
        : !double.IsFinite(lon) || lon is < -180 or > 180 ? "Longitude must be between -180 and 180 degrees."
        : null;

    public override string ToString() => FormattableString.Invariant($"{Lat:0.####},{Lon:0.####}");
}
