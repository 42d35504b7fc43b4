using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using LaunchNotify.Domain.Agreements;
using LaunchNotify.Domain.Alarms;
using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Timeliness;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Acknowledgements;
using LaunchNotify.Node.Alarms;
using LaunchNotify.Node.Deadlines;
using LaunchNotify.Node.Hosting;
using LaunchNotify.Node.Inbox;
using LaunchNotify.Node.Outbox;
using LaunchNotify.Node.Submission;
using LaunchNotify.Node.Timeliness;
using LaunchNotify.Protocol.Agreements;
using LaunchNotify.Protocol.Signing;
using LaunchNotify.Storage;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NodaTime;
using NodaTime.Text;

namespace LaunchNotify.Node.Seeding;

/// <summary>
/// Makes a realistic history through the product's own code: each centre is a real node, composed as the deployables
/// are (<see cref="NodeServices.AddLaunchNotifyNode"/> and <see cref="NodeServices.AddDeadlineWatcher"/>: its own
/// store, keys, <see cref="SubmissionService"/>, <see cref="InboxProcessor"/>, timeliness detectors, deadline watcher
/// and <see cref="AlarmBook"/>) on one simulated clock. A sender's signed bodies go straight from its outbox to the
/// recipient's inbox processor, and the signed receipts and heartbeats likewise: the broker only carries bytes, so
/// history needs none. Some deliveries are dropped (sequence gaps), some receipts delayed or lost, some notices sent
/// late on purpose (allowLate), some post-launch reports late or withheld, and one link goes down for a while.
/// </summary>
/// <remarks>
/// Every alarm comes from the product's detectors: LATE_NOTIFICATION from the inbox processor as it stores a late
/// notice; RECEIPT_OVERDUE, MISSING_NOTIFICATION, POSTLAUNCH_OVERDUE and LINK_SILENT from deadlines the nodes store,
/// fired by each node's <see cref="DeadlineWatcher"/>. The clock moves to whichever comes first, the next event or the
/// next deadline due on any node, so deadlines fire when they fall due, as a running watcher fires them. The seeder
/// plays only the outbox dispatcher (it marks entries published and hands them over), the network (drops, delays) and
/// the officers who acknowledge and resolve alarms.
/// </remarks>
public sealed class HistorySeeder
{
    private static readonly Duration ReceiptDelayMin = Duration.FromSeconds(1);
    /// <summary>heartbeat.schema.json: <c>intervalSeconds</c> at most 86400.</summary>
    private static readonly Duration MaxHeartbeatInterval = Duration.FromDays(1);
    private const double DropRate = 0.05, FollowUpDropRate = 0.03, ReceiptLostRate = 0.015, ReceiptDelayedRate = 0.05;
    private const double LateRate = 0.10, AmendRate = 0.08, CancelRate = 0.04, PostLaunchLateRate = 0.08, PostLaunchWithheldRate = 0.06;

    private readonly SeedOptions _options;
    private readonly SimulatedClock _clock;
    private readonly Random _random;
    private readonly PriorityQueue<Func<Task>, (Instant At, long Order)> _events = new();
    private readonly Dictionary<string, SeedNode> _nodes = [];
    private readonly SeedSummary _summary = new();
    private readonly AgreementCatalog _agreements = AgreementCatalog.Default;
    private long _order;
    private CancellationToken _ct;
    private Outage? _outage;

    /// <summary>Everything <see cref="From"/> sends <see cref="To"/> is lost from <see cref="Start"/> until <see cref="End"/>.</summary>
    private sealed record Outage(string From, string To, Instant Start, Instant End)
    {
        public bool Covers(string from, string to, Instant at) => from == From && to == To && at >= Start && at < End;
    }

    private HistorySeeder(SeedOptions options)
    {
        _options = options;
        _clock = new SimulatedClock(options.Start);
        _random = new Random(options.Seed);
        // The duty officers reading notices draw from a stream of their own, so the rest of the history (what is sent,
        // lost, late) stays what it was before the acknowledgements were simulated.
        _readers = new Random(unchecked(options.Seed * 31 + 17));
    }

