using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using LaunchNotify.Domain.Agreements;
using LaunchNotify.Domain.Alarms;
using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Timeliness;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Alarms;
using LaunchNotify.Node.Hosting;
using LaunchNotify.Node.Inbox;
using LaunchNotify.Node.Outbox;
using LaunchNotify.Node.Reports;
using LaunchNotify.Node.Submission;
using LaunchNotify.Protocol.Agreements;
using LaunchNotify.Protocol.Signing;
using LaunchNotify.Storage;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Text;

namespace LaunchNotify.Node.Seeding;

/// <summary>
/// Makes a realistic history through the product's own code: each centre is a real node (its own store, keys,
/// <see cref="SubmissionService"/>, <see cref="InboxProcessor"/>, <see cref="AlarmBook"/>) on one simulated clock that
/// moves from event to event. A sender's signed bodies go straight from its outbox to the recipient's inbox processor,
/// and the signed receipts straight back: the broker only carries bytes, so history needs none. Some deliveries are
/// dropped (sequence gaps), some receipts delayed or lost, some notices sent late on purpose (allowLate), some
/// post-launch reports late or withheld.
/// </summary>
/// <remarks>
/// SEEDER-RAISED ALARMS: until the alarms branch's detectors are merged, the seeder raises LATE_NOTIFICATION,
/// MISSING_NOTIFICATION, RECEIPT_OVERDUE and POSTLAUNCH_OVERDUE itself through <see cref="AlarmBook.RaiseAsync"/>, at
/// the instant each deadline falls due, and resolves them by key when the awaited message arrives. Once detectors
/// exist they should run on the same clock instead (see <see cref="RaiseAsync"/>). No heartbeats are simulated, so no
/// LINK_SILENT alarms and no gap detection of a lost last message.
/// </remarks>
public sealed class HistorySeeder
{
    private static readonly Duration ReceiptDelayMin = Duration.FromSeconds(1);
    private const double DropRate = 0.05, FollowUpDropRate = 0.03, ReceiptLostRate = 0.015, ReceiptDelayedRate = 0.05;
    private const double LateRate = 0.10, AmendRate = 0.08, CancelRate = 0.04, PostLaunchLateRate = 0.08, PostLaunchWithheldRate = 0.06;

    private readonly SeedOptions _options;
    private readonly SimulatedClock _clock;
    private readonly Random _random;
    private readonly PriorityQueue<Func<Task>, (Instant At, long Order)> _events = new();
    private readonly Dictionary<string, SeedNode> _nodes = [];
    private readonly Dictionary<(string Sender, string Recipient, string Agreement), SequenceTracker> _trackers = [];
    private readonly SeedSummary _summary = new();
    private readonly AgreementCatalog _agreements = AgreementCatalog.Default;
    private long _order;
    private CancellationToken _ct;

    private HistorySeeder(SeedOptions options)
    {
        _options = options;
        _clock = new SimulatedClock(options.Start);
        _random = new Random(options.Seed);
    }

    public static async Task<SeedSummary> RunAsync(SeedOptions options, IProgress<SeedProgress>? progress, CancellationToken ct)
    {
        var seeder = new HistorySeeder(options);
        try
        {
            return await seeder.RunAsync(progress, ct);
        }
        finally
        {
            foreach (var node in seeder._nodes.Values)
                await node.DisposeAsync();
        }
    }

