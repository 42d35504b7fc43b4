using LaunchNotify.Node.Reports;
using LaunchNotify.Storage.Entities;
using NodaTime;
using static LaunchNotify.Reports.Tests.ReportDataset;

namespace LaunchNotify.Reports.Tests;

/// <summary>
/// Time to acknowledge under us-ru-bmlna-1988 (a person must read a notice within 60 min of receiving it; our assumption),
/// on a hand-built history whose figures are worked out in the comments.
/// </summary>
public class AcknowledgementReportTests
{
    private static Guid Id(int n) => new($"00000000-0000-0000-0000-{n:D12}");

    private static SentMessage Sent(int n, string kind, string issued, DeliveryStatus status, string? recipientReceived, string? acknowledged) =>
        new(Id(n), kind, T(issued), null, null, null,
            [new SentDelivery("RU", n, status, T(issued), recipientReceived is null ? null : T(recipientReceived), recipientReceived is null ? null : T(recipientReceived),
                acknowledged is null ? null : T(acknowledged))]);

    private static ReceivedMessage Received(int n, string received, string? acknowledged, InboxOutcome outcome = InboxOutcome.Accepted) =>
        new(Id(100 + n), "prenotification", "RU", n, T(received), outcome, null, null, null, acknowledged is null ? null : T(acknowledged));

    private static TimelinessReport Report()
    {
        var sent = new List<SentMessage>
        {
            // Read at RU 10 min after RU received it: in time.
            Sent(1, "prenotification", "2025-01-05T00:00:00Z", DeliveryStatus.Confirmed, "2025-01-05T00:01:00Z", "2025-01-05T00:11:00Z"),
            // 90 min: not in time.
            Sent(2, "amendment", "2025-01-20T12:00:00Z", DeliveryStatus.Confirmed, "2025-01-20T12:00:30Z", "2025-01-20T13:30:30Z"),
            // Never read, long past its deadline on Mar 1: not in time.
            Sent(3, "prenotification", "2025-02-10T00:00:00Z", DeliveryStatus.Confirmed, "2025-02-10T00:00:20Z", null),
            // Rejected: nothing for a person to read; not counted.
            Sent(4, "prenotification", "2025-02-15T00:00:00Z", DeliveryStatus.Rejected, "2025-02-15T00:00:20Z", null),
            // A post-launch report read after 5 min.
            Sent(5, "postlaunch", "2025-02-20T00:00:00Z", DeliveryStatus.Confirmed, "2025-02-20T00:00:10Z", "2025-02-20T00:05:10Z"),
            // Outside the period.
            Sent(6, "prenotification", "2025-03-05T00:00:00Z", DeliveryStatus.Confirmed, "2025-03-05T00:00:10Z", "2025-03-05T05:00:10Z"),
        };
        var received = new List<ReceivedMessage>
        {
            // Our duty officer read it after 30 min.
            Received(1, "2025-01-03T06:00:00Z", "2025-01-03T06:30:00Z"),
            // Received 30 min before "now" (Mar 1 00:00), not read yet: still within its hour, waiting.
            Received(2, "2025-02-28T23:30:00Z", null),
            // Rejected on arrival: not owed.
            Received(3, "2025-02-01T00:00:00Z", null, InboxOutcome.Rejected),
        };
        var request = new ReportRequest(UsRu, JanFeb, null, T("2025-03-01T00:00:00Z"));
        return TimelinessCalculator.Compute(new TimelinessDataset("US", sent, received, []), request);
    }

    [Fact]
    public void Compute_TimeToAcknowledge_PerCounterpartAndDirection_CountsNotInTimeAndWaiting()
    {
        var report = Report();

        Assert.Equal(Duration.FromMinutes(60), report.AcknowledgementDeadline);
        var sent = Assert.Single(report.Acknowledgements, a => a.Direction == Direction.Sent);
        Assert.Equal(("RU", 4, 3, 2, 0, 0), (sent.Counterpart, sent.Notices, sent.Acknowledged, sent.NotInTime, sent.Waiting, sent.Unmeasured));
        Assert.Equal(Duration.FromMinutes(10), sent.Median); // of 5, 10 and 90 min
        Assert.Equal(Duration.FromMinutes(90), sent.Max);

        var received = Assert.Single(report.Acknowledgements, a => a.Direction == Direction.Received);
        Assert.Equal(("RU", 2, 1, 0, 1), (received.Counterpart, received.Notices, received.Acknowledged, received.NotInTime, received.Waiting));
        Assert.Equal(Duration.FromMinutes(30), received.Median);
        Assert.Equal(Duration.FromMinutes(30), received.Max);
    }

    [Fact]
    public void Formats_CarryTheAcknowledgementFigures()
    {
        var report = Report();

        var json = System.Text.Json.Nodes.JsonNode.Parse(ReportFormats.Json(report))!;
        Assert.Equal(3600, (double)json["acknowledgementDeadlineSeconds"]!);
        var sent = json["acknowledgements"]!.AsArray().Single(a => (string?)a!["direction"] == "sent")!;
        Assert.Equal((2, 5400.0), ((int)sent["notInTime"]!, (double)sent["maxSeconds"]!));
        Assert.Contains("acknowledgement_sent_RU,not_in_time,2,count", ReportFormats.Csv(report));
        Assert.Contains("acknowledgement_received_RU,waiting,1,count", ReportFormats.Csv(report));
    }
}
