using LaunchNotify.Node.Alarms;
using LaunchNotify.Node.Hosting;
using LaunchNotify.Node.Launches;
using LaunchNotify.Publisher;

// A centre's publisher: the operators' HTTP API on loopback, the dispatcher that publishes the outbox, the heartbeats
// and a deadline watcher.
// Content root = the binaries, not the working folder (see the subscriber's Program.cs).
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
var settings = NodeSettings.From(builder.Configuration);
builder.WebHost.UseUrls(settings.HttpUrl);
builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = settings.MaxMessageBytes * 2L);
builder.Services.AddLaunchNotifyNode(settings);
builder.Services.AddOutboxDispatcher(settings, NodeRole.Publisher);
builder.Services.AddDeadlineWatcher(settings, NodeRole.Publisher);
builder.Services.AddOpenApi();
builder.Services.AddAlarmFeed(settings, NodeRole.Publisher);
builder.Services.AddObservedLaunches(builder.Configuration);
builder.Services.AddLinkMonitor(settings);

var app = builder.Build();
await app.Services.InitializeNodeAsync(settings, app.Lifetime.ApplicationStopping);
app.MapOpenApi();
app.MapGet("/health", () => Results.Ok(new { centre = settings.Centre.Value, role = "publisher" }));
app.MapNotificationEndpoints();
app.MapAlarmEndpoints();
app.MapLaunchEndpoints();
app.MapDashboard();
app.MapEvidenceEndpoints();
app.MapLinkEndpoints();
app.Logger.LogInformation("Publisher for centre {Centre} listening on {Url} (store {Store}, broker {Broker})",
    settings.Centre, settings.HttpUrl, settings.Store, settings.Broker);
await app.RunAsync();

/// <summary>Exposed for WebApplicationFactory-based tests.</summary>
public partial class Program;
