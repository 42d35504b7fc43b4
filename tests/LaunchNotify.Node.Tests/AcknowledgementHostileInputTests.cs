using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using LaunchNotify.Node.Inbox;
using LaunchNotify.Node.Outbox;
using LaunchNotify.Node.Timeliness;
using LaunchNotify.Protocol.Signing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Text;

namespace LaunchNotify.Node.Tests;

/// <summary>
/// Generated acknowledgements arriving at the sender (US), the hostile way (CsCheck): forged (signed by CN for RU, or
/// bytes flipped after signing), published by the wrong broker user, for an unknown original, a message sent to
/// another centre, a receipt, a rejected notice, the wrong kind or agreement, read before the notice was issued or far in
/// the future, replayed, and repeated with a new id. Each ends in one clear outcome (accepted, rejected, duplicate or
/// parked with a code), nothing throws, nothing is logged as an error, and only a genuine, first acknowledgement of a
/// delivery to RU marks it read by a person.
/// </summary>
public sealed class AcknowledgementHostileInputTests : IAsyncLifetime
{
    // A genuine first acknowledgement is about 1 in 60 attempts: 600 make "none accepted" a 1-in-30,000 event (with 150 it was 1 in 13).
    private const int Iterations = 600;

    private static readonly string[] ParkCodes =
    [
        "ACKNOWLEDGEMENT_UNKNOWN_ORIGINAL", "ACKNOWLEDGEMENT_REPEATED", "ACKNOWLEDGEMENT_OF_REJECTED", "ACKNOWLEDGEMENT_MISMATCH",
        "ACKNOWLEDGEMENT_TIME_INVALID", "SIGNATURE_INVALID", "SIGNATURE_KEY_NOT_SENDERS", "SIGNATURE_UNKNOWN_KEY", "BROKER_IDENTITY_MISMATCH",
        "BROKER_IDENTITY_MISSING", "JWS_MALFORMED", "JWS_ALG_UNSUPPORTED", "JWS_KID_MISSING", "JWS_TYP_UNEXPECTED", "JWS_CRIT_UNSUPPORTED",
        "PAYLOAD_MALFORMED", "NOT_ADDRESSED_HERE",
    ];

    private readonly TestWorld _world = new("US", "RU", "CN");
    private TestCentre _us = null!, _ru = null!, _cn = null!;
    private readonly List<Guid> _toRu = [];
    private Guid _toCn, _rejectedByRu, _receiptFromRu;

