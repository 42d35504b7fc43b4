using System.Net;
using System.Text;
using LaunchNotify.Domain.Agreements;
using LaunchNotify.Domain.Alarms;
using LaunchNotify.Domain.Timeliness;
using LaunchNotify.Node.Alarms;
using LaunchNotify.Node.Broker;
using LaunchNotify.Node.Hosting;
using LaunchNotify.Node.Queries;
using LaunchNotify.Node.Reports;
using LaunchNotify.Node.Timeliness;
using LaunchNotify.Presentation;
using LaunchNotify.Protocol.Agreements;
using LaunchNotify.Publisher.Security;
using LaunchNotify.Storage;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Text;

// In the Publisher namespace so Program.cs maps it with one line, like the API.
namespace LaunchNotify.Publisher;

/// <summary>
/// The compliance officers' dashboard at <c>/dashboard</c>: recent notifications with their status per recipient,
/// open alarms, and the timeliness report with its charts. Server-rendered HTML with inline SVG (no script, nothing
/// fetched from elsewhere), read-only, for compliance officers signed in at /dashboard/login (docs/security.md).
/// </summary>
public static class DashboardEndpoints
{
    public static void MapDashboard(this IEndpointRouteBuilder app)
    {
        app.MapGet("/dashboard", RenderAsync)
            .RequireAuthorization(ApiPolicies.Dashboard)
            .AddEndpointFilter(async (context, next) =>
            {
                var result = await next(context);
                // After the page is made (its sign-out form's antiforgery token sets caching headers of its own).
                var headers = context.HttpContext.Response.Headers;
                headers.CacheControl = "no-store";
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                return result;
            })
            .WithName("Dashboard").WithSummary("Compliance dashboard (HTML; sign in at /dashboard/login).").ExcludeFromDescription();
        app.MapDashboardLogin();
    }

    /// <summary>Nothing but this page's own inline styles and SVG; no framing, no forms posting elsewhere.</summary>
    public const string ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'";

    private static void AppendLinks(StringBuilder h, LinksSnapshot snapshot, Duration silentAfter)
    {
        h.Append("<h2 id=\"links\">Links to counterparts' brokers</h2>");
        h.Append("<p class=\"muted\">").Append(snapshot.ObservedAt is { } at ? "As the broker reported at " + E(ReportFormats.Text(at)) : "Not observed yet")
            .Append("; LINK_SILENT after ").Append(E(DurationText.Format(silentAfter))).Append(" without a forward.")
            .Append(snapshot.Error is { } error ? " " + E(error) : "").Append("</p>");
        h.Append("<table id=\"links-table\"><tr><th>counterpart</th><th>condition</th><th>shovel</th><th>backlog</th><th>in flight</th><th>forwarded</th><th>last forward</th><th>not forwarding since</th></tr>");
        foreach (var l in snapshot.Links)
            h.Append("<tr data-link=\"").Append(E(l.Counterpart.Value)).Append("\"><td>").Append(E(l.Counterpart.Value)).Append("</td><td class=\"")
                .Append(l.Condition == LinkCondition.Running ? "ok" : "rejected").Append("\">").Append(l.Condition.ToString().ToLowerInvariant()).Append("</td><td>")
                .Append(E(l.ShovelState ?? "")).Append(l.Reason is { Length: > 0 } r ? " (" + E(r) + ")" : "").Append("</td><td class=\"num\">").Append(l.Backlog)
                .Append("</td><td class=\"num\">").Append(l.InFlight).Append("</td><td class=\"num\">").Append(l.Forwarded?.ToString() ?? "")
                .Append("</td><td>").Append(l.LastForwardAt is { } f ? E(ReportFormats.Text(f)) : "").Append("</td><td>")
                .Append(l.NotForwardingSince is { } s ? E(ReportFormats.Text(s)) : "").Append("</td></tr>");
        h.Append("</table>");
    }

