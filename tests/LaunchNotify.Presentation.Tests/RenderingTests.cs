using System.Globalization;
using LaunchNotify.Domain.Alarms;
using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Hosting;
using Microsoft.Extensions.Configuration;
using NodaTime;

namespace LaunchNotify.Presentation.Tests;

/// <summary>Words from the glossary, times in the reader's zone, durations and numbers in the reader's culture.</summary>
public sealed class RenderingTests
{
    private static readonly Instant Noon = Instant.FromUtc(2026, 3, 10, 12, 0);

    private static Rendering In(Language language, string zone = "Etc/UTC") => new(JsonGlossary.Default, language, Zones.Find(zone)!);

    [Theory]
    [InlineData(Language.En, "intercontinental ballistic missile (ICBM)")]
    [InlineData(Language.Zh, "洲际弹道导弹（ICBM）")]
    [InlineData(Language.Fr, "missile balistique intercontinental (ICBM)")]
    [InlineData(Language.Ru, "межконтинентальная баллистическая ракета (МБР)")]
    public void MissileClass_IsTheGlossaryTermOfTheLanguage(Language language, string expected) =>
        Assert.Equal(expected, In(language).MissileClass(MissileClass.ICBM));

    [Theory]
    [InlineData(Language.En, "Pacific Ocean, north-east quarter")]
    [InlineData(Language.Fr, "océan Pacifique, quart nord-est")]
    [InlineData(Language.Ru, "Тихий океан, четверть: северо-восток")]
    [InlineData(Language.Zh, "太平洋东北四分区")]
    public void OceanQuarterArea_IsTheOceanAndItsQuarterInTheLanguage(Language language, string expected)
    {
        var rendering = In(language);
        Assert.Equal(expected, rendering.Area(new OceanQuarterArea(Ocean.Pacific, Quadrant.NE)));
        Assert.Equal($"Kura — {expected}", rendering.Area(new OceanQuarterArea(Ocean.Pacific, Quadrant.NE, "Kura")));
        Assert.DoesNotContain("areaKind.", rendering.AreaKind(new OceanQuarterArea(Ocean.Pacific, Quadrant.NE)));
    }