    public async Task InitializeAsync()
    {
        _us = await _world.StartAsync("US", timeliness: new TimelinessSettings());
        _ru = await _world.StartAsync("RU", timeliness: new TimelinessSettings());
        _cn = await _world.StartAsync("CN", timeliness: new TimelinessSettings());
        for (var i = 0; i < 3; i++)
            _toRu.Add((await _us.NotifyAsync("RU", Duration.FromHours(3))).MessageId!.Value);
        _toCn = (await _us.NotifyAsync("CN", Duration.FromHours(3))).MessageId!.Value;
        // One notice RU rejects (marked so below, as RU's rejecting receipt would).
        _rejectedByRu = (await _us.NotifyAsync("RU", Duration.FromHours(3))).MessageId!.Value;
        await _world.DeliverAsync(_us, _ru);
        await _world.DeliverAsync(_us, _cn);
        await _world.DeliverAsync(_ru, _us);
        await using var db = _us.NewDb();
        _receiptFromRu = (await db.Inbox.FirstAsync(m => m.Kind == "receipt" && m.Sender == "RU")).MessageId;
        await db.Deliveries.Where(d => d.MessageId == _rejectedByRu)
            .ExecuteUpdateAsync(u => u.SetProperty(d => d.Status, Storage.Entities.DeliveryStatus.Rejected));
        _world.Advance(Duration.FromMinutes(1));
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    private sealed record Attempt(int Target, int Kind, int Agreement, int ReadAt, int Signer, int UserId, bool Replay, int Tamper);

    private static readonly Gen<Attempt> Attempts = Gen.Select(
        Gen.Int[0, 6], Gen.Int[0, 3], Gen.Int[0, 2], Gen.Int[0, 4], Gen.Int[0, 2], Gen.Int[0, 3], Gen.Bool, Gen.Int[0, 9],
        (target, kind, agreement, readAt, signer, userId, replay, tamper) => new Attempt(target, kind, agreement, readAt, signer, userId, replay, tamper));

    [Fact]
    public async Task GeneratedAcknowledgements_EndInACodedOutcome_AndOnlyGenuineFirstOnesMarkADeliveryRead()
    {
        var outcomes = new Dictionary<string, int>();
        var parking = (RecordingParkingLot)_us.Services.GetRequiredService<IParkingLot>();
        var now = _world.Clock.GetCurrentInstant();
        await Attempts.SampleAsync(async a =>
            {
                var target = a.Target switch
                {
                    <= 2 => _toRu[a.Target],
                    3 => _toCn,
                    4 => _rejectedByRu,
                    5 => _receiptFromRu,
                    _ => Guid.NewGuid(),
                };
                var body = new JsonObject
                {
                    ["kind"] = "acknowledgement",
                    ["messageId"] = Guid.NewGuid().ToString(),
                    ["schemaVersion"] = "1.2",
                    ["agreementId"] = a.Agreement switch { 0 or 1 => "p5-demo", _ => "us-ru-bmlna-1988" },
                    ["sender"] = "RU",
                    ["recipients"] = new JsonArray(new JsonObject { ["centre"] = "US", ["sequence"] = 1000 }),
                    ["issuedAt"] = At(now),
                    ["acknowledgementFor"] = target.ToString(),
                    ["acknowledgedKind"] = a.Kind switch { 0 or 1 => "prenotification", 2 => "cancellation", _ => "receipt" },
                    ["receivedAt"] = At(TestWorld.Start),
                    ["acknowledgedAt"] = a.ReadAt switch
                    {
                        0 or 1 => At(now),
                        2 => At(TestWorld.Start - Duration.FromDays(1)),
                        3 => At(now + Duration.FromDays(2)),
                        _ => At(TestWorld.Start - Duration.FromSeconds(1)),
                    },
                };
                var signer = (a.Signer == 2 ? _cn : _ru).Services.GetRequiredService<IPayloadSigner>();
                var jws = signer.Sign(Encoding.UTF8.GetBytes(body.ToJsonString()));
                if (a.Tamper == 0)
                    jws[jws.Length / 2] ^= 0x01;
                var userId = a.UserId switch { 0 or 1 => "RU", 2 => "CN", _ => null };
                var delivery = new InboundDelivery(jws, userId, "US.RU.acknowledgement", null, "acknowledgement", AmqpPublisher.ContentType);

                var genuine = a.Signer != 2 && a.Tamper != 0 && userId == "RU" && a.Target <= 2 && a.Kind <= 1 && a.Agreement <= 1 && a.ReadAt <= 1;
                Guid? before;
                await using (var db = _us.NewDb())
                    before = (await db.Deliveries.SingleOrDefaultAsync(d => d.MessageId == target && d.Recipient == "RU"))?.AcknowledgementMessageId;

                var first = await _us.Inbox.ProcessAsync(delivery, CancellationToken.None);
                var outcome = first.Disposition + (first.Disposition == InboxDisposition.Parked ? ":" + first.Details[0].Code : "");
                outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
                if (first.Disposition == InboxDisposition.Parked)
                    Assert.Contains(first.Details[0].Code, ParkCodes);
                if (first.Disposition == InboxDisposition.Rejected)
                    Assert.NotEmpty(first.Details);

                await using (var db = _us.NewDb())
                {
                    var after = (await db.Deliveries.SingleOrDefaultAsync(d => d.MessageId == target && d.Recipient == "RU"))?.AcknowledgementMessageId;
                    if (genuine && before is null)
                    {
                        Assert.Equal(InboxDisposition.Accepted, first.Disposition);
                        Assert.Equal(Guid.Parse(body["messageId"]!.ToString()), after);
                    }
                    else
                    {
                        Assert.NotEqual(InboxDisposition.Accepted, first.Disposition);
                        Assert.Equal(before, after);
                    }
                }

                if (a.Replay)
                {
                    var again = await _us.Inbox.ProcessAsync(delivery, CancellationToken.None);
                    // A stored one is answered as a duplicate; a parked one is parked again for the same reason.
                    if (first.Disposition is InboxDisposition.Accepted or InboxDisposition.Rejected)
                        Assert.Equal(InboxDisposition.Duplicate, again.Disposition);
                    else
                        Assert.Equal(first.Details[0].Code, again.Details[0].Code);
                }
            },
            iter: Iterations, threads: 1, print: a => a.ToString());

        // The generator reached both sides: some acknowledgements applied, many refused for different reasons.
        Assert.Contains(InboxDisposition.Accepted.ToString(), outcomes.Keys);
        Assert.True(outcomes.Keys.Count(k => k.StartsWith("Parked:", StringComparison.Ordinal)) >= 5, string.Join(", ", outcomes.Keys));
        Assert.NotEmpty(parking.Parked);
        Assert.Empty(_us.Errors);
        // Nothing is answered: an acknowledgement gets no receipt (an answer to an answer would never end).
        await using var final = _us.NewDb();
        Assert.False(await final.Outbox.AnyAsync(o => o.Kind == "receipt"));
    }

    private static string At(Instant instant) => InstantPattern.ExtendedIso.Format(instant);
}
