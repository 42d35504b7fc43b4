using System.Text.Json;
using System.Text.Json.Nodes;
using LaunchNotify.Domain.Timeliness;
using LaunchNotify.Domain.Validation;
using LaunchNotify.Domain.Values;
using NodaTime;
using NodaTime.Text;

namespace LaunchNotify.Node.Launches;

/// <summary>A launch to record, checked: a well-formed instant not in the future, points on the globe, a known centre.</summary>
public sealed record ObservedLaunchInput(Guid? Id, Instant At, GeoPoint LaunchPoint, GeoPoint? ImpactPoint, CentreCode Attributed, string? Source, string? Comment)
{
    /// <summary>What was seen to fly; <see cref="ObservedClass.Unknown"/> is weighed like a ballistic missile.</summary>
    public ObservedClass Class { get; init; } = ObservedClass.Unknown;
}

/// <summary>
/// The class of an observed launch, as sensors or an operator judge it. Only ballistic missiles and space launch vehicles
/// are subject to the launch-notification agreements; a cruise missile (BrahMos, 9 March 2022) is not.
/// </summary>
public enum ObservedClass { Unknown, Ballistic, Slv, SoundingRocket, Cruise }

/// <summary>
/// Reads the body of <c>POST /v1/observed-launches</c>:
/// <c>{"id"?, "at", "launchPoint": {"lat", "lon"}, "impactPoint"?: {"lat", "lon"}, "attributedCentre", "source"?, "comment"?}</c>.
/// Every problem is reported at once, each with its JSON Pointer and what to send instead.
/// </summary>
public static class ObservedLaunchRequest
{
    public const string Rule = "node/observed-launches";
    public const int MaxSourceLength = 100;
    public const int MaxCommentLength = 1000;

    /// <summary>The wire names of <see cref="ObservedClass"/>.</summary>
    public static readonly IReadOnlyDictionary<string, ObservedClass> ClassNames = new Dictionary<string, ObservedClass>(StringComparer.Ordinal)
    {
        ["unknown"] = ObservedClass.Unknown,
        ["ballistic"] = ObservedClass.Ballistic,
        ["slv"] = ObservedClass.Slv,
        ["soundingRocket"] = ObservedClass.SoundingRocket,
        ["cruise"] = ObservedClass.Cruise,
    };

    public static string WireName(this ObservedClass c) => ClassNames.First(kv => kv.Value == c).Key;

    public static (ObservedLaunchInput? Input, IReadOnlyList<ValidationError> Errors) Parse(
        ReadOnlyMemory<byte> body, IReadOnlySet<string> knownCentres, Instant now, Duration maxClockSkew)
    {
        var (document, error) = JsonBody.ParseObject(body, Rule, "Send a JSON object, e.g. " +
            "{\"at\": \"2026-03-10T08:00:00Z\", \"launchPoint\": {\"lat\": 62.9, \"lon\": 40.6}, \"attributedCentre\": \"RU\"}.");
        if (document is null)
            return (null, [error!]);

        var errors = new List<ValidationError>();
        Guid? id = null;
        if (document["id"] is { } idNode)
        {
            if (Text(idNode) is { } idText && Guid.TryParse(idText, out var parsed) && parsed != Guid.Empty)
                id = parsed;
            else
                errors.Add(Error("ID_INVALID", "/id", "The id must be a UUID (leave it out and the node makes one; give one to make retries safe)."));
        }

        var at = ReadInstant(document, now, maxClockSkew, errors);
        var launchPoint = ReadPoint(document, "launchPoint", required: true, errors);
        var impactPoint = ReadPoint(document, "impactPoint", required: false, errors);
        var attributed = ReadCentre(document, knownCentres, errors);
        var source = ReadText(document, "source", MaxSourceLength, errors);
        var comment = ReadText(document, "comment", MaxCommentLength, errors);
        var observedClass = ObservedClass.Unknown;
        if (document["class"] is { } classNode)
        {
            if (Text(classNode) is { } classText && ClassNames.TryGetValue(classText, out var c))
                observedClass = c;
            else
                errors.Add(Error("CLASS_INVALID", "/class", $"The class must be one of {string.Join(", ", ClassNames.Keys)} (leave it out if not known)."));
        }

        if (errors.Count > 0)
            return (null, errors);
        return (new ObservedLaunchInput(id, at!.Value, launchPoint!.Value, impactPoint, attributed!.Value, source, comment) { Class = observedClass }, []);
    }

