using System.Security.Claims;
using LaunchNotify.Node.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace LaunchNotify.Publisher.Security;

/// <summary>
/// The dashboard's browser sign-in at an external OpenID Connect provider (docs/security.md): ASP.NET Core's OpenID Connect
/// handler, authorization code flow with PKCE, signing in to the dashboard's cookie. The cookie keeps the ID token's subject,
/// name and roles under the same claim names as the provider's bearer tokens, so the same policies and the same record of who
/// acted apply; the API still takes bearer tokens only.
/// </summary>
public static class DashboardProvider
{
    public const string Scheme = "DashboardProvider";

    /// <summary>The redirect URI to register at the provider: <c>https://HOST:PORT/dashboard/signin-oidc</c>.</summary>
    public const string CallbackPath = "/dashboard/signin-oidc";

    /// <summary>The post-logout redirect URI to register at the provider.</summary>
    public const string SignedOutCallbackPath = "/dashboard/signout-callback-oidc";

    /// <summary>The front-channel logout URI (optional at the provider): ends the cookie of the session the provider names.</summary>
    public const string RemoteSignOutPath = "/dashboard/signout-oidc";

    private const string IdToken = "id_token";

    public static void AddDashboardProvider(this AuthenticationBuilder authentication, AuthSettings auth, DashboardClient client)
    {
        authentication.AddOpenIdConnect(Scheme, o =>
        {
            o.Authority = auth.Authority!.AbsoluteUri;
            o.RequireHttpsMetadata = auth.RequireHttpsMetadata;
            o.ClientId = client.Id;
            o.ClientSecret = client.Secret;
            o.ResponseType = OpenIdConnectResponseType.Code;
            o.UsePkce = true;
            // The code comes back in the query of a top-level GET (not a cross-site form post), so the handler's correlation
            // and nonce cookies can be SameSite=Lax, and Secure only where the node itself is on https.
            o.ResponseMode = OpenIdConnectResponseMode.Query;
            o.CorrelationCookie.SameSite = SameSiteMode.Lax;
            o.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.NonceCookie.SameSite = SameSiteMode.Lax;
            o.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.SignInScheme = DashboardLogin.Scheme;
            o.SignOutScheme = DashboardLogin.Scheme;
            o.CallbackPath = CallbackPath;
            o.SignedOutCallbackPath = SignedOutCallbackPath;
            o.RemoteSignOutPath = RemoteSignOutPath;
            // The ID token's claims keep their JWT names, read with the bearer tokens' NameClaim and RoleClaim.
            o.MapInboundClaims = false;
            o.TokenValidationParameters.NameClaimType = auth.NameClaim;
            o.TokenValidationParameters.RoleClaimType = auth.RoleClaim;
            o.TokenValidationParameters.ClockSkew = TimeSpan.FromMinutes(1);
            o.GetClaimsFromUserInfoEndpoint = false;
            // The sign-in lasts as long as the provider's ID token: then the browser goes back to the provider, which
            // signs it in again without a prompt while its own session lasts, and not once the account is disabled there.
            o.UseTokenLifetime = true;
            o.SaveTokens = false;
            o.DisableTelemetry = true;
            o.Events = new OpenIdConnectEvents
            {
                OnTokenValidated = context =>
                {
                    context.Principal = Dashboard(context.Principal!, auth);
                    // Kept for the provider's end-session endpoint (id_token_hint); no access or refresh token is kept.
                    if ((context.TokenEndpointResponse?.IdToken ?? context.ProtocolMessage.IdToken) is { Length: > 0 } idToken)
                        context.Properties!.StoreTokens([new AuthenticationToken { Name = IdToken, Value = idToken }]);
                    return Task.CompletedTask;
                },
                // The person did not sign in at the provider (declined, or the provider refused the account): no error of the node.
                OnAccessDenied = async context =>
                {
                    context.HandleResponse();
                    context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("LaunchNotify.Publisher.Security")
                        .LogWarning("Dashboard sign-in at the provider refused: the provider answered access_denied");
                    await DashboardLogin.ProviderPage(context.HttpContext, "", "login.provider.failed", StatusCodes.Status403Forbidden)
                        .ExecuteAsync(context.HttpContext);
                },
                OnRemoteFailure = async context =>
                {
                    // A refused, tampered, replayed or expired sign-in (bad state, no correlation cookie, a code the
                    // provider refuses, an ID token not for this client): said on a page, never a 500.
                    context.HandleResponse();
                    context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("LaunchNotify.Publisher.Security")
                        .LogWarning("Dashboard sign-in at the provider refused: {Failure}", context.Failure?.Message);
                    await DashboardLogin.ProviderPage(context.HttpContext, "", "login.provider.failed", StatusCodes.Status400BadRequest)
                        .ExecuteAsync(context.HttpContext);
                },
            };
        });
    }