    [Fact]
    public void EveryOceanAndQuarter_HasItsWordsInEveryLanguage()
    {
        foreach (var language in Enum.GetValues<Language>())
        foreach (var ocean in Enum.GetValues<Ocean>())
        foreach (var quadrant in Enum.GetValues<Quadrant>())
        {
            // A code missing from the glossary would show as the code itself ("Pacific", "NE").
            var text = In(language).Area(new OceanQuarterArea(ocean, quadrant));
            Assert.DoesNotContain(quadrant.ToString(), text, StringComparison.Ordinal);
            if (language == Language.En)
                Assert.Contains(" Ocean", text, StringComparison.Ordinal);
            else
                Assert.DoesNotContain(ocean.ToString(), text, StringComparison.Ordinal);
            Assert.DoesNotContain("{", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Code_UnknownToTheGlossary_IsShownAsItCame() =>
        Assert.Equal("SOMETHING_NEW", In(Language.Fr).Code(GlossaryCategories.AlarmKind, "SOMETHING_NEW"));

    [Theory]
    [InlineData(Language.En, "1 day, 2 hours, 5 minutes")]
    [InlineData(Language.Fr, "1 jour, 2 heures, 5 minutes")]
    [InlineData(Language.Ru, "1 день, 2 часа, 5 минут")]
    public void Duration_IsInWordsOfTheLanguage(Language language, string expected) =>
        Assert.Equal(expected, In(language).Duration(Duration.FromHours(26) + Duration.FromMinutes(5) + Duration.FromSeconds(7)));

    [Fact]
    public void Duration_InChinese_UsesChineseUnitsWithoutAWesternComma() =>
        Assert.Equal("1 天 2 小时", In(Language.Zh).Duration(Duration.FromHours(26)));

    [Fact]
    public void Duration_Negative_CarriesAMinusAndAbsentIsADash()
    {
        Assert.Equal("−1 hour", In(Language.En).Duration(-Duration.FromHours(1)));
        Assert.Equal(Rendering.Nothing, In(Language.En).Duration(null));
    }

    [Theory]
    [InlineData(Language.En, "Etc/UTC", "12:00:00 UTC")]
    [InlineData(Language.Ru, "Europe/Moscow", "15:00:00 UTC+03:00")]
    [InlineData(Language.Zh, "Asia/Shanghai", "20:00:00 UTC+08:00")]
    [InlineData(Language.Fr, "America/New_York", "08:00:00 UTC-04:00")]
    public void Instant_IsLocalTimeOfTheZoneWithItsOffset(Language language, string zone, string expectedEnd) =>
        Assert.EndsWith(expectedEnd, In(language, zone).Instant(Noon));

    [Fact]
    public void Instant_DateIsWrittenAsTheCultureWritesIt()
    {
        Assert.Contains("10 March 2026", In(Language.En).Instant(Noon));
        Assert.Contains("10 mars 2026", In(Language.Fr).Instant(Noon));
        Assert.Contains("10 марта 2026", In(Language.Ru).Instant(Noon));
        Assert.Contains("2026年3月10日", In(Language.Zh).Instant(Noon));
    }

    [Fact]
    public void Numbers_FollowTheCulture()
    {
        Assert.Equal("93.5%", In(Language.En).Percent(0.935));
        // French writes a decimal comma and a space before the sign (which space depends on the ICU version).
        Assert.Matches("^93,5[ \u00a0\u202f]%$", In(Language.Fr).Percent(0.935));
        Assert.Equal("12,345", In(Language.En).Number(12345));
        Assert.Equal("12\u00a0345", In(Language.Ru).Number(12345));
        Assert.Equal("2,000 km", In(Language.En).Kilometres(2000));
        Assert.Equal("2,000 公里", In(Language.Zh).Kilometres(2000));
    }

    [Fact]
    public void Finding_InEnglishKeepsTheDomainSentenceAndElsewhereGivesTheRuleFromTheGlossary()
    {
        const string sentence = "Notified 23 h before the window opens; us-ru-bmlna-1988 requires at least 24 h (late by 1 h).";
        Assert.Equal("LEAD_TIME_TOO_SHORT: " + sentence, In(Language.En).Finding("LEAD_TIME_TOO_SHORT", sentence));
        Assert.Equal("délai de préavis insuffisant : La notification est envoyée moins longtemps avant l'ouverture de la fenêtre de lancement " +
                     "que le délai de préavis minimal de l'accord. (LEAD_TIME_TOO_SHORT)", In(Language.Fr).Finding("LEAD_TIME_TOO_SHORT", sentence));
    }

    [Fact]
    public void Notification_RenderedTwice_IsIdenticalWhateverTheThreadsCulture()
    {
        var original = CultureInfo.CurrentCulture;
        try
        {
            foreach (var language in Languages.All)
            {
                CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("ar-SA");
                var first = NotificationView.Lines(Notice(), In(language, "Asia/Shanghai"));
                CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("de-DE");
                var second = NotificationView.Lines(Notice(), In(language, "Asia/Shanghai"));
                Assert.Equal(first, second);
            }
        }
        finally
        {
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = original;
        }
    }

    [Fact]
    public void Notification_InRussian_ReadsInRussianWithMoscowTime()
    {
        var lines = NotificationView.Lines(Notice(), In(Language.Ru, "Europe/Moscow")).ToDictionary(l => l.Label, l => l.Value);

        Assert.Equal("межконтинентальная баллистическая ракета (МБР)", lines["класс ракеты"]);
        Assert.Equal("уведомление о предстоящем пуске", lines["вид"]);
        Assert.EndsWith("15:00:00 UTC+03:00", lines["открытие окна пуска"]);
        Assert.Equal("4 часа", lines["продолжительность окна"]);
        Assert.StartsWith("Kura — круг радиусом 50 км", lines["район падения 1"]);
    }

    [Fact]
    public void RenderingLanguage_ReaderOverridesTheCentreAndBadChoicesSayWhatIsAllowed()
    {
        var centre = new RenderingLanguage(JsonGlossary.Default, Language.Ru, Zones.Find("Europe/Moscow")!);

        var (same, _) = centre.For(null);
        Assert.Equal((Language.Ru, "Europe/Moscow"), (same!.Language, same.Zone.Id));
        var (french, _) = centre.For("fr-FR", "Europe/Paris");
        Assert.Equal((Language.Fr, "Europe/Paris"), (french!.Language, french.Zone.Id));

        var (none, problem) = centre.For("de");
        Assert.Null(none);
        // Said in the centre's language (the reader's could not be used): this centre's is Russian.
        Assert.Equal("«de» — не язык глоссария; используйте один из: en, zh, fr, ru.", problem);
        Assert.Contains("не часовой пояс базы tz", centre.For("en", "Mars/Olympus").Problem);
        Assert.Equal("'de' is not a language of the glossary; use one of en, zh, fr, ru.",
            new RenderingLanguage(JsonGlossary.Default, Language.En, Zones.Utc).For("de").Problem);
    }

    [Fact]
    public void Settings_TakeTheCentresLanguageAndZone()
    {
        var settings = NodeSettings.From(Configuration(("LaunchNotify:Rendering:Language", "zh"), ("LaunchNotify:Rendering:TimeZone", "Asia/Shanghai")));
        Assert.Equal(Language.Zh, settings.Rendering.Language);
        Assert.Equal("Asia/Shanghai", settings.Rendering.Zone.Id);
        Assert.Equal(RenderingSettings.Default, NodeSettings.From(Configuration()).Rendering);
    }

    [Theory]
    [InlineData("LaunchNotify:Rendering:Language", "de", "LaunchNotify:Rendering:Language = 'de' (env LaunchNotify__Rendering__Language): must be a language of the glossary: en, zh, fr or ru")]
    [InlineData("LaunchNotify:Rendering:TimeZone", "Moscow", "LaunchNotify:Rendering:TimeZone = 'Moscow' (env LaunchNotify__Rendering__TimeZone): must be a tz database zone id")]
    public void Settings_WithAnUnusableLanguageOrZone_AreRefusedNamingKeyValueAndWhatIsAllowed(string key, string value, string expected)
    {
        var e = Assert.Throws<SettingsException>(() => NodeSettings.From(Configuration((key, value))));
        Assert.StartsWith(expected, Assert.Single(e.Problems));
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] extra)
    {
        var keys = Directory.CreateTempSubdirectory("ln-rendering-").FullName;
        var values = new Dictionary<string, string?>
        {
            ["LaunchNotify:Centre"] = "US",
            ["LaunchNotify:Store"] = "sqlite:" + Path.Combine(keys, "node.db"),
            ["LaunchNotify:KeysDirectory"] = keys,
            ["LaunchNotify:Broker:Password"] = "unused",
        };
        foreach (var (key, value) in extra)
            values[key] = value;
        return new ConfigurationBuilder().AddInMemoryCollection(values).Build();
    }

    internal static PreNotification Notice() => new()
    {
        MessageId = new MessageId(Guid.Parse("6f1c2b9e-3d4a-4e5f-8a7b-1c2d3e4f5a6b")),
        AgreementId = new AgreementId("us-ru-bmlna-1988"),
        Sender = new CentreCode("US"),
        Recipients = [new Addressee(new CentreCode("RU"), 7)],
        IssuedAt = Noon - Duration.FromDays(2),
        LaunchWindow = new LaunchWindow(Noon, Noon + Duration.FromHours(4)),
        Missile = new Missile(MissileClass.ICBM, count: 1, type: "Minuteman III", rangeKm: 6700),
        LaunchArea = new CircleArea(new GeoPoint(34.7420, -120.5724), 10, "Vandenberg"),
        ImpactAreas = [new CircleArea(new GeoPoint(9.3964, 167.4710), 50, "Kura")],
        PlannedAzimuthDeg = 245.5,
    };
}
