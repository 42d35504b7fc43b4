using System.Text;
using System.Text.Json.Nodes;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node;
using LaunchNotify.Node.Alarms;
using LaunchNotify.Node.Audit;
using LaunchNotify.Node.Hosting;
using LaunchNotify.Node.Evidence;
using LaunchNotify.Node.Inbox;
using LaunchNotify.Node.Outbox;
using LaunchNotify.Node.Submission;
using LaunchNotify.Protocol.Agreements;
using LaunchNotify.Protocol.Schemas;
using LaunchNotify.Protocol.Signing;
using LaunchNotify.Domain.Rules;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using NodaTime;
using NodaTime.Testing;

namespace LaunchNotify.Compliance.Tests;

/// <summary>
/// Two centres, each with its own store and keys, running the real SubmissionService and InboxProcessor in-process.
/// The broker leg is played by <see cref="DeliverAsync"/>: it takes what the sender's outbox holds, marks it published
/// with its audit entry as the dispatcher does, and hands the body to the recipient's inbox with the broker-validated user_id.
/// </summary>
public sealed class TwoCentres : IAsyncDisposable
{
    public static readonly Instant Start = Instant.FromUtc(2026, 11, 20, 14, 0);

    private readonly List<string> _dirs = [];
    private readonly List<ServiceProvider> _providers = [];

    public FakeClock Clock { get; } = new(Start);
    public string KeysDirectory { get; }
    public CentreNode Us { get; private set; } = null!;
    public CentreNode Ru { get; private set; } = null!;

    private TwoCentres()
    {
        KeysDirectory = Directory.CreateTempSubdirectory("launchnotify-keys-").FullName;
        _dirs.Add(KeysDirectory);
    }

    public static async Task<TwoCentres> CreateAsync(Func<Task<ITestStore>>? stores = null)
    {
        stores ??= async () => await SqliteTestStore.CreateAsync();
        var pair = new TwoCentres();
        using (KeyStore.Generate(new CentreCode("US"), pair.KeysDirectory)) { }
        using (KeyStore.Generate(new CentreCode("RU"), pair.KeysDirectory)) { }
        pair.Us = pair.Node("US", await stores());
        pair.Ru = pair.Node("RU", await stores());
        return pair;
    }

    private CentreNode Node(string code, ITestStore store)
    {
        // The node's own composition (as the deployables build it), over this test's store and clock; parking is a no-op.
        var settings = new NodeSettings
        {
            Centre = new CentreCode(code),
            Store = store.Options,
            Broker = new BrokerConnection("127.0.0.1", 1, "launchnotify", code, "unused"),
            KeysDirectory = KeysDirectory,
        };
        var services = new ServiceCollection()
            .AddLogging()
            .AddLaunchNotifyNode(settings, Clock)
            .AddSingleton<IParkingLot, NoParking>()
            .BuildServiceProvider();
        _providers.Add(services);
        return new CentreNode(settings.Centre, store,
            services.GetRequiredService<SubmissionService>(),
            services.GetRequiredService<InboxProcessor>(),
            services.GetRequiredService<AlarmBook>(),
            new EvidenceExporter(store.Factory, KeyStore.LoadTrustedKeys(KeysDirectory), Clock),
            services.GetRequiredService<LaunchNotify.Node.Acknowledgements.AcknowledgementService>());
    }

    /// <summary>The US ICBM example notification to RU (window opens 4 days after <see cref="Start"/>).</summary>
    public static byte[] UsNotificationDraft()
    {
        var example = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "schemas", "examples", "valid", "prenotification-us-icbm-vandenberg-to-kwajalein.json")))!;
        var draft = example["document"]!.AsObject();
        draft["messageId"] = Guid.NewGuid().ToString("D");
        return Encoding.UTF8.GetBytes(draft.ToJsonString());
    }

    /// <summary>Submits at US, delivers to RU, delivers RU's receipt back: the whole exchange for one notification.</summary>
    public async Task<Guid> ExchangeAsync()
    {
        var submitted = await Us.Submissions.SubmitAsync(UsNotificationDraft(), "prenotification", allowLate: false, default);
        Assert.True(submitted.Status == SubmissionStatus.Accepted, string.Join("; ", submitted.Errors));
        Clock.AdvanceSeconds(2);
        var delivered = await DeliverAsync(Us, Ru);
        Assert.Equal(InboxDisposition.Accepted, Assert.Single(delivered).Disposition);
        Clock.AdvanceSeconds(3);
        var receipts = await DeliverAsync(Ru, Us);
        Assert.Equal(InboxDisposition.Accepted, Assert.Single(receipts).Disposition);
        return submitted.MessageId!.Value;
    }

    public async Task<List<InboxResult>> DeliverAsync(CentreNode from, CentreNode to)
    {
        await using var db = from.Store.NewContext();
        await using var tx = await AuditLog.BeginLockedTransactionAsync(db, default);
        var entries = await db.Outbox.Where(o => o.PublishedAt == null && o.Recipient == to.Centre.Value).OrderBy(o => o.Id).ToListAsync();
        var now = Clock.GetCurrentInstant();
        foreach (var entry in entries)
        {
            entry.PublishedAt = now;
            await db.Deliveries.Where(d => d.MessageId == entry.MessageId && d.Recipient == entry.Recipient && d.Status == DeliveryStatus.Accepted)
                .ExecuteUpdateAsync(u => u.SetProperty(d => d.Status, DeliveryStatus.Published).SetProperty(d => d.PublishedAt, now));
            AuditLog.Append(db, AuditEvent.Published(entry, now));
        }
        await db.SaveChangesAsync();
        await tx.CommitAsync();

        var results = new List<InboxResult>();
        foreach (var entry in entries)
        {
            Clock.AdvanceMilliseconds(300);
            results.Add(await to.Inbox.ProcessAsync(
                new InboundDelivery(entry.Body, from.Centre.Value, entry.RoutingKey, entry.MessageId.ToString(), entry.Kind, AmqpPublisher.ContentType), default));
        }
        return results;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var provider in _providers)
            await provider.DisposeAsync();
        if (Us is not null)
            await Us.Store.DisposeAsync();
        if (Ru is not null)
            await Ru.Store.DisposeAsync();
        foreach (var dir in _dirs)
            Directory.Delete(dir, recursive: true);
    }

    private sealed class NoParking : IParkingLot
    {
        public Task ParkAsync(ParkedMessage message, CancellationToken ct) => Task.CompletedTask;
    }
}

public sealed record CentreNode(CentreCode Centre, ITestStore Store, SubmissionService Submissions, InboxProcessor Inbox, AlarmBook Alarms, EvidenceExporter Evidence,
    LaunchNotify.Node.Acknowledgements.AcknowledgementService Acknowledgements);