    /// <summary>
    /// What the dashboard's cookie keeps of the provider's ID token: the claims the bearer tokens are read by (subject, the
    /// name claim and its fallback, the role claim) and the session claims front-channel logout matches.
    /// </summary>
    private static ClaimsPrincipal Dashboard(ClaimsPrincipal provider, AuthSettings auth)
    {
        string[] kept = [TokenClaims.Subject, auth.NameClaim, "preferred_username", auth.RoleClaim, "sid", "iss"];
        var identity = new ClaimsIdentity(provider.Claims.Where(c => kept.Contains(c.Type)), Scheme, auth.NameClaim, auth.RoleClaim);
        return new ClaimsPrincipal(identity);
    }

    /// <summary>
    /// A browser without a sign-in: sent to the provider, to come back to the page it asked for (a form post comes back to
    /// the duty page). A script (the event stream, endpoints the framework marks as APIs) gets 401 instead.
    /// </summary>
    public static Task ChallengeAsync(HttpContext http)
    {
        var metadata = http.GetEndpoint()?.Metadata;
        if (metadata?.GetMetadata<IDisableCookieRedirectMetadata>() is not null && metadata.GetMetadata<IAllowCookieRedirectMetadata>() is null)
        {
            http.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Task.CompletedTask;
        }
        var back = HttpMethods.IsGet(http.Request.Method) ? http.Request.PathBase + http.Request.Path + http.Request.QueryString : DutyEndpoints.Path;
        return http.ChallengeAsync(Scheme, new AuthenticationProperties { RedirectUri = back });
    }

    /// <summary>
    /// Signs out of the dashboard: the cookie always; at the provider too when its discovery document names an end-session
    /// endpoint (the browser goes there and comes back to <paramref name="after"/>).
    /// </summary>
    public static async Task<IResult> SignOutAsync(HttpContext http, string after)
    {
        var options = http.RequestServices.GetRequiredService<IOptionsMonitor<OpenIdConnectOptions>>().Get(Scheme);
        string? endSession;
        try
        {
            endSession = (await options.ConfigurationManager!.GetConfigurationAsync(http.RequestAborted)).EndSessionEndpoint;
        }
        catch (InvalidOperationException e)
        {
            // The provider cannot be reached: the dashboard's own sign-in still ends.
            http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("LaunchNotify.Publisher.Security")
                .LogWarning("Signing out of the dashboard only: the provider's discovery document could not be read ({Problem})", e.Message);
            endSession = null;
        }
        if (string.IsNullOrEmpty(endSession))
        {
            await http.SignOutAsync(DashboardLogin.Scheme);
            return Results.Redirect(after);
        }
        // The provider's handler first: it reads the ID token (id_token_hint) from the cookie, and answers with the redirect there.
        await http.SignOutAsync(Scheme, new AuthenticationProperties { RedirectUri = after });
        await http.SignOutAsync(DashboardLogin.Scheme);
        return Results.Empty;
    }
}
