using LaunchNotify.Domain.Agreements;
using LaunchNotify.Domain.Alarms;
using LaunchNotify.Domain.Timeliness;
using LaunchNotify.Node.Alarms;
using LaunchNotify.Node.Broker;
using LaunchNotify.Node.Hosting;
using LaunchNotify.Node.Security;
using LaunchNotify.Node.Maps;
using LaunchNotify.Node.Queries;
using LaunchNotify.Node.Reports;
using LaunchNotify.Node.Timeliness;
using LaunchNotify.Presentation;
using LaunchNotify.Protocol.Agreements;
using LaunchNotify.Publisher.Security;
using LaunchNotify.Storage;
using LaunchNotify.Web.Dashboard;
using Microsoft.AspNetCore.Components;
using LaunchNotify.Web.Shared;
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
        app.MapGet("/dashboard", RenderAsync).AsDashboardPage()
            .WithName("Dashboard").WithSummary("Compliance dashboard (HTML; sign in at /dashboard/login).").ExcludeFromDescription();
        app.MapGet("/dashboard/notifications/{id:guid}", NotificationAsync).AsDashboardPage()
            .WithName("DashboardNotification").WithSummary("One notification with its areas on a map (HTML).").ExcludeFromDescription();
        app.MapDashboardLogin();
    }

    /// <summary>For compliance officers, never cached, under the pages' content security policy.</summary>
    private static RouteHandlerBuilder AsDashboardPage(this RouteHandlerBuilder page) => page.AsPage(ApiPolicies.Dashboard, ContentSecurityPolicy);

    /// <summary>A page for browsers: behind <paramref name="policy"/>, never cached, under <paramref name="contentSecurityPolicy"/>.</summary>
    internal static RouteHandlerBuilder AsPage(this RouteHandlerBuilder page, string policy, string contentSecurityPolicy) => page
        .RequireAuthorization(policy)
        .AddEndpointFilter(async (context, next) =>
        {
            var result = await next(context);
            // After the page is made (its forms' antiforgery token sets caching headers of its own).
            var headers = context.HttpContext.Response.Headers;
            headers.CacheControl = "no-store";
            headers.ContentSecurityPolicy = WithSignOutTarget(contentSecurityPolicy, context.HttpContext);
            return result;
        });

    /// <summary>
    /// With an external provider's sign-in, the sign-out form's answer redirects to the provider's end-session endpoint:
    /// its origin (the authority's) is then a form target too, or the browser would stop the redirect (form-action).
    /// </summary>
    private static string WithSignOutTarget(string contentSecurityPolicy, HttpContext http) =>
        http.RequestServices.GetRequiredService<AuthSettings>() is { DashboardClient: not null, Authority: { } authority }
            ? contentSecurityPolicy.Replace("form-action 'self'", $"form-action 'self' {authority.GetLeftPart(UriPartial.Authority)}", StringComparison.Ordinal)
            : contentSecurityPolicy;

    private static async Task<IResult> NotificationAsync(Guid id, HttpContext http, IAntiforgery antiforgery, StatusQueries status, MapQueries maps, CancellationToken ct)
    {
        var reader = ReaderOf(http);
        var sent = await status.GetAsync(id, ct);
        var received = sent is null ? await status.ReceivedAsync(id, ct) : null;
        if (sent is null && received is null)
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such notification",
                detail: $"No message {id} was sent or received by this centre; open /dashboard and follow a link from its tables.");
        var map = await maps.NotificationAsync(id, ct);
        return Page<NotificationPage>(new { User = SignedInAs(http, antiforgery), Sent = sent, Received = received, Map = map, R = reader.R, reader.Languages, reader.Query });
    }

    /// <summary>A reader's rendering and what the page needs of it (<see cref="ReaderOf"/>).</summary>
    internal sealed record Reader(Rendering R, IReadOnlyList<string> Problems, IReadOnlyList<LanguageLink> Languages, string Query);

    /// <summary>Nothing but this page's own inline styles and SVG; no framing, no forms posting elsewhere.</summary>
    public const string ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'";

    private static async Task<IResult> RenderAsync(HttpRequest request, IAntiforgery antiforgery, NodeSettings settings, StatusQueries status, AlarmBook alarms, MapQueries maps,
        IDbContextFactory<NodeDbContext> dbFactory, IAgreementSource agreementSource, IClock clock, LinkMonitor links, CancellationToken ct)
    {
        var centre = settings.Centre.Value;
        var known = (agreementSource as AgreementCatalog ?? AgreementCatalog.Default).All
            .Where(a => a.Parties.Any(p => p.Value == centre)).OrderBy(a => a.Id.Value).ToList();
        var query = request.Query;
        // The reader's language and zone (?lang=fr&tz=Europe/Paris), else the centre's (LaunchNotify:Rendering).
        var reader = ReaderOf(request.HttpContext);
        var problems = new List<string>(reader.Problems);

        var agreementId = query["agreement"].FirstOrDefault() is { Length: > 0 } a ? a : await BusiestAgreementAsync(dbFactory, known, ct);
        var counterpart = query["centre"].FirstOrDefault() is { Length: > 0 } c && c != "all" ? c.ToUpperInvariant() : null;
        var (defaultFrom, defaultTo) = await LatestYearAsync(dbFactory, clock, ct);
        var from = ParseDate(query["from"].FirstOrDefault(), defaultFrom, "from", problems, reader.R);
        var to = ParseDate(query["to"].FirstOrDefault(), defaultTo, "to", problems, reader.R);
        if (to < from)
        {
            problems.Add(reader.R.Text("problem.period.endsBeforeStart", reader.R.Date(to), reader.R.Date(from)));
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
                problems.Add(reader.R.Text($"problem.report.{e.Code}", [.. e.Args]));
            }
        }
        else
            problems.Add(reader.R.Text("problem.report.NO_AGREEMENT", centre));

        var sent = await status.RecentAsync(25, ct);
        var received = await status.InboxAsync(25, includeHeartbeats: false, ct);
        var open = await alarms.ListAsync(new AlarmFilter(OpenOnly: true, Limit: 100), ct);
        var parties = known.FirstOrDefault(k => k.Id.Value == agreementId)?.Parties.Select(p => p.Value).Where(p => p != centre).Order().ToList() ?? [];
        var map = await maps.RecentAsync(25, ct);
        var model = new DashboardModel(centre, clock.GetCurrentInstant(), SignedInAs(request.HttpContext, antiforgery), sent, received, open, map,
            settings.Topology.Kind == TopologyKind.Federated ? new LinkPanel(links.Snapshot, settings.Topology.LinkSilentAfter) : null,
            new ReportPicker(known.Select(k => k.Id.Value).ToList(), agreementId, parties, counterpart, from, to), problems, report, reader.R, reader.Languages, reader.Query);
        return Page<DashboardPage>(new { Model = model });
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

    private static LocalDate ParseDate(string? text, LocalDate fallback, string name, List<string> problems, Rendering r)
    {
        if (string.IsNullOrEmpty(text))
            return fallback;
        if (LocalDatePattern.Iso.Parse(text) is { Success: true } parsed)
            return parsed.Value;
        problems.Add(r.Text("problem.date", text, name, r.Date(fallback)));
        return fallback;
    }

    /// <summary>A dashboard page: a Razor component rendered on the server by the framework's HtmlRenderer, with its encoding.</summary>
    /// <remarks>
    /// Not a <c>RazorComponentResult</c>: that treats every POST as a Blazor form post and fails one without the form's
    /// token, where these pages answer such posts themselves (a refused sign-in, a role without access).
    /// </remarks>
    internal static IResult Page<TPage>(object parameters, int statusCode = StatusCodes.Status200OK) where TPage : IComponent =>
        new ComponentPage<TPage>(parameters, statusCode);

    private sealed class ComponentPage<TPage>(object parameters, int statusCode) : IResult where TPage : IComponent
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            var html = await ComponentHtml.RenderAsync<TPage>(new RouteValueDictionary(parameters), http.RequestServices);
            http.Response.StatusCode = statusCode;
            http.Response.ContentType = "text/html; charset=utf-8";
            await http.Response.WriteAsync(html, http.RequestAborted);
        }
    }

    /// <summary>
    /// The reader's rendering for a page: <c>?lang=</c> and <c>?tz=</c> if given (else the centre's configured language and
    /// zone), what of them could not be used (said on the page, which keeps the centre's), the language switch's links
    /// (this page's address in every glossary language) and the query the page's own links and forms carry.
    /// </summary>
    internal static Reader ReaderOf(HttpContext http)
    {
        var renderings = http.RequestServices.GetRequiredService<RenderingLanguage>();
        var query = http.Request.Query;
        string? lang = query["lang"].FirstOrDefault(), tz = query["tz"].FirstOrDefault();
        var (chosen, problem) = renderings.For(lang, tz);
        var r = chosen ?? renderings.Default;
        var carried = chosen is null ? QueryString.Empty
            : (string.IsNullOrWhiteSpace(lang) ? QueryString.Empty : QueryString.Create("lang", r.Language.Code()))
              + (string.IsNullOrWhiteSpace(tz) ? QueryString.Empty : QueryString.Create("tz", r.ZoneName));
        var others = query.Where(q => q.Key != "lang").SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string?>(q.Key, v))).ToList();
        var links = Languages.All.Select(l => new LanguageLink(l.Code(), renderings.Glossary.Text("language.name", l),
            http.Request.Path + QueryString.Create(others.Append(new("lang", l.Code()))), l == r.Language)).ToList();
        return new Reader(r, problem is null ? [] : [problem], links, carried.ToUriComponent());
    }

    /// <summary>Who is signed in, and the token their sign-out form carries.</summary>
    internal static SignedIn SignedInAs(HttpContext http, IAntiforgery antiforgery) =>
        new(http.User.Identity?.Name ?? "", DashboardLogin.FormToken(http, antiforgery));
}
