using LaunchNotify.Node.Security;
using System.Net;
using System.Text.Json.Nodes;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Evidence;
using LaunchNotify.Node.Hosting;
using LaunchNotify.Node.Outbox;
using LaunchNotify.Protocol.Signing;
using LaunchNotify.Node.Accounts;
using LaunchNotify.Publisher;
using LaunchNotify.Publisher.Security;
using LaunchNotify.Tests.Shared;
using LaunchNotify.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace LaunchNotify.Compliance.Tests;

/// <summary>GET /v1/notifications/{id}/evidence over real HTTP, on the publisher's endpoint mapping.</summary>
public sealed class EvidenceEndpointTests
{
    [Fact]
    public async Task GetEvidence_ForASentNotification_ReturnsABundleThatVerifies_AndForAnUnknownOne404()
    {
        await using var centres = await TwoCentres.CreateAsync();
        var id = await centres.ExchangeAsync();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton(new NodeSettings
        {
            Centre = new CentreCode("US"),
            Store = centres.Us.Store.Options,
            Broker = new BrokerConnection("127.0.0.1", 1, "launchnotify", "US", "unused"),
            KeysDirectory = centres.KeysDirectory,
        });
        builder.Services.AddSingleton<IClock>(centres.Clock);
        builder.Services.AddSingleton(centres.Us.Store.Factory);
        // The publisher's own authentication: a compliance officer's token from its token endpoint.
        builder.Services.AddApiAuthentication(AuthSettings.From(builder.Configuration, "US", "http://127.0.0.1:0", centres.KeysDirectory));
        await using var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapAccountEndpoints(app.Services.GetRequiredService<AuthSettings>());
        app.MapEvidenceEndpoints();
        await app.StartAsync();
        await TestAccounts.AddAsync(centres.Us.Store.Options, ("carla", NodeRoles.ComplianceOfficer));
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };
        using (var anonymous = new HttpClient { BaseAddress = http.BaseAddress })
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/v1/notifications/{id}/evidence")).StatusCode);
        http.WithToken(await TestAccounts.TokenAsync(http, "carla"));

        using var response = await http.GetAsync($"/v1/notifications/{id}/evidence");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(id.ToString("D"), (string?)JsonNode.Parse(body)!["messageId"]);
        var report = EvidenceVerifier.Verify(body, KeyStore.LoadTrustedKeys(centres.KeysDirectory));
        Assert.True(report.Passed, string.Join("\n", report.Checks));

        using var missing = await http.GetAsync($"/v1/notifications/{Guid.NewGuid()}/evidence");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("NOT_FOUND", (string?)JsonNode.Parse(await missing.Content.ReadAsStringAsync())!["code"]);
        await app.StopAsync();
    }
}
