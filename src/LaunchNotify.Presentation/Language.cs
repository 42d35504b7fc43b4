using System.Globalization;

namespace LaunchNotify.Presentation;

/// <summary>The languages a centre reads: those of the P5 glossary (English, Chinese, French, Russian).</summary>
public enum Language { En, Zh, Fr, Ru }

public static class Languages
{
    public static IReadOnlyList<Language> All { get; } = Enum.GetValues<Language>();

    /// <summary>The codes a person types and a glossary file is named after: en, zh, fr, ru.</summary>
    public static IReadOnlyList<string> Codes { get; } = [.. All.Select(Code)];

    public static string Code(this Language language) => language switch
    {
        Language.En => "en",
        Language.Zh => "zh",
        Language.Fr => "fr",
        Language.Ru => "ru",
        _ => throw new ArgumentOutOfRangeException(nameof(language), language, null),
    };

    /// <summary>
    /// The culture whose data formats dates and numbers (and whose Humanizer locale words durations). English is
    /// en-GB: a 24-hour clock and day before month, as the other three; Chinese is simplified (zh-CN, parent zh-Hans).
    /// </summary>
    public static CultureInfo Culture(this Language language) => CultureInfo.GetCultureInfo(language switch
    {
        Language.En => "en-GB",
        Language.Zh => "zh-CN",
        Language.Fr => "fr-FR",
        Language.Ru => "ru-RU",
        _ => throw new ArgumentOutOfRangeException(nameof(language), language, null),
    });

    /// <summary>en, zh, fr or ru (any case, surrounding blanks ignored); also a culture name of one of them (fr-FR, zh-Hans).</summary>
    public static bool TryParse(string? text, out Language language)
    {
        var code = (text ?? "").Trim().ToLowerInvariant();
        var dash = code.IndexOf('-');
        if (dash > 0)
            code = code[..dash];
        foreach (var l in All)
            if (l.Code() == code)
            {
                language = l;
                return true;
            }
        language = default;
        return false;
    }
}