    private async Task<SeedSummary> RunAsync(IProgress<SeedProgress>? progress, CancellationToken ct)
    {
        _ct = ct;
        var stopwatch = Stopwatch.StartNew();
        if (_options.Days < 1)
            throw new SeedException("--days must be at least 1.");
        var centres = _options.Centres.Select(c => c.Trim().ToUpperInvariant()).Distinct().ToList();
        if (centres.Count < 2)
            throw new SeedException("Give at least two centres (e.g. --centres US,RU); a history needs a counterpart.");
        foreach (var c in centres.Where(c => !CentreCode.TryParse(c, out _)))
            throw new SeedException($"'{c}' is not a centre code (two capital letters, e.g. US).");
        await CreateNodesAsync(centres);
        var launches = PlanLaunches(centres);
        if (launches.Count == 0)
            throw new SeedException($"No reference agreement has two of {string.Join(", ", centres)} as parties; try --centres US,RU,CN,IN,PK.");
        foreach (var launch in launches)
            At(launch.SubmitAt, () => SubmitNotificationAsync(launch));

        var totalDays = _options.Days;
        var lastDay = -1;
        while (_events.TryDequeue(out var action, out var key))
        {
            ct.ThrowIfCancellationRequested();
            _clock.AdvanceTo(key.At);
            var day = (int)((key.At - _options.Start).TotalDays);
            if (day != lastDay)
            {
                lastDay = day;
                progress?.Report(new SeedProgress(key.At.InUtc().Date, day, totalDays, _summary.Submitted, _summary.Delivered, _summary.AlarmsRaised));
            }
            await action();
        }
        _clock.AdvanceTo(_options.End);
        progress?.Report(new SeedProgress(_options.End.InUtc().Date, totalDays, totalDays, _summary.Submitted, _summary.Delivered, _summary.AlarmsRaised));
        _summary.Launches = launches.Count;
        _summary.Elapsed = stopwatch.Elapsed;
        return _summary;
    }

    // ---- set-up --------------------------------------------------------------------------------------------------

    private async Task CreateNodesAsync(IReadOnlyList<string> centres)
    {
        foreach (var centre in centres)
        {
            var path = _options.StorePath(centre);
            if (File.Exists(path))
            {
                if (!_options.Force)
                    throw new SeedException($"{path} already exists; seed into an empty folder, or add --force to replace it.");
                // Pooled connections would keep the old file alive under the new one.
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                foreach (var file in new[] { path, path + "-wal", path + "-shm" })
                    File.Delete(file);
            }
        }
        Directory.CreateDirectory(_options.KeysDirectory);
        foreach (var centre in centres)
            KeyStore.Generate(new CentreCode(centre), _options.KeysDirectory, overwrite: true).Dispose();
        foreach (var centre in centres)
        {
            var node = await SeedNode.CreateAsync(new CentreCode(centre), _options, _clock, _ct);
            _nodes[centre] = node;
            _summary.Stores[centre] = node.Store.ToString();
        }
    }

    private sealed record Launch(
        Guid Id, Agreement Agreement, string Sender, IReadOnlyList<string> Recipients, LaunchTemplate Template,
        Instant WindowStart, Instant WindowEnd, Instant SubmitAt, bool Late, string? DropTo,
        Duration? AmendAfter, Instant FinalEnd, Duration? CancelAfter, Duration? PostLaunchAfterEnd, bool PostLaunchLate, bool Launched);

    private List<Launch> PlanLaunches(IReadOnlyList<string> centres)
    {
        var launches = new List<Launch>();
        foreach (var programme in LaunchTemplates.All)
        {
            if (!_agreements.TryGet(new AgreementId(programme.AgreementId), out var agreement) || !centres.Contains(programme.Sender))
                continue;
            var recipients = agreement.Parties.Select(p => p.Value).Where(p => p != programme.Sender && centres.Contains(p)).OrderBy(p => p).ToList();
            if (recipients.Count == 0)
                continue;
            _summary.Links.Add($"{programme.Sender} → {string.Join(",", recipients)} under {agreement.Id}");
            var required = agreement.Notification.MinimumLeadTime;
            var count = (int)Math.Round(programme.PerYear * _options.Scale * _options.Days / 365.0 * (0.85 + 0.3 * _random.NextDouble()));
            var earliest = _options.Start + required * 4 + Duration.FromDays(1.5);
            // Windows close early enough that their post-launch reports (even late ones) fall inside the history.
            var latest = _options.End - agreement.Deadlines.PostLaunchReport * 3 - Duration.FromDays(1);
            if (latest <= earliest)
                continue;
            for (var i = 0; i < count; i++)
            {
                var start = Round(earliest + (latest - earliest) * _random.NextDouble());
                var length = agreement.Id.Value == "in-pk-2005" ? Hours(6 + 66 * _random.NextDouble()) : Hours(1 + 5 * _random.NextDouble());
                var late = _random.NextDouble() < LateRate;
                var lead = late
                    ? required * (0.35 + 0.6 * _random.NextDouble())
                    : required * (1.05 + 1.95 * _random.NextDouble()) + Hours(12 * _random.NextDouble());
                var dropTo = _random.NextDouble() < DropRate ? recipients[_random.Next(recipients.Count)] : null;
                // Amend only with room to spare, so the added part of the window is still notified in time.
                Duration? amendAfter = !late && lead >= required * 1.5 && _random.NextDouble() < AmendRate ? Duration.FromMinutes(10 + _random.Next(50)) : null;
                var end = start + length;
                var finalEnd = amendAfter is null ? end : end + Hours(1 + 2 * _random.NextDouble());
                Duration? cancelAfter = amendAfter is null && _random.NextDouble() < CancelRate ? Hours(1 + 5 * _random.NextDouble()) : null;
                var deadline = agreement.Deadlines.PostLaunchReport;
                var roll = _random.NextDouble();
                var postLate = roll < PostLaunchLateRate;
                Duration? postAfter = roll < PostLaunchLateRate + PostLaunchWithheldRate && !postLate ? null
                    : postLate ? deadline * (1.1 + 1.4 * _random.NextDouble())
                    : Hours(0.5) + deadline * (0.6 * _random.NextDouble());
                var template = programme.Launches[_random.Next(programme.Launches.Count)];
                launches.Add(new Launch(NewId(), agreement, programme.Sender, recipients, template, start, end, Round(start - lead), late, dropTo,
                    amendAfter, finalEnd, cancelAfter, postAfter, postLate, _random.NextDouble() < 0.92));
            }
        }
        return launches.OrderBy(l => l.SubmitAt).ToList();
    }