    private readonly Random _readers;

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
        if (_options.HeartbeatInterval is { } beat && (beat < Duration.FromSeconds(1) || beat > MaxHeartbeatInterval))
            throw new SeedException($"The heartbeat interval must be between 1 s and {DurationText.Format(MaxHeartbeatInterval)} (the heartbeat schema's maximum); got {DurationText.Format(beat)}.");
        var centres = _options.Centres.Select(c => c.Trim().ToUpperInvariant()).Distinct().ToList();
        if (centres.Count < 2)
            throw new SeedException("Give at least two centres (e.g. --centres US,RU); a history needs a counterpart.");
        foreach (var c in centres.Where(c => !CentreCode.TryParse(c, out _)))
            throw new SeedException($"'{c}' is not a centre code (two capital letters, e.g. US).");
        var agreements = SeededAgreements(centres);
        if (agreements.Count == 0)
            throw new SeedException($"No reference agreement has two of {string.Join(", ", centres)} as parties; try --centres US,RU,CN,IN,PK.");
        await CreateNodesAsync(centres, agreements);
        var launches = PlanLaunches(centres);
        if (launches.Count == 0)
            throw new SeedException($"{_options.Days} days leave no room for a launch and its post-launch report; seed more days.");
        foreach (var launch in launches)
            At(launch.SubmitAt, () => SubmitNotificationAsync(launch));
        PlanOutage(centres, agreements);

        // What a host does when the node starts: the watcher arms heartbeat schedules and link watches, and fires what is due.
        foreach (var node in _nodes.Values)
            await node.Watcher.PrepareAsync(ct);
        foreach (var node in _nodes.Values)
            await StepWatcherAsync(node);

