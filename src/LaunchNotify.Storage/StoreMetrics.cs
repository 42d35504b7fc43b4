using System.Diagnostics.Metrics;

namespace LaunchNotify.Storage;

/// <summary>The store's instruments live on the node's meter (<c>LaunchNotify</c>, as the node's telemetry exports it).</summary>
internal static class StoreMetrics
{
    public static readonly Meter Meter = new("LaunchNotify");
}
