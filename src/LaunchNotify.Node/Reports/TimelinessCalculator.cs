using LaunchNotify.Domain.Agreements;
using LaunchNotify.Domain.Alarms;
using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Timeliness;
using LaunchNotify.Storage.Entities;
using NodaTime;

namespace LaunchNotify.Node.Reports;

/// <summary>What to report on: an agreement, a period, optionally one counterpart centre, and the instant "now".</summary>
public sealed record ReportRequest(Agreement Agreement, ReportPeriod Period, string? Counterpart, Instant AsOf);

/// <summary>The timeliness report as a pure function of the rows read from a store. No clock, no I/O.</summary>
public static class TimelinessCalculator
{
    private static readonly string PreNotification = MessageKind.PreNotification.WireName();
    private static readonly string Amendment = MessageKind.Amendment.WireName();
    private static readonly string Cancellation = MessageKind.Cancellation.WireName();
    private static readonly string PostLaunch = MessageKind.PostLaunch.WireName();

    public static TimelinessReport Compute(TimelinessDataset data, ReportRequest request)
    {
        var agreement = request.Agreement;
        var period = request.Period;
        var counterpart = request.Counterpart;
        bool Wanted(string centre) => counterpart is null || centre == counterpart;

        var sentSamples = new List<LeadTimeSample>();
        var sent = SentLeadTimes(data, request, Wanted, sentSamples);
        var receivedSamples = new List<LeadTimeSample>();
        var received = ReceivedLeadTimes(data, request, Wanted, receivedSamples);

        var alarms = data.Alarms.Where(a => period.Contains(a.RaisedAt) && (counterpart is null || a.Centre == counterpart)).ToList();
        var missingAlarms = alarms.Where(a => a.Kind == AlarmKind.MissingNotification).ToList();

        return new TimelinessReport(
            data.Centre,
            counterpart,
            agreement.Id.Value,
            agreement.Title,
            period,
            request.AsOf,
            agreement.Notification.MinimumLeadTime,
            agreement.Deadlines.Receipt,
            agreement.Deadlines.PostLaunchReport,
            sent,
            received,
            new MissingSummary(Gaps(data, period, Wanted), missingAlarms.Count, missingAlarms.Count(a => a.State != AlarmState.Resolved)),
            ReceiptLatency(data, request, Wanted),
            PostLaunchSent(data, request, Wanted),
            PostLaunchReceived(data, request, Wanted),
            AlarmsByKind(alarms),
            Monthly(period, sentSamples, receivedSamples),
            [.. sentSamples, .. receivedSamples],
            agreement.Deadlines.Acknowledgement,
            Acknowledgements(data, request, Wanted));
    }

    private static readonly HashSet<string> NotificationKinds =
        Enum.GetValues<MessageKind>().Where(k => k.IsNotification()).Select(k => k.WireName()).ToHashSet();

    /// <summary>Time to acknowledge per (direction, counterpart); the deadline is the agreement's, counted from the recipient's receipt.</summary>
    private static IReadOnlyList<AcknowledgementSummary> Acknowledgements(TimelinessDataset data, ReportRequest request, Func<string, bool> wanted)
    {
        var sent = from m in data.Sent
                   where NotificationKinds.Contains(m.Kind) && request.Period.Contains(m.IssuedAt)
                   from d in m.Deliveries
                   where wanted(d.Recipient) && d.Status != DeliveryStatus.Rejected
                   select (Direction.Sent, d.Recipient, d.RecipientReceivedAt, d.AcknowledgedAt);
        var received = from m in data.Received
                       where NotificationKinds.Contains(m.Kind) && m.Outcome == InboxOutcome.Accepted && wanted(m.Sender) && request.Period.Contains(m.ReceivedAt)
                       select (Direction.Received, m.Sender, (Instant?)m.ReceivedAt, m.AcknowledgedAt);
        var due = request.Agreement.Deadlines.Acknowledgement;
        return sent.Concat(received)
            .GroupBy(x => (x.Item1, x.Item2))
            .OrderBy(g => g.Key.Item1).ThenBy(g => g.Key.Item2, StringComparer.Ordinal)
            .Select(g =>
            {
                var items = g.Select(x => (From: x.Item3, At: x.Item4)).ToList();
                var durations = items.Where(x => x is { From: not null, At: not null }).Select(x => x.At!.Value - x.From!.Value).Order().ToList();
                var late = due is { } d ? durations.Count(t => t > d) + items.Count(x => x.At is null && x.From is { } f && f + d <= request.AsOf) : 0;
                var waiting = items.Count(x => x.At is null && !(due is { } dd && x.From is { } f && f + dd <= request.AsOf));
                return new AcknowledgementSummary(g.Key.Item1, g.Key.Item2, items.Count, items.Count(x => x.At is not null), late, waiting,
                    items.Count(x => x is { At: not null, From: null }), Percentile.NearestRank(durations, 50), durations.Count > 0 ? durations[^1] : null);
            })
            .ToList();
    }

