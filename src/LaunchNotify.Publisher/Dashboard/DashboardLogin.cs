using LaunchNotify.Node.Security;
using System.Security.Claims;
using LaunchNotify.Node.Accounts;
using LaunchNotify.Publisher.Security;
using LaunchNotify.Web.Dashboard;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;

namespace LaunchNotify.Publisher;

/// <summary>
/// The dashboard's sign-in: a login page checking one of the node's accounts (the same accounts and password hasher
/// as the token endpoint), then a cookie for the dashboard only (HttpOnly, SameSite=Strict, as long as a token).
/// </summary>
public static class DashboardLogin
{
    public const string Scheme = "Dashboard";
    public const string LoginPath = "/dashboard/login";
    public const string LogoutPath = "/dashboard/logout";

    public static void MapDashboardLogin(this IEndpointRouteBuilder app)
    {
        app.MapGet(LoginPath, (HttpContext http, IAntiforgery antiforgery, AuthSettings auth, string? returnUrl) => auth.DashboardClient is null
                ? Form(http, antiforgery, returnUrl, null)
                : ProviderPage(http, returnUrl, null))
            .AllowAnonymous().WithName("DashboardLoginPage").ExcludeFromDescription();

        app.MapPost(LoginPath, async (HttpContext http, IAntiforgery antiforgery, AccountBook accounts, AuthSettings auth, ILoggerFactory logs) =>
            {
                // With an external provider's sign-in, accounts are the provider's: no password is checked here.
                if (auth.DashboardClient is not null)
                    return ProviderPage(http, null, null);
                var form = await http.Request.ReadFormAsync();
                var returnUrl = form["returnUrl"].ToString();
                if (!await antiforgery.IsRequestValidAsync(http))
                    return Form(http, antiforgery, returnUrl, "login.expired", StatusCodes.Status400BadRequest);
                var (actor, stamp, failure) = await accounts.SignInAsync(form["username"].ToString(), form["password"].ToString());
                if (actor is null)
                {
                    logs.CreateLogger("LaunchNotify.Publisher.Security").LogWarning("Dashboard sign-in refused for {User}: {Failure}", form["username"].ToString(), failure);
                    return Form(http, antiforgery, returnUrl, failure == SignInFailure.LockedOut ? "login.lockedOut" : "login.wrong", StatusCodes.Status401Unauthorized);
                }
                var identity = new ClaimsIdentity(Scheme, auth.NameClaim, auth.RoleClaim);
                identity.AddClaim(new Claim(TokenClaims.Subject, actor.Subject));
                identity.AddClaim(new Claim(auth.NameClaim, actor.Name));
                identity.AddClaims(actor.Roles.Select(r => new Claim(auth.RoleClaim, r)));
                identity.AddClaim(new Claim(TokenClaims.Stamp, stamp!));
                await http.SignInAsync(Scheme, new ClaimsPrincipal(identity));
                // Only back into the dashboard: never to another site named in the form. Without a page asked for, each role to its own.
                var home = actor.Roles.Contains(NodeRoles.ComplianceOfficer) ? "/dashboard" : DutyEndpoints.Path;
                return Results.Redirect(InsideDashboard(returnUrl) ? returnUrl : home);
            })
            .AllowAnonymous().WithName("DashboardLogin").ExcludeFromDescription();

        app.MapPost(LogoutPath, async (HttpContext http, IAntiforgery antiforgery, AuthSettings auth) =>
            {
                if (!await antiforgery.IsRequestValidAsync(http))
                    return Results.BadRequest();
                if (auth.DashboardClient is not null)
                    return await DashboardProvider.SignOutAsync(http, LoginPath);
                await http.SignOutAsync(Scheme);
                return Results.Redirect(LoginPath);
            })
            .RequireAuthorization(ApiPolicies.DashboardSession).WithName("DashboardLogout").ExcludeFromDescription();
    }

    /// <summary>Only back into the dashboard: never to another site named in a form or a link.</summary>
    private static bool InsideDashboard(string? url) =>
        url is not null && url.StartsWith("/dashboard", StringComparison.Ordinal) && !url.StartsWith("//", StringComparison.Ordinal);

    /// <summary>
    /// The login page with an external provider: no form, a link to the page asked for (which sends the browser to the
    /// provider); after a sign-out, and with what went wrong after a refused sign-in.
    /// </summary>
    /// <param name="problemKey">The glossary key of what went wrong; null: nothing.</param>
    internal static IResult ProviderPage(HttpContext http, string? returnUrl, string? problemKey, int status = StatusCodes.Status200OK)
    {
        http.Response.Headers.ContentSecurityPolicy = DashboardEndpoints.ContentSecurityPolicy;
        http.Response.Headers.CacheControl = "no-store";
        var reader = DashboardEndpoints.ReaderOf(http);
        var problem = problemKey is null ? reader.Problems.FirstOrDefault() : reader.R.Text(problemKey);
        var next = InsideDashboard(returnUrl) ? returnUrl! : DutyEndpoints.Path + reader.Query;
        return DashboardEndpoints.Page<ProviderLoginPage>(new { Next = next, Problem = problem, reader.R, reader.Languages }, status);
    }

    /// <summary>The hidden form field that proves a post comes from this site's own page.</summary>
    public static FormToken FormToken(HttpContext http, IAntiforgery antiforgery)
    {
        var tokens = antiforgery.GetAndStoreTokens(http);
        return new FormToken(tokens.FormFieldName, tokens.RequestToken ?? "");
    }

    /// <param name="problemKey">The glossary key of what went wrong, said in the reader's language; null: nothing.</param>
    private static IResult Form(HttpContext http, IAntiforgery antiforgery, string? returnUrl, string? problemKey, int status = StatusCodes.Status200OK)
    {
        // Antiforgery makes the page no-cache, no-store itself.
        http.Response.Headers.ContentSecurityPolicy = DashboardEndpoints.ContentSecurityPolicy;
        var reader = DashboardEndpoints.ReaderOf(http);
        var problem = problemKey is null ? reader.Problems.FirstOrDefault() : reader.R.Text(problemKey);
        return DashboardEndpoints.Page<LoginPage>(new { Token = FormToken(http, antiforgery), ReturnUrl = returnUrl ?? "", Problem = problem, reader.R, reader.Languages, reader.Query }, status);
    }
}
