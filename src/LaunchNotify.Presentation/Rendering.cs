using System.Globalization;
using System.Text.Json;
using Humanizer;
using LaunchNotify.Domain.Alarms;
using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Timeliness;
using LaunchNotify.Domain.Validation;
using LaunchNotify.Domain.Values;
using NodaTime;
using NodaTime.Text;

namespace LaunchNotify.Presentation;

/// <summary>
/// One reader's rendering: a language and a time zone. Words come from the <see cref="IGlossary"/>; dates and numbers
/// from .NET's culture data; durations in words from Humanizer's locale; local time from NodaTime's tzdb zone. Nothing
/// reads the thread's culture or the clock, so the same data gives the same text.
/// </summary>
public sealed class Rendering
{
    public Rendering(IGlossary glossary, Language language, DateTimeZone zone)
    {
        Glossary = glossary;
        Language = language;
        Zone = zone;
        Culture = language.Culture();
    }

    /// <summary>English and UTC from the shipped glossary: for callers that have no centre configuration.</summary>
    public static Rendering EnglishUtc { get; } = new(JsonGlossary.Default, Language.En, Zones.Utc);

    public IGlossary Glossary { get; }
    public Language Language { get; }
    public DateTimeZone Zone { get; }
    public CultureInfo Culture { get; }

    /// <summary>What a value that is not there shows (an unset duration, an absent instant).</summary>
    public const string Nothing = "–";

    /// <summary>The text of a label or message key, its arguments formatted with this language's culture.</summary>
    public string Text(string key, params object?[] args) => Glossary.Text(key, Language, args);

    // ---- coded values: the wire's code in, the reader's word out ----

    /// <summary>
    /// The word for a code of a category (<see cref="GlossaryCategories"/>). A code the glossary does not know (a newer
    /// counterpart's) is shown as it came, so nothing is hidden from the reader.
    /// </summary>
    public string Code(string category, string? code) =>
        string.IsNullOrEmpty(code) ? Nothing : Glossary.TryText($"{category}.{code}", Language, out var text) ? text : code;

    public string MissileClass(MissileClass value) => Code(GlossaryCategories.MissileClass, WireCodes.Of(value));
    public string AlarmKind(AlarmKind value) => Code(GlossaryCategories.AlarmKind, value.Code());
    public string AlarmSeverity(AlarmSeverity value) => Code(GlossaryCategories.AlarmSeverity, WireCodes.Of(value));
    public string AlarmState(AlarmState value) => Code(GlossaryCategories.AlarmState, WireCodes.Of(value));
    public string ReceiptOutcome(ReceiptOutcome value) => Code(GlossaryCategories.ReceiptOutcome, WireCodes.Of(value));
    public string PostLaunchOutcome(PostLaunchOutcome value) => Code(GlossaryCategories.PostLaunchOutcome, WireCodes.Of(value));
    public string MessageKind(MessageKind value) => Code(GlossaryCategories.MessageKind, value.WireName());
    public string AreaKind(Area area) => Code(GlossaryCategories.AreaKind, WireCodes.Of(area));

    /// <summary>A rule code's short name (<c>rule.LEAD_TIME_TOO_SHORT.title</c>).</summary>
    public string RuleTitle(string code) => Glossary.TryText($"rule.{code}.title", Language, out var text) ? text : code;

    /// <summary>What a rule code means, in a sentence (<c>rule.LEAD_TIME_TOO_SHORT.meaning</c>; the rule catalogue, docs/rules.md).</summary>
    public string RuleMeaning(string code) => Glossary.TryText($"rule.{code}.meaning", Language, out var text) ? text : code;

    /// <summary>
    /// A rule failure for a reader: the code and the rule's sentence in this language with its figures
    /// (<see cref="RuleMessage"/>), where the failure carries its arguments. Without them (an older counterpart's
    /// receipt, a schema error) or where the glossary has no sentence for them: in English the producer's own sentence;
    /// in the other languages the rule's name and meaning from the glossary, with the code to look up.
    /// </summary>
    public string Finding(string code, string? englishMessage, IReadOnlyDictionary<string, string>? args = null)
    {
        if (args is not null && (RuleMessage(code, args) ?? TranslatedErrorMessage(code, args)) is { } sentence)
            return Text("finding.sentence", code, sentence);
        return Language == Language.En && !string.IsNullOrWhiteSpace(englishMessage)
            ? $"{code}: {englishMessage}"
            : Text("finding.line", RuleTitle(code), RuleMeaning(code), code);
    }

