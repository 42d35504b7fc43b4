using System.Net;
using System.Text.RegularExpressions;
using LaunchNotify.Node.Accounts;
using LaunchNotify.Node.Hosting;
using LaunchNotify.Node.Security;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Configuration;
using static LaunchNotify.Alarms.Tests.Security.LoopbackOidcProvider;

namespace LaunchNotify.Alarms.Tests.Security;

/// <summary>
/// The dashboard's browser sign-in at an external OpenID Connect provider (docs/security.md, "The dashboard"): a real
/// OpenIddict provider on loopback, the node configured by its Authority, Audience, ClientId and a client secret file, and
/// a browser played step by step (cookies kept, every redirect followed by hand) through the authorization code flow with PKCE.
/// </summary>
public sealed partial class ExternalProviderSignInTests : IAsyncLifetime
{
    private const string NodeBase = "http://localhost";
    private LoopbackOidcProvider _provider = null!;
    private ExternalProviderPublisher _app = null!;

    public async Task InitializeAsync()
    {
        _provider = await LoopbackOidcProvider.StartAsync(NodeBase);
        _app = new ExternalProviderPublisher(_provider.Issuer, dashboardClient: true);
    }

    public async Task DisposeAsync()
    {
        _app.Dispose();
        await _provider.DisposeAsync();
    }

    [Fact]
    public async Task Browser_WithoutASignIn_GoesToTheProviderWithPkce_AndComesBackSignedInToThePageItAskedFor()
    {
        _provider.NextUser = new TestUser("c0ffee-0002", "kim.compliance", NodeRoles.ComplianceOfficer);
        using var browser = new Browser(_app, _provider);

        var hops = await browser.FollowAsync("/dashboard?lang=fr");

        // 1. The node sends the browser to the provider's authorization endpoint: code flow, PKCE (S256), its client id and
        //    redirect URI, a state and a nonce; never the client secret.
        var authorize = hops[0].Location!;
        Assert.Equal(HttpStatusCode.Redirect, hops[0].Status);
        Assert.StartsWith(_provider.Issuer + "connect/authorize?", authorize.AbsoluteUri);
        var query = QueryHelpers.ParseQuery(authorize.Query);
        Assert.Equal("code", query["response_type"]);
        Assert.Equal("S256", query["code_challenge_method"]);
        Assert.Equal(43, query["code_challenge"].ToString().Length);
        Assert.Equal(ClientId, query["client_id"]);
        Assert.Equal(NodeBase + "/dashboard/signin-oidc", query["redirect_uri"]);
        Assert.Contains("openid", query["scope"].ToString());
        Assert.False(string.IsNullOrEmpty(query["state"]) || string.IsNullOrEmpty(query["nonce"]));
        Assert.DoesNotContain(ClientSecret, authorize.AbsoluteUri);
        // 2. The provider sends it back with a code; 3. the node redeems it (with its secret) and signs the browser in;
        //    4. back to the page asked for, in the language asked for.
        Assert.StartsWith(NodeBase + "/dashboard/signin-oidc?code=", hops[1].Location!.AbsoluteUri);
        Assert.Equal("/dashboard?lang=fr", hops[2].SentLocation);
        Assert.Equal(1, _provider.TokenRequests);
        var page = hops[^1];
        Assert.Equal((HttpStatusCode.OK, NodeBase + "/dashboard?lang=fr"), (page.Status, page.Url.AbsoluteUri));
        Assert.Contains("kim.compliance", page.Body);
        Assert.Contains("lang=\"fr\"", page.Body);
        var cookie = browser.NodeCookie("launchnotify-dashboard");
        Assert.NotNull(cookie);
        Assert.True(cookie.HttpOnly);

        // The same sign-in opens the duty page; the API never takes the cookie, and the event stream says 401, not a redirect.
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/dashboard/duty")).Status);
        foreach (var api in new[] { "/v1/me", "/v1/notifications", "/v1/alarms" })
            Assert.Equal((api, HttpStatusCode.Unauthorized), (api, (await browser.GetAsync(api)).Status));
        Assert.Equal(HttpStatusCode.Unauthorized, (await new Browser(_app, _provider).GetAsync("/dashboard/duty/events")).Status);
        // Neither the secret nor the code or the tokens went into the log.
        Assert.DoesNotContain(_app.AllLogs.Entries, e => e.ToString().Contains(ClientSecret) || e.ToString().Contains(query["code_challenge"].ToString()));
    }

