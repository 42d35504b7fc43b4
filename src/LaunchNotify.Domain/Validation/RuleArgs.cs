using System.Collections.Immutable;
using System.Globalization;
using NodaTime;
using NodaTime.Text;

namespace LaunchNotify.Domain.Validation;

/// <summary>What an argument of a rule's sentence is, so that a reader's language can format it.</summary>
public enum RuleArgumentKind
{
    /// <summary>Free text (an area's name): shown as it is.</summary>
    Text,
    /// <summary>An identifier (centre code, agreement id, message id, boundary id; a list of them joined by ", "): shown as it is.</summary>
    Id,
    /// <summary>A whole number.</summary>
    Count,
    /// <summary>A decimal number (a latitude).</summary>
    Number,
    /// <summary>A duration in seconds (decimal, may be negative).</summary>
    Duration,
    /// <summary>An instant, ISO-8601 in UTC.</summary>
    Instant,
    /// <summary>A distance in kilometres.</summary>
    Kilometres,
    /// <summary>An angle in degrees.</summary>
    Degrees,
    /// <summary>A missile class code (<c>ICBM</c>).</summary>
    MissileClass,
    /// <summary>Missile class codes joined by ",".</summary>
    MissileClasses,
    /// <summary>A message kind (<c>receipt</c>).</summary>
    MessageKind,
    /// <summary>A field an agreement requires (<c>launchArea</c>).</summary>
    RequiredField,
    /// <summary>What the lead time is measured to (<c>window</c>, <c>windowPast</c>, <c>addedPart</c>…).</summary>
    Target,
    /// <summary>Bearing sectors: <c>from~to~name</c> items joined by ";" (degrees; the name may be empty).</summary>
    Sectors,
    /// <summary>A JSON Pointer into a document (<c>""</c> is the whole document, shown as <c>/</c>).</summary>
    Pointer,
    /// <summary>Message kinds joined by ",".</summary>
    MessageKinds,
    /// <summary>JSON value types (<c>object</c>, <c>array</c>, <c>string</c>…) joined by ",".</summary>
    JsonTypes,
    /// <summary>An area's kind on the wire (<c>circle</c>, <c>oceanQuarter</c>…): the glossary's <c>areaKind.*</c>.</summary>
    AreaKind,
    /// <summary>What a shared schema definition expects (<c>instant</c>, <c>centreCode</c>…): the glossary's <c>schemaHint.*</c>.</summary>
    SchemaHint,
}

/// <summary>
/// The figures of a rule's sentence as language-free values (<see cref="ValidationError.Args"/>): each argument's name,
/// its <see cref="RuleArgumentKind"/>, and how a value is written. The glossary's <c>ruleMessage.{CODE}</c> (or
/// <c>ruleMessage.{CODE}.{form}</c>) has one named placeholder per argument.
/// </summary>
public static class RuleArgs
{
    /// <summary>The argument that names the sentence's form (not a placeholder): <c>ruleMessage.{CODE}.{form}</c>.</summary>
    public const string Form = "form";

    public static readonly ImmutableSortedDictionary<string, string> None = ImmutableSortedDictionary<string, string>.Empty;

