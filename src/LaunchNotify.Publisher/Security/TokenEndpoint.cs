using LaunchNotify.Node.Security;
using System.Security.Claims;
using LaunchNotify.Node.Accounts;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace LaunchNotify.Publisher.Security;

/// <summary>
/// The embedded provider's token endpoint (OAuth 2.0 password grant, RFC 6749 §4.3): a user name and password of one
/// of the node's accounts in, a signed JWT access token (sub, name, role, aud, exp) out. And who-am-I, and the account
/// list for administrators.
/// </summary>
public static class TokenEndpoint
{
    public const string Path = "/connect/token";

    public static void MapAccountEndpoints(this IEndpointRouteBuilder app, AuthSettings auth)
    {
        if (auth.IsEmbedded)
            app.MapPost(Path, IssueAsync)
                .AllowAnonymous()
                .WithName("Token")
                .WithSummary("OAuth 2.0 token endpoint (form: grant_type=password, username, password): a bearer token for the account's roles.")
                .ExcludeFromDescription();

        app.MapGet("/v1/me", (ClaimsPrincipal user) =>
            {
                var actor = user.ToActor();
                return Results.Ok(new { subject = actor.Subject, name = actor.Name, roles = actor.Roles });
            })
            .RequireAuthorization(ApiPolicies.AnyRole)
            .WithName("WhoAmI")
            .WithSummary("The signed-in account as this API sees it: subject, name, roles.");

        app.MapGet("/v1/accounts", async (AccountBook accounts, CancellationToken ct) => Results.Ok(await accounts.ListAsync(ct)))
            .RequireAuthorization(ApiPolicies.Administer)
            .WithName("ListAccounts")
            .WithSummary("The node's accounts with their roles and whether they are disabled (never a password hash). Change them with 'launchnotify users'.");
    }

    private static async Task<IResult> IssueAsync(HttpContext http, AccountBook accounts, AuthSettings auth, ILoggerFactory logs)
    {
        var request = http.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenIddict server did not handle the token request.");
        if (!request.IsPasswordGrantType())
            return Refuse(Errors.UnsupportedGrantType, "Only grant_type=password is served here.");
        if (string.IsNullOrEmpty(request.Username) || string.IsNullOrEmpty(request.Password))
            return Refuse(Errors.InvalidRequest, "Give username and password.");

        var (actor, stamp, failure) = await accounts.SignInAsync(request.Username, request.Password);
        if (actor is null)
        {
            // The user name is logged (to follow guessing); the password never is.
            logs.CreateLogger("LaunchNotify.Publisher.Security").LogWarning("Token refused for {User}: {Failure}", request.Username, failure);
            return Refuse(Errors.InvalidGrant, failure switch
            {
                SignInFailure.LockedOut => "The account is locked after repeated failures; try again in a few minutes.",
                SignInFailure.NoRole => "The account has no role; an administrator gives one with 'launchnotify users reset NAME --role ROLE'.",
                // Unknown user, wrong password and disabled look the same from outside.
                _ => "Wrong user name or password, or the account is disabled.",
            });
        }

        var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, actor.Subject)
            .SetClaim(Claims.Name, actor.Name)
            .SetClaims(Claims.Role, [.. actor.Roles])
            .SetClaim(TokenClaims.Stamp, stamp);
        identity.SetResources(auth.Audience);
        identity.SetDestinations(_ => [Destinations.AccessToken]);
        return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static IResult Refuse(string error, string description) => Results.Forbid(
        new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }),
        [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
}