    private static LeadTimeSummary SentLeadTimes(TimelinessDataset data, ReportRequest request, Func<string, bool> wanted, List<LeadTimeSample> samples)
    {
        int notifications = 0, rejected = 0, unmeasured = 0;
        foreach (var m in data.Sent.Where(m => m.Kind == PreNotification && request.Period.Contains(m.IssuedAt)))
        {
            foreach (var d in m.Deliveries.Where(d => wanted(d.Recipient)))
            {
                notifications++;
                if (d.Status == DeliveryStatus.Rejected)
                    rejected++;
                else if (d.RecipientReceivedAt is { } at && m.WindowStart is { } start)
                    samples.Add(Sample(Direction.Sent, m.MessageId, d.Recipient, m.IssuedAt, at, start, request.Agreement));
                else
                    unmeasured++; // no receipt yet: when it arrived is not known
            }
        }
        return Summarize(notifications, rejected, unmeasured, samples);
    }

    private static LeadTimeSummary ReceivedLeadTimes(TimelinessDataset data, ReportRequest request, Func<string, bool> wanted, List<LeadTimeSample> samples)
    {
        int notifications = 0, rejected = 0, unmeasured = 0;
        foreach (var m in data.Received.Where(m => m.Kind == PreNotification && wanted(m.Sender) && request.Period.Contains(m.ReceivedAt)))
        {
            notifications++;
            if (m.Outcome == InboxOutcome.Rejected)
                rejected++;
            else if (m.WindowStart is { } start)
                samples.Add(Sample(Direction.Received, m.MessageId, m.Sender, m.ReceivedAt, m.ReceivedAt, start, request.Agreement));
            else
                unmeasured++;
        }
        return Summarize(notifications, rejected, unmeasured, samples);
    }

    private static LeadTimeSample Sample(Direction direction, Guid id, string counterpart, Instant issued, Instant receivedAt, Instant windowStart, Agreement agreement)
    {
        // The domain's own definition, so the report and the LATE_NOTIFICATION finding never disagree.
        var margin = LeadTimeMargin.Compute(windowStart, receivedAt, agreement.Notification.MinimumLeadTime);
        return new LeadTimeSample(direction, id, counterpart, issued, receivedAt, windowStart, margin.Actual, margin.Margin);
    }

    private static LeadTimeSummary Summarize(int notifications, int rejected, int unmeasured, List<LeadTimeSample> samples)
    {
        var margins = samples.Select(s => s.Margin).Order().ToList();
        var onTime = samples.Count(s => s.OnTime);
        return new LeadTimeSummary(notifications, samples.Count, onTime, samples.Count - onTime, rejected, unmeasured,
            margins.Count == 0 ? null : margins[0],
            Percentile.NearestRank(margins, 50),
            samples.OrderBy(s => s.Margin).ThenBy(s => s.ReceivedAt).FirstOrDefault());
    }