        var totalDays = _options.Days;
        var lastDay = -1;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var nextDue = _nodes.Values.Min(n => n.NextDue);
            var hasEvent = _events.TryPeek(out _, out var key);
            // A deadline due at the same instant as an event fires first: the watcher runs on its own.
            var firing = nextDue is { } due && (!hasEvent || due <= key.At);
            if (!firing && !hasEvent)
                break;
            var at = firing ? nextDue!.Value : key.At;
            if (at >= _options.End)
                break; // Whatever falls due later is still pending when the history ends.
            _clock.AdvanceTo(at);
            var day = (int)((at - _options.Start).TotalDays);
            if (day != lastDay)
            {
                lastDay = day;
                progress?.Report(new SeedProgress(at.InUtc().Date, day, totalDays, _summary.Submitted, _summary.Delivered, _summary.AlarmsRaised));
            }
            if (firing)
            {
                foreach (var node in _nodes.Values.Where(n => n.NextDue <= at).ToList())
                    await StepWatcherAsync(node);
                continue;
            }
            await _events.Dequeue()();
            // A transaction that stored a deadline wakes that node's watcher, as in a running node.
            foreach (var node in _nodes.Values)
                if (await node.DeadlineSignal.WaitAsync(TimeSpan.Zero, ct))
                    await StepWatcherAsync(node);
        }
        _clock.AdvanceTo(_options.End);
        progress?.Report(new SeedProgress(_options.End.InUtc().Date, totalDays, totalDays, _summary.Submitted, _summary.Delivered, _summary.AlarmsRaised));
        _summary.Launches = launches.Count;
        await CountAlarmsAsync();
        _summary.Elapsed = stopwatch.Elapsed;
        return _summary;
    }

    // ---- set-up --------------------------------------------------------------------------------------------------

    /// <summary>The reference agreements under which some seeded centre notifies another: the links that carry history and heartbeats.</summary>
    private List<AgreementId> SeededAgreements(IReadOnlyList<string> centres) =>
        LaunchTemplates.All
            .Where(p => centres.Contains(p.Sender) && _agreements.TryGet(new AgreementId(p.AgreementId), out var a)
                        && a.Parties.Any(c => c.Value != p.Sender && centres.Contains(c.Value)))
            .Select(p => new AgreementId(p.AgreementId))
            .Distinct()
            .ToList();

    private async Task CreateNodesAsync(IReadOnlyList<string> centres, IReadOnlyList<AgreementId> agreements)
    {
        foreach (var centre in centres)
        {
            var path = _options.StorePath(centre);
            if (File.Exists(path))
            {
                if (!_options.Force)
                    throw new SeedException($"{path} already exists; seed into an empty folder, or add --force to replace it.");
                // Pooled connections would keep the old file alive under the new one.
                StorageOptions.SqliteFile(path).ReleaseSqliteConnections();
                foreach (var file in new[] { path, path + "-wal", path + "-shm" })
                    File.Delete(file);
            }
        }
        Directory.CreateDirectory(_options.KeysDirectory);
        foreach (var centre in centres)
            KeyStore.Generate(new CentreCode(centre), _options.KeysDirectory, overwrite: true).Dispose();
        foreach (var centre in centres)
        {
            // Every store starts from the same schema: the first one is migrated, the others start as copies of it,
            // which the migrator then finds current (migrating five stores one by one was 8 % of a seed's CPU).
            if (!_options.Reference && _nodes.Count > 0)
                CopySchema(_nodes.Values.First().Store, _options.StorePath(centre));
            var node = await SeedNode.CreateAsync(new CentreCode(centre), Timeliness(centre, centres, agreements), _options, _clock, _ct);
            _nodes[centre] = node;
            _summary.Stores[centre] = node.Store.ToString();
        }
    }

    /// <summary>A new store file (owner-only, as the migrator makes them) holding a copy of an empty migrated store, by SQLite's backup API.</summary>
    private static void CopySchema(StorageOptions migrated, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (!OperatingSystem.IsWindows())
            new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite }).Dispose();
        using var source = new Microsoft.Data.Sqlite.SqliteConnection(migrated.ConnectionString);
        using var target = new Microsoft.Data.Sqlite.SqliteConnection(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        source.Open();
        target.Open();
        source.BackupDatabase(target);
    }

    /// <summary>
    /// The centre's timeliness configuration: the agreements' deadlines, and heartbeats with every other seeded centre
    /// on <see cref="HeartbeatAgreements"/> at the seed's coarse interval.
    /// </summary>
    private TimelinessSettings Timeliness(string centre, IReadOnlyList<string> centres, IReadOnlyList<AgreementId> agreements) =>
        _options.HeartbeatInterval is { } interval
            ? new TimelinessSettings
            {
                HeartbeatInterval = interval,
                Counterparts = [.. centres.Where(c => c != centre).Select(c => new CentreCode(c))],
                Agreements = HeartbeatAgreements(agreements),
            }
            : new TimelinessSettings();

    /// <summary>
    /// Heartbeats run on the bilateral agreements' links (every seeded centre has one), not on HCoC's: each beat costs
    /// about as much as a notification (signed, stored, verified, stored again), and at the schema's longest interval,
    /// a day, the HCoC links would double their number. Lost last messages and silence are shown on the bilateral
    /// links; HCoC gaps still show when the next number arrives. With only multilateral agreements seeded, those carry them.
    /// </summary>
    private List<AgreementId> HeartbeatAgreements(IReadOnlyList<AgreementId> agreements)
    {
        var bilateral = agreements.Where(a => _agreements.Get(a).Type == AgreementType.Bilateral).ToList();
        return bilateral.Count > 0 ? bilateral : [.. agreements];
    }

    /// <summary>
    /// One link goes down for a while: everything one centre sends another is lost, heartbeats included, for longer
    /// than the receiver's shortest silence threshold on the agreements they share, so it raises LINK_SILENT at least
    /// once (and MISSING_NOTIFICATION if a notification was lost meanwhile); the first heartbeat after it resolves it.
    /// </summary>
    private void PlanOutage(IReadOnlyList<string> centres, IReadOnlyList<AgreementId> agreements)
    {
        if (_options.HeartbeatInterval is not { } interval)
            return;
        var pairs = (from a in centres
                     from b in centres
                     where a != b
                     let shared = HeartbeatAgreements(agreements).Select(_agreements.Get).Where(x => x.IsParty(new CentreCode(a)) && x.IsParty(new CentreCode(b))).ToList()
                     where shared.Count > 0
                     select (From: a, To: b, SilentAfter: shared.Min(x => x.Deadlines.SilentAfterMissedHeartbeats))).ToList();
        if (pairs.Count == 0)
            return;
        var (from, to, silentAfter) = pairs[_random.Next(pairs.Count)];
        var length = Duration.FromSeconds(Math.Round((interval * (silentAfter + 1 + _random.NextDouble())).TotalSeconds));
        var earliest = _options.Start + Duration.FromDays(_options.Days * 0.1);
        var latest = _options.End - length - interval * 2;
        if (latest <= earliest)
            return;
        var start = Round(earliest + (latest - earliest) * _random.NextDouble());
        _outage = new Outage(from, to, start, start + length);
        _summary.Outage = $"{from} → {to} down {Text(start)} to {Text(start + length)}";
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
            var lost = recipient == dropTo || (entry.Kind != "prenotification" && _random.NextDouble() < FollowUpDropRate)
                       || _outage?.Covers(sender.Centre.Value, recipient, now) == true;
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

    /// <summary>The dispatcher publishes the heartbeats the node's watcher just queued; each reaches its counterpart unless the link is down.</summary>
    private async Task<int> DispatchHeartbeatsAsync(SeedNode sender)
    {
        var now = _clock.Now;
        List<OutboxEntry> entries;
        await using (var db = await sender.Db.CreateDbContextAsync(_ct))
        {
            entries = await db.Outbox.Where(o => o.Kind == "heartbeat" && o.PublishedAt == null).OrderBy(o => o.Id).ToListAsync(_ct);
            if (entries.Count == 0)
                return 0;
            foreach (var entry in entries)
                entry.PublishedAt = now;
            await db.SaveChangesAsync(_ct);
        }
        foreach (var entry in entries)
        {
            if (_outage?.Covers(sender.Centre.Value, entry.Recipient, now) == true)
            {
                _summary.HeartbeatsLost++;
                continue;
            }
            var delivery = new InboundDelivery(entry.Body, sender.Centre.Value, entry.RoutingKey, entry.MessageId.ToString(), entry.Kind, AmqpPublisher.ContentType);
            At(now + Duration.FromMilliseconds(200 + _random.Next(3000)), () => DeliverAsync(_nodes[entry.Recipient], sender, delivery, null));
        }
        return entries.Count;
    }

    // ---- receiver side -------------------------------------------------------------------------------------------

    /// <summary>The recipient's subscriber takes the delivery: its inbox processor checks, stores and answers it, raising LATE_NOTIFICATION and arming or settling deadlines as it does.</summary>
    /// <param name="agreement">The notification's agreement; null for a heartbeat (not answered, not counted as a delivery).</param>
    private async Task DeliverAsync(SeedNode receiver, SeedNode sender, InboundDelivery delivery, Agreement? agreement)
    {
        var result = await receiver.Inbox.ProcessAsync(delivery, _ct);
        if (result.Disposition == InboxDisposition.Parked)
            throw new SeedException($"{receiver.Centre} parked a seeded {delivery.Type} from {sender.Centre}: {string.Join("; ", result.Details.Select(d => d.Message))}");
        if (agreement is null)
        {
            _summary.Heartbeats++;
            return;
        }
        _summary.Delivered++;
        if (result.Disposition == InboxDisposition.Rejected)
            _summary.ReceiverRejections++;
        if (result.Disposition == InboxDisposition.Accepted && result.Details.Any(f => f.Code == "LATE_NOTIFICATION"))
            await WatchAlarmsAsync(receiver);
        if (result.ReceiptMessageId is { } receiptId)
            At(_clock.Now + Duration.FromSeconds(1), () => PublishReceiptAsync(receiver, sender, receiptId, agreement));
        if (result.Disposition == InboxDisposition.Accepted && result.MessageId is { } noticeId)
            ScheduleReading(receiver, sender, noticeId, agreement);
    }

    /// <summary>
    /// A duty officer at the receiver reads the notice: most within the agreement's acknowledgement deadline, some after
    /// it (NOT_ACKNOWLEDGED, and critical if later still), a few never. The signed acknowledgement goes back to the sender.
    /// </summary>
    private void ScheduleReading(SeedNode receiver, SeedNode sender, Guid noticeId, Agreement agreement)
    {
        var deadline = agreement.Deadlines.Acknowledgement ?? Duration.FromHours(1);
        var roll = _readers.NextDouble();
        if (roll < 0.03)
            return; // never read
        var after = roll < 0.13
            ? deadline * (1.05 + 2 * _readers.NextDouble())
            : Duration.FromMinutes(1) + (deadline - Duration.FromMinutes(1)) * (0.9 * _readers.NextDouble());
        var travel = ReceiptDelayMin + Duration.FromMilliseconds(_readers.Next(20_000));
        var officer = new Storage.Audit.Actor($"seed:officer.{receiver.Centre.Value.ToLowerInvariant()}", $"officer.{receiver.Centre.Value.ToLowerInvariant()}", ["duty-officer"]);
        At(_clock.Now + after, async () =>
        {
            var read = await receiver.Acknowledgements.AcknowledgeAsync(sender.Centre, noticeId, officer, _ct);
            if (read.Outcome != AcknowledgeOutcome.Acknowledged)
                return;
            OutboxEntry entry;
            await using (var db = await receiver.Db.CreateDbContextAsync(_ct))
            {
                entry = await db.Outbox.SingleAsync(o => o.MessageId == read.AcknowledgementMessageId && o.PublishedAt == null, _ct);
                entry.PublishedAt = _clock.Now;
                await db.SaveChangesAsync(_ct);
            }
            if (_outage?.Covers(receiver.Centre.Value, sender.Centre.Value, _clock.Now) == true)
                return; // lost with the link
            var delivery = new InboundDelivery(entry.Body, receiver.Centre.Value, entry.RoutingKey, entry.MessageId.ToString(), entry.Kind, AmqpPublisher.ContentType);
            At(_clock.Now + travel, async () =>
            {
                var result = await sender.Inbox.ProcessAsync(delivery, _ct);
                if (result.Disposition == InboxDisposition.Parked)
                    throw new SeedException($"{sender.Centre} parked {receiver.Centre}'s acknowledgement: {string.Join("; ", result.Details.Select(d => d.Message))}");
            });
        });
    }

    /// <summary>The receiver's dispatcher publishes its receipt; it reaches the sender soon, late, or never.</summary>
    private async Task PublishReceiptAsync(SeedNode receiver, SeedNode sender, Guid receiptId, Agreement agreement)
    {
        OutboxEntry entry;
        await using (var db = await receiver.Db.CreateDbContextAsync(_ct))
        {
            entry = await db.Outbox.Where(o => o.MessageId == receiptId && o.PublishedAt == null).OrderBy(o => o.Id).FirstAsync(_ct);
            entry.PublishedAt = _clock.Now;
            await db.SaveChangesAsync(_ct);
        }
        var roll = _random.NextDouble();
        if (roll < ReceiptLostRate || _outage?.Covers(receiver.Centre.Value, sender.Centre.Value, _clock.Now) == true)
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
        });
    }

    // ---- deadlines, alarms and the officers who handle them --------------------------------------------------------

    /// <summary>One turn of the node's deadline watcher: fires what is due, then the dispatcher sends any heartbeat it queued.</summary>
    private async Task StepWatcherAsync(SeedNode node)
    {
        // As the running watcher does: awake while it reads the store, then asleep until its next deadline, so that only
        // a transaction storing one due sooner wakes it (DeadlineSignal); a turn at any other time would fire nothing.
        node.DeadlineSignal.Waking();
        var (fired, next) = await node.Watcher.FireDueAndPeekAsync(_ct);
        node.NextDue = next;
        if (!_options.Reference)
            node.DeadlineSignal.SleepingUntil(next ?? _options.End);
        // Only a heartbeat schedule that fired queues a beat (one each); any other deadline that fired may have raised an alarm.
        if ((fired > 0 || _options.Reference) && fired > await DispatchHeartbeatsAsync(node))
            await WatchAlarmsAsync(node);
    }

    /// <summary>
    /// The alarms the node's detectors raised since the last look. Officers acknowledge most within hours (a few are
    /// never looked at), then usually close them, unless the system resolved them first.
    /// </summary>
    private async Task WatchAlarmsAsync(SeedNode node)
    {
        List<(Guid Id, Instant RaisedAt, string Key)> raised;
        await using (var db = await node.Db.CreateDbContextAsync(_ct))
        {
            var since = node.AlarmsSeenUntil;
            raised = (await db.Alarms.AsNoTracking().Where(a => a.RaisedAt >= since).Select(a => new { a.Id, a.RaisedAt, a.DedupeKey }).ToListAsync(_ct))
                .Where(a => !node.AlarmsSeen.Contains(a.Id))
                .Select(a => (a.Id, a.RaisedAt, a.DedupeKey))
                .OrderBy(a => a.RaisedAt).ThenBy(a => a.DedupeKey, StringComparer.Ordinal) // alarm ids are random; their keys are not
                .ToList();
        }
        node.AlarmsSeenUntil = _clock.Now;
        foreach (var (id, _, key) in raised)
        {
            node.AlarmsSeen.Add(id);
            _summary.AlarmsRaised++;
            // Settled by reading the notice (ScheduleReading), not by the alarm desk.
            if (key.StartsWith("NOT_ACKNOWLEDGED:", StringComparison.Ordinal))
                continue;
            if (_random.NextDouble() < 0.08)
                continue;
            var ackAfter = Duration.FromMinutes(Math.Clamp(-120 * Math.Log(1 - _random.NextDouble()), 2, 3 * 24 * 60));
            var resolveAfter = _random.NextDouble() < 0.85 ? Hours(1 + 71 * _random.NextDouble()) : (Duration?)null;
            // A simulated duty officer of the seeded history (no account: the seed is a simulation, docs/reports.md).
            var officer = new Storage.Audit.Actor($"seed:officer.{node.Centre.Value.ToLowerInvariant()}", $"officer.{node.Centre.Value.ToLowerInvariant()}", ["duty-officer"]);
            At(_clock.Now + ackAfter, async () =>
            {
                var acknowledged = await node.Alarms.AcknowledgeAsync(id, officer, "Seen; raised with the counterpart centre.", _ct);
                if (resolveAfter is { } after && acknowledged.State != AlarmState.Resolved)
                    At(_clock.Now + after, () => node.Alarms.ResolveAsync(id, officer, "Handled with the counterpart centre.", _ct));
            });
        }
    }

    /// <summary>The alarms as the stores hold them when the history ends.</summary>
    private async Task CountAlarmsAsync()
    {
        foreach (var node in _nodes.Values)
        {
            await using var db = await node.Db.CreateDbContextAsync(_ct);
            var alarms = await db.Alarms.AsNoTracking().Select(a => new { a.Kind, a.AcknowledgedAt, a.ResolvedBy }).ToListAsync(_ct);
            foreach (var a in alarms)
            {
                var code = a.Kind.Code();
                _summary.AlarmsByKind[code] = _summary.AlarmsByKind.GetValueOrDefault(code) + 1;
                if (a.AcknowledgedAt is not null)
                    _summary.AlarmsAcknowledged++;
                if (a.ResolvedBy == AlarmBook.SystemActor)
                    _summary.AlarmsResolvedBySystem++;
                else if (a.ResolvedBy is not null)
                    _summary.AlarmsResolvedByOfficers++;
            }
            _summary.DeadlinesPending += await db.Deadlines.CountAsync(d => d.State == DeadlineState.Pending && d.Kind != DeadlineKind.Heartbeat, _ct);
        }
        _summary.AlarmsRaised = _summary.AlarmsByKind.Values.Sum();
    }

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
            Acknowledgements = services.GetRequiredService<Acknowledgements.AcknowledgementService>();
            Db = services.GetRequiredService<IDbContextFactory<NodeDbContext>>();
            DeadlineSignal = services.GetRequiredService<DeadlineSignal>();
            // The host would start it; the seeder runs its turns itself (its start is the node's start, at the history's).
            Watcher = services.GetServices<IHostedService>().OfType<DeadlineWatcher>().Single();
        }

        public CentreCode Centre { get; }
        public StorageOptions Store { get; }
        public SubmissionService Submissions { get; }
        public InboxProcessor Inbox { get; }
        public AlarmBook Alarms { get; }
        public Acknowledgements.AcknowledgementService Acknowledgements { get; }
        public IDbContextFactory<NodeDbContext> Db { get; }
        public DeadlineWatcher Watcher { get; }
        public DeadlineSignal DeadlineSignal { get; }

        /// <summary>When the watcher's next pending deadline falls due (it may have been cancelled since: the turn then fires nothing).</summary>
        public Instant? NextDue { get; set; }

        public Instant AlarmsSeenUntil { get; set; } = Instant.MinValue;
        public HashSet<Guid> AlarmsSeen { get; } = [];

        /// <summary>The same composition as the publisher and subscriber (AddLaunchNotifyNode, AddDeadlineWatcher), on the simulated clock.</summary>
        public static async Task<SeedNode> CreateAsync(CentreCode centre, TimelinessSettings timeliness, SeedOptions options, IClock clock, CancellationToken ct)
        {
            var settings = new NodeSettings
            {
                Centre = centre,
                Store = StorageOptions.SqliteFile(options.StorePath(centre)),
                // Never connected: history goes from store to store without a broker.
                Broker = new BrokerConnection("127.0.0.1", 1, "launchnotify", centre.Value, "unused"),
                KeysDirectory = options.KeysDirectory,
                Timeliness = timeliness,
            };
            var services = new ServiceCollection().AddLogging();
            services.AddLaunchNotifyNode(settings, clock);
            // One process does both jobs, so its watcher fires every kind, heartbeats included.
            services.AddDeadlineWatcher(settings, NodeRole.Both);
            // Deadlines record who fired them: the seed, not this machine and process.
            services.AddSingleton(new DeadlineWatcherOptions { Name = $"{centre}-seed", PollInterval = settings.Timeliness.WatchInterval });
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