    public static TheoryData<string, string[], int, int> Roles => new()
    {
        // roles at the provider, /dashboard, /dashboard/duty
        { "compliance officer", [NodeRoles.ComplianceOfficer], 200, 200 },
        { "operator", [NodeRoles.Operator], 403, 200 },
        { "duty officer", [NodeRoles.DutyOfficer], 403, 200 },
        { "administrator", [NodeRoles.Administrator], 403, 403 },
        { "no role", [], 403, 403 },
    };

    [Theory]
    [MemberData(nameof(Roles))]
    public async Task ProviderSignIn_GivesTheRolesOfTheRoleClaim_AsBearerTokensDo(string who, string[] roles, int dashboard, int duty)
    {
        _provider.NextUser = new TestUser("s-" + who.Replace(' ', '-'), who.Replace(' ', '.'), roles);
        using var browser = new Browser(_app, _provider);

        var first = (await browser.FollowAsync("/dashboard/duty"))[^1];
        var again = await browser.GetAsync("/dashboard");

        Assert.Equal((duty, dashboard), ((int)first.Status, (int)again.Status));
        Assert.Equal(NodeBase + "/dashboard/duty", first.Url.AbsoluteUri);
        // A role not enough for the page: the page that says so, not a redirect or a problem body.
        if (dashboard == 403)
        {
            Assert.Contains(who.Replace(' ', '.'), again.Body);
            // Roles are given at the provider: the page does not send the reader to the node's user commands.
            Assert.Contains("identity provider", again.Body);
            Assert.DoesNotContain("launchnotify users reset", again.Body);
        }
        // What the duty page's forms record is the provider's principal: its sub and name, read with the bearer tokens' claims.
        if (duty == 200)
            Assert.Contains(who.Replace(' ', '.'), first.Body);
    }

    public static TheoryData<string> ForgedCallbacks => ["no state", "tampered state", "replayed callback", "code of another browser's flow (PKCE)", "declined at the provider", "nothing"];

