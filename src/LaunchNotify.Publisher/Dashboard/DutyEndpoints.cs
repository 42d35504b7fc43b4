using System.Runtime.CompilerServices;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Acknowledgements;
using LaunchNotify.Node.Alarms;
using LaunchNotify.Node.Duty;
using LaunchNotify.Publisher.Security;
using LaunchNotify.Storage.Entities;
using LaunchNotify.Web.Dashboard;
using LaunchNotify.Web.Duty;
using LaunchNotify.Web.Shared;
using Microsoft.AspNetCore.Antiforgery;

// In the Publisher namespace so Program.cs maps it with one line, like the API.
namespace LaunchNotify.Publisher;

/// <summary>
/// The duty officer's page at <c>/dashboard/duty</c>: notices waiting for acknowledgement with their deadlines counting
/// down, open alarms by severity (acknowledge and resolve for the roles allowed to), link state per counterpart,
/// windows opening in the next 24 h. The panels update without a reload from <c>/dashboard/duty/events</c>
/// (server-sent events carrying the panels re-rendered by the same component); the page's one script is
/// <c>/dashboard/duty/live.js</c>, served from the Web assembly (docs/security.md has who may do what).
/// </summary>
public static class DutyEndpoints
{
    public const string Path = "/dashboard/duty";

    /// <summary>The dashboard's policy plus this page's own script and its event stream, both from this origin only.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>How often the event stream reads the board (alarms are raised by other processes of the node too: nothing in-process to wait on).</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    /// <summary>The panels are sent again at least this often even unchanged, so the server-written countdowns stay fresh for a reader without script timers.</summary>
    public static readonly TimeSpan RefreshEvery = TimeSpan.FromSeconds(30);

    private const int MaxCommentLength = 1000;

    public static void MapDutyPage(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, async (HttpContext http, IAntiforgery antiforgery, DutyQueries duty, CancellationToken ct) =>
            {
                var board = await duty.BoardAsync(ct);
                var reader = DashboardEndpoints.ReaderOf(http);
                return DashboardEndpoints.Page<DutyPage>(new
                {
                    Board = board, User = DashboardEndpoints.SignedInAs(http, antiforgery), Actions = ActionsToken(http, antiforgery),
                    NoticeActions = NoticeActionsToken(http, antiforgery), reader.R, reader.Languages, reader.Problems, reader.Query,
                });
            })
            .AsDutyPage(ApiPolicies.DutyDesk).WithName("DutyPage").ExcludeFromDescription();

        app.MapGet(Path + "/events", (HttpContext http, IAntiforgery antiforgery, DutyQueries duty, CancellationToken ct) =>
            {
                // The forms' token is made before the stream starts: it may set a cookie, which a started response cannot.
                var actions = ActionsToken(http, antiforgery);
                var noticeActions = NoticeActionsToken(http, antiforgery);
                // In the page's language and zone: its script passes the page's ?lang=&tz= on.
                var reader = DashboardEndpoints.ReaderOf(http);
                return TypedResults.ServerSentEvents(BoardsAsync(duty, http.RequestServices, actions, noticeActions, reader, ct), "board");
            })
            .AsDutyPage(ApiPolicies.DutyDesk).WithName("DutyPageEvents").ExcludeFromDescription();

        app.MapGet(Path + "/live.js", () =>
            {
                var script = typeof(DutyPage).Assembly.GetManifestResourceStream("LaunchNotify.Web.Duty.live.js")
                             ?? throw new InvalidOperationException("live.js is not embedded in LaunchNotify.Web.");
                return Results.Stream(script, "text/javascript; charset=utf-8");
            })
            .AsDutyPage(ApiPolicies.DutyDesk).WithName("DutyPageScript").ExcludeFromDescription();

        app.MapPost(Path + "/alarms/{id:guid}/acknowledge", (Guid id, HttpContext http, IAntiforgery antiforgery, AlarmBook book, CancellationToken ct) =>
                ActAsync(http, antiforgery, comment => book.AcknowledgeAsync(id, http.User.ToActor(), comment, ct), id))
            .AsDutyPage(ApiPolicies.DutyActions).WithName("DutyAcknowledgeAlarm").ExcludeFromDescription();

        app.MapPost(Path + "/alarms/{id:guid}/resolve", (Guid id, HttpContext http, IAntiforgery antiforgery, AlarmBook book, CancellationToken ct) =>
                ActAsync(http, antiforgery, comment => book.ResolveAsync(id, http.User.ToActor(), comment, ct), id))
            .AsDutyPage(ApiPolicies.DutyActions).WithName("DutyResolveAlarm").ExcludeFromDescription();

