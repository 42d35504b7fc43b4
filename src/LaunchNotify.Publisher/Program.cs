using LaunchNotify.Node.Alarms;
using LaunchNotify.Node.Hosting;
using LaunchNotify.Node.Launches;
using LaunchNotify.Publisher;

// A centre's publisher: the operators' HTTP API on loopback, the dispatcher that publishes the outbox, the heartbeats
// and a deadline watcher. Read-only (LaunchNotify:ReadOnly): the API's queries and the dashboard only, nothing written.
// Content root = the binaries, not the working folder (see the subscriber's Program.cs).
return await NodeHosting.RunGuardedAsync(async () =>
{
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
    var settings = builder.AddNodeHosting(NodeRole.Publisher);
    builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = settings.MaxMessageBytes * 2L);
    builder.Services.AddLaunchNotifyNode(settings);
    if (!settings.ReadOnly)
    {
        builder.Services.AddOutboxDispatcher(settings, NodeRole.Publisher);
        builder.Services.AddDeadlineWatcher(settings, NodeRole.Publisher);
        builder.Services.AddAlarmFeed(settings, NodeRole.Publisher);
    }
    builder.Services.AddOpenApi();
    // Every error answer is a problem details document with a code (docs/api.md); see ApiProblems.
    builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = ApiProblems.Complete);
    builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
    builder.Services.AddObservedLaunches(builder.Configuration);

    var app = builder.Build();
    await app.Services.InitializeNodeAsync(settings, app.Lifetime.ApplicationStopping);
    // An exception that escapes a handler is a bug: logged with its stack, answered 500 with a trace id and no details.
    app.UseExceptionHandler();
    // 404, 405 and other answers without a body get a problem body.
    app.UseStatusCodePages();
    if (settings.ReadOnly)
        app.UseReadOnlyApi();
    app.MapOpenApi();
    app.MapGet("/health", () => Results.Ok(new { centre = settings.Centre.Value, role = "publisher" }));
    app.MapNodeEndpoints(settings, NodeRole.Publisher);
    app.MapNotificationEndpoints();
    app.MapAlarmEndpoints();
    app.MapLaunchEndpoints();
    app.MapDashboard();
    app.MapEvidenceEndpoints();
    app.MapKeyEndpoints();
    app.Logger.LogInformation("Publisher for centre {Centre} listening on {Url} (store {Store}, broker {Broker}){ReadOnly}",
        settings.Centre, settings.HttpUrl, settings.Store, settings.Broker, settings.ReadOnly ? ", read-only" : "");
    await app.RunAsync();
});

/// <summary>Exposed for WebApplicationFactory-based tests.</summary>
public partial class Program;
