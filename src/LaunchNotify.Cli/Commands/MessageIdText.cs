namespace LaunchNotify.Cli.Commands;

/// <summary>
/// A message id as an operator types it: the full UUID, or the short prefix (8 or more hex digits) that the dashboard,
/// the tables and the reports show. A prefix must name exactly one message.
/// </summary>
public static class MessageIdText
{
    public const int MinimumPrefix = 8;

    /// <summary>The full id if <paramref name="text"/> is one; otherwise null (then it must be a prefix, see <see cref="Prefix"/>).</summary>
    public static Guid? Full(string text) => Guid.TryParse(text.Trim(), out var id) ? id : null;

    /// <summary>The lower-case hex digits of a prefix, or a <see cref="CliException"/> saying what an id looks like.</summary>
    public static string Prefix(string text)
    {
        var digits = text.Trim().Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();
        if (digits.Length < MinimumPrefix || digits.Length > 32 || !digits.All(Uri.IsHexDigit))
            throw new CliException($"'{text}' is not a message id: give the full id (like 3f2c9a1e-…) or at least its first {MinimumPrefix} hex digits, as the tables show them.");
        return digits;
    }

    /// <summary>The one candidate whose id starts with the prefix; a clear error when none or several do.</summary>
    public static Guid Resolve(string text, IEnumerable<Guid> candidates, string where)
    {
        if (Full(text) is { } id)
            return id;
        var prefix = Prefix(text);
        var matches = candidates.Distinct().Where(c => c.ToString("N").StartsWith(prefix, StringComparison.Ordinal)).Take(6).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new CliException($"No message id starting with {text} in {where}. Check the id, or give it in full."),
            _ => throw new CliException($"The prefix {text} is ambiguous in {where}: it matches {string.Join(", ", matches.Take(5))}{(matches.Count > 5 ? ", …" : "")}. Give more digits or the full id."),
        };
    }
}
