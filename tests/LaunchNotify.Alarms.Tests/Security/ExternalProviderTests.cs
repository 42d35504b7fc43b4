using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using LaunchNotify.Node.Accounts;
using LaunchNotify.Storage.Audit;
using LaunchNotify.Storage.Entities;
using LaunchNotify.Tests.Shared;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace LaunchNotify.Alarms.Tests.Security;

/// <summary>
/// The production option: tokens from an OpenID Connect provider that is not the node, configured by authority and
/// audience only. The provider here is a separate web server on loopback with its own RSA key, its own issuer URL, a
/// discovery document and a JWKS; the node learns its keys from there (the test counts the requests) and maps the
/// provider's claim names (<c>roles</c>, <c>preferred_username</c>) to its roles and principal (docs/security.md).
/// </summary>
public sealed class ExternalProviderTests : IAsyncLifetime
{
    private const string Audience = ExternalProviderPublisher.Audience;
    private ExternalProvider _provider = null!;
    private ExternalProviderPublisher _app = null!;

    public async Task InitializeAsync()
    {
        _provider = await ExternalProvider.StartAsync();
        _app = new ExternalProviderPublisher(_provider.Issuer);
    }

    public async Task DisposeAsync()
    {
        _app.Dispose();
        await _provider.DisposeAsync();
    }

    private HttpClient Client(string? token)
    {
        var http = _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        return token is null ? http : http.WithToken(token);
    }

    [Fact]
    public async Task ProviderToken_WithARoleClaim_IsAcceptedWithThatRole_AndTheProvidersPrincipalIsOnRecord()
    {
        var token = _provider.Token(subject: "f3a1c0de-0001", name: "olga.petrova", roles: [NodeRoles.Operator]);
        using var http = Client(token);

        using var me = await http.GetAsync("/v1/me");
        var who = JsonNode.Parse(await me.Content.ReadAsStringAsync())!;
        Assert.True(me.StatusCode == HttpStatusCode.OK, who.ToJsonString());
        Assert.Contains("olga.petrova", who.ToJsonString());
        Assert.Contains(NodeRoles.Operator, who.ToJsonString());
        // The node fetched the provider's discovery document and its keys: it knew nothing but the authority's URL.
        Assert.True(_provider.DiscoveryRequests >= 1 && _provider.KeyRequests >= 1, $"discovery {_provider.DiscoveryRequests}, jwks {_provider.KeyRequests}");

        using var submitted = await http.PostAsync("/v1/notifications", new StringContent(Draft(), Encoding.UTF8, "application/json"));
        var body = JsonNode.Parse(await submitted.Content.ReadAsStringAsync())!;
        Assert.True(submitted.StatusCode == HttpStatusCode.Accepted, body.ToJsonString());
        var id = Guid.Parse(body["messageId"]!.ToString());
        await using var db = _app.Db();
        var message = await db.OutboundMessages.SingleAsync(m => m.MessageId == id);
        var entry = await db.Set<AuditEntry>().SingleAsync(e => e.MessageId == id && e.Type == "submitted");
        Assert.Equal(("f3a1c0de-0001", "olga.petrova"), (message.SubmittedBySubject, message.SubmittedByName));
        Assert.Equal(("f3a1c0de-0001", "olga.petrova", NodeRoles.Operator), (entry.ActorSubject, entry.ActorName, entry.ActorRoles));
        Assert.Equal(entry.Hash, AuditChain.ComputeHash(entry));

        // The same provider's token for a compliance officer opens the dashboard (no login page with an external provider) …
        using var compliance = Client(_provider.Token("f3a1c0de-0002", "kim", [NodeRoles.ComplianceOfficer]));
        Assert.Equal(HttpStatusCode.OK, (await compliance.GetAsync("/dashboard")).StatusCode);
        // … but does not let it submit.
        Assert.Equal(HttpStatusCode.Forbidden, (await compliance.PostAsync("/v1/notifications", new StringContent(Draft(), Encoding.UTF8, "application/json"))).StatusCode);
    }