    private static async Task<IResult> RenderAsync(HttpRequest request, IAntiforgery antiforgery, NodeSettings settings, StatusQueries status, AlarmBook alarms,
        IDbContextFactory<NodeDbContext> dbFactory, IAgreementSource agreementSource, IClock clock, LinkMonitor links, RenderingLanguage renderings, CancellationToken ct)
    {
        var centre = settings.Centre.Value;
        var known = (agreementSource as AgreementCatalog ?? AgreementCatalog.Default).All
            .Where(a => a.Parties.Any(p => p.Value == centre)).OrderBy(a => a.Id.Value).ToList();
        var query = request.Query;
        var problems = new List<string>();
        // The reader's language and zone (?lang=fr&tz=Europe/Paris), else the centre's (LaunchNotify:Rendering).
        var (reader, readerProblem) = renderings.For(query["lang"].FirstOrDefault(), query["tz"].FirstOrDefault());
        if (readerProblem is not null)
            problems.Add(readerProblem);

        var agreementId = query["agreement"].FirstOrDefault() is { Length: > 0 } a ? a : await BusiestAgreementAsync(dbFactory, known, ct);
        var counterpart = query["centre"].FirstOrDefault() is { Length: > 0 } c && c != "all" ? c.ToUpperInvariant() : null;
        var (defaultFrom, defaultTo) = await LatestYearAsync(dbFactory, clock, ct);
        var from = ParseDate(query["from"].FirstOrDefault(), defaultFrom, "from", problems);
        var to = ParseDate(query["to"].FirstOrDefault(), defaultTo, "to", problems);
        if (to < from)
        {
            problems.Add($"The period ends ({to:uuuu-MM-dd}) before it starts ({from:uuuu-MM-dd}); showing {from:uuuu-MM-dd} only.");
            to = from;
        }

        TimelinessReport? report = null;
        if (agreementId is not null)
        {
            try
            {
                report = await new TimelinessQueries(dbFactory, agreementSource, clock).ReportAsync(agreementId, counterpart, new ReportPeriod(from, to), ct);
            }
            catch (ReportException e)
            {
                problems.Add(e.Message);
            }
        }
        else
            problems.Add($"Centre {centre} is a party to no agreement this node knows; there is nothing to report.");

        var sent = await status.RecentAsync(25, ct);
        var received = await status.InboxAsync(25, includeHeartbeats: false, ct);
        var open = await alarms.ListAsync(new AlarmFilter(OpenOnly: true, Limit: 100), ct);

        var h = new StringBuilder();
        h.Append("<nav><a href=\"#sent\">Sent</a><a href=\"#received\">Received</a><a href=\"#alarms\">Open alarms (").Append(open.Count)
            .Append(")</a><a href=\"#report\">Timeliness report</a></nav>");
        h.Append("<p class=\"muted\">Read-only view of centre ").Append(E(centre)).Append("'s store at ").Append(E(ReportFormats.Text(clock.GetCurrentInstant())))
            .Append(" (UTC). Operators act through the API and the CLI.</p>");
        h.Append("<form method=\"post\" action=\"").Append(DashboardLogin.LogoutPath).Append("\">").Append(DashboardLogin.AntiforgeryField(request.HttpContext, antiforgery))
            .Append("<span class=\"muted\">Signed in as ").Append(E(request.HttpContext.User.Identity?.Name ?? "")).Append(" </span><button type=\"submit\">Sign out</button></form>");

        h.Append("<h2 id=\"sent\">Notifications sent (latest ").Append(sent.Count).Append(")</h2>");
        h.Append("<table id=\"sent-notifications\"><tr><th>issued</th><th>kind</th><th>agreement</th><th>message</th><th>window start</th><th>status per recipient</th></tr>");
        foreach (var m in sent)
        {
            h.Append("<tr data-message-id=\"").Append(m.MessageId).Append("\"><td>").Append(ReportFormats.Text(m.IssuedAt)).Append("</td><td>").Append(E(m.Kind))
                .Append("</td><td>").Append(E(m.AgreementId)).Append("</td><td><code>").Append(m.MessageId.ToString()[..8]).Append("</code></td><td>")
                .Append(m.WindowStart is { } ws ? ReportFormats.Text(ws) : "").Append("</td><td>");
            foreach (var d in m.Recipients)
                h.Append("<span class=\"delivery ").Append(E(d.Status)).Append("\" data-recipient=\"").Append(E(d.Centre)).Append("\">")
                    .Append(E(d.Centre)).Append(" #").Append(d.Sequence).Append(' ').Append(E(d.Status)).Append("</span> ");
            h.Append("</td></tr>");
        }
        h.Append("</table>");

        h.Append("<h2 id=\"received\">Notifications received (latest ").Append(received.Count).Append(")</h2>");
        h.Append("<table id=\"received-notifications\"><tr><th>received</th><th>from</th><th>kind</th><th>agreement</th><th>seq</th><th>verdict</th><th>findings / reasons</th></tr>");
        foreach (var m in received)
            h.Append("<tr><td>").Append(ReportFormats.Text(m.ReceivedAt)).Append("</td><td>").Append(E(m.Sender)).Append("</td><td>").Append(E(m.Kind))
                .Append("</td><td>").Append(E(m.AgreementId ?? "")).Append("</td><td class=\"num\">").Append(m.Sequence).Append("</td><td class=\"")
                .Append(m.Outcome == "accepted" ? "ok" : "rejected").Append("\">").Append(E(m.Outcome)).Append("</td><td>")
                .Append(E(string.Join("; ", m.Details.Select(d => d.Code)))).Append("</td></tr>");
        h.Append("</table>");

        if (settings.Topology.Kind == TopologyKind.Federated)
            AppendLinks(h, links.Snapshot, settings.Topology.LinkSilentAfter);

        h.Append("<h2 id=\"alarms\">Open alarms (").Append(open.Count).Append(")</h2>");
        if (open.Count == 0)
            h.Append("<p>No open alarms.</p>");
        else
        {
            h.Append("<table id=\"open-alarms\"><tr><th>raised</th><th>kind</th><th>severity</th><th>state</th><th>centre</th><th>agreement</th><th>summary</th></tr>");
            foreach (var alarm in open)
                h.Append("<tr data-alarm-kind=\"").Append(alarm.Kind.Code()).Append("\"><td>").Append(ReportFormats.Text(alarm.RaisedAt)).Append("</td><td>")
                    .Append(alarm.Kind.Code()).Append("</td><td>").Append(alarm.Severity).Append("</td><td class=\"").Append(alarm.State.ToString().ToLowerInvariant())
                    .Append("\">").Append(alarm.State.ToString().ToLowerInvariant()).Append("</td><td>").Append(E(alarm.Centre ?? "")).Append("</td><td>")
                    .Append(E(alarm.AgreementId ?? "")).Append("</td><td>").Append(E(alarm.Summary)).Append("</td></tr>");
            h.Append("</table>");
        }

        h.Append("<h2 id=\"report\">Timeliness report</h2>");
        h.Append("<form class=\"pickers\" method=\"get\" action=\"/dashboard#report\"><label>agreement<select name=\"agreement\">");
        foreach (var agreement in known)
            h.Append("<option value=\"").Append(E(agreement.Id.Value)).Append('"').Append(agreement.Id.Value == agreementId ? " selected" : "").Append('>')
                .Append(E(agreement.Id.Value)).Append("</option>");
        h.Append("</select></label><label>counterpart<select name=\"centre\"><option value=\"all\">all parties</option>");
        var parties = known.FirstOrDefault(k => k.Id.Value == agreementId)?.Parties.Select(p => p.Value).Where(p => p != centre).Order().ToList() ?? [];
        foreach (var party in parties)
            h.Append("<option value=\"").Append(E(party)).Append('"').Append(party == counterpart ? " selected" : "").Append('>').Append(E(party)).Append("</option>");
        h.Append("</select></label><label>from<input type=\"date\" name=\"from\" value=\"").Append(ReportFormats.Date(from)).Append("\"></label>")
            .Append("<label>to<input type=\"date\" name=\"to\" value=\"").Append(ReportFormats.Date(to)).Append("\"></label><button type=\"submit\">Show</button></form>");
        foreach (var problem in problems)
            h.Append("<p class=\"late\">").Append(E(problem)).Append("</p>");
        if (report is not null)
            h.Append(ReportHtml.Section(report, reader ?? renderings.Default));

        return Page(StatusCodes.Status200OK, $"Centre {centre}: compliance dashboard", h.ToString());
    }