    /// <summary>Gaps on each link into this centre, attributed to the period in which a later number revealed them.</summary>
    private static IReadOnlyList<SequenceGap> Gaps(TimelinessDataset data, ReportPeriod period, Func<string, bool> wanted)
    {
        var gaps = new List<SequenceGap>();
        var notificationKinds = Enum.GetValues<MessageKind>().Where(k => k.IsNotification()).Select(k => k.WireName()).ToHashSet();
        foreach (var link in data.Received.Where(m => m.Sequence is > 0 && notificationKinds.Contains(m.Kind) && wanted(m.Sender)).GroupBy(m => m.Sender))
        {
            var rows = link.OrderBy(m => m.Sequence).ToList();
            long expected = 1;
            foreach (var row in rows)
            {
                var sequence = row.Sequence!.Value;
                if (sequence > expected)
                {
                    // Everything above the gap was received later or earlier; the first of them to arrive revealed it.
                    var revealedAt = rows.Where(r => r.Sequence >= sequence).Min(r => r.ReceivedAt);
                    if (period.Contains(revealedAt))
                        gaps.Add(new SequenceGap(link.Key, data.Centre, expected, sequence - 1, revealedAt));
                }
                expected = Math.Max(expected, sequence + 1);
            }
        }
        return gaps.OrderBy(g => g.RevealedAt).ThenBy(g => g.Sender).ToList();
    }

    private static LatencySummary ReceiptLatency(TimelinessDataset data, ReportRequest request, Func<string, bool> wanted)
    {
        var deadline = request.Agreement.Deadlines.Receipt;
        var notificationKinds = new[] { PreNotification, Amendment, Cancellation, PostLaunch };
        int deliveries = 0, confirmed = 0, rejected = 0, unconfirmed = 0, overdue = 0, afterDeadline = 0;
        var latencies = new List<Duration>();
        foreach (var m in data.Sent.Where(m => notificationKinds.Contains(m.Kind) && request.Period.Contains(m.IssuedAt)))
        {
            foreach (var d in m.Deliveries.Where(d => wanted(d.Recipient)))
            {
                deliveries++;
                var published = d.PublishedAt ?? m.IssuedAt;
                if (d.ReceiptAt is { } receiptAt)
                {
                    if (d.Status == DeliveryStatus.Rejected) rejected++; else confirmed++;
                    var latency = receiptAt - published;
                    latencies.Add(latency);
                    if (latency > deadline)
                        afterDeadline++;
                }
                else
                {
                    unconfirmed++;
                    if (request.AsOf - published > deadline)
                        overdue++;
                }
            }
        }
        latencies.Sort();
        return new LatencySummary(deliveries, confirmed, rejected, unconfirmed, overdue, afterDeadline,
            Percentile.NearestRank(latencies, 50), Percentile.NearestRank(latencies, 95), latencies.Count == 0 ? null : latencies[^1]);
    }

    private static PostLaunchSummary PostLaunchSent(TimelinessDataset data, ReportRequest request, Func<string, bool> wanted)
    {
        var deadline = request.Agreement.Deadlines.PostLaunchReport;
        var related = data.Sent.Where(m => m.RelatesTo is not null).ToLookup(m => m.RelatesTo!.Value);
        var counts = new PostLaunchCounter();
        foreach (var n in data.Sent.Where(m => m.Kind == PreNotification))
        {
            var follow = related[n.MessageId].OrderBy(m => m.IssuedAt).ToList();
            if (follow.Any(m => m.Kind == Cancellation))
                continue;
            var windowEnd = follow.LastOrDefault(m => m.Kind == Amendment && m.WindowEnd is not null)?.WindowEnd ?? n.WindowEnd;
            if (windowEnd is not { } end || !request.Period.Contains(end))
                continue;
            var due = end + deadline;
            // A recipient that rejected the notification is owed no report on it.
            foreach (var d in n.Deliveries.Where(d => wanted(d.Recipient) && d.Status != DeliveryStatus.Rejected))
            {
                var report = follow.Where(m => m.Kind == PostLaunch)
                    .Select(m => (m.IssuedAt, Delivery: m.Deliveries.FirstOrDefault(x => x.Recipient == d.Recipient)))
                    .FirstOrDefault(r => r.Delivery is not null);
                if (report.Delivery is null)
                    counts.Unanswered(due, request.AsOf);
                else if (report.IssuedAt > due)
                    counts.Late++; // sent after the deadline: late whenever it arrived
                else if (report.Delivery.RecipientReceivedAt is { } receivedAt)
                    counts.Arrived(receivedAt, due);
                else
                    counts.Unconfirmed++;
            }
        }
        return counts.ToSummary();
    }

