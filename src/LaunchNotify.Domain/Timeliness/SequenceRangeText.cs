using System.Globalization;

namespace LaunchNotify.Domain.Timeliness;

/// <summary>Missing sequence numbers as people and the store read them: "4-6,9" (ascending, disjoint ranges).</summary>
public static class SequenceRangeText
{
    public static string Format(IEnumerable<SequenceRange> ranges) =>
        string.Join(",", ranges.Select(r => r.From == r.To
            ? r.From.ToString(CultureInfo.InvariantCulture)
            : $"{r.From.ToString(CultureInfo.InvariantCulture)}-{r.To.ToString(CultureInfo.InvariantCulture)}"));

    /// <summary>Reads what <see cref="Format"/> wrote; empty text is no ranges.</summary>
    public static IReadOnlyList<SequenceRange> Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return [];
        var ranges = new List<SequenceRange>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var dash = part.IndexOf('-', 1);
            var from = long.Parse(dash < 0 ? part : part[..dash], NumberStyles.None, CultureInfo.InvariantCulture);
            var to = dash < 0 ? from : long.Parse(part[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture);
            ranges.Add(new SequenceRange(from, to));
        }
        return ranges;
    }

    /// <summary>The numbers of <paramref name="within"/> that are in <paramref name="missing"/>, as ranges.</summary>
    public static IReadOnlyList<SequenceRange> Intersect(IEnumerable<SequenceRange> missing, SequenceRange within) =>
        missing.Where(r => r.To >= within.From && r.From <= within.To)
            .Select(r => new SequenceRange(Math.Max(r.From, within.From), Math.Min(r.To, within.To)))
            .ToList();
}
