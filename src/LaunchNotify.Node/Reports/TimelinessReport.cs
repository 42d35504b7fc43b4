using LaunchNotify.Domain.Alarms;
using NodaTime;

namespace LaunchNotify.Node.Reports;

/// <summary>Whole UTC days, both ends included: <c>--from 2025-01-01 --to 2025-12-31</c> is the year 2025.</summary>
public sealed record ReportPeriod
{
    public ReportPeriod(LocalDate from, LocalDate to)
    {
        if (to < from)
            throw new ArgumentException($"The period ends ({to:uuuu-MM-dd}) before it starts ({from:uuuu-MM-dd}); swap --from and --to.");
        From = from;
        To = to;
    }

    public LocalDate From { get; }
    public LocalDate To { get; }

    public Instant Start => From.AtStartOfDayInZone(DateTimeZone.Utc).ToInstant();

    /// <summary>Exclusive: midnight after the last day.</summary>
    public Instant End => To.PlusDays(1).AtStartOfDayInZone(DateTimeZone.Utc).ToInstant();

    public bool Contains(Instant instant) => instant >= Start && instant < End;

    public IEnumerable<YearMonth> Months()
    {
        for (var m = From.ToYearMonth(); m <= To.ToYearMonth(); m = m.PlusMonths(1))
            yield return m;
    }

    public override string ToString() => $"{From:uuuu-MM-dd} .. {To:uuuu-MM-dd}";
}

public enum Direction { Sent, Received }

/// <summary>
/// Timeliness under one agreement, seen from one centre's store, for a period and optionally one counterpart. Every
/// duration figure is an observed value (percentiles by nearest rank), so each one points at a real message.
/// </summary>
public sealed record TimelinessReport(
    string Centre,
    string? Counterpart,
    string AgreementId,
    string AgreementTitle,
    ReportPeriod Period,
    Instant AsOf,
    Duration RequiredLeadTime,
    Duration ReceiptDeadline,
    Duration PostLaunchDeadline,
    LeadTimeSummary Sent,
    LeadTimeSummary Received,
    MissingSummary Missing,
    LatencySummary ReceiptLatency,
    PostLaunchSummary PostLaunchSent,
    PostLaunchSummary PostLaunchReceived,
    IReadOnlyList<AlarmKindSummary> Alarms,
    IReadOnlyList<MonthlyRate> Monthly,
    IReadOnlyList<LeadTimeSample> Samples,
    Duration? AcknowledgementDeadline,
    IReadOnlyList<AcknowledgementSummary> Acknowledgements)
{
    public int OpenAlarms => Alarms.Sum(a => a.Open);
}

/// <summary>
/// Pre-notifications in one direction. Sent ones count once per recipient (each recipient is owed the notice) and are
/// measured at the recipient's own receipt time from its signed receipt; received ones at this centre's receipt time.
/// </summary>
public sealed record LeadTimeSummary(
    int Notifications,
    int Measured,
    int OnTime,
    int Late,
    int Rejected,
    int Unmeasured,
    Duration? MinMargin,
    Duration? MedianMargin,
    LeadTimeSample? Worst)
{
    /// <summary>On time among the measured ones; null when none was measured.</summary>
    public double? OnTimeRate => Measured == 0 ? null : (double)OnTime / Measured;
}

/// <summary>One measured notice: lead time = window start − receipt; margin = lead time − the agreement's minimum.</summary>
public sealed record LeadTimeSample(
    Direction Direction,
    Guid MessageId,
    string Counterpart,
    Instant Issued,
    Instant ReceivedAt,
    Instant WindowStart,
    Duration LeadTime,
    Duration Margin)
{
    public bool OnTime => Margin >= Duration.Zero;
}

/// <summary>Sequence numbers never received on the links into this centre, and the alarms raised for them.</summary>
public sealed record MissingSummary(IReadOnlyList<SequenceGap> Gaps, int AlarmsRaised, int AlarmsOpen)
{
    public long MissingCount => Gaps.Sum(g => g.Count);
}

/// <summary>Numbers <see cref="From"/>..<see cref="To"/> from <see cref="Sender"/> never arrived; a later number revealed it at <see cref="RevealedAt"/>.</summary>
public sealed record SequenceGap(string Sender, string Recipient, long From, long To, Instant RevealedAt)
{
    public long Count => To - From + 1;
    public override string ToString() => From == To ? $"{Sender}→{Recipient} #{From}" : $"{Sender}→{Recipient} #{From}-{To}";
}

/// <summary>Sender side: from the broker's confirm (published) to the recipient's signed receipt arriving back.</summary>
public sealed record LatencySummary(
    int Deliveries,
    int Confirmed,
    int Rejected,
    int Unconfirmed,
    int UnconfirmedOverdue,
    int AnsweredAfterDeadline,
    Duration? P50,
    Duration? P95,
    Duration? Max);

/// <summary>
/// Post-launch reports owed for notified windows that closed in the period (cancelled notifications owe none). Due =
/// window end (after amendments) + the agreement's deadline.
/// </summary>
public sealed record PostLaunchSummary(int Expected, int OnTime, int Late, int Missing, int Pending, int Unconfirmed)
{
    /// <summary>On time among those whose outcome is known (on time, late or missing); null if none.</summary>
    public double? OnTimeRate => OnTime + Late + Missing == 0 ? null : (double)OnTime / (OnTime + Late + Missing);
}

public sealed record AlarmKindSummary(AlarmKind Kind, int Raised, int Acknowledged, int Resolved, int Open, Duration? AckMedian, Duration? AckMax);

public sealed record MonthlyRate(YearMonth Month, int SentMeasured, int SentOnTime, int ReceivedMeasured, int ReceivedOnTime)
{
    public double? SentRate => SentMeasured == 0 ? null : (double)SentOnTime / SentMeasured;
    public double? ReceivedRate => ReceivedMeasured == 0 ? null : (double)ReceivedOnTime / ReceivedMeasured;
}

/// <summary>
/// Time to acknowledge, per counterpart and direction: <see cref="Direction.Sent"/> is this centre's notifications read by
/// a person at the counterpart (from its signed receipt's instant to its signed acknowledgement's, both its clock);
/// <see cref="Direction.Received"/> is the counterpart's notifications read by this centre's duty officers. Notifications
/// of every kind (pre-notification, amendment, cancellation, post-launch report) the recipient accepted, in the period.
/// </summary>
/// <param name="NotInTime">Acknowledged after the agreement's deadline, or still unacknowledged past it.</param>
/// <param name="Waiting">Not acknowledged yet, and not (or not known to be) past the deadline.</param>
/// <param name="Unmeasured">Acknowledged, but the receipt instant to count from is unknown (sent side, no receipt yet).</param>
public sealed record AcknowledgementSummary(
    Direction Direction,
    string Counterpart,
    int Notices,
    int Acknowledged,
    int NotInTime,
    int Waiting,
    int Unmeasured,
    Duration? Median,
    Duration? Max);
