using System.Net;
using System.Text;
using LaunchNotify.Node.Accounts;
using LaunchNotify.Node.Hosting;
using LaunchNotify.Tests.Shared;
using LaunchNotify.Publisher.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Http.Metadata;
using static LaunchNotify.Node.Accounts.NodeRoles;

namespace LaunchNotify.Alarms.Tests.Security;

/// <summary>
/// Every endpoint the publisher maps (read from its EndpointDataSource, so a new endpoint cannot be missed) × every role
/// × no credentials: 401 without a token, 403 for a role not allowed, through for a role allowed. The table below is
/// the one in docs/security.md; an endpoint missing from it, or mapped without a policy, fails the test.
/// </summary>
public sealed class EndpointAuthorizationTests(PublisherApp app) : IClassFixture<PublisherApp>
{
    private static readonly string[] Readers = [Operator, DutyOfficer, ComplianceOfficer];

    /// <summary>Method and route pattern → the roles allowed (docs/security.md).</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Expected = new Dictionary<string, string[]>
    {
        ["POST /v1/notifications"] = [Operator],
        ["POST /v1/amendments"] = [Operator],
        ["POST /v1/cancellations"] = [Operator],
        ["POST /v1/postlaunch-reports"] = [Operator],
        ["GET /v1/notifications/{id}"] = Readers,
        ["GET /v1/notifications"] = Readers,
        ["GET /v1/inbox"] = Readers,
        ["GET /v1/inbox/awaiting-acknowledgement"] = Readers,
        ["POST /v1/inbox/{sender}/{id}/acknowledge"] = [DutyOfficer],
        ["GET /v1/alarms"] = Readers,
        ["GET /v1/alarms/stream"] = Readers,
        ["GET /v1/alarms/{id}"] = Readers,
        ["POST /v1/alarms/{id}/acknowledge"] = [DutyOfficer],
        ["POST /v1/alarms/{id}/resolve"] = [DutyOfficer],
        ["POST /v1/observed-launches"] = [DutyOfficer],
        ["GET /v1/observed-launches"] = Readers,
        ["GET /v1/observed-launches/{id}"] = Readers,
        ["GET /v1/notifications/{id}/evidence"] = [ComplianceOfficer],
        ["GET /v1/keys"] = [Administrator],
        ["POST /v1/keys/reload"] = [Administrator],
        ["GET /v1/links"] = Readers,
        ["GET /metrics"] = [.. All],
        ["GET /dashboard"] = [ComplianceOfficer],
        ["GET /dashboard/notifications/{id:guid}"] = [ComplianceOfficer],
        ["POST /dashboard/logout"] = Readers,
        ["GET /dashboard/duty"] = Readers,
        ["GET /dashboard/duty/events"] = Readers,
        ["GET /dashboard/duty/live.js"] = Readers,
        ["POST /dashboard/duty/alarms/{id:guid}/acknowledge"] = [DutyOfficer],
        ["POST /dashboard/duty/alarms/{id:guid}/resolve"] = [DutyOfficer],
        ["POST /dashboard/duty/notices/{sender}/{id:guid}/acknowledge"] = [DutyOfficer],
        ["GET /v1/me"] = [.. All],
        ["GET /v1/accounts"] = [Administrator],
        ["GET /openapi/{documentName}.json"] = [.. All],
    };

    /// <summary>The only endpoints open without a token: the health probe and the ways to get a token or a sign-in.</summary>
    public static readonly string[] Anonymous = ["GET /health", "GET /health/live", "GET /health/ready", "POST /connect/token", "GET /dashboard/login", "POST /dashboard/login"];