    /// <summary>A rule failure for a reader (<see cref="Finding(string, string?, IReadOnlyDictionary{string, string}?)"/>).</summary>
    public string Finding(ValidationError error) => Finding(error.Code, error.Message, error.Args);

    /// <summary>
    /// A failure's sentence without its code (for a table with a code column): the rule's sentence in this language from
    /// its arguments; without them, in English the producer's words, in the other languages the rule's name and meaning
    /// where the glossary knows the code (a schema or intake error it does not know is shown in the producer's words).
    /// </summary>
    public string Sentence(ValidationError error) =>
        error.Args is not null && (RuleMessage(error.Code, error.Args) ?? TranslatedErrorMessage(error.Code, error.Args)) is { } sentence ? sentence
        : Language == Language.En || !Glossary.TryText($"rule.{error.Code}.title", Language, out var title) ? error.Message
        : $"{title}: {RuleMeaning(error.Code)}";

    /// <summary>
    /// The sentence of a rule failure in this language: <c>ruleMessage.{CODE}</c> (or <c>.{form}</c>) from the glossary,
    /// its named placeholders filled with the failure's language-free arguments formatted for this reader (durations by
    /// Humanizer, numbers and dates by the culture, instants in the reader's zone, codes from the glossary). Null where
    /// the glossary has no such sentence or an argument it needs is missing (then show the producer's own words).
    /// </summary>
    public string? RuleMessage(string code, IReadOnlyDictionary<string, string> args) =>
        Glossary.TryText(RuleArgs.MessageKey(code, args), Language, out var template) ? Fill(template, args) : null;

    /// <summary>
    /// The sentence of an error that is not an agreement rule (JSON, schema, content, intake, query, key announcement) in
    /// this language, from its language-free arguments: <c>errorMessage.{CODE}.{form}</c>, else <c>errorMessage.{CODE}</c>,
    /// else a form several codes share, <c>errorMessage.{form}</c> (a schema definition's hint, an unknown schema keyword).
    /// Null where the glossary has none or an argument it needs is missing.
    /// </summary>
    public string? ErrorMessage(string code, IReadOnlyDictionary<string, string> args) => FormSentence("errorMessage", code, args);

    /// <summary>
    /// A coverage finding of an observed launch (<c>coverage.*</c> codes) as a reader reads it: in a language other than
    /// English the glossary's <c>coverageMessage.{CODE}[.{form}]</c> from the finding's arguments, its figures in the
    /// culture's numbers and durations and its instants in the reader's zone; in English, or without arguments (a record
    /// of an older build), the node's sentence; without either, the code's name in the glossary.
    /// </summary>
    public string CoverageFinding(string code, string? englishMessage, IReadOnlyDictionary<string, string>? args) =>
        Language != Language.En && args is not null && FormSentence("coverageMessage", code, args) is { } sentence ? sentence
        : Language == Language.En && !string.IsNullOrWhiteSpace(englishMessage) ? englishMessage
        : $"{Code(GlossaryCategories.Coverage, code)} ({code})";

    private string? FormSentence(string prefix, string code, IReadOnlyDictionary<string, string> args)
    {
        var form = args.TryGetValue(RuleArgs.Form, out var f) ? f : null;
        foreach (var key in form is null ? [$"{prefix}.{code}"] : new[] { $"{prefix}.{code}.{form}", $"{prefix}.{code}", $"{prefix}.{form}" })
        {
            if (Glossary.TryText(key, Language, out var template) && Fill(template, args) is { } text)
                return text;
        }
        return null;
    }

    /// <summary>
    /// <see cref="ErrorMessage"/> for the languages other than English: an English reader keeps the producer's own sentence
    /// (the wire's <c>message</c>, which may say more: the JSON reader's or the schema library's words).
    /// </summary>
    private string? TranslatedErrorMessage(string code, IReadOnlyDictionary<string, string> args) =>
        Language == Language.En ? null : ErrorMessage(code, args);

