using System.Collections.Immutable;
using System.Text.Json;
using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Validation;
using LaunchNotify.Domain.Values;
using NodaTime;
using NodaTime.Text;

namespace LaunchNotify.Protocol.Json;

/// <summary>The codes of content that is well-formed and of its schema but still makes no message.</summary>
public static class ContentCodes
{
    public const string Rule = "wire:content";

    /// <summary>An instant with second 60: RFC 3339 allows a leap second, a NodaTime instant (like POSIX time) has none.</summary>
    public const string InstantLeapSecond = "INSTANT_LEAP_SECOND";
    /// <summary>An instant outside <see cref="MessageContentReader.Earliest"/> .. <see cref="MessageContentReader.Latest"/>.</summary>
    public const string InstantOutOfRange = "INSTANT_OUT_OF_RANGE";
    public const string InstantInvalid = "INSTANT_INVALID";
    public const string WindowNotAfterStart = "WINDOW_NOT_AFTER_START";
    /// <summary>A number that cannot be represented (e.g. 1e400) or lies outside what the value allows (1e-400 as a radius reads as 0).</summary>
    public const string NumberOutOfRange = "NUMBER_OUT_OF_RANGE";
    /// <summary>Any other value its type refuses (an id, a code, a list's length, a name's length).</summary>
    public const string ValueInvalid = "VALUE_INVALID";
}

/// <summary>
/// Builds a typed <see cref="Message"/> from a JSON element, asking each value type first (its <c>Check</c> or
/// <c>TryParse</c>) so nothing throws: every value that makes no message becomes a <see cref="ValidationError"/> with its
/// JSON Pointer. It repeats no schema work on purpose, but checks defensively what it needs (presence, JSON type), so it
/// is total on any element, with or without a schema pass before it.
/// </summary>
public sealed class MessageContentReader
{
    /// <summary>
    /// The instants a message may carry, so that adding any agreement's durations (days, not millennia) can never
    /// overflow: from 2000-01-01 (inclusive) to 2200-01-01 (exclusive).
    /// </summary>
    public static readonly Instant Earliest = Instant.FromUtc(2000, 1, 1, 0, 0);
    public static readonly Instant Latest = Instant.FromUtc(2200, 1, 1, 0, 0);

    private const long MaxSafeInteger = 9007199254740991;
    private readonly List<ValidationError> _errors = [];

    private MessageContentReader()
    {
    }

    public static (Message? Message, IReadOnlyList<ValidationError> Errors) Read(JsonElement root)
    {
        var reader = new MessageContentReader();
        var message = reader.ReadMessage(root);
        return reader._errors.Count == 0 && message is not null ? (message, []) : (null, reader._errors);
    }

    private sealed record Envelope(MessageId Id, string Version, AgreementId Agreement, CentreCode Sender, IReadOnlyList<Addressee> Recipients, Instant IssuedAt);

    private Message? ReadMessage(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            Error("SCHEMA_TYPE", "", "A message must be a JSON object.", "notObject");
            return null;
        }
        var kindText = Text(root, "", "kind", required: true);
        MessageKind? kind = kindText is null ? null : MessageKinds.TryParse(kindText, out var k) ? k : null;
        if (kindText is not null && kind is null)
            Error("MESSAGE_KIND_UNKNOWN", "/kind", "Unknown message kind; expected prenotification, amendment, cancellation, postlaunch, receipt, heartbeat or acknowledgement.", "unnamed", ("kinds", Schemas.SchemaCatalog.MessageKindList));

        var id = Uuid(root, "", "messageId", required: true);
        var version = Text(root, "", "schemaVersion", required: true);
        var agreementText = Text(root, "", "agreementId", required: true);
        AgreementId? agreement = agreementText is null ? null : AgreementId.TryParse(agreementText, out var a) ? a : null;
        if (agreementText is not null && agreement is null)
            Error(ContentCodes.ValueInvalid, "/agreementId", "An agreement id is 2 to 64 lower-case letters, digits and single hyphens.", "agreementId");
        var sender = Centre(root, "", "sender", required: true);
        var recipients = Recipients(root);
        var issuedAt = InstantOf(root, "", "issuedAt", required: true);
        if (kind is null || _errors.Count > 0)
            return null;

