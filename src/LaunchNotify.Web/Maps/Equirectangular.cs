using LaunchNotify.Domain.Values;

namespace LaunchNotify.Web.Maps;

/// <summary>
/// The plate carrée projection onto a 1000 × 500 SVG plane: x grows with longitude from −180° at 0 to 180° at 1000,
/// y with southern latitude from 90° at 0 to −90° at 500. Chosen because a reader (and a test) can check any position
/// by hand; distances far from the equator look stretched east–west, which the map's caption says.
/// </summary>
public static class Equirectangular
{
    public const double Width = 1000, Height = 500;

    public static (double X, double Y) Project(double lon, double lat) => ((lon + 180) / 360 * Width, (90 - lat) / 180 * Height);

    public static (double X, double Y) Project(GeoPoint p) => Project(p.Lon, p.Lat);
}