        // A person has read a received notice: the same act as POST /v1/inbox/{sender}/{id}/acknowledge (recorded under the
        // signed-in account, a signed acknowledgement queued back to the sender), from the waiting panel's button.
        app.MapPost(Path + "/notices/{sender}/{id:guid}/acknowledge", (string sender, Guid id, HttpContext http, IAntiforgery antiforgery,
                AcknowledgementService service, CancellationToken ct) => AcknowledgeNoticeAsync(http, antiforgery, service, sender, id, ct))
            .AsDutyPage(ApiPolicies.DutyAcknowledgeNotices).WithName("DutyAcknowledgeNotice").ExcludeFromDescription();
    }

    private static RouteHandlerBuilder AsDutyPage(this RouteHandlerBuilder page, string policy) => page.AsPage(policy, ContentSecurityPolicy);

    /// <summary>The acknowledge and resolve forms' token, for the roles that may act on alarms; null (no forms) for the others.</summary>
    private static FormToken? ActionsToken(HttpContext http, IAntiforgery antiforgery) =>
        ApiPolicies.Roles[ApiPolicies.DutyActions].Any(http.User.IsInRole) ? DashboardLogin.FormToken(http, antiforgery) : null;

    /// <summary>The waiting panel's acknowledge buttons' token, for the roles that may acknowledge notices; null (no buttons) for the others.</summary>
    private static FormToken? NoticeActionsToken(HttpContext http, IAntiforgery antiforgery) =>
        ApiPolicies.Roles[ApiPolicies.DutyAcknowledgeNotices].Any(http.User.IsInRole) ? DashboardLogin.FormToken(http, antiforgery) : null;

    /// <summary>The panels now, then again whenever what they show changes (or every <see cref="RefreshEvery"/>).</summary>
    private static async IAsyncEnumerable<string> BoardsAsync(DutyQueries duty, IServiceProvider services, FormToken? actions, FormToken? noticeActions,
        DashboardEndpoints.Reader reader, [EnumeratorCancellation] CancellationToken ct)
    {
        string? sent = null;
        NodaTime.Instant? sentAt = null;
        while (!ct.IsCancellationRequested)
        {
            DutyBoard board;
            try
            {
                board = await duty.BoardAsync(ct);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
            var signature = Signature(board);
            // The board's own instant (the node's clock) times the refresh.
            if (signature != sent || sentAt is not { } at || (board.Now - at).ToTimeSpan() >= RefreshEvery)
            {
                sent = signature;
                sentAt = board.Now;
                yield return await ComponentHtml.RenderAsync<DutyPanels>(
                    new Dictionary<string, object?> { [nameof(DutyPanels.Board)] = board, [nameof(DutyPanels.Actions)] = actions, [nameof(DutyPanels.NoticeActions)] = noticeActions,
                        [nameof(DutyPanels.R)] = reader.R, [nameof(DutyPanels.Query)] = reader.Query }, services);
            }
            try
            {
                await Task.Delay(PollInterval, ct);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
        }
    }

    /// <summary>What the panels show, without the instant they were read at (the countdowns run in the browser).</summary>
    private static string Signature(DutyBoard b) => string.Join('|',
        string.Join(',', b.Awaiting.Select(a => $"{a.MessageId}:{a.Deadline}")),
        string.Join(',', b.OpenAlarms.Select(a => $"{a.Id}:{a.Version}")),
        string.Join(',', b.Links.Select(l => $"{l.Counterpart}:{l.State}:{l.LastReceivedAt}:{l.Broker?.Backlog}")),
        string.Join(',', b.Upcoming.Select(u => u.MessageId)));

    /// <summary>A refusal when the post did not come from the page's own form (another site's page, an expired token); else null.</summary>
    private static async Task<IResult?> RefuseForeignPostAsync(HttpContext http, IAntiforgery antiforgery) =>
        http.Request.HasFormContentType && await antiforgery.IsRequestValidAsync(http)
            ? null
            : Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The form expired",
                detail: $"Reload {Path} and press the button again (the page's forms carry a token that proves they come from it).");

    private static async Task<IResult> AcknowledgeNoticeAsync(HttpContext http, IAntiforgery antiforgery, AcknowledgementService service, string sender, Guid id,
        CancellationToken ct)
    {
        if (await RefuseForeignPostAsync(http, antiforgery) is { } refused)
            return refused;
        if (!CentreCode.TryParse(sender, out var centre))
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Not a centre code",
                detail: $"'{ApiProblems.Shorten(sender)}' is not a centre code; reload {Path} and use the notice's own button.");
        var result = await service.AcknowledgeAsync(centre, id, http.User.ToActor(), ct);
        return result.Outcome switch
        {
            AcknowledgeOutcome.NotFound => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such notice",
                detail: $"{result.Reason} Reload {Path} to see the notices waiting."),
            AcknowledgeOutcome.NotAcknowledgeable => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not for a person to acknowledge",
                detail: result.Reason),
            // Acknowledged now, or by someone before (the first stands): either way it has left the waiting list.
            _ => Results.Redirect(Path + http.Request.QueryString + "#awaiting"),
        };
    }

    private static async Task<IResult> ActAsync(HttpContext http, IAntiforgery antiforgery, Func<string?, Task<Alarm>> act, Guid id)
    {
        if (await RefuseForeignPostAsync(http, antiforgery) is { } refused)
            return refused;
        var comment = (await http.Request.ReadFormAsync()).TryGetValue("comment", out var given) && given.ToString().Trim() is { Length: > 0 } text ? text : null;
        if (comment is { Length: > MaxCommentLength })
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Comment too long",
                detail: $"A comment is at most {MaxCommentLength} characters; shorten it and press the button again.");
        try
        {
            await act(comment);
        }
        catch (AlarmNotFoundException)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such alarm",
                detail: $"This centre has no alarm {id}; reload {Path} to see the open ones.");
        }
        return Results.Redirect(Path + http.Request.QueryString + "#alarms");
    }
}
