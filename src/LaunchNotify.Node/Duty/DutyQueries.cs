using LaunchNotify.Domain.Agreements;
using LaunchNotify.Domain.Alarms;
using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Alarms;
using LaunchNotify.Node.Broker;
using LaunchNotify.Node.Hosting;
using LaunchNotify.Node.Timeliness;
using LaunchNotify.Storage;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace LaunchNotify.Node.Duty;

/// <summary>
/// A received notice a person has yet to acknowledge, and by when (<see cref="AwaitingAcknowledgementQuery"/>). A notice
/// stored before acknowledgement deadlines were kept has none: the agreement's receipt deadline after receipt stands in
/// (<see cref="DeadlineAssumed"/>), and the duty page marks it as such.
/// </summary>
public sealed record AwaitingNotice(Guid MessageId, string Sender, string Kind, string? AgreementId, Instant ReceivedAt, Instant Deadline, bool DeadlineAssumed);

/// <summary>A notice, sent or received, whose launch window opens soon.</summary>
public sealed record UpcomingWindow(Guid MessageId, bool Sent, string Counterparts, string AgreementId, Instant WindowStart, Instant WindowEnd);

/// <summary>What this centre knows of its link with one counterpart: the last message from it, an open LINK_SILENT alarm, and the broker's view on a federated topology.</summary>
public sealed record CounterpartLink(string Counterpart, Instant? LastReceivedAt, string? LastKind, Alarm? Silent, LinkState? Broker)
{
    public string State => Silent is not null ? "silent" : Broker is { Condition: not LinkCondition.Running } b ? b.Condition.ToString().ToLowerInvariant()
        : LastReceivedAt is null ? "nothing received" : "receiving";
}

/// <summary>The duty officer's view of the centre at one instant. Data only: the web draws it.</summary>
public sealed record DutyBoard(
    string Centre, Instant Now, IReadOnlyList<AwaitingNotice> Awaiting, IReadOnlyList<Alarm> OpenAlarms, IReadOnlyList<CounterpartLink> Links,
    IReadOnlyList<UpcomingWindow> Upcoming);

/// <summary>Reads the duty board from the node's store (and the link monitor on a federated topology).</summary>
public sealed class DutyQueries(IDbContextFactory<NodeDbContext> dbFactory, IAgreementSource agreements, NodeSettings settings, LinkMonitor links,
    Acknowledgements.AwaitingAcknowledgementQuery awaitingAcknowledgement, IClock clock)
{
    /// <summary>How far ahead the "windows opening soon" panel looks.</summary>
    public static readonly Duration UpcomingHorizon = Duration.FromHours(24);

    public const int AwaitingLimit = 25;

    /// <summary>For a notice under an agreement this node does not know: the shortest receipt deadline of the reference agreements.</summary>
    public static readonly Duration UnknownAgreementDeadline = Duration.FromMinutes(30);

    private static readonly string[] NoticeKinds = Enum.GetValues<MessageKind>().Where(k => k.IsNotification()).Select(k => k.WireName()).ToArray();

    public async Task<DutyBoard> BoardAsync(CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        await using var db = await dbFactory.CreateDbContextAsync(ct);

        // The most urgent first, as the query gives them.
        var awaiting = (await awaitingAcknowledgement.ListAsync(AwaitingLimit, ct))
            .Select(a => new AwaitingNotice(a.MessageId, a.Sender, a.Kind, a.AgreementId, a.ReceivedAt,
                a.DueAt ?? a.ReceivedAt + ReceiptDeadline(a.AgreementId), DeadlineAssumed: a.DueAt is null))
            .ToList();

        var open = await db.Alarms.AsNoTracking().Where(a => a.State != AlarmState.Resolved).ToListAsync(ct);
        open = open.OrderByDescending(a => a.Severity).ThenByDescending(a => a.RaisedAt).ToList();

        var horizon = now + UpcomingHorizon;
        var sentSoon = await db.OutboundMessages.AsNoTracking().Include(m => m.Deliveries)
            .Where(m => m.Kind == "prenotification" && m.WindowStart != null && m.WindowStart >= now && m.WindowStart <= horizon).ToListAsync(ct);
        var receivedSoon = await db.Inbox.AsNoTracking()
            .Where(m => m.Kind == "prenotification" && m.Outcome == InboxOutcome.Accepted && m.WindowStart != null && m.WindowStart >= now && m.WindowStart <= horizon)
            .ToListAsync(ct);
        var upcoming = sentSoon.Select(m => new UpcomingWindow(m.MessageId, true, string.Join(", ", m.Deliveries.Select(d => d.Recipient).Order(StringComparer.Ordinal)),
                m.AgreementId, m.WindowStart!.Value, m.WindowEnd ?? m.WindowStart!.Value))
            .Concat(receivedSoon.Select(m => new UpcomingWindow(m.MessageId, false, m.Sender, m.AgreementId ?? "", m.WindowStart!.Value, m.WindowEnd ?? m.WindowStart!.Value)))
            .OrderBy(u => u.WindowStart).ToList();

        var counterparts = (await db.Inbox.AsNoTracking().Select(m => m.Sender).Distinct().ToListAsync(ct))
            .Concat(await db.Deliveries.AsNoTracking().Select(d => d.Recipient).Distinct().ToListAsync(ct))
            .Where(c => c != settings.Centre.Value).Distinct().Order(StringComparer.Ordinal).ToList();
        var brokerLinks = settings.Topology.Kind == TopologyKind.Federated ? links.Snapshot.Links.ToDictionary(l => l.Counterpart.Value) : [];
        var linkRows = new List<CounterpartLink>();
        foreach (var counterpart in counterparts)
        {
            var last = await db.Inbox.AsNoTracking().Where(m => m.Sender == counterpart).OrderByDescending(m => m.ReceivedAt)
                .Select(m => new { m.ReceivedAt, m.Kind }).FirstOrDefaultAsync(ct);
            var silent = open.FirstOrDefault(a => a.Kind == AlarmKind.LinkSilent && a.Centre == counterpart);
            linkRows.Add(new CounterpartLink(counterpart, last?.ReceivedAt, last?.Kind, silent, brokerLinks.GetValueOrDefault(counterpart)));
        }
        return new DutyBoard(settings.Centre.Value, now, awaiting, open, linkRows, upcoming);
    }

    private Duration ReceiptDeadline(string? agreementId) =>
        agreementId is not null && AgreementId.TryParse(agreementId, out var id) && agreements.TryGet(id, out var agreement)
            ? agreement.Deadlines.Receipt
            : UnknownAgreementDeadline;
}