    private static Instant? ReadInstant(JsonObject document, Instant now, Duration maxClockSkew, List<ValidationError> errors)
    {
        if (Text(document["at"]) is not { } text)
        {
            errors.Add(Error(document["at"] is null ? "FIELD_REQUIRED" : "INSTANT_INVALID", "/at",
                "Give the launch instant as an RFC 3339 UTC string, e.g. \"2026-03-10T08:00:00Z\"."));
            return null;
        }
        var parsed = InstantPattern.ExtendedIso.Parse(text);
        if (!parsed.Success)
        {
            // Accept an explicit offset too, converted to UTC; the wire is UTC only, an operator's typing need not be.
            var withOffset = OffsetDateTimePattern.ExtendedIso.Parse(text);
            if (!withOffset.Success)
            {
                errors.Add(Error("INSTANT_INVALID", "/at", $"'{text}' is not an instant: give it in RFC 3339 UTC, e.g. \"2026-03-10T08:00:00Z\"."));
                return null;
            }
            return Check(withOffset.Value.ToInstant());
        }
        return Check(parsed.Value);

        Instant? Check(Instant at)
        {
            if (at <= now + maxClockSkew)
                return at;
            errors.Add(Error("LAUNCH_IN_FUTURE", "/at",
                $"The launch instant {InstantPattern.General.Format(at)} is {DurationText.Format(at - now)} ahead of this node's clock " +
                $"({InstantPattern.General.Format(now)}): record launches that happened, with their time in UTC."));
            return null;
        }
    }

    private static GeoPoint? ReadPoint(JsonObject document, string name, bool required, List<ValidationError> errors)
    {
        var path = "/" + name;
        var node = document[name];
        if (node is null)
        {
            if (required)
                errors.Add(Error("FIELD_REQUIRED", path, $"Give {name} as {{\"lat\": degrees north, \"lon\": degrees east}}."));
            return null;
        }
        if (node is not JsonObject point)
        {
            errors.Add(Error("POINT_INVALID", path, $"{name} must be an object {{\"lat\": degrees north, \"lon\": degrees east}}."));
            return null;
        }
        var lat = ReadDegrees(point, "lat", path, 90, "LATITUDE_OUT_OF_RANGE", errors);
        var lon = ReadDegrees(point, "lon", path, 180, "LONGITUDE_OUT_OF_RANGE", errors);
        return lat is { } la && lon is { } lo ? new GeoPoint(la, lo) : null;
    }

    private static double? ReadDegrees(JsonObject point, string name, string path, double limit, string rangeCode, List<ValidationError> errors)
    {
        var at = $"{path}/{name}";
        if (point[name] is not JsonValue value || !value.TryGetValue<double>(out var degrees))
        {
            errors.Add(Error(point[name] is null ? "FIELD_REQUIRED" : "NUMBER_INVALID", at, $"Give {name} in decimal degrees, a number from -{limit} to {limit}."));
            return null;
        }
        if (!double.IsFinite(degrees) || Math.Abs(degrees) > limit)
        {
            errors.Add(Error(rangeCode, at, $"{(name == "lat" ? "Latitude" : "Longitude")} {degrees} is outside -{limit}..{limit} degrees."));
            return null;
        }
        return degrees;
    }

    private static CentreCode? ReadCentre(JsonObject document, IReadOnlySet<string> knownCentres, List<ValidationError> errors)
    {
        const string path = "/attributedCentre";
        var text = Text(document["attributedCentre"]);
        if (text is null)
        {
            errors.Add(Error("FIELD_REQUIRED", path, "Give the centre the launch is attributed to, as its two-letter code (e.g. \"RU\")."));
            return null;
        }
        if (!CentreCode.TryParse(text, out var centre))
        {
            errors.Add(Error("CENTRE_INVALID", path, $"'{text}' is not a centre code: two upper-case letters (ISO 3166-1 alpha-2), e.g. \"RU\"."));
            return null;
        }
        if (!knownCentres.Contains(centre.Value))
        {
            errors.Add(Error("CENTRE_UNKNOWN", path,
                $"Centre {centre} is party to no agreement this node knows, so no notification could cover its launches. " +
                $"Known centres: {string.Join(", ", knownCentres.Order())}."));
            return null;
        }
        return centre;
    }

    private static string? ReadText(JsonObject document, string name, int maxLength, List<ValidationError> errors)
    {
        var node = document[name];
        if (node is null)
            return null;
        if (Text(node) is not { } text)
        {
            errors.Add(Error("TEXT_INVALID", "/" + name, $"{name} must be a string."));
            return null;
        }
        if (text.Length > maxLength)
        {
            errors.Add(Error("TEXT_TOO_LONG", "/" + name, $"{name} is {text.Length} characters; at most {maxLength}."));
            return null;
        }
        return string.IsNullOrWhiteSpace(text) ? null : text.Trim();
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static ValidationError Error(string code, string path, string message) => new(code, Rule, path, message);
}
