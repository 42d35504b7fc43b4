using LaunchNotify.Node.Accounts;
using LaunchNotify.Node.Alarms;
using LaunchNotify.Node.Hosting;
using LaunchNotify.Node.Launches;
using LaunchNotify.Publisher;
using LaunchNotify.Node.Security;
using LaunchNotify.Publisher.Security;
using LaunchNotify.Web.Shared;

// A centre's publisher: the operators' HTTP API (authenticated, docs/security.md), the dispatcher that publishes the
// outbox, the heartbeats and a deadline watcher. Read-only (LaunchNotify:ReadOnly): the API's queries and the dashboard
// only, nothing written. Content root = the binaries, not the working folder (see the subscriber's Program.cs).
return await NodeHosting.RunGuardedAsync(async () =>
{
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
    var settings = builder.AddNodeHosting(NodeRole.Publisher);
    AuthSettings auth;
    try
    {
        auth = AuthSettings.From(builder.Configuration, settings.Centre.Value, settings.HttpUrl, settings.KeysDirectory);
    }
    catch (SecretFileException e)
    {
        throw new SettingsException([$"LaunchNotify:Auth: {e.Message}"]);
    }
    // Off loopback only with TLS: said and refused before anything binds.
    if (TransportGuard.Check(builder.Configuration, settings.HttpUrl) is { Count: > 0 } transportProblems)
        throw new SettingsException([.. transportProblems]);
    builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = settings.MaxMessageBytes * 2L);
    builder.Services.AddLaunchNotifyNode(settings);
    if (!settings.ReadOnly)
    {
        builder.Services.AddOutboxDispatcher(settings, NodeRole.Publisher);
        builder.Services.AddDeadlineWatcher(settings, NodeRole.Publisher);
        builder.Services.AddAlarmFeed(settings, NodeRole.Publisher);
    }
    builder.Services.AddOpenApi();
    // The dashboard's pages are Razor components rendered on the server (src/LaunchNotify.Web) with this encoding.
    builder.Services.AddPageEncoding();
    // Every error answer is a problem details document with a code (docs/api.md); see ApiProblems.
    builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = ApiProblems.Complete);
    builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
    builder.Services.AddObservedLaunches(builder.Configuration);
    builder.Services.AddLinkMonitor(settings, watch: !settings.ReadOnly);
    builder.Services.AddSingleton<LaunchNotify.Node.Duty.DutyQueries>();
    try
    {
        builder.Services.AddApiAuthentication(auth);
    }
    catch (SecretFileException e)
    {
        throw new SettingsException([$"LaunchNotify:Auth: {e.Message}"]);
    }

    var app = builder.Build();
    await app.Services.InitializeNodeAsync(settings, app.Lifetime.ApplicationStopping);
    // An exception that escapes a handler is a bug: logged with its stack, answered 500 with a trace id and no details.
    app.UseExceptionHandler();
    // 404, 405 and other answers without a body get a problem body.
    app.UseStatusCodePages();
    if (!settings.ReadOnly)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<AccountBook>().EnsureRolesAsync();
    }
    app.UseAuthentication();
    app.UseAuthorization();
    if (settings.ReadOnly)
        app.UseReadOnlyApi();
    app.MapOpenApi().RequireAuthorization(ApiPolicies.AnyRole);
    // Open to all: whether the process is up and ready (no data beyond the centre code and the checks' states).
    app.MapGet("/health", () => Results.Ok(new { centre = settings.Centre.Value, role = "publisher" })).AllowAnonymous();
    app.MapNodeEndpoints(settings, NodeRole.Publisher, metrics => metrics.RequireAuthorization(ApiPolicies.AnyRole));
    app.MapAccountEndpoints(auth);
    app.MapNotificationEndpoints();
    app.MapAlarmEndpoints();
    app.MapAcknowledgementEndpoints();
    app.MapLaunchEndpoints();
    app.MapDashboard();
    app.MapDutyPage();
    app.MapEvidenceEndpoints();
    app.MapKeyEndpoints();
    app.MapLinkEndpoints();
    app.Logger.LogInformation("Publisher for centre {Centre} listening on {Url} (store {Store}, broker {Broker}; tokens from {Provider}; dashboard sign-in: {DashboardSignIn}){ReadOnly}",
        settings.Centre, settings.HttpUrl, settings.Store, settings.Broker, auth.IsEmbedded ? $"this node ({auth.Issuer})" : auth.Authority,
        auth.IsEmbedded ? "login page" : auth.DashboardClient is { } client ? $"at the provider as client {client}" : "bearer tokens only (no LaunchNotify:Auth:ClientId)",
        settings.ReadOnly ? ", read-only" : "");
    await app.RunAsync();
});

/// <summary>Exposed for WebApplicationFactory-based tests.</summary>
public partial class Program;