    [Theory]
    [MemberData(nameof(ForgedCallbacks))]
    public async Task Callback_ForgedTamperedOrReplayed_IsRefusedWithAPage_AndSignsNobodyIn(string fault)
    {
        _provider.NextUser = new TestUser("s-duty", "dana.duty", NodeRoles.DutyOfficer);
        using var browser = new Browser(_app, _provider);
        string callback;
        if (fault == "declined at the provider")
        {
            _provider.NextUser = null;
            var declined = await browser.FollowAsync("/dashboard/duty", stopAt: u => u.AbsolutePath == "/dashboard/signin-oidc");
            callback = declined[^1].Location!.PathAndQuery;
            Assert.Contains("error=access_denied", callback);
        }
        else if (fault == "nothing")
            callback = "/dashboard/signin-oidc";
        else
        {
            // A real flow up to the provider's answer, which the browser does not deliver yet.
            var hops = await browser.FollowAsync("/dashboard/duty", stopAt: u => u.AbsolutePath == "/dashboard/signin-oidc");
            var answer = hops[^1].Location!;
            var query = QueryHelpers.ParseQuery(answer.Query);
            callback = fault switch
            {
                "no state" => $"/dashboard/signin-oidc?code={Uri.EscapeDataString(query["code"]!)}",
                "tampered state" => $"/dashboard/signin-oidc?code={Uri.EscapeDataString(query["code"]!)}&state={Uri.EscapeDataString(Tamper(query["state"]!))}",
                "replayed callback" => answer.PathAndQuery,
                _ => answer.PathAndQuery,
            };
            if (fault == "replayed callback")
                // Delivered once (signs in), then the same answer again in another browser that has the first one's cookies.
                Assert.Equal(HttpStatusCode.OK, (await browser.FollowAsync(answer.PathAndQuery))[^1].Status);
            if (fault == "code of another browser's flow (PKCE)")
            {
                // An attacker who stole the code starts a flow of their own (their state, their PKCE verifier) and hands in the stolen code.
                using var attacker = new Browser(_app, _provider);
                var own = (await attacker.FollowAsync("/dashboard/duty", stopAt: u => u.AbsolutePath == "/dashboard/signin-oidc"))[^1].Location!;
                var ownState = QueryHelpers.ParseQuery(own.Query)["state"]!;
                var stolen = await attacker.GetAsync($"/dashboard/signin-oidc?code={Uri.EscapeDataString(query["code"]!)}&state={Uri.EscapeDataString(ownState!)}");
                Assert.Equal(HttpStatusCode.BadRequest, stolen.Status);
                Assert.Null(attacker.NodeCookie("launchnotify-dashboard"));
                Assert.Equal(HttpStatusCode.Redirect, (await attacker.GetAsync("/dashboard/duty")).Status);
                return;
            }
        }
        using var replayer = fault == "replayed callback" ? new Browser(_app, _provider) : null;
        var refused = await (replayer ?? browser).GetAsync(callback);

        // 403 when the provider said no (the person declined), 400 for an answer that is not one to this browser's request.
        Assert.Equal(fault == "declined at the provider" ? HttpStatusCode.Forbidden : HttpStatusCode.BadRequest, refused.Status);
        Assert.Contains("id=\"login-problem\"", refused.Body);
        Assert.Contains("id=\"provider-sign-in\" href=\"/dashboard/duty\"", refused.Body);
        Assert.Null((replayer ?? browser).NodeCookie("launchnotify-dashboard"));
        // Still not signed in: the duty page sends the browser to the provider again.
        var after = await (replayer ?? browser).GetAsync("/dashboard/duty");
        Assert.Equal(HttpStatusCode.Redirect, after.Status);
        Assert.StartsWith(_provider.Issuer, after.Location!.AbsoluteUri);
        Assert.Contains(_app.Logs.Entries, e => e.Message.Contains("Dashboard sign-in at the provider refused", StringComparison.Ordinal));
        Assert.Empty(_app.Logs.Failures);
    }

    public static TheoryData<IdTokenFault> IdTokenFaults => [IdTokenFault.WrongAudience, IdTokenFault.WrongIssuer];

    [Theory]
    [MemberData(nameof(IdTokenFaults))]
    public async Task IdToken_ForAnotherClientOrFromAnotherIssuer_IsRefused(IdTokenFault fault)
    {
        _provider.NextUser = new TestUser("s-kim", "kim.compliance", NodeRoles.ComplianceOfficer);
        _provider.HandMadeIdToken = fault;
        using var browser = new Browser(_app, _provider);

        var refused = (await browser.FollowAsync("/dashboard"))[^1];

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Null(browser.NodeCookie("launchnotify-dashboard"));
        // The same hand-made token without the fault is accepted: the fault alone is what was refused.
        _provider.HandMadeIdToken = IdTokenFault.None;
        using var control = new Browser(_app, _provider);
        var page = (await control.FollowAsync("/dashboard"))[^1];
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains("kim.compliance", page.Body);
    }