    // ---- sender side ---------------------------------------------------------------------------------------------

    private async Task SubmitNotificationAsync(Launch l)
    {
        var t = l.Template;
        var draft = new JsonObject
        {
            ["messageId"] = l.Id.ToString(),
            ["agreementId"] = l.Agreement.Id.Value,
            ["recipients"] = new JsonArray(l.Recipients.Select(r => (JsonNode)JsonValue.Create(r)!).ToArray()),
            ["launchWindow"] = Window(l.WindowStart, l.WindowEnd),
            ["missile"] = t.Missile(),
            ["launchArea"] = t.LaunchArea.ToJson(),
            ["impactAreas"] = new JsonArray(t.ImpactArea.ToJson()),
            ["remarks"] = t.Title,
        };
        if (t.AzimuthDeg is { } az)
            draft["plannedAzimuthDeg"] = az;
        if (t.Direction is { } direction)
            draft["plannedDirection"] = direction;
        await SubmitAsync(l.Sender, draft, "prenotification", l.Late, l.DropTo);
        if (l.Late)
            _summary.SubmittedLate++;

        if (l.AmendAfter is { } amendAfter)
            At(_clock.Now + amendAfter, () => SubmitAsync(l.Sender, new JsonObject
            {
                ["kind"] = "amendment", ["messageId"] = NewId().ToString(), ["agreementId"] = l.Agreement.Id.Value,
                ["recipients"] = Recipients(l), ["amends"] = l.Id.ToString(), ["reason"] = "Range schedule: window extended.",
                ["changes"] = new JsonObject { ["launchWindow"] = Window(l.WindowStart, l.FinalEnd) },
            }, "amendment", false, null, () => _summary.Amendments++));
        if (l.CancelAfter is { } cancelAfter)
            At(_clock.Now + cancelAfter, () => SubmitAsync(l.Sender, new JsonObject
            {
                ["kind"] = "cancellation", ["messageId"] = NewId().ToString(), ["agreementId"] = l.Agreement.Id.Value,
                ["recipients"] = Recipients(l), ["cancels"] = l.Id.ToString(), ["reason"] = "Test postponed.",
            }, "cancellation", false, null, () => _summary.Cancellations++));
        else if (l.PostLaunchAfterEnd is { } after)
        {
            var report = new JsonObject
            {
                ["kind"] = "postlaunch", ["messageId"] = NewId().ToString(), ["agreementId"] = l.Agreement.Id.Value,
                ["recipients"] = Recipients(l), ["reportsOn"] = l.Id.ToString(),
                ["outcome"] = l.Launched ? "launched" : "notLaunched",
            };
            if (l.Launched)
            {
                report["launchedAt"] = Text(Round(l.WindowStart + (l.FinalEnd - l.WindowStart) * 0.3));
                report["missilesLaunched"] = 1;
            }
            At(l.FinalEnd + after, () => SubmitAsync(l.Sender, report, "postlaunch", false, null, () =>
            {
                _summary.PostLaunchReports++;
                if (l.PostLaunchLate)
                    _summary.PostLaunchLate++;
            }));
        }
        else
            _summary.PostLaunchWithheld++;
    }

