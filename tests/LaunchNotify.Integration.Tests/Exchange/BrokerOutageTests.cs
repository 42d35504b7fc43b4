using System.Diagnostics;
using LaunchNotify.Domain.Values;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace LaunchNotify.Integration.Tests.Exchange;

/// <summary>
/// "A broker outage delays, never loses": the real broker is stopped and started with the infra scripts while two
/// centres keep running. Every other test of the "broker" collection runs before or after this one, never during it.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class BrokerOutageTests(BrokerFixture broker, ITestOutputHelper output)
{
    private static readonly CentreCode Us = new("US"), Ru = new("RU");
    private const int BeforeOutage = 5, DuringOutage = 5;

    [Fact]
    public async Task BrokerStopped_SubmissionsWaitInTheOutbox_AndAfterARestartEachIsDeliveredAndConfirmedOnce()
    {
        await using var network = await CentreNetwork.CreateAsync(broker, output);
        var hosts = await network.StartAsync(Us, Ru);
        var (us, ru) = (hosts[0], hosts[1]);
        var submitted = new List<Guid>();

        for (var i = 0; i < BeforeOutage; i++)
            submitted.Add(await us.SubmitAcceptedAsync(Drafts.UsToRu(us.Clock.GetCurrentInstant(), $"before the outage, #{i + 1}")));
        // Connections are live and the rest may still be in flight when the broker goes.
        await Eventually.UntilAsync(() => us.Status.GetAsync(submitted[0], CancellationToken.None), s => s!.Overall == "confirmed",
            TimeSpan.FromSeconds(20), "the first message to be confirmed before the outage");

        await InfraScript.RunAsync("infra/rabbitmq/stop.sh", TimeSpan.FromMinutes(2));
        var restarted = Stopwatch.StartNew();
        try
        {
            var during = new List<Guid>();
            for (var i = 0; i < DuringOutage; i++)
                during.Add(await us.SubmitAcceptedAsync(Drafts.UsToRu(us.Clock.GetCurrentInstant(), $"during the outage, #{i + 1}")));
            submitted.AddRange(during);

            // Stored and waiting: the dispatcher tried, failed and kept them.
            var waiting = await Eventually.UntilAsync(async () =>
            {
                await using var store = await us.OpenStoreAsync();
                return await store.Outbox.Where(o => during.Contains(o.MessageId)).ToListAsync();
            }, entries => entries.Count == DuringOutage && entries.All(e => e.LastError is not null), TimeSpan.FromSeconds(15),
                "the dispatcher to try the new entries against the stopped broker");
            Assert.All(waiting, e => Assert.Null(e.PublishedAt));
            foreach (var id in during)
                Assert.Equal("accepted", (await us.Status.GetAsync(id, CancellationToken.None))!.Overall);
        }
        finally
        {
            await InfraScript.RunAsync("infra/rabbitmq/start.sh", TimeSpan.FromMinutes(3));
            output.WriteLine($"broker down for {restarted.Elapsed.TotalSeconds:0.0} s (stop to started)");
            restarted.Restart();
        }

        var statuses = await Eventually.UntilAsync(
            async () => await Task.WhenAll(submitted.Select(id => us.Status.GetAsync(id, CancellationToken.None))),
            all => all.All(s => s!.Overall == "confirmed"), TimeSpan.FromSeconds(60),
            "every message to be confirmed after the restart");
        output.WriteLine($"all {submitted.Count} confirmed {restarted.Elapsed.TotalSeconds:0.0} s after the broker was back");

        await using var ruStore = await ru.OpenStoreAsync();
        var received = await ruStore.Inbox.Where(m => m.Kind == "prenotification").ToListAsync();
        Assert.Equal(submitted.Order(), received.Select(m => m.MessageId).Order()); // none lost, none stored twice
        Assert.Equal(Enumerable.Range(1, submitted.Count).Select(n => (long?)n), received.Select(m => m.Sequence).Order()); // no gap
        Assert.All(received, m => Assert.Equal(InboxOutcome.Accepted, m.Outcome));
        // One verdict per message: a redelivered copy repeats its receipt (same id), it never makes a second one.
        var receiptIds = await ruStore.Outbox.Where(o => o.Kind == "receipt").Select(o => o.MessageId).Distinct().ToListAsync();
        Assert.Equal(submitted.Count, receiptIds.Count);
        foreach (var status in statuses)
        {
            var delivery = Assert.Single(status!.Recipients);
            Assert.Equal(received.Single(m => m.MessageId == status.MessageId).ReceiptMessageId, delivery.ReceiptMessageId);
        }
        await using var usStore = await us.OpenStoreAsync();
        Assert.Equal(submitted.Count, await usStore.Inbox.CountAsync(m => m.Kind == "receipt"));
        Assert.Equal(0, await usStore.Outbox.CountAsync(o => o.PublishedAt == null));
    }
}
