using LaunchNotify.Domain.Agreements;
using LaunchNotify.Domain.Alarms;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Reports;
using LaunchNotify.Protocol.Agreements;
using LaunchNotify.Storage.Entities;
using NodaTime;
using NodaTime.Testing;
using NodaTime.Text;

namespace LaunchNotify.Reports.Tests;

/// <summary>
/// A small, fully known history of US's store under us-ru-bmlna-1988 (24 h lead time, 30 min receipt deadline, 24 h
/// post-launch deadline), January–February 2025, written as a FakeClock walks through it. The expected figures in the
/// tests are worked out by hand in the comments below.
/// </summary>
public sealed class ReportDataset
{
    public static readonly Agreement UsRu = AgreementCatalog.Default.Get(new AgreementId("us-ru-bmlna-1988"));
    public static readonly ReportPeriod JanFeb = new(new LocalDate(2025, 1, 1), new LocalDate(2025, 2, 28));

    public FakeClock Clock { get; } = new(T("2025-01-01T00:00:00Z"));
    public List<SentMessage> Sent { get; } = [];
    public List<ReceivedMessage> Received { get; } = [];
    public List<AlarmRecord> Alarms { get; } = [];

    public static Guid S1 = Id(1), S2 = Id(2), S3 = Id(3), S4 = Id(4), S1Report = Id(11), S3Report = Id(13);
    public static Guid R1 = Id(101), R2 = Id(102), R4 = Id(104), R5 = Id(105), R1Report = Id(111), R4Report = Id(114);

    public ReportDataset()
    {
        // R1 (RU #1): received Jan 3 06:00, window Jan 5 06:00–08:00: lead 48 h, margin +24 h.
        Receive(R1, "prenotification", 1, "2025-01-03T06:00:00Z", ("2025-01-05T06:00:00Z", "2025-01-05T08:00:00Z"));
        // S1 (US → RU): issued Jan 5 00:00, published +10 s, RU received +1 min, receipt back at +2 min.
        // Window Jan 7 00:00–03:00: lead 47 h 59 min, margin +23 h 59 min. Receipt latency 1 min 50 s.
        Send(S1, "prenotification", "2025-01-05T00:00:00Z", 1, DeliveryStatus.Confirmed, published: "2025-01-05T00:00:10Z",
            recipientReceived: "2025-01-05T00:01:00Z", receipt: "2025-01-05T00:02:00Z", window: ("2025-01-07T00:00:00Z", "2025-01-07T03:00:00Z"));
        // R1's post-launch report (RU #2): Jan 5 10:00, due Jan 6 08:00: on time.
        Receive(R1Report, "postlaunch", 2, "2025-01-05T10:00:00Z", relatesTo: R1);
        // S1's post-launch report: issued Jan 7 06:00, RU received 06:00:30 (due Jan 8 03:00): on time. Latency 1 min.
        Send(S1Report, "postlaunch", "2025-01-07T06:00:00Z", 2, DeliveryStatus.Confirmed, published: "2025-01-07T06:00:05Z",
            recipientReceived: "2025-01-07T06:00:30Z", receipt: "2025-01-07T06:01:05Z", relatesTo: S1);
        // R2 (RU #3): received Jan 10 00:00, window Jan 11 00:00–02:00: exactly 24 h, margin 0: on time.
        Receive(R2, "prenotification", 3, "2025-01-10T00:00:00Z", ("2025-01-11T00:00:00Z", "2025-01-11T02:00:00Z"));
        // RU #4 (R2's post-launch report) never arrives: R2's report is missing (due Jan 12 02:00), and #4 is a gap.
        Alarm(AlarmKind.PostLaunchOverdue, "2025-01-12T02:00:00Z", acknowledged: "2025-01-12T03:00:00Z", resolved: "2025-01-13T00:00:00Z");
        // S2: issued Jan 20 12:00, RU received 12:00:30, window Jan 21 10:00–12:00: lead 21 h 59 min 30 s, margin −2 h 0 min 30 s (late).
        // Latency: published 12:00:05 → receipt 12:05:00 = 4 min 55 s. No post-launch report ever (due Jan 22 12:00): missing.
        Send(S2, "prenotification", "2025-01-20T12:00:00Z", 3, DeliveryStatus.Confirmed, published: "2025-01-20T12:00:05Z",
            recipientReceived: "2025-01-20T12:00:30Z", receipt: "2025-01-20T12:05:00Z", window: ("2025-01-21T10:00:00Z", "2025-01-21T12:00:00Z"));
        // R4 (RU #5): received Feb 2 00:00 (reveals the gap #4), window Feb 2 12:00–14:00: lead 12 h, margin −12 h (late).
        Receive(R4, "prenotification", 5, "2025-02-02T00:00:00Z", ("2025-02-02T12:00:00Z", "2025-02-02T14:00:00Z"));
        Alarm(AlarmKind.LateNotification, "2025-02-02T00:00:00Z", acknowledged: "2025-02-02T00:30:00Z", resolved: "2025-02-03T00:00:00Z");
        Alarm(AlarmKind.MissingNotification, "2025-02-02T00:30:00Z", acknowledged: "2025-02-02T02:30:00Z");
        // R4's report (RU #6): Feb 4 00:00, due Feb 3 14:00: late.
        Receive(R4Report, "postlaunch", 6, "2025-02-04T00:00:00Z", relatesTo: R4);
        // S3: issued Feb 10, published, never confirmed: unmeasured lead time, an unconfirmed and overdue delivery.
        Send(S3, "prenotification", "2025-02-10T00:00:00Z", 4, DeliveryStatus.Published, published: "2025-02-10T00:00:05Z",
            window: ("2025-02-12T00:00:00Z", "2025-02-12T02:00:00Z"));
        Alarm(AlarmKind.ReceiptOverdue, "2025-02-10T00:30:05Z");
        // S3's report issued Feb 13 01:00 (before its due time Feb 13 02:00) but never confirmed either.
        Send(S3Report, "postlaunch", "2025-02-13T01:00:00Z", 5, DeliveryStatus.Published, published: "2025-02-13T01:00:05Z", relatesTo: S3);
        // S4: issued Feb 15, rejected by RU 45 min after publishing (answered after the 30 min deadline). Owes no report.
        Send(S4, "prenotification", "2025-02-15T00:00:00Z", 6, DeliveryStatus.Rejected, published: "2025-02-15T00:00:05Z",
            recipientReceived: "2025-02-15T00:45:00Z", receipt: "2025-02-15T00:45:05Z", window: ("2025-02-17T00:00:00Z", "2025-02-17T01:00:00Z"));
        // R5 (RU #7): received Feb 25, window Feb 27 00:00 – Feb 28 23:00: margin +24 h; its report is due Mar 1 23:00: pending on Mar 1.
        Receive(R5, "prenotification", 7, "2025-02-25T00:00:00Z", ("2025-02-27T00:00:00Z", "2025-02-28T23:00:00Z"));
        // Outside the period: not counted.
        Alarm(AlarmKind.LateNotification, "2024-12-31T23:59:59Z");
        Clock.Reset(T("2025-03-01T00:00:00Z"));
    }

