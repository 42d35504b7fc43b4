using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Validation;
using LaunchNotify.Domain.Values;
using LaunchNotify.Protocol.Json;
using NodaTime;
using NodaTime.Text;

namespace LaunchNotify.Protocol.Tests;

/// <summary>What the code writes passes the agreed schemas, and what the examples say the code reads and writes back unchanged.</summary>
public class WireContractTests
{
    private static readonly Instant Issued = Instant.FromUtc(2026, 11, 20, 14, 0);
    private static readonly MessageId Notified = new(Guid.Parse("3f6c2a1e-8b7d-4c2e-9f10-5a4b3c2d1e01"));
    private static readonly AgreementId UsRu = new("us-ru-bmlna-1988");
    private static readonly CentreCode Us = new("US");
    private static readonly CentreCode Ru = new("RU");

    private static int _ids;

    /// <summary>Fixed ids, so a failing run can be repeated exactly.</summary>
    private static MessageId NextId() => new(Guid.Parse($"00000000-0000-4000-8000-{++_ids:D12}"));

    private static LaunchWindow Window(int startHours, int lengthHours) =>
        new(Issued + Duration.FromHours(startHours), Issued + Duration.FromHours(startHours + lengthHours));

    /// <summary>Messages of every kind as the code builds them, covering every area shape, outcome and optional field.</summary>
    private static readonly Dictionary<string, Message> Built = new()
    {
        ["prenotification US ICBM Vandenberg to Kwajalein"] = new PreNotification
            {
                MessageId = Notified, AgreementId = UsRu, Sender = Us, Recipients = [new Addressee(Ru, 41)], IssuedAt = Issued,
                LaunchWindow = Window(89, 6),
                Missile = new Missile(MissileClass.ICBM, type: "LGM-30G Minuteman III", rangeKm: 6760),
                LaunchArea = new CircleArea(new GeoPoint(34.74, -120.57), 10, "Vandenberg SFB"),
                ImpactAreas = [new CircleArea(new GeoPoint(9.395, 167.471), 50, "Reagan Test Site, Kwajalein Atoll")],
                PlannedAzimuthDeg = 247.5,
                Remarks = "Operational test launch, unarmed re-entry vehicle.",
            },
        ["prenotification RU SLBM salvo Barents Sea to Kura"] = new PreNotification
            {
                MessageId = NextId(), AgreementId = UsRu, Sender = Ru, Recipients = [new Addressee(Us, 18)], IssuedAt = Issued,
                LaunchWindow = Window(72, 24),
                Missile = new Missile(MissileClass.SLBM, count: 2, groupLaunch: true, type: "R-30 Bulava"),
                LaunchArea = new OceanQuadrantArea(new GeoPoint(69.5, 33.5), Quadrant.NE, 120, "Barents Sea launch area"),
                ImpactAreas = [new CircleArea(new GeoPoint(57.77, 161.99), 40, "Kura test range"), new NamedWaterArea("Sea of Okhotsk")],
            },
        ["prenotification HCoC generic class, polygon impact, several recipients"] = new PreNotification
            {
                MessageId = NextId(), AgreementId = new("p5-demo"), Sender = new("FR"),
                Recipients = [new Addressee(new("CN"), 3), new Addressee(new("GB"), 5), new Addressee(Ru, 4), new Addressee(Us, 6)],
                IssuedAt = Issued + Duration.FromMilliseconds(250),
                LaunchWindow = Window(70, 12),
                Missile = new Missile(MissileClass.Ballistic),
                LaunchArea = new NamedWaterArea("Bay of Biscay", new GeoPoint(45.5, -4.5)),
                ImpactAreas = [new PolygonArea([new GeoPoint(31, -40), new GeoPoint(31, -37), new GeoPoint(29, -37), new GeoPoint(29, -40)], "North Atlantic")],
                PlannedDirection = "west-south-west",
            },
        ["amendment window extended"] = new Amendment
            {
                MessageId = NextId(), AgreementId = UsRu, Sender = Us, Recipients = [new Addressee(Ru, 42)], IssuedAt = Issued + Duration.FromHours(76),
                Amends = Notified, Reason = "High winds at Vandenberg: window extended by 24 hours.",
                Changes = new NotificationChanges { LaunchWindow = Window(89, 30) },
            },
        ["amendment every field changed"] = new Amendment
            {
                MessageId = NextId(), AgreementId = UsRu, Sender = Us, Recipients = [new Addressee(Ru, 43)], IssuedAt = Issued + Duration.FromHours(2),
                Amends = Notified, Reason = "Range reconfigured.",
                Changes = new NotificationChanges
                {
                    LaunchWindow = Window(100, 6),
                    Missile = new Missile(MissileClass.ICBM, count: 2, groupLaunch: true, type: "LGM-30G Minuteman III"),
                    LaunchArea = new CircleArea(new GeoPoint(34.58, -120.63), 8, "Vandenberg LF-10"),
                    ImpactAreas = [new OceanQuadrantArea(new GeoPoint(9.0, 167.0), Quadrant.SE, 300)],
                    PlannedAzimuthDeg = 0,
                    PlannedDirection = "west",
                    Remarks = "Two re-entry vehicles.",
                },
            },
        ["cancellation"] = new Cancellation
            {
                MessageId = NextId(), AgreementId = UsRu, Sender = Us, Recipients = [new Addressee(Ru, 44)], IssuedAt = Issued,
                Cancels = Notified, Reason = "Test postponed indefinitely after a range instrumentation fault.",
            },
        ["postlaunch launched"] = new PostLaunchReport
            {
                MessageId = NextId(), AgreementId = UsRu, Sender = Us, Recipients = [new Addressee(Ru, 45)], IssuedAt = Issued + Duration.FromHours(96),
                ReportsOn = Notified, Outcome = PostLaunchOutcome.Launched, LaunchedAt = Issued + Duration.FromHours(91) + Duration.FromMilliseconds(1),
                MissilesLaunched = 1, Remarks = "Nominal flight.",
            },
        ["postlaunch not launched"] = new PostLaunchReport
            {
                MessageId = NextId(), AgreementId = new("cn-ru-2009"), Sender = new("CN"), Recipients = [new Addressee(Ru, 8)], IssuedAt = Issued,
                ReportsOn = Notified, Outcome = PostLaunchOutcome.NotLaunched, MissilesLaunched = 0,
            },
        ["receipt accepted with a finding"] = new Receipt
            {
                MessageId = NextId(), AgreementId = new("in-pk-2005"), Sender = new("PK"), Recipients = [new Addressee(new("IN"), 31)], IssuedAt = Issued,
                ReceiptFor = Notified, ReceivedKind = MessageKind.Amendment, ReceivedAt = Issued - Duration.FromSeconds(1), Outcome = ReceiptOutcome.Accepted,
                Findings = [new ValidationError("LATE_NOTIFICATION", "in-pk-2005/Amendment", "/changes/launchWindow/start", "Received 45 h before the window opens; in-pk-2005 requires at least 72 h: late by 27 h.")],
            },
        ["receipt rejected with reasons"] = new Receipt
            {
                MessageId = NextId(), AgreementId = new("in-pk-2005"), Sender = new("PK"), Recipients = [new Addressee(new("IN"), 32)], IssuedAt = Issued,
                ReceiptFor = Notified, ReceivedKind = MessageKind.PreNotification, ReceivedAt = Issued, Outcome = ReceiptOutcome.Rejected,
                Reasons =
                [
                    new ValidationError("LEAD_TIME_TOO_SHORT", "in-pk-2005/lead-time", "/launchWindow/start", "Notified 47 hours ahead; 72 hours are agreed."),
                    new ValidationError("SCHEMA_REQUIRED", "prenotification.schema.json:required", "", "Required properties [\"impactAreas\"] are not present"),
                ],
            },
        ["heartbeat"] = new Heartbeat
            {
                MessageId = NextId(), AgreementId = UsRu, Sender = Us, Recipients = [new Addressee(Ru, 2880)], IssuedAt = Issued,
                LastNotificationSequence = 43, IntervalSeconds = 60,
            },
        ["acknowledgement"] = new Acknowledgement
            {
                MessageId = NextId(), SchemaVersion = "1.2", AgreementId = UsRu, Sender = Ru, Recipients = [new Addressee(Us, 98)], IssuedAt = Issued,
                AcknowledgementFor = Notified, AcknowledgedKind = MessageKind.PreNotification, ReceivedAt = Issued - Duration.FromMinutes(7), AcknowledgedAt = Issued,
            },
    };

