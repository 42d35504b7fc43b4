using System.Text;
using LaunchNotify.Domain.Validation;
using LaunchNotify.Node.Inbox;
using LaunchNotify.Node.Outbox;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace LaunchNotify.Node.Tests;

/// <summary>
/// A parked delivery's reason (also what the sender's rejection receipt says) carries language-free arguments, so that
/// the counterpart's duty officer reads it in their language (docs/glossary.md, "Other errors").
/// </summary>
public sealed class ParkedReasonTests : IAsyncLifetime
{
    private readonly TestWorld _world = new("US", "RU", "CN");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task ForgedMisroutedAndBrokenDeliveries_AreParkedWithTheirCodeAndLanguageFreeArguments()
    {
        var us = await _world.StartAsync("US");
        var ru = await _world.StartAsync("RU");
        var cn = await _world.StartAsync("CN");
        await us.NotifyAsync("RU", Duration.FromHours(3));
        await using var db = us.NewDb();
        var entry = await db.Outbox.Where(o => o.Recipient == "RU").SingleAsync();
        var body = entry.Body;
        var forged = (byte[])body.Clone();
        // A character in the middle of the signature (the last segment) changed: still base64url, no longer the signature.
        var at = Encoding.ASCII.GetString(body).LastIndexOf("\"signature\":\"", StringComparison.Ordinal) + 20;
        forged[at] = (byte)(forged[at] == 'A' ? 'B' : 'A');

        InboundDelivery Delivery(byte[] b, string? userId) => new(b, userId, entry.RoutingKey, entry.MessageId.ToString("D"), entry.Kind, AmqpPublisher.ContentType);
        var cases = new (TestCentre To, InboundDelivery Delivery, string Code, string[] Args)[]
        {
            (ru, Delivery(body, "CN"), "BROKER_IDENTITY_MISMATCH", ["sender", "value"]),
            (ru, Delivery(body, null), "BROKER_IDENTITY_MISSING", []),
            (ru, Delivery("not a JWS"u8.ToArray(), "US"), "JWS_MALFORMED", []),
            (ru, Delivery(forged, "US"), "SIGNATURE_INVALID", []),
            (cn, Delivery(body, "US"), "NOT_ADDRESSED_HERE", ["centre", "parties"]),
        };
        foreach (var (to, delivery, code, args) in cases)
        {
            var result = await to.Inbox.ProcessAsync(delivery, CancellationToken.None);

            Assert.Equal(InboxDisposition.Parked, result.Disposition);
            var reason = Assert.Single(result.Details);
            Assert.Equal(code, reason.Code);
            Assert.True(reason.Args is not null, $"{code}: no arguments");
            Assert.Equal(args, reason.Args.Keys.Where(k => k != RuleArgs.Form).Order());
            Assert.All(reason.Args.Keys.Where(k => k != RuleArgs.Form), k => Assert.True(RuleArgs.Kinds.ContainsKey(k), $"{code}: '{k}' has no kind"));
            if (code == "BROKER_IDENTITY_MISMATCH")
                Assert.Equal(("CN", "US"), (reason.Args["value"], reason.Args["sender"]));
        }
    }
}
