using LaunchNotify.Node.Accounts;
using LaunchNotify.Node.Alarms;
using LaunchNotify.Node.Hosting;
using LaunchNotify.Node.Launches;
using LaunchNotify.Publisher;
using LaunchNotify.Publisher.Security;

// A centre's publisher: the operators' HTTP API (authenticated, docs/security.md), the dispatcher that publishes the
// outbox, the heartbeats and a deadline watcher.
// Content root = the binaries, not the working folder (see the subscriber's Program.cs).
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
NodeSettings settings;
AuthSettings auth;
try
{
    settings = NodeSettings.From(builder.Configuration);
    auth = AuthSettings.From(builder.Configuration, settings.Centre.Value, settings.HttpUrl, settings.KeysDirectory);
}
catch (Exception e) when (e is InvalidOperationException or SecretFileException or FormatException)
{
    Console.Error.WriteLine($"The publisher cannot start: {e.Message}");
    return 2;
}
// Off loopback only with TLS: said and refused before anything binds.
if (TransportGuard.Check(builder.Configuration, settings.HttpUrl) is { Count: > 0 } transportProblems)
{
    foreach (var problem in transportProblems)
        Console.Error.WriteLine($"The publisher cannot start: {problem}");
    return 2;
}
builder.WebHost.UseUrls(settings.HttpUrl);
builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = settings.MaxMessageBytes * 2L);
builder.Services.AddLaunchNotifyNode(settings);
builder.Services.AddOutboxDispatcher(settings, NodeRole.Publisher);
builder.Services.AddDeadlineWatcher(settings, NodeRole.Publisher);
builder.Services.AddOpenApi();
// Every error answer is a problem details document with a code (docs/api.md); see ApiProblems.
builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = ApiProblems.Complete);
builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
builder.Services.AddAlarmFeed(settings, NodeRole.Publisher);
builder.Services.AddObservedLaunches(builder.Configuration);
try
{
    builder.Services.AddApiAuthentication(auth);
}
catch (SecretFileException e)
{
    Console.Error.WriteLine($"The publisher cannot start: {e.Message}");
    return 2;
}

var app = builder.Build();
await app.Services.InitializeNodeAsync(settings, app.Lifetime.ApplicationStopping);
// An exception that escapes a handler is a bug: logged with its stack, answered 500 with a trace id and no details.
app.UseExceptionHandler();
// 404, 405 and other answers without a body get a problem body.
app.UseStatusCodePages();
await using (var scope = app.Services.CreateAsyncScope())
    await scope.ServiceProvider.GetRequiredService<AccountBook>().EnsureRolesAsync();
app.UseAuthentication();
app.UseAuthorization();
app.MapOpenApi().RequireAuthorization(ApiPolicies.AnyRole);
// The one endpoint open to all: whether the process is up (no data beyond the centre code).
app.MapGet("/health", () => Results.Ok(new { centre = settings.Centre.Value, role = "publisher" })).AllowAnonymous();
app.MapAccountEndpoints(auth);
app.MapNotificationEndpoints();
app.MapAlarmEndpoints();
app.MapLaunchEndpoints();
app.MapDashboard();
app.MapEvidenceEndpoints();
app.Logger.LogInformation("Publisher for centre {Centre} listening on {Url} (store {Store}, broker {Broker}; tokens from {Provider})",
    settings.Centre, settings.HttpUrl, settings.Store, settings.Broker, auth.IsEmbedded ? $"this node ({auth.Issuer})" : auth.Authority);
await app.RunAsync();
return 0;

/// <summary>Exposed for WebApplicationFactory-based tests.</summary>
public partial class Program;