    public TimelinessDataset Dataset => new("US", Sent, Received, Alarms);

    public ReportRequest Request(string? counterpart = null) => new(UsRu, JanFeb, counterpart, Clock.GetCurrentInstant());

    public static Instant T(string iso) => InstantPattern.ExtendedIso.Parse(iso).GetValueOrThrow();

    private static Guid Id(int n) => new($"00000000-0000-0000-0000-{n:D12}");

    private void Send(Guid id, string kind, string issued, long sequence, DeliveryStatus status, string? published = null,
        string? recipientReceived = null, string? receipt = null, (string Start, string End)? window = null, Guid? relatesTo = null)
    {
        Clock.Reset(T(issued));
        Sent.Add(new SentMessage(id, kind, Clock.GetCurrentInstant(), Opt(window?.Start), Opt(window?.End), relatesTo,
            [new SentDelivery("RU", sequence, status, Opt(published), Opt(receipt), Opt(recipientReceived))]));
    }

    private void Receive(Guid id, string kind, long sequence, string receivedAt, (string Start, string End)? window = null, Guid? relatesTo = null)
    {
        Clock.Reset(T(receivedAt));
        Received.Add(new ReceivedMessage(id, kind, "RU", sequence, Clock.GetCurrentInstant(), InboxOutcome.Accepted,
            Opt(window?.Start), Opt(window?.End), relatesTo));
    }

    private void Alarm(AlarmKind kind, string raised, string? acknowledged = null, string? resolved = null)
    {
        Clock.Reset(T(raised));
        var state = resolved is not null ? AlarmState.Resolved : acknowledged is not null ? AlarmState.Acknowledged : AlarmState.Open;
        Alarms.Add(new AlarmRecord(Guid.NewGuid(), kind, state, "RU", Clock.GetCurrentInstant(), Opt(acknowledged), Opt(resolved), $"{kind.Code()} test"));
    }

    private static Instant? Opt(string? iso) => iso is null ? null : T(iso);
}