    /// <summary>Every argument a rule gives, by name.</summary>
    public static readonly IReadOnlyDictionary<string, RuleArgumentKind> Kinds = new Dictionary<string, RuleArgumentKind>(StringComparer.Ordinal)
    {
        ["agreement"] = RuleArgumentKind.Id, ["sender"] = RuleArgumentKind.Id, ["centre"] = RuleArgumentKind.Id,
        ["parties"] = RuleArgumentKind.Id, ["originalSender"] = RuleArgumentKind.Id, ["originalAgreement"] = RuleArgumentKind.Id,
        ["other"] = RuleArgumentKind.Id, ["boundary"] = RuleArgumentKind.Id, ["reference"] = RuleArgumentKind.Id,
        ["supplied"] = RuleArgumentKind.Id,
        ["areaName"] = RuleArgumentKind.Text,
        ["missileClass"] = RuleArgumentKind.MissileClass, ["classes"] = RuleArgumentKind.MissileClasses,
        ["range"] = RuleArgumentKind.Kilometres, ["threshold"] = RuleArgumentKind.Kilometres,
        ["distance"] = RuleArgumentKind.Kilometres, ["minimum"] = RuleArgumentKind.Kilometres,
        ["azimuth"] = RuleArgumentKind.Degrees, ["offBy"] = RuleArgumentKind.Degrees, ["bearing"] = RuleArgumentKind.Degrees,
        ["tolerance"] = RuleArgumentKind.Degrees,
        ["lat"] = RuleArgumentKind.Number, ["lon"] = RuleArgumentKind.Number,
        ["sectors"] = RuleArgumentKind.Sectors,
        ["actual"] = RuleArgumentKind.Duration, ["required"] = RuleArgumentKind.Duration, ["lateBy"] = RuleArgumentKind.Duration,
        ["ago"] = RuleArgumentKind.Duration, ["received"] = RuleArgumentKind.Duration, ["issuedAhead"] = RuleArgumentKind.Duration,
        ["length"] = RuleArgumentKind.Duration, ["maximum"] = RuleArgumentKind.Duration, ["spread"] = RuleArgumentKind.Duration,
        ["maxSeparation"] = RuleArgumentKind.Duration, ["nearSeparation"] = RuleArgumentKind.Duration, ["by"] = RuleArgumentKind.Duration,
        ["ahead"] = RuleArgumentKind.Duration, ["deadline"] = RuleArgumentKind.Duration, ["late"] = RuleArgumentKind.Duration,
        ["promised"] = RuleArgumentKind.Duration, ["agreed"] = RuleArgumentKind.Duration, ["interval"] = RuleArgumentKind.Duration,
        ["start"] = RuleArgumentKind.Instant, ["end"] = RuleArgumentKind.Instant, ["plannedAt"] = RuleArgumentKind.Instant,
        ["launchedAt"] = RuleArgumentKind.Instant, ["due"] = RuleArgumentKind.Instant, ["acknowledgedAt"] = RuleArgumentKind.Instant,
        ["receivedAt"] = RuleArgumentKind.Instant,
        ["target"] = RuleArgumentKind.Target,
        ["launches"] = RuleArgumentKind.Count, ["missiles"] = RuleArgumentKind.Count, ["missile"] = RuleArgumentKind.Count,
        ["area"] = RuleArgumentKind.Count, ["areas"] = RuleArgumentKind.Count, ["count"] = RuleArgumentKind.Count,
        ["notified"] = RuleArgumentKind.Count, ["sequence"] = RuleArgumentKind.Count,
        ["field"] = RuleArgumentKind.RequiredField,
        ["kind"] = RuleArgumentKind.MessageKind,
        // Errors that are not agreement rules (JSON, schema, content, intake, query, key announcements): ErrorCodes.
        ["at"] = RuleArgumentKind.Pointer,
        ["line"] = RuleArgumentKind.Count, ["position"] = RuleArgumentKind.Count, ["bytes"] = RuleArgumentKind.Count,
        ["index"] = RuleArgumentKind.Count, ["min"] = RuleArgumentKind.Count, ["max"] = RuleArgumentKind.Count,
        ["limit"] = RuleArgumentKind.Number,
        ["properties"] = RuleArgumentKind.Id, ["allowed"] = RuleArgumentKind.Id, ["pattern"] = RuleArgumentKind.Id,
        ["format"] = RuleArgumentKind.Id, ["keyword"] = RuleArgumentKind.Id, ["parameter"] = RuleArgumentKind.Id,
        ["kid"] = RuleArgumentKind.Id, ["owner"] = RuleArgumentKind.Id, ["signer"] = RuleArgumentKind.Id,
        ["value"] = RuleArgumentKind.Text, ["contentType"] = RuleArgumentKind.Text,
        ["types"] = RuleArgumentKind.JsonTypes, ["jsonType"] = RuleArgumentKind.JsonTypes,
        ["hint"] = RuleArgumentKind.SchemaHint,
        ["expected"] = RuleArgumentKind.MessageKind, ["kinds"] = RuleArgumentKind.MessageKinds,
        // Coverage findings of an observed launch (LaunchCoverage).
        ["knownAt"] = RuleArgumentKind.Instant, ["outside"] = RuleArgumentKind.Duration, ["toleranceWindow"] = RuleArgumentKind.Duration,
        ["toleranceKm"] = RuleArgumentKind.Kilometres, ["areaKind"] = RuleArgumentKind.AreaKind,
    };

    /// <summary>The arguments, checked against <see cref="Kinds"/> (a name not listed there is a fault of the program).</summary>
    public static ImmutableSortedDictionary<string, string> Of(params (string Name, string Value)[] args)
    {
        var builder = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in args)
        {
            if (name != Form && !Kinds.ContainsKey(name))
                throw new ArgumentException($"'{name}' is not a rule argument: add it to RuleArgs.Kinds.", nameof(args));
            builder.Add(name, value);
        }
        return builder.ToImmutable();
    }

    /// <summary>The sentence's key in the glossary: <c>ruleMessage.{CODE}</c> or <c>ruleMessage.{CODE}.{form}</c>.</summary>
    public static string MessageKey(string code, IReadOnlyDictionary<string, string> args) =>
        args.TryGetValue(Form, out var form) ? $"ruleMessage.{code}.{form}" : $"ruleMessage.{code}";

    /// <summary>Input echoed in an argument (a value a client sent), cut at 80 characters: an answer never grows with what is sent.</summary>
    public static string Echo(string text) => text.Length <= 80 ? text : text[..80] + "…";

    public static string Of(Duration d) => d.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);

    public static string Of(Instant i) => InstantPattern.ExtendedIso.Format(i);

    public static string Of(long n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary>A decimal number as it round-trips (a reader rounds it as the sentence shows it, once).</summary>
    public static string Of(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    public static bool TryDuration(string value, out Duration d)
    {
        d = default;
        if (!double.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds)
            || Math.Abs(seconds) > 1e10)
            return false;
        d = Duration.FromMilliseconds(Math.Round(seconds * 1000));
        return true;
    }

    public static bool TryInstant(string value, out Instant i)
    {
        var result = InstantPattern.ExtendedIso.Parse(value);
        i = result.Success ? result.Value : default;
        return result.Success;
    }

    public static bool TryNumber(string value, out double x) =>
        double.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out x)
        && double.IsFinite(x);
}
