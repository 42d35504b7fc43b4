using LaunchNotify.Node.Broker;
using LaunchNotify.Node.Maps;
using LaunchNotify.Node.Queries;
using LaunchNotify.Node.Reports;
using LaunchNotify.Node.Timeliness;
using LaunchNotify.Presentation;
using LaunchNotify.Storage.Entities;
using LaunchNotify.Web.Shared;
using NodaTime;

namespace LaunchNotify.Web.Dashboard;

/// <summary>A hidden form field proving a post comes from this site's own page (the antiforgery token the publisher issued).</summary>
public sealed record FormToken(string FieldName, string Value);

/// <summary>Who is signed in and how they sign out: shown on every dashboard page.</summary>
public sealed record SignedIn(string Name, FormToken SignOut);

/// <summary>The links to counterparts' brokers on a federated topology, with the silence that raises LINK_SILENT.</summary>
public sealed record LinkPanel(LinksSnapshot Snapshot, Duration SilentAfter);

/// <summary>
/// What the compliance dashboard shows, gathered by the publisher from the store; the page only lays it out, in
/// <see cref="Rendering"/> (the reader's language and zone), with the language switch's <see cref="Languages"/> and the
/// <see cref="Query"/> (<c>?lang=..&amp;tz=..</c>) its own links carry.
/// </summary>
public sealed record DashboardModel(
    string Centre,
    Instant Now,
    SignedIn User,
    IReadOnlyList<MessageStatusView> Sent,
    IReadOnlyList<InboxView> Received,
    IReadOnlyList<Alarm> OpenAlarms,
    MapData Map,
    LinkPanel? Links,
    ReportPicker Picker,
    IReadOnlyList<string> Problems,
    TimelinessReport? Report,
    Rendering Rendering,
    IReadOnlyList<LanguageLink> Languages,
    string Query);

/// <summary>The report form's choices and current values.</summary>
public sealed record ReportPicker(IReadOnlyList<string> Agreements, string? AgreementId, IReadOnlyList<string> Parties, string? Counterpart, LocalDate From, LocalDate To);
