using System.Globalization;

namespace LaunchNotify.Web.Shared;

/// <summary>Numbers as SVG attributes want them: invariant culture, one decimal (a tenth of a user unit is below a pixel).</summary>
public static class Svg
{
    public static string N(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);
}