    /// <summary>Labels only, so test names stay the same from run to run.</summary>
    public static TheoryData<string> BuiltInCode() => new(Built.Keys);

    [Fact]
    public void BuiltInCode_CoversEveryMessageKind()
    {
        var kinds = Built.Values.Select(m => m.Kind).Distinct().Order();

        Assert.Equal(Enum.GetValues<MessageKind>().Order(), kinds);
    }

    [Theory]
    [MemberData(nameof(BuiltInCode))]
    public void MessageBuiltInCode_SerializesToADocumentTheSchemasAccept(string label)
    {
        var message = Built[label];
        var json = WireJson.SerializeToUtf8(message);

        var result = Examples.Catalog.ValidateMessage(json);

        Assert.True(result.IsValid, $"{label}: {string.Join("; ", result.Errors)}\n{Encoding.UTF8.GetString(json)}");
        AssertNoDuplicateNames(json);
        Assert.Equal(message.Kind.WireName(), (string?)JsonNode.Parse(json)!["kind"]);
    }

    [Theory]
    [MemberData(nameof(BuiltInCode))]
    public void MessageBuiltInCode_ReadsBackToTheSameDocument(string label)
    {
        var message = Built[label];
        var json = WireJson.Serialize(message);

        var parse = MessageParser.Parse(Encoding.UTF8.GetBytes(json), Examples.Catalog);
        var back = parse.Message ?? throw new Xunit.Sdk.XunitException($"{label}: {string.Join("; ", parse.Errors)}");

        Assert.Equal(message.GetType(), back.GetType());
        AssertSameDocument(label, JsonNode.Parse(json), JsonNode.Parse(WireJson.Serialize(back)));
    }