    /// <summary>The operator submits to its own node: validated, signed and stored with its outbox entries, as through the API.</summary>
    private async Task SubmitAsync(string sender, JsonObject draft, string kind, bool allowLate, string? dropTo, Action? onAccepted = null)
    {
        var node = _nodes[sender];
        var result = await node.Submissions.SubmitAsync(Encoding.UTF8.GetBytes(draft.ToJsonString()), kind, allowLate, _ct);
        if (!result.IsAccepted)
            throw new SeedException($"{sender}'s node refused a seeded {kind} ({result.Status}): " +
                string.Join("; ", result.Errors.Select(e => $"{e.Code} at {e.Path}: {e.Message}")) + ". This is a bug in the seeder's templates.");
        _summary.Submitted++;
        onAccepted?.Invoke();
        var id = result.MessageId!.Value;
        At(_clock.Now + Duration.FromSeconds(1 + _random.Next(3)), () => PublishAsync(node, id, dropTo));
    }

    /// <summary>What the outbox dispatcher does once the broker confirms; then each body is handed to its recipient (or lost).</summary>
    private async Task PublishAsync(SeedNode sender, Guid messageId, string? dropTo)
    {
        var now = _clock.Now;
        List<OutboxEntry> entries;
        Agreement agreement;
        await using (var db = await sender.Db.CreateDbContextAsync(_ct))
        {
            entries = await db.Outbox.Where(o => o.MessageId == messageId && o.PublishedAt == null).OrderBy(o => o.Id).ToListAsync(_ct);
            var message = await db.OutboundMessages.AsNoTracking().SingleAsync(m => m.MessageId == messageId, _ct);
            agreement = _agreements.Get(new AgreementId(message.AgreementId));
            foreach (var entry in entries)
                entry.PublishedAt = now;
            var deliveries = await db.Deliveries.Where(d => d.MessageId == messageId && d.Status == DeliveryStatus.Accepted).ToListAsync(_ct);
            foreach (var d in deliveries)
            {
                d.Status = DeliveryStatus.Published;
                d.PublishedAt = now;
            }
            await db.SaveChangesAsync(_ct);
        }
        foreach (var entry in entries)
        {
            var recipient = entry.Recipient;
            var due = now + agreement.Deadlines.Receipt;
            At(due, () => CheckReceiptAsync(sender, messageId, recipient, agreement, due));
            var lost = recipient == dropTo || (entry.Kind != "prenotification" && _random.NextDouble() < FollowUpDropRate);
            if (lost)
            {
                _summary.Dropped++;
                continue;
            }
            var body = entry.Body;
            var delivery = new InboundDelivery(body, sender.Centre.Value, entry.RoutingKey, messageId.ToString(), entry.Kind, AmqpPublisher.ContentType);
            At(now + Duration.FromMilliseconds(200 + _random.Next(3000)), () => DeliverAsync(_nodes[recipient], sender, delivery, agreement));
        }
    }

    private async Task CheckReceiptAsync(SeedNode sender, Guid messageId, string recipient, Agreement agreement, Instant due)
    {
        await using var db = await sender.Db.CreateDbContextAsync(_ct);
        var delivery = await db.Deliveries.AsNoTracking().SingleAsync(d => d.MessageId == messageId && d.Recipient == recipient, _ct);
        if (delivery.ReceiptAt is not null)
            return;
        await RaiseAsync(sender, new AlarmRequest(AlarmKind.ReceiptOverdue, ReceiptOverdueKey(messageId, recipient),
            $"{recipient} has not confirmed message {messageId} within {DurationText.Format(agreement.Deadlines.Receipt)}",
            Centre: recipient, AgreementId: agreement.Id.Value, MessageId: messageId, DueAt: due));
    }

    // ---- receiver side -------------------------------------------------------------------------------------------

