using LaunchNotify.Node.Telemetry;
using LaunchNotify.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace LaunchNotify.Node.Hosting;

/// <summary>What the publisher and the subscriber set up alike: settings, health, telemetry, and how they stop on a bad start.</summary>
public static class NodeHosting
{
    /// <summary>Exit code when the store cannot be used by this build (newer, or not migrated with Migrations=Manual).</summary>
    public const int StoreExitCode = 65;

    /// <summary>
    /// Reads and validates the settings (the scripts' variables included), registers the options pattern (checked again
    /// at start), health checks and OpenTelemetry. Throws <see cref="SettingsException"/> for a wrong or missing setting.
    /// </summary>
    public static NodeSettings AddNodeHosting(this WebApplicationBuilder builder, NodeRole role)
    {
        NodeOptionsValidation.AddScriptVariables(builder.Configuration);
        var settings = NodeSettings.From(builder.Configuration);
        NodeOptionsValidation.AddNodeOptions(builder.Services, builder.Configuration);
        builder.WebHost.UseUrls(role == NodeRole.Subscriber ? settings.Subscriber.HttpUrl : settings.HttpUrl);
        builder.Services.AddNodeHealthChecks(settings);
        builder.Services.AddHostedService<NodeGaugeSampler>();
        // Started by a launcher (demo, bench, tests) that set LAUNCHNOTIFY_PARENT_PID: stop when it is gone.
        builder.Services.AddHostedService<ParentWatchService>();
        builder.AddNodeTelemetry(settings, role);
        return settings;
    }

    public static void AddNodeTelemetry(this WebApplicationBuilder builder, NodeSettings settings, NodeRole role)
    {
        var roleName = role.ToString().ToLowerInvariant();
        var telemetry = settings.Telemetry;
        void Otlp(OtlpExporterOptions o)
        {
            o.Endpoint = new Uri(telemetry.OtlpEndpoint!);
            o.Protocol = telemetry.OtlpProtocol == "HttpProtobuf" ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
        }

        // Log lines carry the trace and span ids of the activity they were written in (scopes; the JSON console shows them).
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        if (telemetry.OtlpEndpoint is { Length: > 0 })
            builder.Logging.AddOpenTelemetry(o => o.AddOtlpExporter(Otlp));

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService($"launchnotify-{roleName}", serviceInstanceId: $"{settings.Centre}-{roleName}-{Environment.MachineName}-{Environment.ProcessId}")
                .AddAttributes([new("launchnotify.centre", settings.Centre.Value)]))
            .WithTracing(t =>
            {
                // Always on, exported or not: the traceparent the outbox and the AMQP headers carry comes from these activities.
                t.AddSource(NodeTelemetry.Name).AddAspNetCoreInstrumentation(o => o.Filter = c => !c.Request.Path.StartsWithSegments("/health") && !c.Request.Path.StartsWithSegments("/metrics"));
                if (telemetry.OtlpEndpoint is { Length: > 0 })
                    t.AddOtlpExporter(Otlp);
            })
            .WithMetrics(m =>
            {
                m.AddMeter(NodeTelemetry.Name).AddAspNetCoreInstrumentation();
                if (telemetry.Prometheus)
                    m.AddPrometheusExporter();
                if (telemetry.OtlpEndpoint is { Length: > 0 })
                    m.AddOtlpExporter(Otlp);
            });
    }

    /// <summary>Health (and /metrics when Prometheus is on) endpoints.</summary>
    /// <param name="metrics">What the deployable asks of a scraper (e.g. an authorization policy); the health probes stay open.</param>
    public static void MapNodeEndpoints(this WebApplication app, NodeSettings settings, NodeRole role, Action<IEndpointConventionBuilder>? metrics = null)
    {
        app.MapNodeHealth(settings, role.ToString().ToLowerInvariant());
        if (settings.Telemetry.Prometheus)
        {
            var endpoint = app.MapPrometheusScrapingEndpoint("/metrics");
            metrics?.Invoke(endpoint);
        }
    }

    /// <summary>
    /// Runs a deployable: a wrong or missing setting ends it with one line per problem on stderr and exit code
    /// <see cref="SettingsException.ExitCode"/>; a store it cannot use, with one line and <see cref="StoreExitCode"/>.
    /// </summary>
    /// <summary>Exit code when the node's keys cannot be used.</summary>
    public const int KeysExitCode = 2;

    public static async Task<int> RunGuardedAsync(Func<Task> run)
    {
        try
        {
            await run();
            return 0;
        }
        catch (SettingsException e)
        {
            foreach (var problem in e.Problems)
                Console.Error.WriteLine($"launchnotify: configuration: {problem}");
            return SettingsException.ExitCode;
        }
        catch (OptionsValidationException e)
        {
            foreach (var failure in e.Failures)
                Console.Error.WriteLine($"launchnotify: configuration: {failure}");
            return SettingsException.ExitCode;
        }
        catch (StoreSchemaException e)
        {
            Console.Error.WriteLine($"launchnotify: store: {e.Message}");
            return StoreExitCode;
        }
        catch (Protocol.Signing.KeyStoreException e)
        {
            // Keys that cannot be used (a private key readable by others, no trust store): the reason, not a stack trace.
            Console.Error.WriteLine($"launchnotify: keys: {e.Message}");
            return KeysExitCode;
        }
    }
}