        var envelope = new Envelope(id!.Value, version!, agreement!.Value, sender!.Value, recipients!, issuedAt!.Value);
        return kind switch
        {
            MessageKind.PreNotification => PreNotification(root, envelope),
            MessageKind.Amendment => Amendment(root, envelope),
            MessageKind.Cancellation => Cancellation(root, envelope),
            MessageKind.PostLaunch => PostLaunch(root, envelope),
            MessageKind.Receipt => Receipt(root, envelope),
            MessageKind.Acknowledgement => Acknowledgement(root, envelope),
            _ => Heartbeat(root, envelope),
        };
    }

    private PreNotification? PreNotification(JsonElement root, Envelope e)
    {
        var window = Window(root, "", "launchWindow", required: true);
        var missile = Missile(root, "", "missile", required: true);
        var launchArea = AreaAt(root, "", "launchArea", required: true);
        // Optional since schema 1.1 (an agreement may not ask for them; the schema still requires them in a 1.0 message).
        var impactAreas = Areas(root, "", "impactAreas", required: false);
        var azimuth = Azimuth(root, "");
        var direction = Text(root, "", "plannedDirection", required: false);
        var remarks = Text(root, "", "remarks", required: false);
        if (_errors.Count > 0)
            return null;
        return new PreNotification
        {
            MessageId = e.Id, SchemaVersion = e.Version, AgreementId = e.Agreement, Sender = e.Sender, Recipients = e.Recipients, IssuedAt = e.IssuedAt,
            LaunchWindow = window!.Value, Missile = missile!, LaunchArea = launchArea!, ImpactAreas = impactAreas ?? [],
            PlannedAzimuthDeg = azimuth, PlannedDirection = direction, Remarks = remarks,
        };
    }

    private Amendment? Amendment(JsonElement root, Envelope e)
    {
        var amends = Uuid(root, "", "amends", required: true);
        var reason = Text(root, "", "reason", required: true);
        NotificationChanges? changes = null;
        if (Get(root, "", "changes", required: true, JsonValueKind.Object, out var c))
        {
            const string at = "/changes";
            changes = new NotificationChanges
            {
                LaunchWindow = Window(c, at, "launchWindow", required: false),
                Missile = Missile(c, at, "missile", required: false),
                LaunchArea = AreaAt(c, at, "launchArea", required: false),
                ImpactAreas = Areas(c, at, "impactAreas", required: false),
                PlannedAzimuthDeg = Azimuth(c, at),
                PlannedDirection = Text(c, at, "plannedDirection", required: false),
                Remarks = Text(c, at, "remarks", required: false),
            };
        }
        if (_errors.Count > 0)
            return null;
        return new Amendment
        {
            MessageId = e.Id, SchemaVersion = e.Version, AgreementId = e.Agreement, Sender = e.Sender, Recipients = e.Recipients, IssuedAt = e.IssuedAt,
            Amends = amends!.Value, Reason = reason!, Changes = changes!,
        };
    }

    private Cancellation? Cancellation(JsonElement root, Envelope e)
    {
        var cancels = Uuid(root, "", "cancels", required: true);
        var reason = Text(root, "", "reason", required: true);
        if (_errors.Count > 0)
            return null;
        return new Cancellation
        {
            MessageId = e.Id, SchemaVersion = e.Version, AgreementId = e.Agreement, Sender = e.Sender, Recipients = e.Recipients, IssuedAt = e.IssuedAt,
            Cancels = cancels!.Value, Reason = reason!,
        };
    }

    private PostLaunchReport? PostLaunch(JsonElement root, Envelope e)
    {
        var reportsOn = Uuid(root, "", "reportsOn", required: true);
        var outcome = EnumOf<PostLaunchOutcome>(root, "", "outcome", required: true);
        var launchedAt = InstantOf(root, "", "launchedAt", required: false);
        var missiles = Integer(root, "", "missilesLaunched", required: false, 0, 100);
        var remarks = Text(root, "", "remarks", required: false);
        if (_errors.Count > 0)
            return null;
        return new PostLaunchReport
        {
            MessageId = e.Id, SchemaVersion = e.Version, AgreementId = e.Agreement, Sender = e.Sender, Recipients = e.Recipients, IssuedAt = e.IssuedAt,
            ReportsOn = reportsOn!.Value, Outcome = outcome!.Value, LaunchedAt = launchedAt, MissilesLaunched = (int?)missiles, Remarks = remarks,
        };
    }

    private Receipt? Receipt(JsonElement root, Envelope e)
    {
        var receiptFor = Uuid(root, "", "receiptFor", required: true);
        var receivedKindText = Text(root, "", "receivedKind", required: true);
        MessageKind? receivedKind = receivedKindText is null ? null : MessageKinds.TryParse(receivedKindText, out var k) ? k : null;
        if (receivedKindText is not null && receivedKind is null)
            Error(ContentCodes.ValueInvalid, "/receivedKind", "Not a message kind.", "messageKind");
        var receivedAt = InstantOf(root, "", "receivedAt", required: true);
        var outcome = EnumOf<ReceiptOutcome>(root, "", "outcome", required: true);
        var reasons = Errors(root, "reasons");
        var findings = Errors(root, "findings");
        if (_errors.Count > 0)
            return null;
        return new Receipt
        {
            MessageId = e.Id, SchemaVersion = e.Version, AgreementId = e.Agreement, Sender = e.Sender, Recipients = e.Recipients, IssuedAt = e.IssuedAt,
            ReceiptFor = receiptFor!.Value, ReceivedKind = receivedKind!.Value, ReceivedAt = receivedAt!.Value, Outcome = outcome!.Value,
            Reasons = reasons, Findings = findings,
        };
    }

    private Acknowledgement? Acknowledgement(JsonElement root, Envelope e)
    {
        var acknowledgementFor = Uuid(root, "", "acknowledgementFor", required: true);
        var kindText = Text(root, "", "acknowledgedKind", required: true);
        MessageKind? acknowledgedKind = kindText is null ? null : MessageKinds.TryParse(kindText, out var k) ? k : null;
        if (kindText is not null && acknowledgedKind is null)
            Error(ContentCodes.ValueInvalid, "/acknowledgedKind", "Not a message kind.", "messageKind");
        var receivedAt = InstantOf(root, "", "receivedAt", required: true);
        var acknowledgedAt = InstantOf(root, "", "acknowledgedAt", required: true);
        if (_errors.Count > 0)
            return null;
        return new Acknowledgement
        {
            MessageId = e.Id, SchemaVersion = e.Version, AgreementId = e.Agreement, Sender = e.Sender, Recipients = e.Recipients, IssuedAt = e.IssuedAt,
            AcknowledgementFor = acknowledgementFor!.Value, AcknowledgedKind = acknowledgedKind!.Value, ReceivedAt = receivedAt!.Value,
            AcknowledgedAt = acknowledgedAt!.Value,
        };
    }

    private Heartbeat? Heartbeat(JsonElement root, Envelope e)
    {
        var last = Integer(root, "", "lastNotificationSequence", required: true, 0, MaxSafeInteger);
        var interval = Integer(root, "", "intervalSeconds", required: true, 1, 86400);
        if (_errors.Count > 0)
            return null;
        return new Heartbeat
        {
            MessageId = e.Id, SchemaVersion = e.Version, AgreementId = e.Agreement, Sender = e.Sender, Recipients = e.Recipients, IssuedAt = e.IssuedAt,
            LastNotificationSequence = last!.Value, IntervalSeconds = (int)interval!.Value,
        };
    }

    private List<Addressee>? Recipients(JsonElement root)
    {
        if (!Get(root, "", "recipients", required: true, JsonValueKind.Array, out var list))
            return null;
        var recipients = new List<Addressee>();
        var index = 0;
        foreach (var item in list.EnumerateArray())
        {
            var at = $"/recipients/{index++}";
            if (item.ValueKind != JsonValueKind.Object)
            {
                Error("SCHEMA_TYPE", at, "A recipient is an object with 'centre' and 'sequence'.", "recipient");
                continue;
            }
            var centre = Centre(item, at, "centre", required: true);
            var sequence = Integer(item, at, "sequence", required: true, 1, MaxSafeInteger);
            if (centre is not null && sequence is not null)
                recipients.Add(new Addressee(centre.Value, sequence.Value));
        }
        if (recipients.Count == 0 && index == 0)
            Error(ContentCodes.ValueInvalid, "/recipients", "A message has at least one recipient.", "recipients");
        return recipients;
    }

    private IReadOnlyList<ValidationError> Errors(JsonElement root, string name)
    {
        if (!Get(root, "", name, required: false, JsonValueKind.Array, out var list))
            return [];
        var errors = new List<ValidationError>();
        var index = 0;
        foreach (var item in list.EnumerateArray())
        {
            var at = $"/{name}/{index++}";
            if (item.ValueKind != JsonValueKind.Object)
            {
                Error("SCHEMA_TYPE", at, "An error is an object with 'code', 'rule', 'path' and 'message'.", "errorItem");
                continue;
            }
            var code = Text(item, at, "code", required: true);
            var rule = Text(item, at, "rule", required: true);
            var path = Text(item, at, "path", required: true);
            var message = Text(item, at, "message", required: true);
            var args = Arguments(item, at);
            if (code is not null && rule is not null && path is not null && message is not null)
                errors.Add(new ValidationError(code, rule, path, message) { Args = args });
        }
        return errors;
    }

    /// <summary>An error's optional <c>args</c>: an object of text values (the schema bounds names and sizes).</summary>
    private ImmutableSortedDictionary<string, string>? Arguments(JsonElement item, string at)
    {
        if (!Get(item, at, "args", required: false, JsonValueKind.Object, out var args))
            return null;
        var builder = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var property in args.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.String)
                Error("SCHEMA_TYPE", $"{at}/args/{property.Name}", "An argument's value is text.", "argumentText");
            else
                builder[property.Name] = property.Value.GetString()!;
        }
        return builder.ToImmutable();
    }

    private LaunchWindow? Window(JsonElement obj, string parent, string name, bool required)
    {
        if (!Get(obj, parent, name, required, JsonValueKind.Object, out var w))
            return null;
        var at = $"{parent}/{name}";
        var start = InstantOf(w, at, "start", required: true);
        var end = InstantOf(w, at, "end", required: true);
        if (start is null || end is null)
            return null;
        if (LaunchWindow.Check(start.Value, end.Value) is { } problem)
        {
            Error(ContentCodes.WindowNotAfterStart, at, problem, null, ("start", RuleArgs.Of(start.Value)), ("end", RuleArgs.Of(end.Value)));
            return null;
        }
        return new LaunchWindow(start.Value, end.Value);
    }

    private Missile? Missile(JsonElement obj, string parent, string name, bool required)
    {
        if (!Get(obj, parent, name, required, JsonValueKind.Object, out var m))
            return null;
        var at = $"{parent}/{name}";
        var missileClass = EnumOf<MissileClass>(m, at, "class", required: true);
        var count = Integer(m, at, "count", required: true, 1, 100);
        var group = Bool(m, at, "groupLaunch") ?? false;
        var type = Text(m, at, "type", required: false);
        var range = Number(m, at, "rangeKm", required: false);
        if (missileClass is null || count is null)
            return null;
        if (Domain.Messages.Missile.Check((int)count.Value, group, type, range) is { } problem)
        {
            Error(problem.Field == "rangeKm" ? ContentCodes.NumberOutOfRange : ContentCodes.ValueInvalid, $"{at}/{problem.Field}", problem.Message,
                problem.Field == "type" ? "missileType" : problem.Field);
            return null;
        }
        var launches = new List<PlannedLaunch>();
        if (Get(m, at, "launches", required: false, JsonValueKind.Array, out var list))
        {
            var before = _errors.Count;
            var index = 0;
            foreach (var item in list.EnumerateArray())
            {
                var itemAt = $"{at}/launches/{index++}";
                if (item.ValueKind != JsonValueKind.Object)
                {
                    Error("SCHEMA_TYPE", itemAt, "Each launch of a group is an object with 'plannedAt'.");
                    continue;
                }
                var plannedAt = InstantOf(item, itemAt, "plannedAt", required: true);
                var impact = Integer(item, itemAt, "impactArea", required: false, 0, 19);
                if (plannedAt is not null)
                    launches.Add(new PlannedLaunch(plannedAt.Value, impact is null ? null : (int)impact.Value));
            }
            if (_errors.Count > before)
                return null;
        }
        return new Missile(missileClass.Value, (int)count.Value, group, type, range) { Launches = launches };
    }

    private List<Area>? Areas(JsonElement obj, string parent, string name, bool required)
    {
        if (!Get(obj, parent, name, required, JsonValueKind.Array, out var list))
            return null;
        var areas = new List<Area>();
        var index = 0;
        foreach (var item in list.EnumerateArray())
        {
            if (Area(item, $"{parent}/{name}/{index++}") is { } area)
                areas.Add(area);
        }
        if (index == 0)
            Error(ContentCodes.ValueInvalid, $"{parent}/{name}", "At least one area is needed.", "areas");
        return areas;
    }

    private Area? AreaAt(JsonElement obj, string parent, string name, bool required) =>
        Get(obj, parent, name, required, JsonValueKind.Object, out var a) ? Area(a, $"{parent}/{name}") : null;

    private Area? Area(JsonElement a, string at)
    {
        if (a.ValueKind != JsonValueKind.Object)
        {
            Error("SCHEMA_TYPE", at, "An area is an object with a 'type'.");
            return null;
        }
        var before = _errors.Count;
        var type = Text(a, at, "type", required: true);
        var name = Text(a, at, "name", required: false);
        if (Domain.Values.Area.CheckName(name) is { } nameProblem)
            Error(ContentCodes.ValueInvalid, $"{at}/name", nameProblem, "areaName");
        switch (type)
        {
            case null:
                return null;
            case "circle":
            {
                var centre = Point(a, at, "centre", required: true);
                if (a.TryGetProperty("radiusNm", out _) && !a.TryGetProperty("radiusKm", out _))
                {
                    // Schema 1.2: the radius in nautical miles, as the 1988 agreement allows; kept so on the wire.
                    var miles = RadiusNm(a, at);
                    return _errors.Count > before || centre is null || miles is null ? null : CircleArea.InNauticalMiles(centre.Value, miles.Value, name);
                }
                var radius = Radius(a, at);
                return _errors.Count > before || centre is null || radius is null ? null : new CircleArea(centre.Value, radius.Value, name);
            }
            case "polygon":
            {
                if (!Get(a, at, "vertices", required: true, JsonValueKind.Array, out var list))
                    return null;
                var vertices = new List<GeoPoint>();
                var index = 0;
                foreach (var vertex in list.EnumerateArray())
                {
                    if (PointOf(vertex, $"{at}/vertices/{index++}") is { } point)
                        vertices.Add(point);
                }
                if (PolygonArea.CheckVertices(index) is { } problem)
                    Error(ContentCodes.ValueInvalid, $"{at}/vertices", problem, "vertices", ("count", RuleArgs.Of(index)));
                return _errors.Count > before ? null : new PolygonArea(vertices, name);
            }
            case "oceanQuadrant":
            {
                var corner = Point(a, at, "corner", required: true);
                var quadrant = EnumOf<Quadrant>(a, at, "quadrant", required: true);
                var radius = Radius(a, at);
                return _errors.Count > before || corner is null || quadrant is null || radius is null
                    ? null : new OceanQuadrantArea(corner.Value, quadrant.Value, radius.Value, name);
            }
            case "oceanQuarter":
            {
                var ocean = EnumOf<Ocean>(a, at, "ocean", required: true);
                var quadrant = EnumOf<Quadrant>(a, at, "quadrant", required: true);
                return _errors.Count > before || ocean is null || quadrant is null ? null : new OceanQuarterArea(ocean.Value, quadrant.Value, name);
            }
            case "namedWater":
            {
                var reference = Point(a, at, "referencePoint", required: false);
                if (string.IsNullOrWhiteSpace(name))
                    Error(ContentCodes.ValueInvalid, $"{at}/name", "A named body of water needs its name.", "namedWater");
                return _errors.Count > before ? null : new NamedWaterArea(name!, reference);
            }
            default:
                Error(ContentCodes.ValueInvalid, $"{at}/type", "An area's type is circle, polygon, oceanQuadrant, oceanQuarter or namedWater.", "areaType");
                return null;
        }
    }

    private double? Radius(JsonElement a, string at)
    {
        var radius = Number(a, at, "radiusKm", required: true);
        if (radius is { } r && Domain.Values.Area.CheckRadius(r) is { } problem)
        {
            Error(ContentCodes.NumberOutOfRange, $"{at}/radiusKm", $"{problem} It reads as {r}.", "radiusKm",
                ("limit", RuleArgs.Of(Domain.Values.Area.MaximumRadiusKm)), ("value", RuleArgs.Of(r)));
            return null;
        }
        return radius;
    }

    private double? RadiusNm(JsonElement a, string at)
    {
        var radius = Number(a, at, "radiusNm", required: true);
        if (radius is { } r && Domain.Values.Area.CheckRadiusNm(r) is { } problem)
        {
            Error(ContentCodes.NumberOutOfRange, $"{at}/radiusNm", $"{problem} It reads as {r}.", "radiusNm",
                ("limit", RuleArgs.Of(Domain.Values.Area.MaximumRadiusNm)), ("value", RuleArgs.Of(r)));
            return null;
        }
        return radius;
    }

    private double? Azimuth(JsonElement obj, string parent)
    {
        var azimuth = Number(obj, parent, "plannedAzimuthDeg", required: false);
        if (azimuth is { } deg && deg is < 0 or >= 360)
        {
            Error(ContentCodes.NumberOutOfRange, $"{parent}/plannedAzimuthDeg", "An azimuth is from 0 up to (not including) 360 degrees.", "azimuth");
            return null;
        }
        return azimuth;
    }

    private GeoPoint? Point(JsonElement obj, string parent, string name, bool required) =>
        Get(obj, parent, name, required, JsonValueKind.Object, out var p) ? PointOf(p, $"{parent}/{name}") : null;

    private GeoPoint? PointOf(JsonElement p, string at)
    {
        if (p.ValueKind != JsonValueKind.Object)
        {
            Error("SCHEMA_TYPE", at, "A point is an object with 'lat' and 'lon'.", "point");
            return null;
        }
        var lat = Number(p, at, "lat", required: true);
        var lon = Number(p, at, "lon", required: true);
        if (lat is null || lon is null)
            return null;
        if (GeoPoint.Check(lat.Value, lon.Value) is { } problem)
        {
            Error(ContentCodes.NumberOutOfRange, at, problem, !double.IsFinite(lat.Value) || lat.Value is < -90 or > 90 ? "latitude" : "longitude");
            return null;
        }
        return new GeoPoint(lat.Value, lon.Value);
    }

    private CentreCode? Centre(JsonElement obj, string parent, string name, bool required)
    {
        var text = Text(obj, parent, name, required);
        if (text is null)
            return null;
        if (CentreCode.TryParse(text, out var code))
            return code;
        Error(ContentCodes.ValueInvalid, $"{parent}/{name}", "A centre code is two upper-case letters (ISO 3166-1 alpha-2).", "centreCode");
        return null;
    }

    private MessageId? Uuid(JsonElement obj, string parent, string name, bool required)
    {
        var text = Text(obj, parent, name, required);
        if (text is null)
            return null;
        if (Guid.TryParseExact(text, "D", out var guid) && guid != Guid.Empty)
            return new MessageId(guid);
        Error(ContentCodes.ValueInvalid, $"{parent}/{name}", "A message id is a UUID (8-4-4-4-12 hex digits) other than the all-zero one.", "messageId");
        return null;
    }

    private Instant? InstantOf(JsonElement obj, string parent, string name, bool required)
    {
        var text = Text(obj, parent, name, required);
        if (text is null)
            return null;
        var at = $"{parent}/{name}";
        var parsed = InstantPattern.ExtendedIso.Parse(text);
        if (!parsed.Success)
        {
            if (text.Length >= 20 && text[16] == ':' && text.AsSpan(17, 2).SequenceEqual("60"))
                Error(ContentCodes.InstantLeapSecond, at, "A leap second (second 60) has no instant here; give the second before it (:59) or after it.", null);
            else
                Error(ContentCodes.InstantInvalid, at, "An instant is RFC 3339 in UTC, e.g. 2026-11-24T09:00:00Z, and must name a real date and time.", null);
            return null;
        }
        if (parsed.Value < Earliest || parsed.Value >= Latest)
        {
            Error(ContentCodes.InstantOutOfRange, at, "An instant must lie from 2000-01-01T00:00:00Z up to (not including) 2200-01-01T00:00:00Z.", null);
            return null;
        }
        return parsed.Value;
    }

    private double? Number(JsonElement obj, string parent, string name, bool required)
    {
        if (!Get(obj, parent, name, required, JsonValueKind.Number, out var n))
            return null;
        if (n.TryGetDouble(out var value) && double.IsFinite(value))
            return value;
        Error(ContentCodes.NumberOutOfRange, $"{parent}/{name}", "The number is too large to represent.", "tooLarge");
        return null;
    }

    /// <summary>An integer as JSON Schema counts them: <c>5</c>, <c>5.0</c> and <c>5e0</c> alike.</summary>
    private long? Integer(JsonElement obj, string parent, string name, bool required, long min, long max)
    {
        if (!Get(obj, parent, name, required, JsonValueKind.Number, out var n))
            return null;
        var at = $"{parent}/{name}";
        long value;
        if (n.TryGetInt64(out var whole))
            value = whole;
        else if (n.TryGetDouble(out var d) && double.IsFinite(d) && Math.Floor(d) == d && Math.Abs(d) <= MaxSafeInteger)
            value = (long)d;
        else
        {
            Error(ContentCodes.NumberOutOfRange, at, $"An integer from {min} to {max} is expected here.", "integer", ("min", RuleArgs.Of(min)), ("max", RuleArgs.Of(max)));
            return null;
        }
        if (value < min || value > max)
        {
            Error(ContentCodes.NumberOutOfRange, at, $"An integer from {min} to {max} is expected here.", "integer", ("min", RuleArgs.Of(min)), ("max", RuleArgs.Of(max)));
            return null;
        }
        return value;
    }

    private bool? Bool(JsonElement obj, string parent, string name)
    {
        if (!obj.TryGetProperty(name, out var b))
            return null;
        if (b.ValueKind is JsonValueKind.True or JsonValueKind.False)
            return b.GetBoolean();
        Error("SCHEMA_TYPE", $"{parent}/{name}", "true or false is expected here.", "boolean");
        return null;
    }

    private T? EnumOf<T>(JsonElement obj, string parent, string name, bool required) where T : struct, Enum
    {
        var text = Text(obj, parent, name, required);
        if (text is null)
            return null;
        if (WireNames<T>.ByName.TryGetValue(text, out var value))
            return value;
        Error(ContentCodes.ValueInvalid, $"{parent}/{name}", $"Expected one of {string.Join(", ", WireNames<T>.ByName.Keys)}.", "oneOf", ("allowed", string.Join(", ", WireNames<T>.ByName.Keys)));
        return null;
    }

    private string? Text(JsonElement obj, string parent, string name, bool required) =>
        Get(obj, parent, name, required, JsonValueKind.String, out var s) ? s.GetString() : null;

    private bool Get(JsonElement obj, string parent, string name, bool required, JsonValueKind kind, out JsonElement value)
    {
        if (!obj.TryGetProperty(name, out value))
        {
            if (required)
                Error("SCHEMA_REQUIRED", parent, $"'{name}' is required here.", null, ("properties", name));
            return false;
        }
        if (value.ValueKind == kind)
            return true;
        Error("SCHEMA_TYPE", $"{parent}/{name}", $"A JSON {kind.ToString().ToLowerInvariant()} is expected here, not {value.ValueKind.ToString().ToLowerInvariant()}.", null, ("types", kind.ToString().ToLowerInvariant()));
        return false;
    }

    private void Error(string code, string path, string message) => _errors.Add(new ValidationError(code, ContentCodes.Rule, path, message));

    /// <summary>An error with its language-free arguments: the sentence's form (<c>errorMessage.{code}.{form}</c>), the path as <c>at</c>, and <paramref name="more"/>.</summary>
    private void Error(string code, string path, string message, string? form, params (string Name, string Value)[] more) =>
        _errors.Add(new ValidationError(code, ContentCodes.Rule, path, message)
        {
            Args = RuleArgs.Of([.. form is null ? [] : new[] { (RuleArgs.Form, form) }, ("at", path), .. more]),
        });

    /// <summary>Each enum's names on the wire, as <see cref="WireJson"/> writes them.</summary>
    private static class WireNames<T> where T : struct, Enum
    {
        public static readonly IReadOnlyDictionary<string, T> ByName = Enum.GetValues<T>().ToDictionary(
            v => JsonSerializer.Serialize(v, WireJson.Options).Trim('"'), v => v, StringComparer.Ordinal);
    }
}