    private async Task DeliverAsync(SeedNode receiver, SeedNode sender, InboundDelivery delivery, Agreement agreement)
    {
        var result = await receiver.Inbox.ProcessAsync(delivery, _ct);
        if (result.Disposition == InboxDisposition.Parked)
            throw new SeedException($"{receiver.Centre} parked a seeded message from {sender.Centre}: {string.Join("; ", result.Details.Select(d => d.Message))}");
        _summary.Delivered++;
        if (result.Disposition == InboxDisposition.Rejected)
            _summary.ReceiverRejections++;
        var messageId = result.MessageId!.Value;

        InboxMessage stored;
        await using (var db = await receiver.Db.CreateDbContextAsync(_ct))
            stored = await db.Inbox.AsNoTracking().SingleAsync(m => m.MessageId == messageId, _ct);

        if (stored.Sequence is { } sequence)
        {
            var link = (sender.Centre.Value, receiver.Centre.Value, agreement.Id.Value);
            if (!_trackers.TryGetValue(link, out var tracker))
                _trackers[link] = tracker = new SequenceTracker(new SequenceStreamKey(sender.Centre, receiver.Centre, agreement.Id));
            if (tracker.Observe(sequence) is { Kind: SequenceObservationKind.GapOpened, NewlyMissing: { } gap })
                At(_clock.Now + agreement.Deadlines.MissingGrace, () => CheckGapAsync(receiver, sender.Centre.Value, agreement, tracker, gap));
        }

        if (result.Disposition == InboxDisposition.Accepted)
        {
            if (result.Details.FirstOrDefault(f => f.Code == "LATE_NOTIFICATION") is { } late)
                await RaiseAsync(receiver, new AlarmRequest(AlarmKind.LateNotification, $"LATE_NOTIFICATION:{messageId}",
                    $"{sender.Centre}'s {stored.Kind} {messageId}: {late.Message}", Centre: sender.Centre.Value, AgreementId: agreement.Id.Value, MessageId: messageId));
            if (stored.Kind == "prenotification" && stored.WindowEnd is { } end)
            {
                var due = end + agreement.Deadlines.PostLaunchReport;
                At(due, () => CheckPostLaunchAsync(receiver, sender.Centre.Value, messageId, agreement));
            }
            if (stored.Kind == "postlaunch" && stored.RelatesTo is { } reportsOn)
                await ResolveAsync(receiver, $"POSTLAUNCH_OVERDUE:{reportsOn}", "the post-launch report arrived");
        }

        if (result.ReceiptMessageId is { } receiptId)
            At(_clock.Now + Duration.FromSeconds(1), () => PublishReceiptAsync(receiver, sender, receiptId, messageId, agreement));
    }

    private async Task CheckGapAsync(SeedNode receiver, string sender, Agreement agreement, SequenceTracker tracker, SequenceRange gap)
    {
        var still = gap.Numbers().Where(tracker.IsMissing).ToList();
        if (still.Count == 0)
            return;
        var text = still.Count == gap.Count ? gap.ToString() : string.Join(",", still);
        await RaiseAsync(receiver, new AlarmRequest(AlarmKind.MissingNotification, $"MISSING_NOTIFICATION:{agreement.Id}:{sender}:{gap}",
            $"{sender} → {receiver.Centre} under {agreement.Id}: notification number(s) {text} never arrived", Centre: sender,
            AgreementId: agreement.Id.Value, Sequences: text, DueAt: _clock.Now));
    }

    private async Task CheckPostLaunchAsync(SeedNode receiver, string sender, Guid notificationId, Agreement agreement)
    {
        await using var db = await receiver.Db.CreateDbContextAsync(_ct);
        var original = await db.Inbox.AsNoTracking().SingleAsync(m => m.MessageId == notificationId, _ct);
        var related = await db.Inbox.AsNoTracking()
            .Where(m => m.RelatesTo == notificationId && m.Sender == sender && m.Outcome == InboxOutcome.Accepted)
            .OrderBy(m => m.ReceivedAt).Select(m => new { m.Kind, m.PayloadJson }).ToListAsync(_ct);
        if (related.Any(m => m.Kind is "postlaunch" or "cancellation"))
            return;
        var end = related.Where(m => m.Kind == "amendment" && m.PayloadJson != null)
            .Select(m => TimelinessQueries.AmendedWindow(m.PayloadJson!).Item2).LastOrDefault(e => e is not null) ?? original.WindowEnd!.Value;
        var due = end + agreement.Deadlines.PostLaunchReport;
        if (due > _clock.Now)
        {
            At(due, () => CheckPostLaunchAsync(receiver, sender, notificationId, agreement)); // an amendment moved the window
            return;
        }
        await RaiseAsync(receiver, new AlarmRequest(AlarmKind.PostLaunchOverdue, $"POSTLAUNCH_OVERDUE:{notificationId}",
            $"No post-launch report from {sender} on {notificationId}; due {Text(due)}", Centre: sender, AgreementId: agreement.Id.Value,
            MessageId: notificationId, DueAt: due));
    }