    private string? Fill(string template, IReadOnlyDictionary<string, string> args)
    {
        var missing = false;
        var text = JsonGlossary.FillNamed(template, name =>
        {
            if (args.TryGetValue(name, out var value) && name != RuleArgs.Form)
                return RuleArgument(name, value, args);
            missing = true;
            return null;
        });
        // A sentence that opens with what the lead time is measured to ("the window opened at …") starts with a capital.
        return missing ? null
            : template.StartsWith("{target}", StringComparison.Ordinal) && text.Length > 0 ? char.ToUpper(text[0], Culture) + text[1..] : text;
    }

    /// <summary>One argument of a rule's sentence as this reader reads it; a value that does not parse is shown as it came.</summary>
    public string RuleArgument(string name, string value, IReadOnlyDictionary<string, string> args)
    {
        var kind = RuleArgs.Kinds.TryGetValue(name, out var k) ? k : RuleArgumentKind.Text;
        return kind switch
        {
            RuleArgumentKind.Count => long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? Number(n) : value,
            RuleArgumentKind.Number => RuleArgs.TryNumber(value, out var x) ? x.ToString("0.###", Culture) : value,
            RuleArgumentKind.Duration => RuleArgs.TryDuration(value, out var d) ? RuleDuration(d) : value,
            RuleArgumentKind.Instant => RuleArgs.TryInstant(value, out var i) ? InstantShort(i) : value,
            RuleArgumentKind.Kilometres => RuleArgs.TryNumber(value, out var km) ? Text("unit.km", km.ToString("#,0.##", Culture)) : value,
            RuleArgumentKind.Degrees => RuleArgs.TryNumber(value, out var deg) ? Degrees(deg) : value,
            RuleArgumentKind.MissileClass => Code(GlossaryCategories.MissileClass, value),
            RuleArgumentKind.MissileClasses => string.Join(", ", value.Split(',').Select(c => Code(GlossaryCategories.MissileClass, c))),
            RuleArgumentKind.MessageKind => Code(GlossaryCategories.MessageKind, value),
            RuleArgumentKind.RequiredField => Code(GlossaryCategories.RequiredField, value),
            RuleArgumentKind.Target => Glossary.TryText($"ruleTarget.{value}", Language, out var target,
                args.TryGetValue("start", out var start) ? RuleArgument("start", start, args) : Nothing) ? target : value,
            RuleArgumentKind.Sectors => string.Join("; ", value.Split(';').Select(Sector)),
            RuleArgumentKind.Pointer => value.Length == 0 ? "/" : value,
            RuleArgumentKind.MessageKinds => string.Join(ListSeparator, value.Split(',').Select(k => Code(GlossaryCategories.MessageKind, k))),
            RuleArgumentKind.JsonTypes => string.Join(ListSeparator, value.Split(',').Select(t => Code(GlossaryCategories.JsonType, t))),
            RuleArgumentKind.SchemaHint => Code(GlossaryCategories.SchemaHint, value),
            RuleArgumentKind.AreaKind => Code(GlossaryCategories.AreaKind, value),
            _ => value,
        };
    }

    /// <summary>How a list of words is joined: Chinese uses the enumeration comma (、).</summary>
    private string ListSeparator => Language == Language.Zh ? "、" : ", ";

    /// <summary>A bearing sector (<c>from~to~name</c>) in words.</summary>
    private string Sector(string item)
    {
        var parts = item.Split('~', 3);
        if (parts.Length < 2 || !RuleArgs.TryNumber(parts[0], out var from) || !RuleArgs.TryNumber(parts[1], out var to))
            return item;
        var name = parts.Length == 3 && parts[2].Length > 0 ? parts[2] : Text("ruleSector.unnamed");
        return Text("ruleSector.text", name, Degrees(from), Degrees(to));
    }

    /// <summary>
    /// A duration in a rule's sentence as the agreements state it (<c>72 h</c>, <c>23 h 59 min 59 s</c>; days beyond
    /// 96 h), with Humanizer's unit symbols and words for this language (<see cref="DurationText"/>).
    /// </summary>
    public string RuleDuration(Duration duration) => DurationText.Format(duration, Culture).Replace("-", "−", StringComparison.Ordinal);

