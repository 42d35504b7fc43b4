using System.Security.Claims;
using LaunchNotify.Node.Accounts;
using LaunchNotify.Node.Hosting;
using LaunchNotify.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;

namespace LaunchNotify.Node.Security;

/// <summary>
/// The bearer validation both deployables share (docs/security.md): tokens of the node's own provider (its key and issuer
/// known locally) or of an external OpenID Connect provider (discovery and JWKS from <see cref="AuthSettings.Authority"/>),
/// checked for signature, issuer, audience and lifetime, then for an account still enabled and unchanged; 401 and 403
/// answered as problem details.
/// </summary>
public static class NodeBearer
{
    /// <summary>Any account with a role: who may scrape /metrics (the publisher's policy of the same name lets in the same roles).</summary>
    public const string AnyRolePolicy = "any-role";

    public static AuthenticationBuilder AddNodeBearer(this AuthenticationBuilder authentication, AuthSettings auth, RsaSecurityKey? signingKey)
    {
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
        return authentication;
    }

    /// <summary>
    /// The subscriber's HTTP side: bearer tokens of the same provider as the publisher's (the node's own: the same
    /// signing key file and issuer; or the external one) and the <see cref="AnyRolePolicy"/> for /metrics.
    /// </summary>
    public static AuthSettings AddScrapeAuthentication(this WebApplicationBuilder builder, NodeSettings settings)
    {
        var auth = AuthSettings.From(builder.Configuration, settings.Centre.Value, settings.HttpUrl, settings.KeysDirectory);
        AccountBook.AddNodeAccounts(builder.Services);
        builder.Services.AddSingleton(auth);
        RsaSecurityKey? key;
        try
        {
            key = auth.IsEmbedded ? TokenSigningKey.LoadOrCreate(auth.SigningKeyFile) : null;
        }
        catch (SecretFileException e)
        {
            throw new SettingsException([NodeOptionsValidation.Line("LaunchNotify:Auth:SigningKeyFile", auth.SigningKeyFile, e.Message)]);
        }
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddNodeBearer(auth, key);
        builder.Services.AddAuthorization(o =>
        {
            o.AddPolicy(AnyRolePolicy, p => p.AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme).RequireAuthenticatedUser().RequireRole(NodeRoles.All));
            o.FallbackPolicy = new AuthorizationPolicyBuilder(JwtBearerDefaults.AuthenticationScheme).RequireAuthenticatedUser().Build();
        });
        return auth;
    }

    /// <summary>A token or cookie of the node's own provider speaks for its account only while the account is enabled and unchanged.</summary>
    public static async Task<bool> IsCurrentAsync(HttpContext http, ClaimsPrincipal? principal)
    {
        var stamp = principal?.FindFirst(TokenClaims.Stamp)?.Value;
        var subject = principal?.FindFirst(TokenClaims.Subject)?.Value;
        if (stamp is null || subject is null)
            // External providers' tokens carry no stamp: their provider decides whether the account is enabled.
            return http.RequestServices.GetRequiredService<AuthSettings>().IsEmbedded is false;
        return await AccountBook.IsCurrentAsync(http.RequestServices.GetRequiredService<IDbContextFactory<NodeDbContext>>(), subject, stamp, http.RequestAborted);
    }

    private static IEnumerable<string> Roles(ClaimsPrincipal? principal) =>
        principal?.Identities.SelectMany(i => i.FindAll(i.RoleClaimType)).Select(c => c.Value).Distinct() ?? [];
}