    /// <summary>The receiver's dispatcher publishes its receipt; it reaches the sender soon, late, or never.</summary>
    private async Task PublishReceiptAsync(SeedNode receiver, SeedNode sender, Guid receiptId, Guid originalId, Agreement agreement)
    {
        OutboxEntry entry;
        await using (var db = await receiver.Db.CreateDbContextAsync(_ct))
        {
            entry = await db.Outbox.Where(o => o.MessageId == receiptId && o.PublishedAt == null).OrderBy(o => o.Id).FirstAsync(_ct);
            entry.PublishedAt = _clock.Now;
            await db.SaveChangesAsync(_ct);
        }
        var roll = _random.NextDouble();
        if (roll < ReceiptLostRate)
        {
            _summary.ReceiptsLost++;
            return;
        }
        Duration delay;
        if (roll < ReceiptLostRate + ReceiptDelayedRate)
        {
            _summary.ReceiptsDelayed++;
            delay = agreement.Deadlines.Receipt * (1.2 + 1.8 * _random.NextDouble());
        }
        else
            delay = ReceiptDelayMin + Duration.FromMilliseconds(_random.Next(20_000));
        var delivery = new InboundDelivery(entry.Body, receiver.Centre.Value, entry.RoutingKey, receiptId.ToString(), "receipt", AmqpPublisher.ContentType);
        At(_clock.Now + delay, async () =>
        {
            var result = await sender.Inbox.ProcessAsync(delivery, _ct);
            if (result.Disposition == InboxDisposition.Parked)
                throw new SeedException($"{sender.Centre} parked {receiver.Centre}'s receipt: {string.Join("; ", result.Details.Select(d => d.Message))}");
            await ResolveAsync(sender, ReceiptOverdueKey(originalId, receiver.Centre.Value), "the receipt arrived");
        });
    }

    // ---- alarms and the officers who handle them -------------------------------------------------------------------

    /// <summary>SEEDER-RAISED (see the class remarks): the detectors of the alarms branch replace these calls.</summary>
    private async Task RaiseAsync(SeedNode node, AlarmRequest request)
    {
        await using var db = await node.Db.CreateDbContextAsync(_ct);
        var alarm = await node.Alarms.RaiseAsync(db, request, _ct);
        await db.SaveChangesAsync(_ct);
        if (alarm is null)
            return;
        _summary.AlarmsRaised++;
        // Officers acknowledge most alarms within hours (a few are never looked at), then usually close them.
        if (_random.NextDouble() < 0.08)
            return;
        var ackAfter = Duration.FromMinutes(Math.Clamp(-120 * Math.Log(1 - _random.NextDouble()), 2, 3 * 24 * 60));
        var resolveAfter = _random.NextDouble() < 0.85 ? Hours(1 + 71 * _random.NextDouble()) : (Duration?)null;
        var officer = $"officer.{node.Centre.Value.ToLowerInvariant()}";
        var id = alarm.Id;
        At(_clock.Now + ackAfter, async () =>
        {
            var acknowledged = await node.Alarms.AcknowledgeAsync(id, officer, "Seen; raised with the counterpart centre.", _ct);
            if (acknowledged.AcknowledgedAt == _clock.Now)
                _summary.AlarmsAcknowledged++;
            if (resolveAfter is { } after && acknowledged.State != AlarmState.Resolved)
                At(_clock.Now + after, async () =>
                {
                    var resolved = await node.Alarms.ResolveAsync(id, officer, "Handled with the counterpart centre.", _ct);
                    if (resolved.ResolvedAt == _clock.Now && resolved.ResolvedBy == officer)
                        _summary.AlarmsResolved++;
                });
        });
    }