    /// <summary>The agreement with the most traffic in this store, so the first view shows something.</summary>
    private static async Task<string?> BusiestAgreementAsync(IDbContextFactory<NodeDbContext> dbFactory, IReadOnlyList<Agreement> known, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var counts = await db.Inbox.AsNoTracking().Where(m => m.AgreementId != null).GroupBy(m => m.AgreementId!)
            .Select(g => new { Id = g.Key, Count = g.Count() }).ToListAsync(ct);
        var ids = known.Select(k => k.Id.Value).ToHashSet();
        return counts.Where(c => ids.Contains(c.Id)).OrderByDescending(c => c.Count).ThenBy(c => c.Id).FirstOrDefault()?.Id ?? known.FirstOrDefault()?.Id.Value;
    }

    /// <summary>Twelve months up to the store's latest activity (not today: an archived store still opens on its data).</summary>
    private static async Task<(LocalDate From, LocalDate To)> LatestYearAsync(IDbContextFactory<NodeDbContext> dbFactory, IClock clock, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var sent = await db.OutboundMessages.AsNoTracking().OrderByDescending(m => m.IssuedAt).Select(m => (Instant?)m.IssuedAt).FirstOrDefaultAsync(ct);
        var received = await db.Inbox.AsNoTracking().OrderByDescending(m => m.ReceivedAt).Select(m => (Instant?)m.ReceivedAt).FirstOrDefaultAsync(ct);
        var latest = new[] { sent, received }.Max() ?? clock.GetCurrentInstant();
        var to = latest.InUtc().Date;
        return (to.PlusDays(-364), to);
    }

    private static LocalDate ParseDate(string? text, LocalDate fallback, string name, List<string> problems)
    {
        if (string.IsNullOrEmpty(text))
            return fallback;
        if (LocalDatePattern.Iso.Parse(text) is { Success: true } parsed)
            return parsed.Value;
        problems.Add($"'{text}' is not a date for '{name}'; use YYYY-MM-DD. Showing {fallback:uuuu-MM-dd} instead.");
        return fallback;
    }

    internal static IResult Page(int statusCode, string title, string body) => Results.Content($"""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{E(title)}</title><style>{ReportHtml.Styles}</style></head>
        <body><main><h1>{E(title)}</h1>
        {body}
        </main></body></html>
        """, "text/html; charset=utf-8", Encoding.UTF8, statusCode);

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
