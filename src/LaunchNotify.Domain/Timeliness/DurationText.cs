using System.Globalization;
using NodaTime;

namespace LaunchNotify.Domain.Timeliness;

/// <summary>Durations as people read them in messages: "23 h 59 min 59 s", "72 h", "1 s", "250 ms".</summary>
/// <remarks>Hours are not folded into days so that lead times read like the agreements state them ("72 h").</remarks>
public static class DurationText
{
    public static string Format(Duration duration)
    {
        if (duration == Duration.Zero)
            return "0 s";
        var sign = duration < Duration.Zero ? "-" : "";
        var d = duration < Duration.Zero ? -duration : duration;
        var hours = (long)Math.Floor(d.TotalHours);
        var parts = new List<string>(4);
        if (hours > 0)
            parts.Add(hours.ToString(CultureInfo.InvariantCulture) + " h");
        if (d.Minutes > 0)
            parts.Add(d.Minutes.ToString(CultureInfo.InvariantCulture) + " min");
        if (d.Seconds > 0)
            parts.Add(d.Seconds.ToString(CultureInfo.InvariantCulture) + " s");
        if (d.SubsecondNanoseconds > 0)
        {
            var ms = d.SubsecondNanoseconds / 1_000_000;
            parts.Add(ms > 0 ? ms.ToString(CultureInfo.InvariantCulture) + " ms" : "<1 ms");
        }
        return sign + string.Join(" ", parts);
    }
}