    private async Task ResolveAsync(SeedNode node, string key, string comment)
    {
        await using var db = await node.Db.CreateDbContextAsync(_ct);
        if (await node.Alarms.ResolveByKeyAsync(db, key, comment, _ct) is not null)
        {
            await db.SaveChangesAsync(_ct);
            _summary.AlarmsResolved++;
        }
    }

    private static string ReceiptOverdueKey(Guid messageId, string recipient) => $"RECEIPT_OVERDUE:{messageId}:{recipient}";

    // ---- helpers ---------------------------------------------------------------------------------------------------

    /// <summary>Events at or after the end of the history never happen (their outcome is still open when it ends).</summary>
    private void At(Instant when, Func<Task> action)
    {
        if (when < _options.End)
            _events.Enqueue(action, (when < _clock.Now ? _clock.Now : when, _order++));
    }

    private Guid NewId()
    {
        Span<byte> bytes = stackalloc byte[16];
        _random.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40); // version 4 (Guid's little-endian layout)
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(bytes);
    }

    private static JsonArray Recipients(Launch l) => new(l.Recipients.Select(r => (JsonNode)JsonValue.Create(r)!).ToArray());

    private static JsonObject Window(Instant start, Instant end) => new() { ["start"] = Text(start), ["end"] = Text(end) };

    private static string Text(Instant i) => InstantPattern.ExtendedIso.Format(i);

    private static Duration Hours(double h) => Duration.FromSeconds(Math.Round(h * 3600));

    /// <summary>Whole seconds, as people write times in notifications.</summary>
    private static Instant Round(Instant i) => Instant.FromUnixTimeSeconds(i.ToUnixTimeSeconds());

    private sealed class SeedNode : IAsyncDisposable
    {
        private readonly ServiceProvider _services;

        private SeedNode(CentreCode centre, StorageOptions store, ServiceProvider services)
        {
            Centre = centre;
            Store = store;
            _services = services;
            Submissions = services.GetRequiredService<SubmissionService>();
            Inbox = services.GetRequiredService<InboxProcessor>();
            Alarms = services.GetRequiredService<AlarmBook>();
            Db = services.GetRequiredService<IDbContextFactory<NodeDbContext>>();
        }

        public CentreCode Centre { get; }
        public StorageOptions Store { get; }
        public SubmissionService Submissions { get; }
        public InboxProcessor Inbox { get; }
        public AlarmBook Alarms { get; }
        public IDbContextFactory<NodeDbContext> Db { get; }

        /// <summary>The same composition as the publisher and subscriber (AddLaunchNotifyNode), on the simulated clock.</summary>
        public static async Task<SeedNode> CreateAsync(CentreCode centre, SeedOptions options, IClock clock, CancellationToken ct)
        {
            var settings = new NodeSettings
            {
                Centre = centre,
                Store = StorageOptions.SqliteFile(options.StorePath(centre)),
                // Never connected: history goes from store to store without a broker.
                Broker = new BrokerConnection("127.0.0.1", 1, "launchnotify", centre.Value, "unused"),
                KeysDirectory = options.KeysDirectory,
            };
            var services = new ServiceCollection().AddLogging();
            services.AddLaunchNotifyNode(settings, clock);
            services.AddSingleton<IParkingLot, RefusingParkingLot>();
            // A seed that fails is run again from scratch, so it need not wait for the disk on every commit.
            services.ConfigureDbContext<NodeDbContext>(b => b.AddInterceptors(new NoSyncInterceptor()));
            var provider = services.BuildServiceProvider();
            await provider.InitializeNodeAsync(settings, ct);
            return new SeedNode(centre, settings.Store, provider);
        }

        public ValueTask DisposeAsync() => _services.DisposeAsync();
    }

    private sealed class NoSyncInterceptor : Microsoft.EntityFrameworkCore.Diagnostics.DbConnectionInterceptor
    {
        public override async Task ConnectionOpenedAsync(System.Data.Common.DbConnection connection,
            Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData, CancellationToken ct = default)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA synchronous=OFF;";
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>Everything the seeder hands over is signed by a known key: parking one means a bug, so stop and say so.</summary>
    private sealed class RefusingParkingLot : IParkingLot
    {
        public Task ParkAsync(ParkedMessage message, CancellationToken ct) =>
            throw new SeedException($"A seeded message was parked ({message.Code}: {message.Reason}); the seeder is out of step with the inbox checks.");
    }
}