    /// <summary>
    /// An alarm's summary in this language, from its kind and its stored fields (the node's own summary is English and
    /// stays on the API): <c>alarmSummary.{KIND}</c> with the centre, agreement, message (short id), sequence numbers and
    /// due instant as {0}..{4}. A kind the glossary does not know shows its code.
    /// </summary>
    public string AlarmSummary(AlarmKind kind, string? centre, string? agreementId, Guid? messageId, string? sequences, Instant? dueAt) =>
        Glossary.TryText($"alarmSummary.{kind.Code()}", Language, out _)
            ? Text($"alarmSummary.{kind.Code()}", centre ?? Nothing, agreementId ?? Nothing, messageId is { } id ? id.ToString()[..8] : Nothing,
                sequences ?? Nothing, InstantShort(dueAt))
            : kind.Code();

    // ---- time ----

    /// <summary>
    /// An instant as local date and time in this rendering's zone, in the culture's full pattern, with the UTC offset
    /// (e.g. <c>Tuesday, 10 March 2026 16:00:00 UTC+08:00</c>; in UTC: <c>… UTC</c>).
    /// </summary>
    public string Instant(Instant? instant) => instant is { } i ? Local(i, "F") : Nothing;

    /// <summary>An instant in the culture's short date and long time, with the offset: for table cells.</summary>
    public string InstantShort(Instant? instant) => instant is { } i ? Local(i, "G") : Nothing;

    public string Date(LocalDate date) => date.ToString("D", Culture);

    /// <summary>The zone's name and its offset now-independent: the tzdb id (Asia/Shanghai).</summary>
    public string ZoneName => Zone.Id;

    private string Local(Instant instant, string pattern)
    {
        var local = instant.InZone(Zone);
        return $"{local.LocalDateTime.ToString(pattern, Culture)} {OffsetText(local.Offset)}";
    }

    private static string OffsetText(Offset offset) =>
        offset == Offset.Zero ? "UTC" : "UTC" + OffsetPattern.CreateWithInvariantCulture("+HH:mm").Format(offset);

    /// <summary>
    /// A duration in words, in Humanizer's locale for this language: days, hours and minutes from an hour up, seconds
    /// below an hour, milliseconds only under a second (e.g. <c>1 day, 2 hours</c>, <c>1 день, 2 часа</c>). Negative
    /// durations (a late margin) carry a minus sign.
    /// </summary>
    public string Duration(Duration? duration)
    {
        if (duration is not { } d)
            return Nothing;
        var abs = d < NodaTime.Duration.Zero ? -d : d;
        var minUnit = abs >= NodaTime.Duration.FromHours(1) ? TimeUnit.Minute : abs >= NodaTime.Duration.FromSeconds(1) ? TimeUnit.Second : TimeUnit.Millisecond;
        // Units joined by ", " (Humanizer's own list words give "&" in French and Russian); Chinese lists them without a comma (1 天 2 小时).
        var separator = Language == Language.Zh ? " " : ", ";
        var words = abs.ToTimeSpan().Humanize(precision: 3, culture: Culture, maxUnit: TimeUnit.Day, minUnit: minUnit, collectionSeparator: separator);
        return d < NodaTime.Duration.Zero ? "−" + words : words;
    }

    // ---- numbers ----

    public string Number(long value) => value.ToString("N0", Culture);

