using System.Diagnostics;
using LaunchNotify.Domain.Messages;
using LaunchNotify.Node.Broker;
using LaunchNotify.Storage;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace LaunchNotify.Node.Outbox;

/// <summary>
/// Publishes the outbox in order, with confirms, and marks each entry (and its delivery) published only once the
/// broker has confirmed it. While the broker is down it backs off and retries: entries stay until they go out.
/// </summary>
public sealed class OutboxDispatcher(
    IDbContextFactory<NodeDbContext> dbFactory,
    AmqpPublisher publisher,
    OutboxSignal signal,
    IClock clock,
    OutboxDispatcherOptions options,
    ILogger<OutboxDispatcher> logger,
    StoreWriteGate? writeGate = null,
    GroupCommitter? committer = null) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // Connect at start, not on the first message: the first receipt or notification no longer pays for the
            // AMQP handshake, channel and confirm set-up (part of the demo's ~400 ms to the first confirmation).
            await publisher.ConnectAsync(stoppingToken);
        }
        catch (BrokerUnavailableException)
        {
            // The loop below reports it and retries.
        }
        try
        {
            await ReleaseAbandonedClaimsAsync(stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Could not look for outbox claims of a previous run of {Owner}; they go out when their lease ends", options.Owner);
        }
        // From here on, what this process commits for this dispatcher is claimed for it and handed over (OutboxSignal).
        signal.Attach(OutboxClaims.NewToken(options.Owner, options.ProcessId), options.ClaimLease, options.Kinds);
        try
        {
            await BrokerWorkLoop.RunAsync(DispatchBatchAsync, ct => signal.WaitAsync(options.PollInterval, ct), options.MaxBackoff, logger,
                "outbox dispatch", "notifications stay in the outbox until it returns", stoppingToken);
        }
        finally
        {
            signal.Detach();
        }
    }

    /// <summary>Publishes one batch of due entries; returns how many went out.</summary>
    public async Task<int> DispatchBatchAsync(CancellationToken ct)
    {
        var handed = signal.TakeHandedOff(options.BatchSize);
        if (handed.Count > 0)
            return await DispatchHandedOffAsync(handed, ct);
        // The outbox is read when asked (something was queued without a hand-over), after a batch that found work (more
        // may wait), and when the loop has idled a poll interval (retries coming due, a lease run out, another process's entries);
        // a wake-up for handed-over entries alone costs no read.
        if (!signal.TakePollRequest() && Stopwatch.GetElapsedTime(_lastPoll) < options.PollInterval / 2)
            return 0;
        _lastPoll = Stopwatch.GetTimestamp();
        var polled = await PollBatchAsync(ct);
        if (polled > 0)
            _lastPoll = 0;
        return polled;
    }

    private long _lastPoll;

    /// <summary>Claims and publishes one batch of due entries from the outbox; returns how many went out.</summary>
    private async Task<int> PollBatchAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetCurrentInstant();
        var kinds = options.Kinds;
        var token = OutboxClaims.NewToken(options.Owner, options.ProcessId);
        var candidates = db.Outbox
            .Where(o => o.PublishedAt == null && kinds.Contains(o.Kind)
                        && (o.NextAttemptAt == null || o.NextAttemptAt <= now)
                        && (o.ClaimedUntil == null || o.ClaimedUntil < now))
            .OrderBy(o => o.Id)
            .Take(options.BatchSize)
            .Select(o => o.Id);
        // The claim repeats the condition: when another dispatcher claimed a row first, this update skips it.
        var claimed = await db.Outbox
            .Where(o => candidates.Contains(o.Id) && o.PublishedAt == null && (o.ClaimedUntil == null || o.ClaimedUntil < now))
            .ExecuteUpdateAsync(u => u.SetProperty(o => o.ClaimToken, token).SetProperty(o => o.ClaimedUntil, now + options.ClaimLease), ct);
        if (claimed == 0)
            return 0;
        var batch = await db.Outbox.Where(o => o.ClaimToken == token).OrderBy(o => o.Id).ToListAsync(ct);
        return await PublishOrReleaseAsync(db, batch, ct);
    }

    /// <summary>
    /// Publishes entries this process committed already claimed for this dispatcher (OutboxSignal.HandOff): no read and
    /// no claim of the outbox first.
    /// </summary>
    private async Task<int> DispatchHandedOffAsync(List<OutboxEntry> handed, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.Outbox.AttachRange(handed);
        return await PublishOrReleaseAsync(db, handed, ct);
    }

    /// <summary>
    /// Publishes a batch this dispatcher holds the claim of. On stopping or a store error mid-batch the claim is given
    /// back now rather than after its lease, so a restarted node sends at once; entries already published are re-sent
    /// (receivers dedupe by message id).
    /// </summary>
    private async Task<int> PublishOrReleaseAsync(NodeDbContext db, List<OutboxEntry> batch, CancellationToken ct)
    {
        try
        {
            return await PublishClaimedAsync(db, batch, ct);
        }
        catch
        {
            var ids = batch.Select(e => e.Id).ToList();
            try
            {
                await using var release = await dbFactory.CreateDbContextAsync(CancellationToken.None);
                await release.Outbox.Where(o => ids.Contains(o.Id) && o.PublishedAt == null)
                    .ExecuteUpdateAsync(u => u.SetProperty(o => o.ClaimToken, (Guid?)null).SetProperty(o => o.ClaimedUntil, (Instant?)null), CancellationToken.None);
                signal.Notify();
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Could not release the claim of {Count} outbox entries; they go out when their lease ends", ids.Count);
            }
            throw;
        }
    }

    /// <summary>
    /// Takes back the entries that an earlier run of this dispatcher (same owner name, a process that is gone) claimed
    /// and never marked: after a crash they go out at this start instead of after their lease. Returns how many.
    /// </summary>
    public async Task<int> ReleaseAbandonedClaimsAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetCurrentInstant();
        var held = await db.Outbox
            .Where(o => o.PublishedAt == null && o.ClaimToken != null && o.ClaimedUntil != null && o.ClaimedUntil >= now)
            .Select(o => o.ClaimToken!.Value)
            .Distinct()
            .ToListAsync(ct);
        var abandoned = held.Where(t => OutboxClaims.IsAbandoned(t, options.Owner, options.ProcessId, options.IsRunning)).Select(t => (Guid?)t).ToList();
        if (abandoned.Count == 0)
            return 0;
        var released = await db.Outbox
            .Where(o => o.PublishedAt == null && abandoned.Contains(o.ClaimToken))
            .ExecuteUpdateAsync(u => u.SetProperty(o => o.ClaimToken, (Guid?)null).SetProperty(o => o.ClaimedUntil, (Instant?)null), ct);
        logger.LogInformation("Took back {Count} outbox entries claimed by a previous run of {Owner} that ended before sending them; they go out now",
            released, options.Owner);
        signal.Notify();
        return released;
    }

    private async Task<int> PublishClaimedAsync(NodeDbContext db, List<OutboxEntry> batch, CancellationToken ct)
    {
        var outcomes = await Task.WhenAll(batch.Select(async entry =>
        {
            try
            {
                // Within the trace that queued the entry; the traceparent header carries it to the recipient.
                using var activity = Telemetry.NodeTelemetry.StartContinuing("launchnotify.publish", System.Diagnostics.ActivityKind.Producer, entry.TraceParent);
                activity?.SetTag("launchnotify.message_id", entry.MessageId.ToString("D"));
                activity?.SetTag("messaging.destination.name", entry.RoutingKey);
                await publisher.PublishAsync(
                    new OutgoingMessage(entry.MessageId, entry.Kind, entry.RoutingKey, entry.Body, entry.CreatedAt.ToUnixTimeSeconds())
                    {
                        Headers = Telemetry.NodeTelemetry.Headers(activity),
                    }, ct);
                Telemetry.NodeTelemetry.Deliveries.Add(1, new KeyValuePair<string, object?>("kind", entry.Kind), new KeyValuePair<string, object?>("outcome", "published"));
                return (entry, error: (Exception?)null);
            }
            catch (Exception e) when (e is BrokerUnavailableException or UnroutableMessageException)
            {
                return (entry, error: e);
            }
        }));

        var publishedAt = clock.GetCurrentInstant();
        int published;
        if (committer is not null)
        {
            // A step of the process's group commit (the intake's or the inbox's): the marks share a transaction, a commit
            // and the audit chain's reservation with whatever else is being stored, instead of taking them once more.
            // Status, delivery and audit entries still commit together. Deliveries (a notification's) are rows other
            // writers lock after the audit chain (a receipt settling one): on PostgreSQL the step takes the chain first,
            // the order every writer keeps; marking its own outbox entries needs no such turn.
            var before = batch.Select(e => (e.ClaimToken, e.ClaimedUntil, e.PublishedAt, e.LastError, e.Attempts, e.NextAttemptAt)).ToArray();
            var marksDeliveries = outcomes.Any(o => o.error is null && HasDeliveries(o.entry.Kind));
            published = await committer.RunAsync(async (step, stepCt) =>
            {
                // A step may run again (GroupCommitter): the entries as claimed, each time.
                for (var i = 0; i < batch.Count; i++)
                    (batch[i].ClaimToken, batch[i].ClaimedUntil, batch[i].PublishedAt, batch[i].LastError, batch[i].Attempts, batch[i].NextAttemptAt) = before[i];
                if (marksDeliveries)
                    await step.LockAuditChainForBatchAsync(stepCt);
                return await MarkAsync(step, outcomes, publishedAt, stepCt, tracked: false);
            }, ct);
        }
        else
        {
            // One transaction for the whole batch (one write lock, one commit), taking the audit chain's lock first.
            using var turn = await (writeGate ?? StoreWriteGate.Open).EnterAsync(ct);
            await using var tx = await Audit.AuditLog.BeginLockedTransactionAsync(db, ct);
            published = await MarkAsync(db, outcomes, publishedAt, ct, tracked: true);
            await tx.CommitAsync(ct);
        }

        var down = outcomes.Select(o => o.error).OfType<BrokerUnavailableException>().FirstOrDefault();
        if (down is not null && published == 0)
            throw down;
        return published;
    }

    /// <summary>
    /// Marks what the broker confirmed published (with its audit entry and its deliveries) and what it refused for a
    /// later attempt, and saves, in the caller's transaction. Returns how many were published. With
    /// <paramref name="tracked"/> false (a group-commit step, whose unit of work does not hold the entries), the published
    /// entries are marked by a statement (<see cref="MarkEntriesPublishedAsync"/>) and only the refused ones are attached
    /// and saved by EF Core.
    /// </summary>
    private async Task<int> MarkAsync(NodeDbContext db, (OutboxEntry entry, Exception? error)[] outcomes, Instant publishedAt, CancellationToken ct, bool tracked)
    {
        var published = 0;
        List<long>? publishedIds = null;
        foreach (var (entry, error) in outcomes)
        {
            if (!tracked)
            {
                if (error is null)
                    (publishedIds ??= []).Add(entry.Id);
                else
                    db.Outbox.Attach(entry);
            }
            entry.ClaimToken = null;
            entry.ClaimedUntil = null;
            if (error is null)
            {
                entry.PublishedAt = publishedAt;
                entry.LastError = null;
                published++;
                Audit.AuditLog.Append(db, Audit.AuditEvent.Published(entry, publishedAt));
            }
            else
            {
                entry.Attempts++;
                entry.LastError = error.Message;
                if (error is UnroutableMessageException)
                {
                    // A configuration fault for this recipient only: retry later without holding up the others.
                    entry.NextAttemptAt = publishedAt + Duration.FromSeconds(Math.Min(60, 1 << Math.Min(entry.Attempts, 6)));
                    logger.LogError("Outbox entry {Id} ({RoutingKey}) is unroutable (attempt {Attempts}): {Reason}", entry.Id, entry.RoutingKey, entry.Attempts, error.Message);
                }
            }
        }
        // The deliveries published, one statement per message (a notification to 142 recipients is one, not 142). Only an
        // operator's notification has deliveries; receipts, acknowledgements, heartbeats and key announcements have none
        // (the statement for one found nothing, and cost a LINQ translation: 3 % of a subscriber's CPU).
        foreach (var message in outcomes.Where(o => o.error is null && HasDeliveries(o.entry.Kind)).GroupBy(o => o.entry.MessageId, o => o.entry.Recipient))
            await MarkDeliveriesAsync(db, message.Key, [.. message], publishedAt, ct);
        if (publishedIds is not null)
            await MarkEntriesPublishedAsync(db, publishedIds, publishedAt, ct);
        await db.SaveChangesAsync(ct);
        return published;
    }

    /// <summary>
    /// The outbox entries <paramref name="ids"/> published at <paramref name="publishedAt"/>, their claim ended: statements
    /// written once per model, in <see cref="StatementGroups"/> (EF Core's update of the attached entries was 2–3 % of a
    /// node's CPU in the closed loop). On PostgreSQL they go with the step's next command.
    /// </summary>
    private static async Task MarkEntriesPublishedAsync(NodeDbContext db, List<long> ids, Instant publishedAt, CancellationToken ct)
    {
        foreach (var (size, group) in StatementGroups(ids))
        {
            var key = size == 1 ? "outbox-published-1" : "outbox-published-many";
            var command = ModelCommands.Statement(db, key, model =>
            {
                var outbox = model.FindEntityType(typeof(OutboxEntry))!;
                var id = outbox.FindProperty(nameof(OutboxEntry.Id))!;
                return [("PublishedAt", outbox.FindProperty(nameof(OutboxEntry.PublishedAt))!), .. Enumerable.Range(0, size).Select(i => ($"Id{i}", id))];
            }, p => $"""
                UPDATE "Outbox" SET "ClaimToken" = NULL, "ClaimedUntil" = NULL, "PublishedAt" = {p("PublishedAt")}, "LastError" = NULL
                WHERE "Id" IN ({string.Join(", ", Enumerable.Range(0, size).Select(i => p($"Id{i}")))})
                """);
            var values = new Dictionary<string, object?>(size + 1) { ["PublishedAt"] = publishedAt };
            for (var i = 0; i < size; i++)
                values[$"Id{i}"] = group(i);
            await ModelCommands.ExecuteWithSaveAsync(db, key, command, values, ct);
        }
    }

    /// <summary>Rows per statement of <see cref="StatementGroups"/> beyond a lone one (a fan-out's deliveries, a batch's entries).</summary>
    private const int RowsPerStatement = 16;

    /// <summary>
    /// <paramref name="rows"/> as the groups of a statement written once per model and size: one row alone (nearly every
    /// message), or <see cref="RowsPerStatement"/> at a time, the last group filled up with its last row. Each group: its
    /// size, and its i-th row.
    /// </summary>
    private static IEnumerable<(int Size, Func<int, T> Row)> StatementGroups<T>(IReadOnlyList<T> rows)
    {
        var size = rows.Count == 1 ? 1 : RowsPerStatement;
        for (var start = 0; start < rows.Count; start += size)
        {
            var first = start;
            yield return (size, i => rows[Math.Min(first + i, rows.Count - 1)]);
        }
    }

    /// <summary>
    /// Marks <paramref name="recipients"/>' deliveries of <paramref name="messageId"/> published, those still accepted (a
    /// receipt may have overtaken the confirm). Statements written once per model, in <see cref="StatementGroups"/> (the
    /// LINQ update with a list it replaces was translated to SQL anew for every message: 5 % of the publisher's CPU).
    /// </summary>
    private static async Task MarkDeliveriesAsync(NodeDbContext db, Guid messageId, IReadOnlyList<string> recipients, Instant publishedAt, CancellationToken ct)
    {
        foreach (var (size, group) in StatementGroups(recipients))
        {
            var key = size == 1 ? "deliveries-published-1" : "deliveries-published-many";
            var command = ModelCommands.Statement(db, key, model => DeliveryParameters(model, size), p => $"""
                UPDATE "Deliveries" SET "Status" = {p("Published")}, "PublishedAt" = {p("PublishedAt")}
                WHERE "MessageId" = {p("MessageId")} AND "Status" = {p("Accepted")}
                AND "Recipient" IN ({string.Join(", ", Enumerable.Range(0, size).Select(i => p($"Recipient{i}")))})
                """);
            var values = new Dictionary<string, object?>(size + 4)
            {
                ["Published"] = DeliveryStatus.Published, ["PublishedAt"] = publishedAt, ["MessageId"] = messageId, ["Accepted"] = DeliveryStatus.Accepted,
            };
            for (var i = 0; i < size; i++)
                values[$"Recipient{i}"] = group(i);
            await ModelCommands.ExecuteWithSaveAsync(db, key, command, values, ct);
        }
    }

    private static IReadOnlyList<(string, IProperty)> DeliveryParameters(IModel model, int recipients)
    {
        var delivery = model.FindEntityType(typeof(Delivery))!;
        var status = delivery.FindProperty(nameof(Delivery.Status))!;
        return [("Published", status), ("PublishedAt", delivery.FindProperty(nameof(Delivery.PublishedAt))!), ("MessageId", delivery.FindProperty(nameof(Delivery.MessageId))!),
            ("Accepted", status), .. Enumerable.Range(0, recipients).Select(i => ($"Recipient{i}", delivery.FindProperty(nameof(Delivery.Recipient))!))];
    }

    /// <summary>Whether an outbox entry of <paramref name="kind"/> has delivery rows: an operator's submission (SubmissionService).</summary>
    private static bool HasDeliveries(string kind) => MessageKinds.TryParse(kind, out var known) && known.IsNotification();
}

public sealed record OutboxDispatcherOptions
{
    /// <summary>Which kinds this process dispatches (the publisher sends notifications and heartbeats, the subscriber receipts).</summary>
    public required IReadOnlyCollection<string> Kinds { get; init; }
    public int BatchSize { get; init; } = 200;
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a claimed batch stays this dispatcher's if it dies before marking it (publishing takes far less); a
    /// restart of the same <see cref="Owner"/> on the same machine takes its dead predecessor's claims back at once.
    /// </summary>
    public Duration ClaimLease { get; init; } = Duration.FromSeconds(30);

    /// <summary>Who claims: the same name for every run of one deployable on one machine (e.g. <c>US-publisher/host</c>).</summary>
    public string Owner { get; init; } = Environment.MachineName;

    public int ProcessId { get; init; } = Environment.ProcessId;

    /// <summary>Whether a process of an id runs on this machine (a test may stand in for the operating system).</summary>
    public Func<int, bool> IsRunning { get; init; } = OutboxClaims.IsRunning;
}