    [Fact]
    public async Task SignOut_EndsTheCookie_AndTheProvidersSession_ThenComesBackToTheLoginPage()
    {
        _provider.NextUser = new TestUser("s-dana", "dana.duty", NodeRoles.DutyOfficer);
        using var browser = new Browser(_app, _provider);
        var duty = (await browser.FollowAsync("/dashboard/duty"))[^1];
        Assert.Equal(HttpStatusCode.OK, duty.Status);
        // The provider's origin is a form target of the page (the sign-out form's answer redirects there).
        Assert.Contains($"form-action 'self' {new Uri(_provider.Issuer).GetLeftPart(UriPartial.Authority)}", duty.Headers["Content-Security-Policy"]);
        var token = SignOutForm.Match(duty.Body);
        Assert.True(token.Success, duty.Body);

        var hops = await browser.FollowAsync("/dashboard/logout", new FormUrlEncodedContent([new(token.Groups[1].Value, token.Groups[2].Value)]));

        // To the provider's end-session endpoint with the ID token as hint, back through the node's signed-out callback.
        Assert.StartsWith(_provider.Issuer + "connect/logout?", hops[0].Location!.AbsoluteUri);
        var query = QueryHelpers.ParseQuery(hops[0].Location!.Query);
        Assert.Equal(NodeBase + "/dashboard/signout-callback-oidc", query["post_logout_redirect_uri"]);
        Assert.False(string.IsNullOrEmpty(query["id_token_hint"]));
        Assert.Equal(query["id_token_hint"].ToString(), Assert.Single(_provider.EndSessionHints));
        Assert.Equal((HttpStatusCode.OK, NodeBase + "/dashboard/login"), (hops[^1].Status, hops[^1].Url.AbsoluteUri));
        Assert.Contains("id=\"provider-sign-in\"", hops[^1].Body);
        Assert.Null(browser.NodeCookie("launchnotify-dashboard"));
        var after = await browser.GetAsync("/dashboard/duty");
        Assert.Equal(HttpStatusCode.Redirect, after.Status);
        Assert.StartsWith(_provider.Issuer + "connect/authorize?", after.Location!.AbsoluteUri);
    }

    [Fact]
    public async Task SignOut_WithAProviderWithoutAnEndSessionEndpoint_EndsTheCookieOnly()
    {
        await using var provider = await LoopbackOidcProvider.StartAsync(NodeBase, endSession: false);
        using var app = new ExternalProviderPublisher(provider.Issuer, dashboardClient: true);
        provider.NextUser = new TestUser("s-dana", "dana.duty", NodeRoles.DutyOfficer);
        using var browser = new Browser(app, provider);
        var duty = (await browser.FollowAsync("/dashboard/duty"))[^1];
        Assert.Equal(HttpStatusCode.OK, duty.Status);
        var token = SignOutForm.Match(duty.Body);

        var hops = await browser.FollowAsync("/dashboard/logout", new FormUrlEncodedContent([new(token.Groups[1].Value, token.Groups[2].Value)]));

        Assert.Equal("/dashboard/login", hops[0].SentLocation);
        Assert.Equal((HttpStatusCode.OK, NodeBase + "/dashboard/login"), (hops[^1].Status, hops[^1].Url.AbsoluteUri));
        Assert.Null(browser.NodeCookie("launchnotify-dashboard"));
        Assert.Empty(provider.EndSessionHints);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/dashboard/duty")).Status);
        Assert.Empty(app.Logs.Failures);
    }

    [Fact]
    public async Task LoginPage_WithTheProvidersSignIn_HasNoPasswordForm_AndAPostChecksNoPassword()
    {
        using var browser = new Browser(_app, _provider);
        var page = await browser.GetAsync("/dashboard/login?returnUrl=/dashboard/duty");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.DoesNotContain("type=\"password\"", page.Body);
        Assert.Contains("id=\"provider-sign-in\" href=\"/dashboard/duty\"", page.Body);
        // A return address off the dashboard is not followed: the link goes to the duty page.
        Assert.Contains("id=\"provider-sign-in\" href=\"/dashboard/duty\"", (await browser.GetAsync("/dashboard/login?returnUrl=https://evil.example/")).Body);
        Assert.Contains("id=\"provider-sign-in\" href=\"/dashboard/duty\"", (await browser.GetAsync("/dashboard/login?returnUrl=//evil.example/")).Body);
        await TestAccounts.AddAsync(_app.StoreOptions, ("olga", NodeRoles.ComplianceOfficer));
        var posted = await browser.PostAsync("/dashboard/login", new FormUrlEncodedContent([new("username", "olga"), new("password", TestAccounts.Password)]));
        Assert.Equal(HttpStatusCode.OK, posted.Status);
        Assert.Null(browser.NodeCookie("launchnotify-dashboard"));
    }

