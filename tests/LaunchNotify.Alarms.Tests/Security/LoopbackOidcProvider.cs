using System.Collections.Concurrent;
using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace LaunchNotify.Alarms.Tests.Security;

/// <summary>
/// An OpenID Connect provider on loopback for the dashboard's browser sign-in: OpenIddict's server (degraded mode, its own
/// RSA signing key) with an authorization endpoint that signs in the user the test chose (no password page: the test plays
/// the person), a token endpoint for the authorization code flow with PKCE required, and an end-session endpoint. One
/// registered client: <see cref="ClientId"/> with <see cref="ClientSecret"/> and one redirect URI. A code is redeemed once.
/// </summary>
public sealed class LoopbackOidcProvider : IAsyncDisposable
{
    public const string ClientId = "launchnotify-dashboard";
    public const string ClientSecret = "provider-client-secret-4c1d7e";

    private readonly WebApplication _app;
    private readonly RsaSecurityKey _key;
    private readonly ConcurrentDictionary<string, byte> _redeemed = new();
    private readonly ConcurrentQueue<string> _endSessionHints = new();
    private int _tokenRequests;

    private LoopbackOidcProvider(WebApplication app, RsaSecurityKey key)
    {
        _app = app;
        _key = key;
    }

    /// <summary>The provider's issuer (OpenIddict's, from the address it answers on), e.g. <c>http://127.0.0.1:PORT/</c>.</summary>
    public string Issuer { get; private set; } = "";

    /// <summary>Who the next authorization request signs in, without a page (the test plays the person).</summary>
    public TestUser? NextUser { get; set; }

    /// <summary>
    /// Without <see cref="NextUser"/>: the accounts of the provider's login page (a form asking for a user name, for a
    /// browser); none: the person declines (access_denied).
    /// </summary>
    public IReadOnlyDictionary<string, TestUser> Accounts { get; set; } = new Dictionary<string, TestUser>();

    /// <summary>The node's address, as the browser reaches it: the registered redirect URIs are under it.</summary>
    public string NodeBase { get; set; } = "";

    /// <summary>Instead of OpenIddict's ID token, answer the code with one made by hand (signed with the provider's key) having this fault.</summary>
    public IdTokenFault? HandMadeIdToken { get; set; }

    /// <summary>The nonce of the last authorization request (a hand-made ID token carries it, as the provider's own does).</summary>
    public string? LastNonce { get; private set; }

    /// <summary>Token requests that reached the token endpoint with the client's id and secret.</summary>
    public int TokenRequests => Volatile.Read(ref _tokenRequests);

    /// <summary>The id_token_hint of each end-session request.</summary>
    public IReadOnlyCollection<string> EndSessionHints => _endSessionHints;

