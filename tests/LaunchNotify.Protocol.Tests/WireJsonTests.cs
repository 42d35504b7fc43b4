using System.Text.Json.Nodes;
using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Values;
using LaunchNotify.Protocol.Json;
using NodaTime;

namespace LaunchNotify.Protocol.Tests;

public class WireJsonTests
{
    private static readonly Instant Issued = Instant.FromUtc(2026, 11, 24, 9, 0);

    private static PreNotification Sample() => new()
    {
        MessageId = new MessageId(Guid.Parse("5b0d7a52-3c1e-4a7f-9a51-0f2f4c1d2e3a")),
        AgreementId = new AgreementId("us-ru-bmlna-1988"),
        Sender = new CentreCode("US"),
        Recipients = [new Addressee(new CentreCode("RU"), 7)],
        IssuedAt = Issued,
        LaunchWindow = new LaunchWindow(Issued + Duration.FromHours(48), Issued + Duration.FromHours(52)),
        Missile = new Missile(MissileClass.ICBM, type: "Minuteman III"),
        LaunchArea = new CircleArea(new GeoPoint(34.7420, -120.5724), 5, "Vandenberg SFB"),
        ImpactAreas = [new CircleArea(new GeoPoint(9.3950, 167.4710), 50, "Kwajalein Atoll")],
        PlannedAzimuthDeg = 247.5,
    };

    [Fact]
    public void Serialize_PreNotification_WritesEnvelopeFirstWithKindDiscriminator()
    {
        var json = JsonNode.Parse(WireJson.Serialize(Sample()))!.AsObject();
        var names = json.Select(p => p.Key).ToList();

        Assert.Equal(["kind", "messageId", "schemaVersion", "agreementId", "sender", "recipients", "issuedAt"], names.Take(7));
        Assert.Equal("prenotification", (string?)json["kind"]);
        Assert.Equal("2026-11-24T09:00:00Z", (string?)json["issuedAt"]);
        Assert.Equal("ICBM", (string?)json["missile"]!["class"]);
        Assert.Equal("circle", (string?)json["launchArea"]!["type"]);
        Assert.Equal(7, (long?)json["recipients"]![0]!["sequence"]);
        Assert.Null(json["remarks"]);
    }

    [Fact]
    public void Deserialize_WhatItSerialized_GivesAnEqualMessage()
    {
        var original = Sample();
        var back = Assert.IsType<PreNotification>(MessageParser.ReadStored(WireJson.Serialize(original)));

        Assert.Equal(original.MessageId, back.MessageId);
        Assert.Equal(original.LaunchWindow, back.LaunchWindow);
        Assert.Equal(original.Missile.Type, back.Missile.Type);
        Assert.Equal(original.LaunchArea, back.LaunchArea);
        Assert.Equal(original.ImpactAreas, back.ImpactAreas);
        Assert.Equal(original.Recipients, back.Recipients);
    }

    [Fact]
    public void Deserialize_WhenKindIsNotFirst_StillReadsTheKind()
    {
        var json = WireJson.Serialize(Sample());
        var node = JsonNode.Parse(json)!.AsObject();
        node.Remove("kind");
        node["kind"] = "prenotification";

        Assert.IsType<PreNotification>(MessageParser.ReadStored(node.ToJsonString()));
    }
}
