using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Broker;
using LaunchNotify.Node.Queries;
using LaunchNotify.Protocol.Json;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Xunit.Abstractions;

namespace LaunchNotify.Integration.Tests.Exchange;

/// <summary>
/// docs/protocol.md end to end between in-process centres over the real broker: submit, publish with confirms,
/// verify and store once, signed receipt back, delivery confirmed.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class ExchangeTests(BrokerFixture broker, ITestOutputHelper output)
{
    private static readonly CentreCode Us = new("US"), Ru = new("RU"), Cn = new("CN"), Fr = new("FR"), Gb = new("GB");
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Submit_UsToRu_IsPublishedReceivedAndConfirmedWithTheReceiptInstant()
    {
        await using var network = await CentreNetwork.CreateAsync(broker, output);
        var (us, ru) = await StartPairAsync(network);

        var id = await us.SubmitAcceptedAsync(Drafts.UsToRu(us.Clock.GetCurrentInstant()));
        var seen = new List<string>();
        var status = await Eventually.UntilAsync(async () =>
        {
            var s = (await us.Status.GetAsync(id, CancellationToken.None))!;
            if (seen.LastOrDefault() != s.Overall) seen.Add(s.Overall);
            return s;
        }, s => s.Overall == "confirmed", Deadline, $"US's delivery of {id} to RU to be confirmed");

        // Statuses only move forward: accepted → published → confirmed (a fast exchange may skip the middle ones between polls).
        Assert.Equal(seen.OrderBy(Rank), seen);
        var delivery = Assert.Single(status.Recipients);
        Assert.Equal("RU", delivery.Centre);
        Assert.Equal(1, delivery.Sequence);
        Assert.NotNull(delivery.PublishedAt);
        Assert.NotNull(delivery.ConfirmedAt);
        Assert.InRange(delivery.PublishedAt!.Value, status.SubmittedAt, delivery.ConfirmedAt!.Value);
        Assert.Empty(delivery.Reasons);
        output.WriteLine($"submitted → confirmed in {(delivery.ConfirmedAt.Value - status.SubmittedAt).TotalMilliseconds:0} ms");

        await using var ruStore = await ru.OpenStoreAsync();
        var received = await ruStore.Inbox.SingleAsync(m => m.MessageId == id);
        Assert.Equal(InboxOutcome.Accepted, received.Outcome);
        Assert.Equal("US", received.Sender);
        Assert.Equal(1, received.Sequence);
        await using var usStore = await us.OpenStoreAsync();
        var sent = await usStore.OutboundMessages.SingleAsync(m => m.MessageId == id);
        Assert.Equal(sent.Jws, received.Jws); // the evidence is the sender's signed bytes, unchanged
        Assert.Equal(received.ReceivedAt, delivery.RecipientReceivedAt); // the receipt carries RU's own receipt instant
        Assert.Equal(received.ReceiptMessageId, delivery.ReceiptMessageId);
    }

    [Fact]
    public async Task Submit_P5DrillToFourCentres_EachReceivesItOnceAndConfirms()
    {
        await using var network = await CentreNetwork.CreateAsync(broker, output);
        var hosts = await network.StartAsync(Us, Ru, Cn, Fr, Gb);
        var us = hosts[0];
        var recipients = hosts[1..];

        var id = await us.SubmitAcceptedAsync(Drafts.P5Drill(us.Clock.GetCurrentInstant(), Ru, Cn, Fr, Gb));
        var status = await Eventually.UntilAsync(() => us.Status.GetAsync(id, CancellationToken.None)!, s => s!.Overall == "confirmed",
            Deadline, $"all four deliveries of {id} to be confirmed");

        Assert.Equal(["CN", "FR", "GB", "RU"], status!.Recipients.Select(r => r.Centre));
        Assert.All(status.Recipients, r => Assert.Equal(1, r.Sequence));
        foreach (var recipient in recipients)
        {
            Assert.Equal(1, recipient.Consumed.CountOf(id));
            await using var store = await recipient.OpenStoreAsync();
            var row = Assert.Single(await store.Inbox.Where(m => m.Kind == "prenotification").ToListAsync());
            Assert.Equal(id, row.MessageId);
            Assert.Equal(InboxOutcome.Accepted, row.Outcome);
            var delivery = status.Recipients.Single(r => r.Centre == recipient.Centre.Value);
            Assert.Equal(row.ReceiptMessageId, delivery.ReceiptMessageId);
            Assert.Equal(row.ReceivedAt, delivery.RecipientReceivedAt);
        }
    }

    [Fact]
    public async Task Redeliver_TheSameSignedBody_IsStoredOnceAndItsFirstReceiptRepeated()
    {
        await using var network = await CentreNetwork.CreateAsync(broker, output);
        var (us, ru) = await StartPairAsync(network);
        var id = await us.SubmitAcceptedAsync(Drafts.UsToRu(us.Clock.GetCurrentInstant()));
        var first = await Eventually.UntilAsync(() => us.Status.GetAsync(id, CancellationToken.None), s => s!.Overall == "confirmed", Deadline, "the first confirmation");
        var firstDelivery = first!.Recipients.Single();

        // The sender's dispatcher republishes after a lost confirm exactly like this: the same signed bytes, the same id.
        byte[] jws;
        await using (var usStore = await us.OpenStoreAsync())
            jws = (await usStore.OutboundMessages.SingleAsync(m => m.MessageId == id)).Jws;
        await network.PublishAsync(Us, "RU.US.prenotification", jws, id, "prenotification");

        await Eventually.UntilAsync(() => Task.FromResult(ru.Consumed.CountOf(id)), n => n == 2, Deadline, "RU to handle the second copy");
        var receiptId = firstDelivery.ReceiptMessageId!.Value;
        await Eventually.UntilAsync(() => Task.FromResult(us.Consumed.CountOf(receiptId)), n => n == 2, Deadline, "US to handle the repeated receipt");

        await using (var ruStore = await ru.OpenStoreAsync())
        {
            Assert.Single(await ruStore.Inbox.Where(m => m.MessageId == id).ToListAsync());
            var receipts = await ruStore.Outbox.Where(o => o.Kind == "receipt").ToListAsync();
            Assert.Equal(2, receipts.Count);
            Assert.All(receipts, r => Assert.Equal(receiptId, r.MessageId)); // the same receipt again, not a second verdict
            Assert.Equal(receipts[0].Body, receipts[1].Body);
            Assert.All(receipts, r => Assert.NotNull(r.PublishedAt));
        }
        await using (var usStore = await us.OpenStoreAsync())
        {
            Assert.Single(await usStore.Inbox.Where(m => m.Kind == "receipt").ToListAsync());
            var delivery = await usStore.Deliveries.SingleAsync(d => d.MessageId == id);
            Assert.Equal(DeliveryStatus.Confirmed, delivery.Status);
            Assert.Equal(receiptId, delivery.ReceiptMessageId);
            Assert.Equal(firstDelivery.ConfirmedAt, delivery.ReceiptAt);
        }
    }

    private static int Rank(string status) => status switch { "accepted" => 0, "published" => 1, "confirmed" => 2, _ => 3 };

    private static async Task<(CentreHost Us, CentreHost Ru)> StartPairAsync(CentreNetwork network)
    {
        var hosts = await network.StartAsync(Us, Ru);
        return (hosts[0], hosts[1]);
    }
}
