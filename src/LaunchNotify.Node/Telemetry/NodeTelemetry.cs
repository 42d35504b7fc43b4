using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;

namespace LaunchNotify.Node.Telemetry;

/// <summary>
/// The node's traces and metrics (docs/operations.md). One notification is one trace: the submission's activity is
/// stored with its outbox entry (<c>TraceParent</c>), the dispatcher publishes under it with a W3C <c>traceparent</c>
/// AMQP header, the counterpart's inbox continues it, stores its receipt's outbox entry under it, and the receipt's
/// return to this centre ends it. The JWS body is never touched.
/// </summary>
public static class NodeTelemetry
{
    public const string Name = "LaunchNotify";
    public const string TraceParentHeader = "traceparent";
    public const string TraceStateHeader = "tracestate";

    public static readonly ActivitySource Source = new(Name);
    public static readonly Meter Meter = new(Name);

    public static readonly Counter<long> Submissions = Meter.CreateCounter<long>(
        "launchnotify.submissions", unit: "{notification}", description: "Submissions through the API or CLI, by kind and outcome (accepted, rejected, duplicate).");
    public static readonly Counter<long> Deliveries = Meter.CreateCounter<long>(
        "launchnotify.deliveries", unit: "{message}", description: "Messages the outbox published to the broker (confirmed), by kind; failures by outcome.");
    public static readonly Counter<long> InboxDeliveries = Meter.CreateCounter<long>(
        "launchnotify.inbox.deliveries", unit: "{message}", description: "Deliveries the inbox finished with, by disposition (accepted, rejected, duplicate, parked).");
    public static readonly Histogram<double> ReceiptLatency = Meter.CreateHistogram<double>(
        "launchnotify.receipt.latency", unit: "s", description: "From publishing a message to applying the counterpart's receipt, by recipient.");

    /// <summary>The W3C traceparent of the current activity (null when nothing is traced).</summary>
    public static string? CurrentTraceParent() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current.Id : null;

    /// <summary>Starts an activity continuing a trace carried as a W3C traceparent (stored or from a message header).</summary>
    public static Activity? StartContinuing(string name, ActivityKind kind, string? traceParent, string? traceState = null)
    {
        if (traceParent is not null && ActivityContext.TryParse(traceParent, traceState, out var parent))
            return Source.StartActivity(name, kind, parent);
        return Source.StartActivity(name, kind);
    }

    /// <summary>The AMQP headers carrying the activity's context (null without one).</summary>
    public static Dictionary<string, object?>? Headers(Activity? activity)
    {
        if (activity is not { IdFormat: ActivityIdFormat.W3C })
            return null;
        var headers = new Dictionary<string, object?> { [TraceParentHeader] = activity.Id };
        if (!string.IsNullOrEmpty(activity.TraceStateString))
            headers[TraceStateHeader] = activity.TraceStateString;
        return headers;
    }

    /// <summary>A header value as RabbitMQ delivers it (bytes) or as a test sets it (string).</summary>
    public static string? HeaderText(IDictionary<string, object?>? headers, string name) =>
        headers is not null && headers.TryGetValue(name, out var value)
            ? value switch { byte[] bytes => Encoding.UTF8.GetString(bytes), string text => text, _ => null }
            : null;
}
