using System.Text.Json;
using LaunchNotify.Domain.Agreements;
using LaunchNotify.Domain.Messages;
using LaunchNotify.Storage;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Text;

namespace LaunchNotify.Node.Reports;

/// <summary>Reads a <see cref="TimelinessDataset"/> from a node's store and computes the report with the injected clock as "now".</summary>
public sealed class TimelinessQueries(IDbContextFactory<NodeDbContext> dbFactory, IAgreementSource agreements, IClock clock)
{
    /// <exception cref="ReportException">The agreement is unknown, or the store is not a node's store.</exception>
    public async Task<TimelinessReport> ReportAsync(string agreementId, string? counterpart, ReportPeriod period, CancellationToken ct)
    {
        if (!Domain.Values.AgreementId.TryParse(agreementId, out var id) || !agreements.TryGet(id, out var agreement))
            throw new ReportException(ReportException.AgreementUnknown, $"Agreement '{agreementId}' is not known here; 'launchnotify agreements' lists the known ones.",
                agreementId);
        var data = await LoadAsync(agreement.Id.Value, ct);
        if (counterpart is not null && !agreement.IsParty(new Domain.Values.CentreCode(counterpart)))
            throw new ReportException(ReportException.CentreNotParty, $"Centre {counterpart} is not a party to {agreement.Id} (parties: {string.Join(", ", agreement.Parties)}).",
                counterpart, agreement.Id.Value, string.Join(", ", agreement.Parties));
        return TimelinessCalculator.Compute(data, new ReportRequest(agreement, period, counterpart, clock.GetCurrentInstant()));
    }

    /// <summary>All rows under the agreement (sequence gaps and late post-launch reports need history beyond the period); never the evidence blobs.</summary>
    public async Task<TimelinessDataset> LoadAsync(string agreementId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var sent = await db.OutboundMessages.AsNoTracking()
            .Where(m => m.AgreementId == agreementId)
            .Select(m => new
            {
                m.MessageId, m.Kind, m.Sender, m.IssuedAt, m.WindowStart, m.WindowEnd, m.RelatesTo,
                Deliveries = m.Deliveries.Select(d => new SentDelivery(d.Recipient, d.Sequence, d.Status, d.PublishedAt, d.ReceiptAt, d.RecipientReceivedAt, d.AcknowledgedAt)).ToList(),
            })
            .ToListAsync(ct);
        var received = await db.Inbox.AsNoTracking()
            .Where(m => m.AgreementId == agreementId && m.Kind != "receipt" && m.Kind != "heartbeat" && m.Kind != "acknowledgement")
            .Select(m => new { m.MessageId, m.Kind, m.Sender, m.Sequence, m.ReceivedAt, m.Outcome, m.WindowStart, m.WindowEnd, m.RelatesTo, m.AcknowledgedAt,
                AmendmentPayload = m.Kind == "amendment" ? m.PayloadJson : null })
            .ToListAsync(ct);
        var alarms = await db.Alarms.AsNoTracking()
            .Where(a => a.AgreementId == agreementId)
            .Select(a => new AlarmRecord(a.Id, a.Kind, a.State, a.Centre, a.RaisedAt, a.AcknowledgedAt, a.ResolvedAt, a.Summary))
            .ToListAsync(ct);

        // Every sequence counter in a store is one this node allocated as a sender (notifications, receipts): its own centre.
        var centre = await db.SequenceCounters.AsNoTracking().Select(c => c.Sender).FirstOrDefaultAsync(ct) ?? "??";

        return new TimelinessDataset(
            centre,
            sent.Select(m => new SentMessage(m.MessageId, m.Kind, m.IssuedAt, m.WindowStart, m.WindowEnd, m.RelatesTo, m.Deliveries)).ToList(),
            received.Select(m =>
            {
                var (start, end) = m.AmendmentPayload is { } json ? AmendedWindow(json) : (m.WindowStart, m.WindowEnd);
                return new ReceivedMessage(m.MessageId, m.Kind, m.Sender, m.Sequence, m.ReceivedAt, m.Outcome, start, end, m.RelatesTo, m.AcknowledgedAt);
            }).ToList(),
            alarms);
    }

    /// <summary>The inbox stores a window only for pre-notifications; an amendment's new window is in its payload.</summary>
    internal static (Instant?, Instant?) AmendedWindow(string payloadJson)
    {
        using var doc = JsonDocument.Parse(payloadJson);
        if (doc.RootElement.TryGetProperty("changes", out var changes) && changes.TryGetProperty("launchWindow", out var window)
            && window.TryGetProperty("start", out var s) && window.TryGetProperty("end", out var e)
            && InstantPattern.ExtendedIso.Parse(s.GetString() ?? "") is { Success: true } start
            && InstantPattern.ExtendedIso.Parse(e.GetString() ?? "") is { Success: true } end)
            return (start.Value, end.Value);
        return (null, null);
    }
}

/// <summary>A report could not be made; the message says what to do.</summary>
/// <summary>
/// A report the query cannot make. <see cref="Code"/> and <see cref="Args"/> (language-free: ids, codes) let a reader's
/// language say it (<c>problem.report.{Code}</c> in the glossary, the arguments as {0}, {1}…); the message is English.
/// </summary>
public sealed class ReportException(string code, string message, params string[] args) : Exception(message)
{
    public const string AgreementUnknown = "AGREEMENT_UNKNOWN";
    public const string CentreNotParty = "CENTRE_NOT_PARTY";

    public string Code { get; } = code;

    public IReadOnlyList<string> Args { get; } = args;
}
