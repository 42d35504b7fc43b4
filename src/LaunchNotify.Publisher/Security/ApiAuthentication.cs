using LaunchNotify.Node.Accounts;
using LaunchNotify.Node.Security;
using LaunchNotify.Web.Dashboard;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace LaunchNotify.Publisher.Security;

/// <summary>
/// Authentication for the API and the dashboard (docs/security.md): JWT bearer validation for every caller, whether
/// the token comes from the node's own OpenID Connect provider (OpenIddict over the node's Identity accounts) or from
/// an external provider; the dashboard's login cookie; and the role policies.
/// </summary>
public static class ApiAuthentication
{
    public static void AddApiAuthentication(this IServiceCollection services, AuthSettings auth)
    {
        AccountBook.AddNodeAccounts(services);
        services.AddSingleton(auth);
        var authentication = services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme);
        RsaSecurityKey? signingKey = null;
        if (auth.IsEmbedded)
        {
            signingKey = TokenSigningKey.LoadOrCreate(auth.SigningKeyFile);
            var key = signingKey;
            services.AddOpenIddict().AddServer(o =>
            {
                o.SetTokenEndpointUris(TokenEndpoint.Path.TrimStart('/'));
                o.AllowPasswordFlow();
                // No OpenIddict tables: clients are anonymous (no client secrets to keep), tokens are not stored, and
                // the token endpoint below checks the account itself.
                o.EnableDegradedMode();
                o.AcceptAnonymousClients();
                o.DisableTokenStorage();
                o.DisableAuthorizationStorage();
                o.SetIssuer(auth.Issuer);
                o.SetAccessTokenLifetime(auth.TokenLifetime);
                o.AddSigningKey(key);
                // Access tokens are plain signed JWTs, so any JWT library (and the bearer handler) can check them.
                o.AddEphemeralEncryptionKey().DisableAccessTokenEncryption();
                // Off loopback the API only starts with TLS (TransportGuard), so the endpoint is never served in clear off the machine.
                o.UseAspNetCore().EnableTokenEndpointPassthrough().DisableTransportSecurityRequirement();
                // Degraded mode wants the token request validated by the host: client authentication is not used,
                // the grant is checked by the passthrough endpoint against the node's accounts.
                o.AddEventHandler<ValidateTokenRequestContext>(h => h.UseInlineHandler(_ => default));
            });
        }
        authentication.AddCookie(DashboardLogin.Scheme, o => DashboardCookie(o, auth));
        if (auth.DashboardClient is { } client)
            authentication.AddDashboardProvider(auth, client);
        authentication.AddNodeBearer(auth, signingKey);
        services.AddAuthorization(ApiPolicies.Add);
        services.AddAntiforgery(o => o.Cookie.Name = "launchnotify-antiforgery");
    }

    /// <summary>
    /// The dashboard's sign-in cookie, for the dashboard's pages only. Made by the login page (embedded provider) or by the
    /// external provider's sign-in (with a <see cref="AuthSettings.DashboardClient"/>); without either, the dashboard takes
    /// bearer tokens only and a browser without one gets 401.
    /// </summary>
    private static void DashboardCookie(CookieAuthenticationOptions o, AuthSettings auth)
    {
        o.Cookie.Name = "launchnotify-dashboard";
        o.Cookie.HttpOnly = true;
        o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        o.ExpireTimeSpan = auth.TokenLifetime;
        o.SlidingExpiration = false;
        o.Events.OnValidatePrincipal = async context =>
        {
            if (!await NodeBearer.IsCurrentAsync(context.HttpContext, context.Principal))
                context.RejectPrincipal();
        };
        // A caller with a bearer token was already answered by the bearer handler (a problem body): only a browser gets the page.
        o.Events.OnRedirectToAccessDenied = context => context.Response.HasStarted
            ? Task.CompletedTask
            : DashboardEndpoints.Page<NotForYourRolePage>(new
                {
                    UserName = context.HttpContext.User.Identity?.Name ?? "", DashboardEndpoints.ReaderOf(context.HttpContext).R, RolesAtProvider = !auth.IsEmbedded,
                }, StatusCodes.Status403Forbidden)
                .ExecuteAsync(context.HttpContext);
        if (auth.IsEmbedded)
        {
            o.LoginPath = DashboardLogin.LoginPath;
            o.LogoutPath = DashboardLogin.LogoutPath;
            o.Cookie.SameSite = SameSiteMode.Strict;
        }
        else if (auth.DashboardClient is not null)
        {
            // Lax, not Strict: the browser arrives from the provider's site, and a Strict cookie set at the end of that
            // redirect chain would not be sent with its last step (back to the page asked for). Cross-site posts still go
            // without it, and the API never takes it.
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Events.OnRedirectToLogin = context => DashboardProvider.ChallengeAsync(context.HttpContext);
        }
        else
        {
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Events.OnRedirectToLogin = context =>
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return Task.CompletedTask;
            };
        }
    }
}