    public string Number(double? value, int decimals) => value is { } v ? v.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), Culture) : Nothing;

    /// <summary>A ratio (0.935) as a percentage with one decimal, as the culture writes it (93.5%, 93,5 %).</summary>
    public string Percent(double? ratio) => ratio is { } r ? r.ToString("P1", Culture) : Nothing;

    public string Kilometres(double? km) => km is { } v ? Text("unit.km", v.ToString("N0", Culture)) : Nothing;

    /// <summary>A distance as the agreements state it, to a tenth of a kilometre where it has one (7.5 km, 7,5 km).</summary>
    public string Distance(double km) => Text("unit.km", km.ToString("#,0.#", Culture));

    /// <summary>A countdown to a deadline as the duty page shows it: <c>1 d 02:03:04 left</c>, <c>overdue by 00:05:00</c>.</summary>
    public string Countdown(Duration left)
    {
        var total = (long)Math.Floor(Math.Abs(left.TotalSeconds));
        var clock = string.Create(CultureInfo.InvariantCulture, $"{total % 86400 / 3600:00}:{total % 3600 / 60:00}:{total % 60:00}");
        var text = total >= 86400 ? Text("duty.countdown.days", Number(total / 86400)) + " " + clock : clock;
        return left < NodaTime.Duration.Zero ? Text("duty.countdown.overdue", text) : Text("duty.countdown.left", text);
    }

    public string Degrees(double? degrees) => degrees is { } v ? Text("unit.degrees", v.ToString("0.#", Culture)) : Nothing;

    public string Point(GeoPoint point) =>
        Text("unit.point", point.Lat.ToString("0.0000", Culture), point.Lon.ToString("0.0000", Culture));

    /// <summary>An area as a reader sees it: its kind, its figures, its name if it has one.</summary>
    public string Area(Area area)
    {
        var shape = area switch
        {
            CircleArea c => Text("area.circle.text", Kilometres(c.RadiusKm), Point(c.Centre)),
            PolygonArea p => Text("area.polygon.text", Number(p.Vertices.Count), string.Join("; ", p.Vertices.Select(Point))),
            OceanQuadrantArea q => Text("area.oceanQuadrant.text", Code(GlossaryCategories.Quadrant, q.Quadrant.ToString()), Point(q.Corner), Kilometres(q.RadiusKm)),
            NamedWaterArea w => w.ReferencePoint is { } r ? Text("area.namedWater.text", Point(r)) : AreaKind(area),
            OceanQuarterArea o => Text("area.oceanQuarter.text", Code(GlossaryCategories.Quadrant, o.Quadrant.ToString()), Code(GlossaryCategories.Ocean, o.Ocean.ToString())),
            _ => AreaKind(area),
        };
        return area.Name is { } name ? $"{name} — {shape}" : shape;
    }
}

/// <summary>The glossary's categories of coded values: a key is <c>{category}.{wire code}</c>.</summary>
public static class GlossaryCategories
{
    public const string MissileClass = "missileClass";
    public const string AreaKind = "areaKind";
    public const string Quadrant = "quadrant";
    public const string Ocean = "ocean";
    public const string AlarmKind = "alarmKind";
    public const string AlarmSeverity = "alarmSeverity";
    public const string AlarmState = "alarmState";
    public const string ReceiptOutcome = "receiptOutcome";
    public const string DeliveryStatus = "deliveryStatus";
    public const string PostLaunchOutcome = "postLaunchOutcome";
    public const string MessageKind = "messageKind";
    public const string LinkCondition = "linkCondition";
    public const string Coverage = "coverage";
    public const string RuleSet = "ruleSet";
    public const string Direction = "direction";
    public const string RequiredField = "requiredField";
    public const string JsonType = "jsonType";
    public const string SchemaHint = "schemaHint";
}

/// <summary>The codes the wire and the API use for the domain's enums (the glossary's keys follow them).</summary>
public static class WireCodes
{
    public static string Of(MissileClass value) => JsonNamingPolicy.SnakeCaseUpper.ConvertName(value.ToString());
    public static string Of(AlarmSeverity value) => JsonNamingPolicy.CamelCase.ConvertName(value.ToString());
    public static string Of(AlarmState value) => JsonNamingPolicy.CamelCase.ConvertName(value.ToString());
    public static string Of(ReceiptOutcome value) => JsonNamingPolicy.CamelCase.ConvertName(value.ToString());
    public static string Of(PostLaunchOutcome value) => JsonNamingPolicy.CamelCase.ConvertName(value.ToString());

    /// <summary>An enum value's camelCase code (how the API writes its enums: <c>DeliveryStatus.Confirmed</c> → confirmed).</summary>
    public static string CamelCase<T>(T value) where T : struct, Enum => JsonNamingPolicy.CamelCase.ConvertName(value.ToString());

    /// <summary>The area's <c>type</c> on the wire.</summary>
    public static string Of(Area area) => Area.WireType(area);
}
