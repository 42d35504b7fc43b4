using LaunchNotify.Domain.Alarms;
using LaunchNotify.Node.Reports;
using NodaTime;

namespace LaunchNotify.Reports.Tests;

public sealed class TimelinessCalculatorTests
{
    private readonly ReportDataset _data = new();
    private TimelinessReport Report(string? counterpart = null) => TimelinessCalculator.Compute(_data.Dataset, _data.Request(counterpart));

    [Fact]
    public void Compute_ReceivedNotifications_CountsOnTimeLateAndMargins()
    {
        var r = Report().Received;
        Assert.Equal((4, 4, 3, 1, 0, 0), (r.Notifications, r.Measured, r.OnTime, r.Late, r.Rejected, r.Unmeasured));
        Assert.Equal(0.75, r.OnTimeRate);
        Assert.Equal(Duration.FromHours(-12), r.MinMargin);
        // Margins −12 h, 0, +24 h, +24 h: the nearest-rank median is the 2nd, exactly the minimum lead time.
        Assert.Equal(Duration.Zero, r.MedianMargin);
        Assert.Equal(ReportDataset.R4, r.Worst!.MessageId);
        Assert.Equal(Duration.FromHours(12), r.Worst.LeadTime);
    }

    [Fact]
    public void Compute_SentNotifications_MeasuresAtTheRecipientsReceiptAndSetsAsideRejectedAndUnconfirmed()
    {
        var s = Report().Sent;
        Assert.Equal((4, 2, 1, 1, 1, 1), (s.Notifications, s.Measured, s.OnTime, s.Late, s.Rejected, s.Unmeasured));
        Assert.Equal(0.5, s.OnTimeRate);
        var late = -(Duration.FromHours(2) + Duration.FromSeconds(30));
        Assert.Equal(late, s.MinMargin);
        Assert.Equal(late, s.MedianMargin);
        Assert.Equal(ReportDataset.S2, s.Worst!.MessageId);
    }

    [Fact]
    public void Compute_ReceiptLatency_IsPublishedToReceiptWithNearestRankPercentiles()
    {
        var l = Report().ReceiptLatency;
        // S1, S1's report, S2, S3, S3's report, S4.
        Assert.Equal((6, 3, 1, 2, 2, 1), (l.Deliveries, l.Confirmed, l.Rejected, l.Unconfirmed, l.UnconfirmedOverdue, l.AnsweredAfterDeadline));
        // Latencies 1 min, 1 min 50 s, 4 min 55 s, 45 min.
        Assert.Equal(Duration.FromSeconds(110), l.P50);
        Assert.Equal(Duration.FromMinutes(45), l.P95);
        Assert.Equal(Duration.FromMinutes(45), l.Max);
    }

    [Fact]
    public void Compute_PostLaunchReports_AreJudgedAgainstWindowEndPlusDeadline()
    {
        var report = Report();
        Assert.Equal(new PostLaunchSummary(Expected: 3, OnTime: 1, Late: 0, Missing: 1, Pending: 0, Unconfirmed: 1), report.PostLaunchSent);
        Assert.Equal(0.5, report.PostLaunchSent.OnTimeRate);
        Assert.Equal(new PostLaunchSummary(Expected: 4, OnTime: 1, Late: 1, Missing: 1, Pending: 1, Unconfirmed: 0), report.PostLaunchReceived);
    }

    [Fact]
    public void Compute_Missing_FindsTheSequenceGapWhereTheNextNumberRevealedIt()
    {
        var m = Report().Missing;
        var gap = Assert.Single(m.Gaps);
        Assert.Equal(("RU", "US", 4L, 4L), (gap.Sender, gap.Recipient, gap.From, gap.To));
        Assert.Equal(ReportDataset.T("2025-02-02T00:00:00Z"), gap.RevealedAt);
        Assert.Equal((1L, 1, 1), (m.MissingCount, m.AlarmsRaised, m.AlarmsOpen));
    }

    [Fact]
    public void Compute_Alarms_ByKindWithTimeToAcknowledgeAndOpenCount_InThePeriodOnly()
    {
        var report = Report();
        var byKind = report.Alarms.ToDictionary(a => a.Kind);
        Assert.Equal(new AlarmKindSummary(AlarmKind.LateNotification, 1, 1, 1, 0, Duration.FromMinutes(30), Duration.FromMinutes(30)), byKind[AlarmKind.LateNotification]);
        Assert.Equal(new AlarmKindSummary(AlarmKind.MissingNotification, 1, 1, 0, 1, Duration.FromHours(2), Duration.FromHours(2)), byKind[AlarmKind.MissingNotification]);
        Assert.Equal(new AlarmKindSummary(AlarmKind.ReceiptOverdue, 1, 0, 0, 1, null, null), byKind[AlarmKind.ReceiptOverdue]);
        Assert.Equal(new AlarmKindSummary(AlarmKind.PostLaunchOverdue, 1, 1, 1, 0, Duration.FromHours(1), Duration.FromHours(1)), byKind[AlarmKind.PostLaunchOverdue]);
        Assert.Equal(2, report.OpenAlarms);
    }

    [Fact]
    public void Compute_Monthly_OnTimeRatesPerUtcMonth()
    {
        var months = Report().Monthly;
        Assert.Equal([new MonthlyRate(new YearMonth(2025, 1), 2, 1, 2, 2), new MonthlyRate(new YearMonth(2025, 2), 0, 0, 2, 1)], months);
        Assert.Equal(0.5, months[0].SentRate);
        Assert.Null(months[1].SentRate);
    }

    [Fact]
    public void Compute_ForAnotherCounterpart_CountsNothing()
    {
        var report = Report(counterpart: "CN");
        Assert.Equal(0, report.Sent.Notifications + report.Received.Notifications + report.ReceiptLatency.Deliveries);
        Assert.Empty(report.Missing.Gaps);
        Assert.Equal(0, report.OpenAlarms);
    }

    [Fact]
    public void ReportPeriod_ToBeforeFrom_SaysToSwapThem()
    {
        var e = Assert.Throws<ArgumentException>(() => new ReportPeriod(new LocalDate(2025, 2, 1), new LocalDate(2025, 1, 1)));
        Assert.Contains("swap --from and --to", e.Message);
    }
}
