using NodaTime;

namespace LaunchNotify.Presentation;

/// <summary>
/// Picks the rendering for a reader: the centre's configured language and time zone, unless the reader asks for
/// another (the CLI's <c>--lang</c>/<c>--tz</c>, the dashboard's switch). Registered once per node.
/// </summary>
public sealed class RenderingLanguage
{
    public RenderingLanguage(IGlossary glossary, Language language, DateTimeZone zone)
    {
        Glossary = glossary;
        Default = new Rendering(glossary, language, zone);
    }

    public IGlossary Glossary { get; }

    /// <summary>The centre's own: its configured language and zone.</summary>
    public Rendering Default { get; }

    /// <summary>
    /// The rendering for a reader's choice: <paramref name="language"/> (en, zh, fr, ru) and <paramref name="timeZone"/>
    /// (a tzdb id such as Europe/Moscow); an unset one keeps the centre's. What it cannot use comes back as a problem
    /// that says what is allowed (in the centre's language: the reader's could not be used), and the rendering is null.
    /// </summary>
    public (Rendering? Rendering, string? Problem) For(string? language, string? timeZone = null)
    {
        var lang = Default.Language;
        if (!string.IsNullOrWhiteSpace(language) && !Languages.TryParse(language, out lang))
            return (null, Default.Text("problem.language", language, string.Join(", ", Languages.Codes)));
        var zone = Default.Zone;
        if (!string.IsNullOrWhiteSpace(timeZone) && (zone = Zones.Find(timeZone)) is null)
            return (null, Default.Text("problem.timeZone", timeZone));
        return (new Rendering(Glossary, lang, zone), null);
    }
}

public static class Zones
{
    /// <summary>Etc/UTC from tzdb: the default zone (the configuration's default names it so).</summary>
    public static DateTimeZone Utc { get; } = DateTimeZoneProviders.Tzdb["Etc/UTC"];

    /// <summary>A zone of NodaTime's tzdb by its id (case as published: Asia/Shanghai), or null.</summary>
    public static DateTimeZone? Find(string? id) =>
        string.IsNullOrWhiteSpace(id) ? null : DateTimeZoneProviders.Tzdb.GetZoneOrNull(id.Trim());
}