    public static TheoryData<string> Refused => ["wrong audience", "wrong issuer", "expired", "tampered payload", "signed by another key with the provider's kid", "unsigned"];

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task ProviderToken_NotForThisApi_OrNotIntact_Is401(string fault)
    {
        var token = fault switch
        {
            "wrong audience" => _provider.Token("s1", "olga", [NodeRoles.Operator], audience: "another-api"),
            "wrong issuer" => _provider.Token("s1", "olga", [NodeRoles.Operator], issuer: _provider.Issuer + "-other"),
            "expired" => _provider.Token("s1", "olga", [NodeRoles.Operator], expires: DateTime.UtcNow.AddMinutes(-5)),
            "tampered payload" => Tamper(_provider.Token("s1", "olga", [NodeRoles.DutyOfficer])),
            "signed by another key with the provider's kid" => _provider.Token("s1", "olga", [NodeRoles.Operator], forgedKey: true),
            "unsigned" => new JsonWebTokenHandler().CreateToken(Payload(_provider.Issuer, Audience, "s1", "olga", [NodeRoles.Operator], DateTime.UtcNow.AddMinutes(30))),
            _ => throw new ArgumentOutOfRangeException(nameof(fault)),
        };
        using var http = Client(token);

        using var response = await http.GetAsync("/v1/notifications");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString());
        // The same token with nothing wrong gets through: the fault alone is what was refused.
        using var good = Client(_provider.Token("s1", "olga", [NodeRoles.Operator]));
        Assert.Equal(HttpStatusCode.OK, (await good.GetAsync("/v1/notifications")).StatusCode);
    }

    [Fact]
    public async Task ProviderToken_WithoutARoleInTheConfiguredClaim_Is403Everywhere()
    {
        // The provider is configured (RoleClaim=roles) to put roles in "roles"; a token with none there, or with the role
        // under another claim name, is a signed-in caller with no role.
        foreach (var token in new[]
                 {
                     _provider.Token("s2", "nobody", roles: []),
                     _provider.Token("s2", "nobody", roles: [], extra: new Dictionary<string, object> { ["role"] = NodeRoles.Operator }),
                 })
        {
            using var http = Client(token);
            Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync("/v1/notifications")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync("/v1/me")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await http.PostAsync("/v1/notifications", new StringContent(Draft(), Encoding.UTF8, "application/json"))).StatusCode);
        }
        using var none = Client(null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await none.GetAsync("/v1/notifications")).StatusCode);
    }

    [Fact]
    public async Task EmbeddedProvider_IsOff_WithAnAuthority()
    {
        using var http = Client(null);
        using var response = await http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["username"] = "olga", ["password"] = TestAccounts.Password,
        }));
        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("access_token", await response.Content.ReadAsStringAsync());
    }

    /// <summary>Replaces the payload with one claiming other roles, keeping the header and the signature.</summary>
    private static string Tamper(string token)
    {
        var parts = token.Split('.');
        var payload = Base64UrlEncoder.Decode(parts[1]).Replace(NodeRoles.DutyOfficer, NodeRoles.Operator, StringComparison.Ordinal);
        return $"{parts[0]}.{Base64UrlEncoder.Encode(payload)}.{parts[2]}";
    }

    private static SecurityTokenDescriptor Payload(string issuer, string audience, string subject, string name, string[] roles, DateTime expires,
        IReadOnlyDictionary<string, object>? extra = null)
    {
        var claims = new Dictionary<string, object> { ["sub"] = subject, ["preferred_username"] = name };
        if (roles.Length > 0)
            claims["roles"] = roles;
        foreach (var (key, value) in extra ?? new Dictionary<string, object>())
            claims[key] = value;
        return new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Claims = claims,
            IssuedAt = expires.AddMinutes(-60),
            NotBefore = expires.AddMinutes(-60),
            Expires = expires,
            TokenType = "at+jwt",
        };
    }

    private static string Draft() => AccountAndTokenTests.OperatorDraft().ToJsonString();

    /// <summary>
    /// A stand-in for an organisation's identity provider (Keycloak, Entra ID): issuer <c>http://127.0.0.1:PORT/realms/launchnotify</c>,
    /// its discovery document at <c>/.well-known/openid-configuration</c> under it, its public key at <c>jwks_uri</c>.
    /// </summary>
    private sealed class ExternalProvider : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly RsaSecurityKey _key, _forged;
        private int _discovery, _keys;

        private ExternalProvider(WebApplication app, string issuer, RsaSecurityKey key, RsaSecurityKey forged)
        {
            _app = app;
            Issuer = issuer;
            _key = key;
            _forged = forged;
        }

        public string Issuer { get; }
        public int DiscoveryRequests => Volatile.Read(ref _discovery);
        public int KeyRequests => Volatile.Read(ref _keys);

        public static async Task<ExternalProvider> StartAsync()
        {
            var key = new RsaSecurityKey(RSA.Create(2048)) { KeyId = "provider-key-1" };
            var forged = new RsaSecurityKey(RSA.Create(2048)) { KeyId = key.KeyId };
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            ExternalProvider? provider = null;
            app.MapGet("/realms/launchnotify/.well-known/openid-configuration", () =>
            {
                Interlocked.Increment(ref provider!._discovery);
                return Results.Json(new Dictionary<string, object>
                {
                    ["issuer"] = provider.Issuer,
                    ["jwks_uri"] = provider.Issuer + "/protocol/openid-connect/certs",
                    ["token_endpoint"] = provider.Issuer + "/protocol/openid-connect/token",
                    ["authorization_endpoint"] = provider.Issuer + "/protocol/openid-connect/auth",
                    ["response_types_supported"] = new[] { "code" },
                    ["subject_types_supported"] = new[] { "public" },
                    ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
                });
            });
            app.MapGet("/realms/launchnotify/protocol/openid-connect/certs", () =>
            {
                Interlocked.Increment(ref provider!._keys);
                var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(key.Rsa.ExportParameters(false)) { KeyId = key.KeyId });
                return Results.Json(new { keys = new[] { new { kty = "RSA", use = "sig", alg = "RS256", kid = jwk.Kid, n = jwk.N, e = jwk.E } } });
            });
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            provider = new ExternalProvider(app, address.TrimEnd('/') + "/realms/launchnotify", key, forged);
            return provider;
        }

        public string Token(string subject, string name, string[] roles, string audience = Audience, string? issuer = null, DateTime? expires = null,
            bool forgedKey = false, IReadOnlyDictionary<string, object>? extra = null)
        {
            var descriptor = Payload(issuer ?? Issuer, audience, subject, name, roles, expires ?? DateTime.UtcNow.AddMinutes(30), extra);
            descriptor.SigningCredentials = new SigningCredentials(forgedKey ? _forged : _key, SecurityAlgorithms.RsaSha256);
            return new JsonWebTokenHandler().CreateToken(descriptor);
        }

        public async ValueTask DisposeAsync()
        {
            await _app.DisposeAsync();
            _key.Rsa.Dispose();
            _forged.Rsa.Dispose();
        }
    }
}
