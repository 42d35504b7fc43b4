using System.Text;
using System.Text.Json.Nodes;
using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Values;
using LaunchNotify.Protocol.Json;
using LaunchNotify.Protocol.Schemas;
using NodaTime;

namespace LaunchNotify.Protocol.Tests;

public class SchemaCatalogTests
{
    private static readonly Instant T0 = Instant.FromUtc(2026, 11, 24, 9, 0);

    private static readonly Addressee[] ToRu = [new Addressee(new CentreCode("RU"), 1)];

    /// <summary>One message of every kind, as the code writes them: all must pass the agreed schemas.</summary>
    public static TheoryData<string, Message> EveryKind() => new()
    {
        { "prenotification", new PreNotification
            {
                MessageId = MessageId.New(), AgreementId = new("us-ru-bmlna-1988"), Sender = new("US"), Recipients = ToRu, IssuedAt = T0,
                LaunchWindow = new LaunchWindow(T0 + Duration.FromHours(30), T0 + Duration.FromHours(34)),
                Missile = new Missile(MissileClass.SLBM, count: 2, groupLaunch: true, type: "Trident II D5", rangeKm: 7400),
                LaunchArea = new OceanQuadrantArea(new GeoPoint(30.0, -72.5), Quadrant.NE, 150, "Atlantic test area"),
                ImpactAreas =
                [
                    new PolygonArea([new GeoPoint(-8, -15), new GeoPoint(-8, -13), new GeoPoint(-10, -13), new GeoPoint(-10, -15)], "South Atlantic"),
                    new NamedWaterArea("South Atlantic Ocean", new GeoPoint(-20, -10)),
                ],
                PlannedAzimuthDeg = 120,
                PlannedDirection = "south-east",
                Remarks = "Demonstration and shakedown operation.",
            } },
        { "amendment", new Amendment
            {
                MessageId = MessageId.New(), AgreementId = new("us-ru-bmlna-1988"), Sender = new("US"), Recipients = ToRu, IssuedAt = T0,
                Amends = MessageId.New(), Reason = "Weather: window extended by 24 hours.",
                Changes = new NotificationChanges { LaunchWindow = new LaunchWindow(T0 + Duration.FromHours(30), T0 + Duration.FromHours(58)) },
            } },
        { "cancellation", new Cancellation
            {
                MessageId = MessageId.New(), AgreementId = new("us-ru-bmlna-1988"), Sender = new("US"), Recipients = ToRu, IssuedAt = T0,
                Cancels = MessageId.New(), Reason = "Test postponed indefinitely.",
            } },
        { "postlaunch launched", new PostLaunchReport
            {
                MessageId = MessageId.New(), AgreementId = new("us-ru-bmlna-1988"), Sender = new("US"), Recipients = ToRu, IssuedAt = T0,
                ReportsOn = MessageId.New(), Outcome = PostLaunchOutcome.Launched, LaunchedAt = T0 - Duration.FromHours(2), MissilesLaunched = 1,
            } },
        { "postlaunch not launched", new PostLaunchReport
            {
                MessageId = MessageId.New(), AgreementId = new("us-ru-bmlna-1988"), Sender = new("US"), Recipients = ToRu, IssuedAt = T0,
                ReportsOn = MessageId.New(), Outcome = PostLaunchOutcome.NotLaunched, Remarks = "Scrubbed for a range fault.",
            } },
        { "receipt rejected", new Receipt
            {
                MessageId = MessageId.New(), AgreementId = new("us-ru-bmlna-1988"), Sender = new("RU"), Recipients = [new Addressee(new("US"), 4)], IssuedAt = T0,
                ReceiptFor = MessageId.New(), ReceivedKind = MessageKind.PreNotification, ReceivedAt = T0, Outcome = ReceiptOutcome.Rejected,
                Reasons = [new("LEAD_TIME_TOO_SHORT", "us-ru-bmlna-1988/lead-time", "/launchWindow/start", "Notified 23h before the window; 24h required.")],
            } },
        { "heartbeat", new Heartbeat
            {
                MessageId = MessageId.New(), AgreementId = new("cn-ru-2009"), Sender = new("CN"), Recipients = ToRu, IssuedAt = T0,
                LastNotificationSequence = 0, IntervalSeconds = 300,
            } },
    };

    [Theory]
    [MemberData(nameof(EveryKind))]
    public void MessagesWrittenByTheCode_PassTheAgreedSchemas(string label, Message message)
    {
        var json = WireJson.SerializeToUtf8(message);
        var result = SchemaCatalog.FromDirectory(Path.Combine(RepoPaths.Schemas, "v1")).ValidateMessage(json);

        Assert.True(result.IsValid, $"{label}: {string.Join("; ", result.Errors)}\n{Encoding.UTF8.GetString(json)}");
        Assert.Equal(message.Kind, MessageParser.ReadStored(json).Kind);
    }

    [Fact]
    public void EmbeddedSchemas_AreTheRepositoryFiles()
    {
        Assert.Contains("prenotification", SchemaCatalog.Default.Names);
        Assert.Equal(
            SchemaCatalog.FromDirectory(Path.Combine(RepoPaths.Schemas, "v1")).Names.Order(),
            SchemaCatalog.Default.Names.Order());
    }

    [Fact]
    public void ValidateMessage_WhenJsonIsMalformed_SaysSo()
    {
        var error = Assert.Single(SchemaCatalog.Default.ValidateMessage("{\"kind\": "u8).Errors);
        Assert.Equal("JSON_MALFORMED", error.Code);
    }

    [Fact]
    public void ValidateMessage_WhenKindIsUnknown_NamesTheKind()
    {
        var error = Assert.Single(SchemaCatalog.Default.ValidateMessage("{\"kind\": \"launchorder\"}"u8).Errors);
        Assert.Equal(("MESSAGE_KIND_UNKNOWN", "/kind"), (error.Code, error.Path));
        Assert.Contains("launchorder", error.Message);
    }

    [Fact]
    public void ValidateMessage_WhenAPropertyIsUnknownAndAnInstantIsNotUtc_ReportsBoth()
    {
        var node = JsonNode.Parse(WireJson.Serialize(EveryKind().Select(r => (Message)r[1]).OfType<Heartbeat>().Single()))!;
        node["issuedAt"] = "2026-11-24T12:00:00+03:00";
        node["priority"] = "high";

        var errors = SchemaCatalog.Default.ValidateMessage(Encoding.UTF8.GetBytes(node.ToJsonString())).Errors;

        Assert.Contains(errors, e => e.Code == "SCHEMA_PATTERN" && e.Path == "/issuedAt");
        Assert.Contains(errors, e => e.Code == "SCHEMA_UNKNOWN_PROPERTY");
    }
}
