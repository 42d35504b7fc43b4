using System.Globalization;
using Humanizer;
using NodaTime;

namespace LaunchNotify.Domain.Timeliness;

/// <summary>
/// Durations as people read them in messages, reports and the command line: "23 h 59 min 59 s", "72 h", "1 s",
/// "250 ms" up to 4 days; "352 days, 5 hours, 38 minutes" beyond.
/// </summary>
/// <remarks>
/// Up to 96 h the hours are not folded into days, so that lead times and windows read like the agreements state them
/// ("72 h", "96 h"). Past that, hours stop being readable ("8453 h 38 min"), so Humanizer words the duration in days,
/// hours, minutes and seconds, every non-zero unit kept (a window 1 s too long still says so). This is the one place
/// durations become text: a culture given here words them in that language (Humanizer's resources); none means
/// English with invariant digits.
/// </remarks>
public static class DurationText
{
    /// <summary>Up to this length a duration reads in hours ("96 h"); beyond it, in days.</summary>
    public static readonly Duration HoursUpTo = Duration.FromHours(96);

    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en");

    public static string Format(Duration duration, CultureInfo? culture = null)
    {
        if (duration == Duration.Zero)
            return "0 " + TimeUnit.Second.ToSymbol(culture ?? English);
        var sign = duration < Duration.Zero ? "-" : "";
        var d = duration < Duration.Zero ? -duration : duration;
        return sign + (d > HoursUpTo ? InDays(d, culture ?? English) : InHours(d, culture ?? English));
    }

    private static string InDays(Duration d, CultureInfo culture) =>
        d.ToTimeSpan().Humanize(precision: 5, countEmptyUnits: false, culture: culture,
            maxUnit: TimeUnit.Day, minUnit: TimeUnit.Second, collectionSeparator: ", ");

    private static string InHours(Duration d, CultureInfo culture)
    {
        var digits = culture.Equals(English) ? CultureInfo.InvariantCulture : culture;
        var hours = (long)Math.Floor(d.TotalHours);
        var parts = new List<string>(4);
        if (hours > 0)
            parts.Add(hours.ToString(digits) + " " + TimeUnit.Hour.ToSymbol(culture));
        if (d.Minutes > 0)
            parts.Add(d.Minutes.ToString(digits) + " " + TimeUnit.Minute.ToSymbol(culture));
        if (d.Seconds > 0)
            parts.Add(d.Seconds.ToString(digits) + " " + TimeUnit.Second.ToSymbol(culture));
        if (d.SubsecondNanoseconds > 0)
        {
            var ms = d.SubsecondNanoseconds / 1_000_000;
            var unit = TimeUnit.Millisecond.ToSymbol(culture);
            parts.Add(ms > 0 ? ms.ToString(digits) + " " + unit : "<1 " + unit);
        }
        return string.Join(" ", parts);
    }
}
