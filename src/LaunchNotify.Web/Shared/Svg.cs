using System.Globalization;

namespace LaunchNotify.Web.Shared;

/// <summary>Numbers as SVG attributes want them: invariant culture, one decimal (a tenth of a user unit is below a pixel).</summary>
public static class Svg
{
    public static string N(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

    /// <summary>Two decimals: map coordinates, where a zoomed view magnifies the plane.</summary>
    public static string N2(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
}