    [Theory]
    [MemberData(nameof(SchemaExampleTests.ValidExamples), MemberType = typeof(SchemaExampleTests))]
    public void ValidExample_ParsedAndWrittenBack_PassesTheSchemasAndKeepsEveryValue(string name)
    {
        var example = Examples.Load(Examples.ValidFolder, name);

        var parse = MessageParser.Parse(example.Document, Examples.Catalog);
        var message = parse.Message ?? throw new Xunit.Sdk.XunitException($"{name}: {string.Join("; ", parse.Errors)}");
        var written = WireJson.SerializeToUtf8(message);

        Assert.Equal(Examples.KindOf(name), message.Kind.WireName());
        var result = Examples.Catalog.ValidateMessage(written);
        Assert.True(result.IsValid, $"{name}: {string.Join("; ", result.Errors)}\n{Encoding.UTF8.GetString(written)}");
        AssertNoDuplicateNames(written);
        AssertSameDocument(name, JsonNode.Parse(example.Document), JsonNode.Parse(written));
    }

    [Fact]
    public void SameDocumentComparison_WhenAValueDiffers_Fails()
    {
        var example = Examples.Load(Examples.ValidFolder, "prenotification-us-icbm-vandenberg-to-kwajalein");
        var changed = JsonNode.Parse(example.Document)!;
        changed["launchArea"]!["radiusKm"] = 11;

        Assert.ThrowsAny<Exception>(() => AssertSameDocument("changed", JsonNode.Parse(example.Document), changed));
    }

    /// <summary>
    /// Equal as JSON values (numbers by value, object member order ignored), after dropping what the schemas treat
    /// as absent: <c>groupLaunch: false</c> and empty <c>reasons</c>/<c>findings</c> arrays, which the code always writes.
    /// Instants compare by the instant, not the text (<c>.250Z</c> is <c>.25Z</c>).
    /// </summary>
    private static void AssertSameDocument(string label, JsonNode? expected, JsonNode? actual)
    {
        var (e, a) = (WithoutWireDefaults(expected), WithoutWireDefaults(actual));
        Assert.True(JsonNode.DeepEquals(e, a), $"{label}: the documents differ\nexpected: {e?.ToJsonString()}\nactual:   {a?.ToJsonString()}");
    }

    private static JsonNode? WithoutWireDefaults(JsonNode? node)
    {
        var copy = node?.DeepClone();
        Strip(copy);
        return copy;

        static void Strip(JsonNode? n)
        {
            switch (n)
            {
                case JsonObject obj:
                    foreach (var (key, value) in obj.ToList())
                    {
                        var isDefault = (key == "groupLaunch" && value is JsonValue v && v.GetValueKind() == JsonValueKind.False)
                                        || (key is "reasons" or "findings" && value is JsonArray { Count: 0 });
                        if (isDefault)
                            obj.Remove(key);
                        else
                            Strip(value);
                    }
                    break;
                case JsonArray array:
                    foreach (var item in array.ToList())
                        Strip(item);
                    break;
                case JsonValue value when value.GetValueKind() == JsonValueKind.String
                                          && InstantPattern.ExtendedIso.Parse(value.GetValue<string>()) is { Success: true } instant:
                    value.ReplaceWith(InstantPattern.ExtendedIso.Format(instant.Value));
                    break;
            }
        }
    }

    private static void AssertNoDuplicateNames(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        Walk(document.RootElement, "");

        static void Walk(JsonElement element, string path)
        {
            if (element.ValueKind == JsonValueKind.Object)
            {
                var names = element.EnumerateObject().Select(p => p.Name).ToList();
                Assert.True(names.Count == names.Distinct().Count(), $"duplicate property names at '{path}': {string.Join(", ", names)}");
                foreach (var property in element.EnumerateObject())
                    Walk(property.Value, path + "/" + property.Name);
            }
            else if (element.ValueKind == JsonValueKind.Array)
            {
                var i = 0;
                foreach (var item in element.EnumerateArray())
                    Walk(item, path + "/" + i++);
            }
        }
    }
}