    /// <param name="nodeBaseAddress">The node's address as the browser reaches it (<see cref="NodeBase"/>, settable later).</param>
    /// <param name="host">The host name the provider is reached by: <c>localhost</c> makes it another site than a node on 127.0.0.1.</param>
    /// <param name="endSession">Whether the provider has (and advertises) an end-session endpoint.</param>
    public static async Task<LoopbackOidcProvider> StartAsync(string nodeBaseAddress, string host = "127.0.0.1", bool endSession = true)
    {
        var key = new RsaSecurityKey(RSA.Create(2048)) { KeyId = "loopback-provider-key-1" };
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        LoopbackOidcProvider? provider = null;
        builder.Services.AddAuthentication();
        builder.Services.AddOpenIddict().AddServer(o =>
        {
            o.SetAuthorizationEndpointUris("connect/authorize");
            o.SetTokenEndpointUris("connect/token");
            if (endSession)
                o.SetEndSessionEndpointUris("connect/logout");
            o.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
            o.RegisterScopes(Scopes.OpenId, Scopes.Profile);
            o.EnableDegradedMode();
            o.DisableTokenStorage();
            o.DisableAuthorizationStorage();
            o.AddSigningKey(key);
            o.AddEphemeralEncryptionKey().DisableAccessTokenEncryption();
            var aspNetCore = o.UseAspNetCore().EnableAuthorizationEndpointPassthrough().EnableTokenEndpointPassthrough().DisableTransportSecurityRequirement();
            if (endSession)
                aspNetCore.EnableEndSessionEndpointPassthrough();
            // Degraded mode: the host checks the client, as a provider's client registry would.
            o.AddEventHandler<ValidateAuthorizationRequestContext>(h => h.UseInlineHandler(context =>
            {
                if (context.ClientId != ClientId)
                    context.Reject(Errors.InvalidClient, "unknown client");
                else if (context.RedirectUri != provider!.NodeBase.TrimEnd('/') + "/dashboard/signin-oidc")
                    context.Reject(Errors.InvalidRequest, "redirect_uri not registered for this client");
                return default;
            }));
            o.AddEventHandler<ValidateTokenRequestContext>(h => h.UseInlineHandler(context =>
            {
                if (context.ClientId != ClientId || context.Request.ClientSecret != ClientSecret)
                    context.Reject(Errors.InvalidClient, "client authentication failed");
                else
                    Interlocked.Increment(ref provider!._tokenRequests);
                return default;
            }));
            if (endSession)
                o.AddEventHandler<ValidateEndSessionRequestContext>(h => h.UseInlineHandler(context =>
            {
                if (context.PostLogoutRedirectUri is { } uri && uri != provider!.NodeBase.TrimEnd('/') + "/dashboard/signout-callback-oidc")
                    context.Reject(Errors.InvalidRequest, "post_logout_redirect_uri not registered");
                return default;
            }));
        });
        var app = builder.Build();
        app.UseAuthentication();
        app.MapMethods("/connect/authorize", ["GET", "POST"], (HttpContext http) =>
        {
            var request = http.GetOpenIddictServerRequest()!;
            provider!.LastNonce = request.Nonce;
            var user = provider.NextUser;
            if (user is null && provider.Accounts.Count > 0)
            {
                // The provider's login page: a form posting the request's parameters back with the user name.
                if (!HttpMethods.IsPost(http.Request.Method) || !provider.Accounts.TryGetValue(http.Request.Form["username"].ToString(), out user))
                    return Results.Content(LoginPage(request), "text/html; charset=utf-8");
            }
            if (user is null)
                return Results.Forbid(Error(Errors.AccessDenied, "the person declined"), [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
            var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, "preferred_username", "roles");
            identity.AddClaim(new Claim(Claims.Subject, user.Subject));
            identity.AddClaim(new Claim(Claims.PreferredUsername, user.Name));
            foreach (var role in user.Roles)
                identity.AddClaim(new Claim("roles", role));
            identity.SetScopes(request.GetScopes());
            identity.SetDestinations(_ => [Destinations.AccessToken, Destinations.IdentityToken]);
            return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        });
        app.MapPost("/connect/token", async (HttpContext http) =>
        {
            var request = http.GetOpenIddictServerRequest()!;
            // OpenIddict has already checked the code (its signature, lifetime, redirect_uri) and the PKCE verifier.
            var code = await http.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
            if (!code.Succeeded || !request.IsAuthorizationCodeGrantType())
                return Results.Forbid(Error(Errors.InvalidGrant, "not a valid authorization code"), [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
            // Without token storage OpenIddict cannot see a code used twice: the provider keeps the codes it redeemed.
            if (!provider!._redeemed.TryAdd(request.Code!, 0))
                return Results.Forbid(Error(Errors.InvalidGrant, "the code was already redeemed"), [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
            if (provider.HandMadeIdToken is { } fault)
                return Results.Json(new Dictionary<string, object>
                {
                    ["access_token"] = "opaque-" + Guid.NewGuid().ToString("N"),
                    ["token_type"] = "Bearer",
                    ["expires_in"] = 300,
                    ["id_token"] = provider.HandMade(code.Principal!, fault),
                });
            return Results.SignIn(code.Principal!, authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        });
        if (endSession)
            app.MapMethods("/connect/logout", ["GET", "POST"], (HttpContext http) =>
            {
                provider!._endSessionHints.Enqueue(http.GetOpenIddictServerRequest()!.IdTokenHint ?? "");
                // Redirects to the (validated) post_logout_redirect_uri with the state.
                return Results.SignOut(authenticationSchemes: [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
            });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(address).Port;
        provider = new LoopbackOidcProvider(app, key) { Issuer = $"http://{host}:{port}/", NodeBase = nodeBaseAddress };
        return provider;
    }

    /// <summary>An ID token signed with the provider's own key, for the person of <paramref name="code"/>, with <paramref name="fault"/>.</summary>
    private string HandMade(ClaimsPrincipal code, IdTokenFault fault)
    {
        var now = DateTime.UtcNow;
        var claims = new Dictionary<string, object>
        {
            [Claims.Subject] = code.FindFirst(Claims.Subject)!.Value,
            [Claims.PreferredUsername] = code.FindFirst(Claims.PreferredUsername)!.Value,
            ["roles"] = code.FindAll("roles").Select(c => c.Value).ToArray(),
            [Claims.Nonce] = LastNonce!,
        };
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = fault == IdTokenFault.WrongIssuer ? "http://127.0.0.1:1/another-provider/" : Issuer,
            Audience = fault == IdTokenFault.WrongAudience ? "another-client" : ClientId,
            Claims = claims,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(5),
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.RsaSha256),
        });
    }

    private static string LoginPage(OpenIddictRequest request)
    {
        var fields = string.Concat(request.GetParameters().Where(p => p.Key != "username")
            .Select(p => $"<input type=\"hidden\" name=\"{WebUtility.HtmlEncode(p.Key)}\" value=\"{WebUtility.HtmlEncode((string?)p.Value)}\">"));
        return "<!DOCTYPE html><html><head><title>Loopback provider: sign in</title></head><body><h1>Loopback provider</h1>" +
               $"<form method=\"post\" action=\"/connect/authorize\">{fields}<label>User <input id=\"username\" name=\"username\"></label>" +
               "<button id=\"sign-in\" type=\"submit\">Sign in</button></form></body></html>";
    }

    private static AuthenticationProperties Error(string error, string description) => new(new Dictionary<string, string?>
    {
        [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
        [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
    });

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _key.Rsa.Dispose();
    }

    /// <summary>A person at the provider: subject, <c>preferred_username</c> and values of <c>roles</c>.</summary>
    public sealed record TestUser(string Subject, string Name, params string[] Roles);

    public enum IdTokenFault
    {
        /// <summary>Nothing wrong: the hand-made token is accepted (so the faults below are what is refused).</summary>
        None,
        WrongAudience,
        WrongIssuer,
    }
}
