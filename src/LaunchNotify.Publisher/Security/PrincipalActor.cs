using System.Security.Claims;
using LaunchNotify.Node.Security;
using LaunchNotify.Storage.Audit;

namespace LaunchNotify.Publisher.Security;

public static class PrincipalActor
{
    /// <summary>
    /// The authenticated caller as the record names them: the token's subject, name and roles. Endpoints that record
    /// who acted run behind a policy, so an authenticated principal with a subject is always there.
    /// </summary>
    public static Actor ToActor(this ClaimsPrincipal user)
    {
        var identity = user.Identity as ClaimsIdentity
            ?? throw new InvalidOperationException("The endpoint records who acted but ran without an authenticated caller: give it a policy.");
        var subject = user.FindFirst(TokenClaims.Subject)?.Value
            ?? throw new InvalidOperationException("The token has no 'sub' claim: the provider must issue one (docs/security.md).");
        var name = user.FindFirst(identity.NameClaimType)?.Value ?? user.FindFirst("preferred_username")?.Value ?? subject;
        return new Actor(subject, name, user.FindAll(identity.RoleClaimType).Select(c => c.Value));
    }
}