    private static PostLaunchSummary PostLaunchReceived(TimelinessDataset data, ReportRequest request, Func<string, bool> wanted)
    {
        var deadline = request.Agreement.Deadlines.PostLaunchReport;
        var related = data.Received.Where(m => m.RelatesTo is not null && m.Outcome == InboxOutcome.Accepted).ToLookup(m => (m.Sender, m.RelatesTo!.Value));
        var counts = new PostLaunchCounter();
        foreach (var n in data.Received.Where(m => m.Kind == PreNotification && m.Outcome == InboxOutcome.Accepted && wanted(m.Sender)))
        {
            var follow = related[(n.Sender, n.MessageId)].OrderBy(m => m.ReceivedAt).ToList();
            if (follow.Any(m => m.Kind == Cancellation))
                continue;
            var windowEnd = follow.LastOrDefault(m => m.Kind == Amendment && m.WindowEnd is not null)?.WindowEnd ?? n.WindowEnd;
            if (windowEnd is not { } end || !request.Period.Contains(end))
                continue;
            var due = end + deadline;
            if (follow.FirstOrDefault(m => m.Kind == PostLaunch) is { } report)
                counts.Arrived(report.ReceivedAt, due);
            else
                counts.Unanswered(due, request.AsOf);
        }
        return counts.ToSummary();
    }

    private sealed class PostLaunchCounter
    {
        public int OnTime, Late, Missing, Pending, Unconfirmed;

        public void Arrived(Instant at, Instant due)
        {
            if (at <= due) OnTime++; else Late++;
        }

        public void Unanswered(Instant due, Instant asOf)
        {
            if (asOf > due) Missing++; else Pending++;
        }

        public PostLaunchSummary ToSummary() => new(OnTime + Late + Missing + Pending + Unconfirmed, OnTime, Late, Missing, Pending, Unconfirmed);
    }

    private static IReadOnlyList<AlarmKindSummary> AlarmsByKind(IReadOnlyList<AlarmRecord> alarms) =>
        Enum.GetValues<AlarmKind>().Select(kind =>
        {
            var ofKind = alarms.Where(a => a.Kind == kind).ToList();
            var ack = ofKind.Where(a => a.AcknowledgedAt is not null).Select(a => a.AcknowledgedAt!.Value - a.RaisedAt).Order().ToList();
            return new AlarmKindSummary(kind, ofKind.Count, ack.Count, ofKind.Count(a => a.State == AlarmState.Resolved),
                ofKind.Count(a => a.State != AlarmState.Resolved), Percentile.NearestRank(ack, 50), ack.Count == 0 ? null : ack[^1]);
        }).ToList();

    private static IReadOnlyList<MonthlyRate> Monthly(ReportPeriod period, List<LeadTimeSample> sent, List<LeadTimeSample> received)
    {
        // Sent notices count in the month they were issued, received ones in the month they arrived (UTC).
        static YearMonth MonthOf(Instant i) => i.InUtc().Date.ToYearMonth();
        return period.Months().Select(month =>
        {
            var s = sent.Where(x => MonthOf(x.Issued) == month).ToList();
            var r = received.Where(x => MonthOf(x.ReceivedAt) == month).ToList();
            return new MonthlyRate(month, s.Count, s.Count(x => x.OnTime), r.Count, r.Count(x => x.OnTime));
        }).ToList();
    }
}

/// <summary>Nearest-rank percentiles: the smallest observed value with at least p % of the values at or below it.</summary>
public static class Percentile
{
    /// <param name="sorted">Ascending.</param>
    public static Duration? NearestRank(IReadOnlyList<Duration> sorted, int p)
    {
        if (sorted.Count == 0)
            return null;
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Count);
        return sorted[Math.Clamp(rank, 1, sorted.Count) - 1];
    }
}
