using System.Globalization;
using LaunchNotify.Domain.Agreements;
using LaunchNotify.Domain.Values;
using Microsoft.Extensions.Configuration;
using NodaTime;

namespace LaunchNotify.Node.Timeliness;

/// <summary>
/// Section <c>LaunchNotify:Timeliness</c>. The agreement's deadlines apply unless one is set here: the overrides exist
/// for drills, the demo and tests, where minutes and hours would be too long to watch. See docs/timeliness.md.
/// </summary>
public sealed record TimelinessSettings
{
    /// <summary>How often heartbeats are sent and expected (agreement: <c>heartbeatIntervalSeconds</c>).</summary>
    public Duration? HeartbeatInterval { get; init; }

    /// <summary>Heartbeat intervals without one before a link is silent (agreement: <c>silentAfterMissedHeartbeats</c>).</summary>
    public int? SilentAfterMissed { get; init; }

    /// <summary>How long a sequence gap may stay open (agreement: <c>missingGraceMinutes</c>).</summary>
    public Duration? MissingGrace { get; init; }

    /// <summary>How long a recipient has to confirm (agreement: <c>receiptMinutes</c>).</summary>
    public Duration? ReceiptDeadline { get; init; }

    /// <summary>How long a person has to acknowledge a received notification (agreement: <c>acknowledgementMinutes</c>).</summary>
    public Duration? AcknowledgementDeadline { get; init; }

    /// <summary>How much longer until NOT_ACKNOWLEDGED turns critical (agreement: <c>acknowledgementEscalationMinutes</c>).</summary>
    public Duration? AcknowledgementEscalation { get; init; }

    /// <summary>How often the deadline watcher looks at the store when nothing in this process woke it.</summary>
    public TimeSpan WatchInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The centres this one keeps links with: it sends them heartbeats and expects theirs.</summary>
    public IReadOnlyList<CentreCode> Counterparts { get; init; } = [];

    /// <summary>Only these agreements' links (null: every agreement both centres are parties to).</summary>
    public IReadOnlyList<AgreementId>? Agreements { get; init; }

    public TimelinessTerms TermsFor(Agreement agreement)
    {
        var d = agreement.Deadlines;
        return new TimelinessTerms(
            ReceiptDeadline ?? d.Receipt,
            d.PostLaunchReport,
            HeartbeatInterval ?? d.HeartbeatInterval,
            MissingGrace ?? d.MissingGrace,
            SilentAfterMissed ?? d.SilentAfterMissedHeartbeats);
    }

    /// <summary>
    /// The acknowledgement deadline (null: the agreement sets none and no override is configured, so nothing is owed)
    /// and the further period until its alarm escalates (null: it does not escalate).
    /// </summary>
    public (Duration? Due, Duration? Escalation) AcknowledgementTermsFor(Agreement agreement) =>
        (AcknowledgementDeadline ?? agreement.Deadlines.Acknowledgement, AcknowledgementEscalation ?? agreement.Deadlines.AcknowledgementEscalation);

    /// <summary>The escalation period for a stored agreement id; for one this node no longer knows, the configured override only.</summary>
    public Duration? AcknowledgementEscalationFor(string? agreementId, IAgreementSource agreements) =>
        AgreementId.TryParse(agreementId, out var id) && agreements.TryGet(id, out var agreement)
            ? AcknowledgementTermsFor(agreement).Escalation
            : AcknowledgementEscalation;

    /// <summary>The links (counterpart, agreement) this centre keeps heartbeats on.</summary>
    public IEnumerable<(CentreCode Counterpart, Agreement Agreement)> LinksOf(CentreCode centre, IAgreementSource agreements) =>
        from counterpart in Counterparts.Distinct()
        where counterpart != centre
        from agreement in agreements.All
        where agreement.IsParty(centre) && agreement.IsParty(counterpart)
              && (Agreements is null || Agreements.Contains(agreement.Id))
        select (counterpart, agreement);

    public static TimelinessSettings From(IConfigurationSection section)
    {
        Duration? Span(string key) => section[key] is { Length: > 0 } text
            ? Duration.FromTimeSpan(TimeSpan.Parse(text, CultureInfo.InvariantCulture))
            : null;
        IReadOnlyList<string> List(string key) =>
            (section[key] ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

        return new TimelinessSettings
        {
            HeartbeatInterval = Span("HeartbeatInterval"),
            SilentAfterMissed = section["SilentAfterMissed"] is { Length: > 0 } n ? int.Parse(n, CultureInfo.InvariantCulture) : null,
            MissingGrace = Span("MissingGrace"),
            ReceiptDeadline = Span("ReceiptDeadline"),
            AcknowledgementDeadline = Span("AcknowledgementDeadline"),
            AcknowledgementEscalation = Span("AcknowledgementEscalation"),
            WatchInterval = Span("WatchInterval")?.ToTimeSpan() ?? TimeSpan.FromMilliseconds(250),
            Counterparts = [.. List("Counterparts").Select(c => new CentreCode(c))],
            Agreements = section["Agreements"] is { Length: > 0 } ? [.. List("Agreements").Select(a => new AgreementId(a))] : null,
        };
    }
}

/// <summary>The deadlines that apply on one agreement's links, after this node's overrides.</summary>
public sealed record TimelinessTerms(Duration Receipt, Duration PostLaunchReport, Duration HeartbeatInterval, Duration MissingGrace, int SilentAfterMissed)
{
    /// <summary>How long a link may stay without a heartbeat before it is silent.</summary>
    public Duration SilentAfter => HeartbeatInterval * SilentAfterMissed;
}