    private IReadOnlyList<(string Key, RouteEndpoint Endpoint)> Endpoints()
    {
        _ = app.Server; // starts the app
        return app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => ($"{m} /{e.RoutePattern.RawText!.TrimStart('/')}", e)))
            .ToList();
    }

    [Fact]
    public void EveryEndpoint_HasAPolicyFromTheTable_OrIsOneOfTheFewAnonymousOnes()
    {
        var problems = new List<string>();
        foreach (var (key, endpoint) in Endpoints())
        {
            var anonymous = endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;
            var policies = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).ToList();
            if (anonymous)
            {
                if (!Anonymous.Contains(key))
                    problems.Add($"{key} allows anonymous callers but is not a health probe or sign-in endpoint");
                continue;
            }
            if (policies.Count != 1 || policies[0] is not { } policy || !ApiPolicies.Roles.TryGetValue(policy, out var roles))
            {
                problems.Add($"{key} has no policy from ApiPolicies (found: {string.Join(", ", policies)}): add .RequireAuthorization(ApiPolicies.X)");
                continue;
            }
            if (!Expected.TryGetValue(key, out var expected))
                problems.Add($"{key} is not in the endpoint × role table: add it here and to docs/security.md");
            else if (!expected.Order().SequenceEqual(roles.Order()))
                problems.Add($"{key}: policy '{policy}' lets in [{string.Join(", ", roles)}], the table says [{string.Join(", ", expected)}]");
        }
        var mapped = Endpoints().Select(e => e.Key).ToHashSet();
        problems.AddRange(Expected.Keys.Concat(Anonymous).Where(k => !mapped.Contains(k)).Select(k => $"{k} is in the table but not mapped"));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public async Task EveryEndpoint_Answers401WithoutAToken_403ToRolesNotAllowed_AndLetsAllowedRolesThrough()
    {
        await TestAccounts.AddOnePerRoleAsync(app.StoreOptions);
        var anonymous = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        anonymous.DefaultRequestHeaders.Authorization = null;
        var clients = new Dictionary<string, HttpClient> { ["no credentials"] = anonymous };
        foreach (var role in All)
        {
            var http = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
            clients[role] = http.WithToken(await TestAccounts.TokenAsync(http, role));
        }

        var problems = new List<string>();
        var checkedCount = 0;
        foreach (var (key, endpoint) in Endpoints().Where(e => !Anonymous.Contains(e.Key)))
        {
            var method = key[..key.IndexOf(' ')];
            var path = PathFor(endpoint.RoutePattern.RawText!);
            foreach (var (caller, http) in clients)
            {
                var status = await StatusAsync(http, method, path);
                checkedCount++;
                var allowed = Expected.TryGetValue(key, out var roles) && roles.Contains(caller);
                // The dashboard sends a browser without a sign-in to its login page instead (not an event stream: a script
                // cannot follow a login page, so it gets 401, as the framework answers for API-style endpoints).
                var dashboard = key.Contains(" /dashboard", StringComparison.Ordinal) && !key.EndsWith("/events", StringComparison.Ordinal);
                var ok = caller == "no credentials"
                    ? dashboard ? status == HttpStatusCode.Redirect : status == HttpStatusCode.Unauthorized
                    : allowed ? status is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden) && (int)status < 500 : status == HttpStatusCode.Forbidden;
                if (!ok)
                    problems.Add($"{key} as {caller}: {(int)status}, expected {(caller == "no credentials" ? dashboard ? "302 to the login page" : "401" : allowed ? "through (not 401/403/5xx)" : "403")}");
            }
        }
        foreach (var http in clients.Values)
            http.Dispose();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.True(checkedCount >= Expected.Count * 5, $"only {checkedCount} calls made");
    }

    /// <summary>The subscriber's HTTP side (Subscriber:HttpUrl), run as its own process on this publisher's store and keys.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> SubscriberExpected = new Dictionary<string, string[]>
    {
        ["GET /metrics"] = [.. All],
        ["GET /health/live"] = ["open"],
        ["GET /health/ready"] = ["open"],
    };

    [Fact]
    public async Task SubscriberEndpoints_MetricsNeedATokenOfAnyRole_HealthIsOpen()
    {
        await TestAccounts.AddOnePerRoleAsync(app.StoreOptions);
        var clients = new Dictionary<string, HttpClient> { ["no credentials"] = new HttpClient(), ["a forged token"] = new HttpClient().WithToken(ForgedToken()) };
        foreach (var role in All)
        {
            using var publisher = app.CreateClient();
            clients[role] = new HttpClient().WithToken(await TestAccounts.TokenAsync(publisher, role));
        }
        var port = FreePort();
        using var subscriber = StartSubscriber(port);
        var problems = new List<string>();
        try
        {
            await LiveAsync(subscriber, port);
            foreach (var (key, allowed) in SubscriberExpected)
            foreach (var (caller, http) in clients)
            {
                using var response = await http.GetAsync($"http://127.0.0.1:{port}{key[4..]}");
                var body = await response.Content.ReadAsStringAsync();
                var open = allowed.Contains("open");
                var ok = open ? response.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable
                    : allowed.Contains(caller) ? response.StatusCode == HttpStatusCode.OK && body.Contains("# TYPE", StringComparison.Ordinal)
                    : response.StatusCode == HttpStatusCode.Unauthorized;
                if (!ok)
                    problems.Add($"subscriber {key} as {caller}: {(int)response.StatusCode}, expected {(open ? "200/503 (open)" : allowed.Contains(caller) ? "200 with metrics" : "401")}");
            }
        }
        finally
        {
            subscriber.Kill(entireProcessTree: true);
            await subscriber.WaitForExitAsync();
            foreach (var http in clients.Values)
                http.Dispose();
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems) + "\n" + SubscriberOutput);
    }

    /// <summary>A token shaped like the node's but signed by another key.</summary>
    private static string ForgedToken()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        return new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().CreateToken(new Microsoft.IdentityModel.Tokens.SecurityTokenDescriptor
        {
            Issuer = "http://127.0.0.1:0/",
            Audience = "launchnotify",
            Claims = new Dictionary<string, object> { ["sub"] = "forged", ["name"] = "mallory", ["role"] = All.ToArray() },
            SigningCredentials = new(new Microsoft.IdentityModel.Tokens.RsaSecurityKey(rsa), "RS256"),
        });
    }

    private System.Diagnostics.Process StartSubscriber(int port)
    {
        var info = new System.Diagnostics.ProcessStartInfo("dotnet", [TransportGuardTests.DeployableDll("Subscriber")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = false,
            UseShellExecute = false,
        };
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("LaunchNotify", StringComparison.OrdinalIgnoreCase)).ToList())
            info.Environment.Remove(name);
        info.Environment["LaunchNotify__Centre"] = "US";
        info.Environment["LaunchNotify__Store"] = app.StoreOption;
        info.Environment["LaunchNotify__KeysDirectory"] = app.KeysDirectory;
        // No broker at this port: the subscriber runs (not ready) and serves its HTTP side, which is what is checked.
        info.Environment["LaunchNotify__Broker__Port"] = FreePort().ToString();
        info.Environment["LaunchNotify__Broker__Password"] = "unused";
        // The publisher's address, hence the issuer of its tokens (the test app's: http://127.0.0.1:0).
        info.Environment["LaunchNotify__HttpUrl"] = "http://127.0.0.1:0";
        info.Environment["LaunchNotify__Subscriber__HttpUrl"] = $"http://127.0.0.1:{port}";
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Tie();
        var process = System.Diagnostics.Process.Start(info)!;
        // Read as it comes, so a chatty subscriber never blocks on a full pipe.
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_subscriberOutput) _subscriberOutput.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        return process;
    }

    private readonly System.Text.StringBuilder _subscriberOutput = new();

    private string SubscriberOutput { get { lock (_subscriberOutput) return _subscriberOutput.ToString(); } }

    private async Task LiveAsync(System.Diagnostics.Process subscriber, int port)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromMinutes(2))
        {
            if (subscriber.HasExited)
                Assert.Fail($"the subscriber exited with {subscriber.ExitCode}:\n{SubscriberOutput}");
            try
            {
                if ((await http.GetAsync($"http://127.0.0.1:{port}/health/live")).StatusCode == HttpStatusCode.OK)
                    return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }
            await Task.Delay(250);
        }
        Assert.Fail($"the subscriber's /health/live did not answer within 2 minutes:\n{SubscriberOutput}");
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public async Task Health_AnswersWithoutAToken()
    {
        using var http = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health")).StatusCode);
    }

    private static string PathFor(string pattern) => "/" + pattern.TrimStart('/')
        .Replace("{id:guid}", Guid.NewGuid().ToString())
        .Replace("{id}", Guid.NewGuid().ToString())
        .Replace("{documentName}", "v1");

    private static async Task<HttpStatusCode> StatusAsync(HttpClient http, string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        // The alarm stream never ends: the status line is all that is needed.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
        return response.StatusCode;
    }
}
