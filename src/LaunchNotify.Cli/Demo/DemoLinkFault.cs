using System.Text;
using System.Text.Json.Nodes;
using LaunchNotify.Cli.Commands;
using LaunchNotify.Domain.Alarms;
using LaunchNotify.Node.Hosting;
using LaunchNotify.Node.Outbox;
using LaunchNotify.Node.Submission;
using LaunchNotify.Storage;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace LaunchNotify.Cli.Demo;

/// <summary>
/// The demo plays a faulty link so that a notification goes missing for real. Before CN's processes start, one CN
/// notification to RU is submitted through CN's own submission service (validated, numbered, signed, stored with its
/// outbox entry), and its outbox entry is held back: it stays unpublished. CN's heartbeats announce it as the last
/// number sent and CN's next notification to RU carries the following one; either way RU sees the gap and, after the
/// missing grace, raises MISSING_NOTIFICATION. Releasing the entry lets CN's dispatcher deliver it late; RU resolves
/// the alarm and classifies the arrival.
/// </summary>
public sealed class DemoLinkFault(CentreNode sender)
{
    public Guid? HeldMessageId { get; private set; }
    public long? HeldSequence { get; private set; }

    public async Task HoldBackAsync(JsonObject draft, CancellationToken ct)
    {
        var settings = new NodeSettings
        {
            Centre = sender.Centre,
            Store = StorageOptions.Parse(sender.Store),
            Broker = new BrokerConnection("127.0.0.1", 0, "launchnotify", sender.Centre.Value, sender.BrokerPassword),
            KeysDirectory = sender.KeysDirectory,
        };
        await using var services = new ServiceCollection().AddLogging().AddLaunchNotifyNode(settings).BuildServiceProvider();
        await services.InitializeNodeAsync(settings, ct);
        var result = await services.GetRequiredService<SubmissionService>()
            .SubmitAsync(Encoding.UTF8.GetBytes(draft.ToJsonString()), "prenotification", allowLate: false, ct);
        if (result.Status != SubmissionStatus.Accepted || result.MessageId is not { } id)
            throw new CliException($"The demo's held-back notification was not accepted: {string.Join("; ", result.Errors)}");

        await using var db = OpenStore();
        await db.Outbox.Where(o => o.MessageId == id).ExecuteUpdateAsync(u => u.SetProperty(o => o.NextAttemptAt, Instant.MaxValue), ct);
        HeldMessageId = id;
        HeldSequence = result.Recipients.Single().Sequence;
    }

    /// <summary>The link recovers: the entry is due again and CN's dispatcher publishes it at its next look.</summary>
    public async Task ReleaseAsync(CancellationToken ct)
    {
        await using var db = OpenStore();
        await db.Outbox.Where(o => o.MessageId == HeldMessageId).ExecuteUpdateAsync(u => u.SetProperty(o => o.NextAttemptAt, (Instant?)null), ct);
    }

    private NodeDbContext OpenStore() => new(StorageOptions.Parse(sender.Store).ToDbContextOptions());
}

/// <summary>Reads the centres' alarms straight from their stores (the alarm API and CLI are another piece of work).</summary>
public static class DemoAlarms
{
    public sealed record Row(string Centre, Alarm Alarm);

    public static async Task<IReadOnlyList<Row>> ReadAsync(IEnumerable<CentreNode> nodes, CancellationToken ct)
    {
        var rows = new List<Row>();
        foreach (var node in nodes)
        {
            await using var db = new NodeDbContext(StorageOptions.Parse(node.Store).ToDbContextOptions());
            rows.AddRange((await db.Alarms.AsNoTracking().ToListAsync(ct)).Select(a => new Row(node.Centre.Value, a)));
        }
        return rows.OrderBy(r => r.Alarm.RaisedAt).ToList();
    }

    public static async Task<int> HeartbeatsReceivedAsync(CentreNode node, CancellationToken ct)
    {
        await using var db = new NodeDbContext(StorageOptions.Parse(node.Store).ToDbContextOptions());
        return await db.Inbox.CountAsync(m => m.Kind == "heartbeat", ct);
    }
}
