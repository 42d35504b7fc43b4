using LaunchNotify.Node.Accounts;
using LaunchNotify.Web.Dashboard;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Mvc;
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
            authentication.AddCookie(DashboardLogin.Scheme, o =>
            {
                o.LoginPath = DashboardLogin.LoginPath;
                o.LogoutPath = DashboardLogin.LogoutPath;
                o.ExpireTimeSpan = auth.TokenLifetime;
                o.SlidingExpiration = false;
                o.Cookie.Name = "launchnotify-dashboard";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.Events.OnValidatePrincipal = async context =>
                {
                    if (!await IsCurrentAsync(context.HttpContext, context.Principal))
                        context.RejectPrincipal();
                };
                // A caller with a bearer token was already answered by the bearer handler (a problem body): only a browser gets the page.
                o.Events.OnRedirectToAccessDenied = context => context.Response.HasStarted
                    ? Task.CompletedTask
                    : DashboardEndpoints.Page<NotForYourRolePage>(new { UserName = context.HttpContext.User.Identity?.Name ?? "", DashboardEndpoints.ReaderOf(context.HttpContext).R }, StatusCodes.Status403Forbidden)
                        .ExecuteAsync(context.HttpContext);
            });
        }
        else
            // The dashboard has no login page of its own with an external provider: it takes the provider's bearer token.
            authentication.AddCookie(DashboardLogin.Scheme, o => o.Events.OnRedirectToLogin = context =>
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return Task.CompletedTask;
            });

        authentication.AddJwtBearer(o =>
        {
            // Claims keep their JWT names (sub, name, role): no mapping to long URIs.
            o.MapInboundClaims = false;
            o.TokenValidationParameters = new TokenValidationParameters
            {
                ValidAudience = auth.Audience,
                NameClaimType = auth.NameClaim,
                RoleClaimType = auth.RoleClaim,
                ClockSkew = TimeSpan.FromMinutes(1),
            };
            if (signingKey is not null)
            {
                // The node's own provider: the same bearer validation, with its key and issuer known locally.
                o.TokenValidationParameters.ValidIssuer = auth.Issuer.AbsoluteUri;
                o.TokenValidationParameters.IssuerSigningKey = signingKey;
                o.TokenValidationParameters.ValidAlgorithms = [SecurityAlgorithms.RsaSha256];
            }
            else
            {
                o.Authority = auth.Authority!.AbsoluteUri;
                o.RequireHttpsMetadata = auth.RequireHttpsMetadata;
            }
            o.Events = new JwtBearerEvents
            {
                OnTokenValidated = async context =>
                {
                    if (!await IsCurrentAsync(context.HttpContext, context.Principal))
                        context.Fail("The account was disabled or its password reset after this token was issued.");
                },
                OnChallenge = async context =>
                {
                    // A browser on the dashboard without a sign-in: the cookie scheme sends it to the login page.
                    if (context.Request.Headers.Authorization.Count == 0 && context.Request.Path.StartsWithSegments("/dashboard"))
                        return;
                    context.HandleResponse();
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    context.Response.Headers.WWWAuthenticate = context.Error is null ? "Bearer" : $"Bearer error=\"{context.Error}\"";
                    await context.Response.WriteAsJsonAsync(new ProblemDetails
                    {
                        Status = StatusCodes.Status401Unauthorized,
                        Title = "Sign in first",
                        Detail = context.AuthenticateFailure is null
                            ? "This endpoint needs a bearer token: 'launchnotify login' gets one (or POST /connect/token, docs/security.md)."
                            : "The bearer token was refused (expired, not for this API, or the account was disabled or reset): sign in again with 'launchnotify login'.",
                        Type = "https://launchnotify.example/problems/unauthenticated",
                    }, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json");
                },
                OnForbidden = async context =>
                {
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    // Signed in with the dashboard's cookie, not a token: the cookie scheme answers (with a page).
                    if (context.Request.Headers.Authorization.Count == 0)
                        return;
                    await context.Response.WriteAsJsonAsync(new ProblemDetails
                    {
                        Status = StatusCodes.Status403Forbidden,
                        Title = "Not allowed for your role",
                        Detail = $"The account '{context.HttpContext.User.Identity?.Name}' has the roles [{string.Join(", ", Roles(context.HttpContext.User))}]; " +
                                 "this needs another role (docs/security.md has the table). An administrator can change roles with 'launchnotify users reset'.",
                        Type = "https://launchnotify.example/problems/forbidden",
                    }, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json");
                },
            };
        });
        services.AddAuthorization(ApiPolicies.Add);
        services.AddAntiforgery(o => o.Cookie.Name = "launchnotify-antiforgery");
    }

    /// <summary>A token or cookie of the node's own provider speaks for its account only while the account is enabled and unchanged.</summary>
    private static async Task<bool> IsCurrentAsync(HttpContext http, System.Security.Claims.ClaimsPrincipal? principal)
    {
        var stamp = principal?.FindFirst(TokenClaims.Stamp)?.Value;
        var subject = principal?.FindFirst(TokenClaims.Subject)?.Value;
        if (stamp is null || subject is null)
            // External providers' tokens carry no stamp: their provider decides whether the account is enabled.
            return http.RequestServices.GetRequiredService<AuthSettings>().IsEmbedded is false;
        return await http.RequestServices.GetRequiredService<AccountBook>().IsCurrentAsync(subject, stamp);
    }

    private static IEnumerable<string> Roles(System.Security.Claims.ClaimsPrincipal? principal) =>
        principal?.Identities.SelectMany(i => i.FindAll(i.RoleClaimType)).Select(c => c.Value).Distinct() ?? [];
}
