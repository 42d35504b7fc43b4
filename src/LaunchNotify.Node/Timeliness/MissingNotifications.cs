using System.Text.Json;
using LaunchNotify.Domain.Agreements;
using LaunchNotify.Domain.Alarms;
using LaunchNotify.Domain.Timeliness;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Alarms;
using LaunchNotify.Node.Deadlines;
using LaunchNotify.Protocol.Json;
using LaunchNotify.Storage;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace LaunchNotify.Node.Timeliness;

/// <summary>
/// Receiver side, MISSING_NOTIFICATION: follows each sender's notification sequence per agreement (a
/// <see cref="SequenceTracker"/> whose state is stored per link) and gives each gap the agreement's grace period.
/// A gap still open then raises an alarm naming the numbers still missing; when they have all arrived the deadline is
/// cancelled, or the alarm resolved. Heartbeats announce the last number sent, so a lost <i>last</i> message opens a
/// gap too.
/// </summary>
public sealed class MissingNotifications(
    DeadlineBook deadlines,
    AlarmBook alarms,
    TimelinessSettings settings,
    IAgreementSource agreements,
    NodeIdentity node,
    IClock clock,
    DeadlineSignal deadlineSignal,
    ILogger<MissingNotifications> log) : IDeadlineHandler, IBatchFinisher
{
    public DeadlineKind Kind => DeadlineKind.MissingNotification;

    /// <summary>A notification numbered <paramref name="sequence"/> arrived from <paramref name="sender"/> (accepted or rejected: either way it is not missing).</summary>
    /// <param name="arrival">How it arrived (e.g. "on time", "late by 2 h"), for the resolution of a gap it closes.</param>
    /// <remarks>
    /// In the inbox's group commit the observation is left to the batch's end (<see cref="FinishAsync"/>), with the
    /// others of the batch on the same link, in the order they arrived; outside a batch it is applied now.
    /// </remarks>
    public Task ObserveAsync(NodeDbContext db, CentreCode sender, Agreement agreement, long sequence, Instant receivedAt, string arrival, CancellationToken ct) =>
        db.LeaveToBatchEndAsync(this, new Observation(sender, agreement, sequence, receivedAt, arrival, HighWater: false), ct);

    /// <summary>A heartbeat said the last number sent on the link is <paramref name="lastSent"/> (left to the batch's end like <see cref="ObserveAsync"/>).</summary>
    public Task ObserveHighWaterAsync(NodeDbContext db, CentreCode sender, Agreement agreement, long lastSent, Instant receivedAt, CancellationToken ct) =>
        db.LeaveToBatchEndAsync(this, new Observation(sender, agreement, lastSent, receivedAt, null, HighWater: true), ct);

    /// <summary>A number seen on a link: a notification's own (<see cref="HighWater"/> false) or the last one a heartbeat says was sent.</summary>
    private sealed record Observation(CentreCode Sender, Agreement Agreement, long Sequence, Instant ReceivedAt, string? Arrival, bool HighWater);

    /// <summary>
    /// Applies a batch's observations, link by link in the order they arrived: a link's row is read and locked once and
    /// written once for the batch (where each message read, inserted and updated it), and a run of notifications that are
    /// the link's next numbers, the common case, is one conditional update. The gaps they open or close are scheduled or
    /// settled in the same transaction, and the deadline watcher is woken for a new one once it has committed.
    /// </summary>
    public async Task FinishAsync(NodeDbContext db, IReadOnlyList<object> items, IReadOnlyList<IReadOnlyList<object?[]>> rows, CancellationToken ct)
    {
        var links = Links(items);
        var gaps = false;
        // One link whose numbers are a run was advanced by the end's first command (Queries), unless its row said otherwise.
        if (rows.Count == 1 && rows[0].Count == 1)
            links.RemoveAt(0);
        foreach (var link in links)
            gaps |= await ApplyAsync(db, link, tryAdvance: rows.Count == 0, ct);
        if (gaps && DeadlineSignal.EarliestPendingDue(db) is { } due)
            db.AfterCommit(() => deadlineSignal.Notify(due));
    }

    /// <summary>The observations per link, each in the order they arrived, the links by first appearance.</summary>
    private static List<List<Observation>> Links(IReadOnlyList<object> items) =>
        [.. items.Cast<Observation>().GroupBy(o => (o.Sender, o.Agreement.Id)).Select(g => g.ToList())];

    /// <summary>
    /// A batch whose observations are all on one link and a run of its next numbers (nearly every batch): the conditional
    /// update goes with the end's first command, and returns a row when it took.
    /// </summary>
    public IReadOnlyList<BatchQuery> Queries(NodeDbContext db, IReadOnlyList<object> items)
    {
        if (Links(items) is not [var link] || !IsRun(link))
            return [];
        const string key = "inbound-sequence-advance-run-at-batch-end";
        var command = ModelCommands.ReaderStatement(db, key,
            model => [.. Typed(model, "Sender", "Recipient", "AgreementId", "HighestSeen", "UpdatedAt").Select(p => ("seen" + p.Item1, p.Item2)),
                ("seenBefore", model.FindEntityType(typeof(InboundSequence))!.FindProperty("HighestSeen")!)],
            p => $"""
                UPDATE "InboundSequences" SET "HighestSeen" = {p("seenHighestSeen")}, "UpdatedAt" = {p("seenUpdatedAt")}
                WHERE "Sender" = {p("seenSender")} AND "Recipient" = {p("seenRecipient")} AND "AgreementId" = {p("seenAgreementId")} AND "HighestSeen" = {p("seenBefore")}
                RETURNING "HighestSeen"
                """);
        return [new BatchQuery(key, command, new Dictionary<string, object?>
        {
            ["seenSender"] = link[0].Sender.Value, ["seenRecipient"] = node.Centre.Value, ["seenAgreementId"] = link[0].Agreement.Id.Value,
            ["seenHighestSeen"] = link[^1].Sequence, ["seenUpdatedAt"] = link[^1].ReceivedAt, ["seenBefore"] = link[0].Sequence - 1,
        })];
    }

    /// <summary>One link's observations, in order. True when a gap deadline was scheduled or settled.</summary>
    private async Task<bool> ApplyAsync(NodeDbContext db, List<Observation> link, bool tryAdvance, CancellationToken ct)
    {
        var (sender, agreement) = (link[0].Sender, link[0].Agreement);
        // Nearly always the next numbers of a link already known, which changes nothing but the highest number seen.
        if (tryAdvance && IsRun(link) && await TryAdvanceAsync(db, sender, agreement.Id, link[0].Sequence, link[^1].Sequence, link[^1].ReceivedAt, ct))
            return false;
        var tracker = await LockAsync(db, sender, agreement.Id, ct);
        var gaps = false;
        foreach (var seen in link)
        {
            if (seen.HighWater)
            {
                var observation = tracker.ObserveHighWater(seen.Sequence);
                if (observation.Kind == SequenceObservationKind.GapOpened)
                {
                    await OpenGapAsync(db, sender, agreement, observation.NewlyMissing!.Value, seen.ReceivedAt, $"a heartbeat says #{seen.Sequence} was sent", ct);
                    gaps = true;
                }
                else if (observation.Kind == SequenceObservationKind.Regressed)
                    log.LogWarning("{Sender}'s heartbeat under {Agreement} says its last notification is #{LastSent}, but #{Highest} was already seen: its counter went back",
                        sender, agreement.Id, seen.Sequence, tracker.HighestSeen);
                continue;
            }
            var seenNow = tracker.Observe(seen.Sequence);
            switch (seenNow.Kind)
            {
                case SequenceObservationKind.GapOpened:
                    await OpenGapAsync(db, sender, agreement, seenNow.NewlyMissing!.Value, seen.ReceivedAt, $"#{seen.Sequence} arrived", ct);
                    gaps = true;
                    break;
                case SequenceObservationKind.GapFilled:
                    await CloseGapsAsync(db, sender, agreement.Id, tracker, seen.Sequence, seen.ReceivedAt, seen.Arrival ?? "", ct);
                    gaps = true;
                    break;
                case SequenceObservationKind.Duplicate:
                    log.LogWarning("{Sender} used sequence number {Sequence} under {Agreement} again, for another message", sender, seen.Sequence, agreement.Id);
                    break;
            }
        }
        await SaveAsync(db, tracker, link[^1].ReceivedAt, ct);
        return gaps;
    }

    /// <summary>Notifications only, each numbered one more than the one before it.</summary>
    private static bool IsRun(List<Observation> link)
    {
        for (var i = 0; i < link.Count; i++)
            if (link[i].HighWater || (i > 0 && link[i].Sequence != link[i - 1].Sequence + 1))
                return false;
        return true;
    }

    // The link's row is read and written by statements written once per model (ModelCommands), not tracked by EF Core.
    private static readonly string[] Columns = ["Sender", "Recipient", "AgreementId", "HighestSeen", "Missing", "UpdatedAt"];

    private static IReadOnlyList<(string, IProperty)> Typed(IModel model, params string[] names) =>
        [.. names.Select(name => (name, model.FindEntityType(typeof(InboundSequence))!.FindProperty(name)!))];

    private static string OfTheLink(Func<string, string> p) => $"""WHERE "Sender" = {p("Sender")} AND "Recipient" = {p("Recipient")} AND "AgreementId" = {p("AgreementId")}""";

    /// <summary>
    /// <paramref name="from"/> … <paramref name="to"/> are the next numbers of a link already stored (each one
    /// <see cref="SequenceTracker.Observe"/> would take: the highest number seen moves up, nothing else changes): one
    /// conditional update does it. False, and nothing written, for anything else (a new link, a gap, a late or repeated
    /// number), which takes the tracker's way. On PostgreSQL the update waits for a concurrent subscriber's lock on the row
    /// and compares with what that one committed.
    /// </summary>
    private async Task<bool> TryAdvanceAsync(NodeDbContext db, CentreCode sender, AgreementId agreement, long from, long to, Instant at, CancellationToken ct)
    {
        var advance = ModelCommands.Statement(db, "inbound-sequence-advance-run",
            model => [.. Typed(model, "Sender", "Recipient", "AgreementId", "HighestSeen", "UpdatedAt"), ("Before", model.FindEntityType(typeof(InboundSequence))!.FindProperty("HighestSeen")!)],
            p => $"""UPDATE "InboundSequences" SET "HighestSeen" = {p("HighestSeen")}, "UpdatedAt" = {p("UpdatedAt")} {OfTheLink(p)} AND "HighestSeen" = {p("Before")}""");
        return await ModelCommands.ExecuteAsync(db, advance, new Dictionary<string, object?>
        {
            ["Sender"] = sender.Value, ["Recipient"] = node.Centre.Value, ["AgreementId"] = agreement.Value, ["HighestSeen"] = to, ["UpdatedAt"] = at,
            ["Before"] = from - 1,
        }, ct) == 1;
    }

    /// <summary>The link's state, locked for this transaction: concurrent subscribers of one centre take turns per link.</summary>
    private async Task<SequenceTracker> LockAsync(NodeDbContext db, CentreCode sender, AgreementId agreement, CancellationToken ct)
    {
        // An upsert that touches the row takes its lock (PostgreSQL) or the write lock (SQLite) and returns it in the same
        // statement (one round trip per message instead of two).
        var upsert = ModelCommands.ReaderStatement(db, "inbound-sequence-lock", model => Typed(model, "Sender", "Recipient", "AgreementId", "UpdatedAt"),
            p => $"""
                INSERT INTO "InboundSequences" ("Sender", "Recipient", "AgreementId", "HighestSeen", "Missing", "UpdatedAt")
                VALUES ({p("Sender")}, {p("Recipient")}, {p("AgreementId")}, 0, '', {p("UpdatedAt")})
                ON CONFLICT ("Sender", "Recipient", "AgreementId") DO UPDATE SET "HighestSeen" = "InboundSequences"."HighestSeen"
                RETURNING "HighestSeen", "Missing"
                """);
        await using var reader = await upsert.ExecuteReaderAsync(ModelCommands.Parameters(db, new Dictionary<string, object?>
        {
            ["Sender"] = sender.Value, ["Recipient"] = node.Centre.Value, ["AgreementId"] = agreement.Value, ["UpdatedAt"] = clock.GetCurrentInstant(),
        }), ct);
        if (!await reader.ReadAsync(ct))
            throw new InvalidOperationException($"The inbound sequence row of {sender}→{node.Centre}/{agreement} was not returned.");
        return new SequenceTracker(new SequenceStreamKey(sender, node.Centre, agreement), reader.DbDataReader.GetInt64(0),
            SequenceRangeText.Parse(reader.DbDataReader.GetString(1)));
    }

    private async Task SaveAsync(NodeDbContext db, SequenceTracker tracker, Instant at, CancellationToken ct)
    {
        var update = ModelCommands.Statement(db, "inbound-sequence-save", model => Typed(model, Columns),
            p => $"""UPDATE "InboundSequences" SET "HighestSeen" = {p("HighestSeen")}, "Missing" = {p("Missing")}, "UpdatedAt" = {p("UpdatedAt")} {OfTheLink(p)}""");
        await ModelCommands.ExecuteAsync(db, update, new Dictionary<string, object?>
        {
            ["Sender"] = tracker.Key.Sender.Value, ["Recipient"] = tracker.Key.Recipient.Value, ["AgreementId"] = tracker.Key.Agreement.Value,
            ["HighestSeen"] = tracker.HighestSeen, ["Missing"] = SequenceRangeText.Format(tracker.MissingRanges), ["UpdatedAt"] = at,
        }, ct);
    }

    private static string KeyFor(CentreCode sender, CentreCode recipient, AgreementId agreement, SequenceRange range) =>
        $"MISSING:{sender}>{recipient}/{agreement}/{SequenceRangeText.Format([range])}";

    private async Task OpenGapAsync(NodeDbContext db, CentreCode sender, Agreement agreement, SequenceRange gap, Instant at, string cause, CancellationToken ct)
    {
        var grace = settings.TermsFor(agreement).MissingGrace;
        log.LogInformation("Gap on {Sender}→{Recipient} under {Agreement}: {Missing} missing ({Cause}); alarm unless they arrive within {Grace}",
            sender, node.Centre, agreement.Id, SequenceRangeText.Format([gap]), cause, DurationText.Format(grace));
        await deadlines.ScheduleAsync(db, new Deadline
        {
            Kind = Kind,
            Key = KeyFor(sender, node.Centre, agreement.Id, gap),
            DueAt = at + grace,
            Centre = sender,
            AgreementId = agreement.Id,
            SequenceFrom = gap.From,
            SequenceTo = gap.To,
        }, ct);
    }

    /// <summary>Settles every gap whose numbers have now all arrived (the one <paramref name="sequence"/> was in).</summary>
    private async Task CloseGapsAsync(NodeDbContext db, CentreCode sender, AgreementId agreement, SequenceTracker tracker, long sequence, Instant at,
        string arrival, CancellationToken ct)
    {
        // A query compiled once per model (the LINQ query was translated anew per gap closed: 1–2 % of a subscriber's CPU
        // when messages overtake each other).
        var open = ModelCommands.Query(db, "missing-gaps-with", () => EF.CompileAsyncQuery(
            (NodeDbContext context, DeadlineKind kind, string centre, string agreementId, long number) => context.Deadlines
                .Where(d => d.Kind == kind && d.Centre == centre && d.AgreementId == agreementId && d.SettledAt == null
                            && d.SequenceFrom <= number && d.SequenceTo >= number)));
        var gaps = new List<Deadline>();
        await foreach (var gap in open(db, Kind, sender.Value, agreement.Value, sequence).WithCancellation(ct))
            gaps.Add(gap);
        // And one opened earlier in the same batch's end, not written yet (FinishAsync saves after the last link).
        foreach (var d in db.AddedRows<Deadline>())
        {
            if (d.Kind == Kind && d.Centre == sender.Value && d.AgreementId == agreement.Value && d.SettledAt is null
                && d.SequenceFrom <= sequence && d.SequenceTo >= sequence && !gaps.Contains(d))
                gaps.Add(d);
        }
        foreach (var gap in gaps)
        {
            var range = new SequenceRange(gap.SequenceFrom!.Value, gap.SequenceTo!.Value);
            if (SequenceRangeText.Intersect(tracker.MissingRanges, range).Count > 0)
                continue;
            var numbers = SequenceRangeText.Format([range]);
            await deadlines.SettleAsync(db, gap, $"all of {numbers} arrived",
                $"All of {numbers} from {sender} have arrived; the last, #{sequence}, at {at} ({arrival}).", ct);
        }
    }

    public async Task HandleAsync(DeadlineFiring firing, CancellationToken ct)
    {
        var d = firing.Deadline;
        var range = new SequenceRange(d.SequenceFrom!.Value, d.SequenceTo!.Value);
        var row = await firing.Db.InboundSequences.AsNoTracking()
            .SingleOrDefaultAsync(s => s.Sender == d.Centre && s.Recipient == node.Centre.Value && s.AgreementId == d.AgreementId, ct);
        var stillMissing = SequenceRangeText.Intersect(SequenceRangeText.Parse(row?.Missing), range);
        if (stillMissing.Count == 0)
            return; // They arrived after all (that transaction settles the deadline too).

        var numbers = SequenceRangeText.Format(stillMissing);
        var count = stillMissing.Sum(r => r.Count);
        var grace = agreements.TryGet(new AgreementId(d.AgreementId!), out var agreement) ? $" within {DurationText.Format(settings.TermsFor(agreement).MissingGrace)}" : "";
        var summary = $"{count} notification{(count == 1 ? "" : "s")} from {d.Centre} under {d.AgreementId} missing: " +
                      $"#{numbers}, not received{grace} of the gap showing.";
        var alarmKey = $"MISSING_NOTIFICATION:{d.Key["MISSING:".Length..]}";
        await alarms.RaiseAsync(firing.Db, new AlarmRequest(AlarmKind.MissingNotification, alarmKey, summary,
            Centre: d.Centre, AgreementId: d.AgreementId, Sequences: numbers.Length <= 256 ? numbers : numbers[..255] + "…",
            DetailsJson: JsonSerializer.Serialize(new { missing = numbers, gap = SequenceRangeText.Format([range]), gapSeenAt = d.CreatedAt, highestSeen = row?.HighestSeen }, WireJson.Options),
            DueAt: d.DueAt, FiredAfterRestart: firing.AfterRestart), ct);
        d.AlarmKey = alarmKey;
    }
}