    [Theory]
    [InlineData("ClientId without Authority", "LaunchNotify:Auth:ClientId")]
    [InlineData("secret without ClientId", "LaunchNotify:Auth:ClientSecret")]
    [InlineData("both secrets", "LaunchNotify:Auth:ClientSecret")]
    [InlineData("secret file readable by others", "LaunchNotify:Auth:ClientSecretFile")]
    [InlineData("empty secret file", "LaunchNotify:Auth:ClientSecretFile")]
    public void Settings_AHalfOrUnsafeClientConfiguration_IsRefusedAtStartUp_WithoutShowingTheSecret(string fault, string key)
    {
        var folder = Directory.CreateTempSubdirectory("launchnotify-oidc-settings-").FullName;
        try
        {
            var file = Path.Combine(folder, "client.secret");
            SecretFile.WriteOwnerOnly(file, fault == "empty secret file" ? "" : "s3cret-value-xyz");
            if (fault == "secret file readable by others" && !OperatingSystem.IsWindows())
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            var values = new Dictionary<string, string?>
            {
                ["LaunchNotify:Auth:Authority"] = fault == "ClientId without Authority" ? null : "https://login.example.org/realms/x",
                ["LaunchNotify:Auth:ClientId"] = fault == "secret without ClientId" ? null : "launchnotify-dashboard",
                ["LaunchNotify:Auth:ClientSecret"] = fault is "secret without ClientId" or "both secrets" ? "s3cret-value-xyz" : null,
                ["LaunchNotify:Auth:ClientSecretFile"] = fault is "both secrets" or "secret file readable by others" or "empty secret file" ? file : null,
            };
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();

            var refused = Assert.Throws<SettingsException>(() => AuthSettings.From(configuration, "US", "http://127.0.0.1:5080", folder));

            var line = Assert.Single(refused.Problems);
            Assert.StartsWith(key + " = ", line);
            Assert.DoesNotContain("s3cret-value-xyz", line);
            if (fault == "secret file readable by others" && !OperatingSystem.IsWindows())
                Assert.Contains($"chmod 600 {file}", line);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Settings_ASecretFile0600_IsRead_AndNeverShown()
    {
        var folder = Directory.CreateTempSubdirectory("launchnotify-oidc-settings-").FullName;
        try
        {
            var file = Path.Combine(folder, "client.secret");
            SecretFile.WriteOwnerOnly(file, "s3cret-value-xyz\n");
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["LaunchNotify:Auth:Authority"] = "https://login.example.org/realms/x",
                ["LaunchNotify:Auth:ClientId"] = "launchnotify-dashboard",
                ["LaunchNotify:Auth:ClientSecretFile"] = file,
            }).Build();

            var auth = AuthSettings.From(configuration, "US", "http://127.0.0.1:5080", folder);

            Assert.Equal(("launchnotify-dashboard", "s3cret-value-xyz"), (auth.DashboardClient!.Id, auth.DashboardClient.Secret));
            Assert.DoesNotContain("s3cret-value-xyz", auth.ToString());
            // Without a ClientId the dashboard stays bearer-only (no browser sign-in), as before.
            var bearerOnly = AuthSettings.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["LaunchNotify:Auth:Authority"] = "https://login.example.org/realms/x",
            }).Build(), "US", "http://127.0.0.1:5080", folder);
            Assert.Null(bearerOnly.DashboardClient);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [GeneratedRegex("<form method=\"post\" action=\"/dashboard/logout\"><input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]+)\"")]
    private static partial Regex SignOutFormRegex();

    /// <summary>The sign-out form's antiforgery field (name, value) on a dashboard page.</summary>
    private static readonly Regex SignOutForm = SignOutFormRegex();

    /// <summary>Changes one character in the middle of the protected state, keeping it base64url.</summary>
    private static string Tamper(string state)
    {
        var chars = state.ToCharArray();
        var i = chars.Length / 2;
        chars[i] = chars[i] == 'A' ? 'B' : 'A';
        return new string(chars);
    }

    /// <summary>One answer on the browser's way: where it was asked, what came back.</summary>
    /// <param name="Location">Where a redirect sends the browser (resolved); <paramref name="SentLocation"/> as the server wrote it.</param>
    private sealed record Hop(Uri Url, HttpStatusCode Status, Uri? Location, string? SentLocation, string Body, IReadOnlyDictionary<string, string> Headers);

    /// <summary>
    /// A browser: one cookie jar for the node (the in-memory server at http://localhost) and one for the provider (on
    /// loopback), each redirect followed by hand so every step can be checked.
    /// </summary>
    private sealed class Browser(ExternalProviderPublisher app, LoopbackOidcProvider provider) : IDisposable
    {
        private readonly CookieContainer _nodeCookies = new();
        private readonly HttpClient _node = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        private readonly HttpClient _provider = new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true });
        private readonly Uri _providerBase = new(provider.Issuer);

        public Cookie? NodeCookie(string name) => _nodeCookies.GetCookies(new Uri(NodeBase)).FirstOrDefault(c => c.Name == name);

        public Task<Hop> GetAsync(string path) => SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(NodeBase), path)));

        public Task<Hop> PostAsync(string path, HttpContent body) => SendAsync(new HttpRequestMessage(HttpMethod.Post, new Uri(new Uri(NodeBase), path)) { Content = body });

        /// <summary>Requests <paramref name="path"/> and follows redirects (at most 10) until an answer that is not one, or until <paramref name="stopAt"/> names the next address.</summary>
        public async Task<List<Hop>> FollowAsync(string path, HttpContent? post = null, Func<Uri, bool>? stopAt = null)
        {
            var hops = new List<Hop> { await (post is null ? GetAsync(path) : PostAsync(path, post)) };
            while (hops[^1].Location is { } next && hops.Count < 10 && stopAt?.Invoke(next) is not true)
                hops.Add(await SendAsync(new HttpRequestMessage(HttpMethod.Get, next)));
            Assert.True(hops.Count < 10, "more than 10 redirects: " + string.Join(" -> ", hops.Select(h => h.Url)));
            return hops;
        }

        private async Task<Hop> SendAsync(HttpRequestMessage request)
        {
            var toNode = request.RequestUri!.GetLeftPart(UriPartial.Authority) == NodeBase;
            Assert.True(toNode || request.RequestUri.GetLeftPart(UriPartial.Authority) == _providerBase.GetLeftPart(UriPartial.Authority),
                $"the browser was sent off the node and the provider: {request.RequestUri}");
            if (toNode && _nodeCookies.GetCookieHeader(request.RequestUri) is { Length: > 0 } cookies)
                request.Headers.Add("Cookie", cookies);
            using var response = await (toNode ? _node : _provider).SendAsync(request);
            if (toNode && response.Headers.TryGetValues("Set-Cookie", out var set))
                foreach (var c in set)
                    _nodeCookies.SetCookies(request.RequestUri, c);
            var status = response.StatusCode;
            Assert.True((int)status < 500, $"{request.Method} {request.RequestUri}: {(int)status} {await response.Content.ReadAsStringAsync()}");
            var sent = response.Headers.Location;
            var location = sent is null ? null : sent.IsAbsoluteUri ? sent : new Uri(request.RequestUri, sent);
            var headers = response.Headers.Concat(response.Content.Headers).ToDictionary(h => h.Key, h => string.Join(", ", h.Value), StringComparer.OrdinalIgnoreCase);
            return new Hop(request.RequestUri, status, location, sent?.OriginalString, await response.Content.ReadAsStringAsync(), headers);
        }

        public void Dispose()
        {
            _node.Dispose();
            _provider.Dispose();
        }
    }
}
