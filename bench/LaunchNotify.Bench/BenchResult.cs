using System.Text.Json;
using System.Text.Json.Serialization;

namespace LaunchNotify.Bench;

/// <summary>Everything one run measured; written as results-&lt;timestamp&gt;.json (docs/performance.md explains each field).</summary>
public sealed record BenchResult
{
    public required string StartedAt { get; init; }
    public required string Mode { get; init; }
    public required MachineInfo Machine { get; init; }
    public required BenchOptions Options { get; init; }
    public int JwsBytes { get; set; }
    public FloorResult? Floor { get; set; }
    public PipelineRun? Idle { get; set; }
    public PipelineRun? Throughput { get; set; }
    public PipelineRun? FixedRate { get; set; }

    /// <summary>Pipeline notifications/s ÷ (floor messages/s ÷ 2): each notification costs two broker messages.</summary>
    public double? Ratio { get; set; }
    public RssResult? SubscriberMemory { get; set; }
    public List<ScaleOutResult> ScaleOut { get; } = [];
    public List<TopologyResult> Topology { get; } = [];
    public FanOutResult? FanOut { get; set; }
    public SeedReplayResult? Seed { get; set; }
    public HotPathResult? HotPath { get; set; }
    public List<TargetResult> Targets { get; } = [];
    public List<string> Notes { get; } = [];
    public double TotalSeconds { get; set; }

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

public sealed record MachineInfo(int Cores, string LoadAverageAtStart, string Runtime, string Configuration)
{
    /// <summary>This machine now: cores, /proc/loadavg, the runtime, and the configuration the nodes were built in.</summary>
    public static MachineInfo Now(string configuration) => new(Environment.ProcessorCount,
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "?", Environment.Version.ToString(), configuration);
}

public sealed record LatencySummary(int Count, double P50Ms, double P95Ms, double P99Ms, double MaxMs, double MeanMs)
{
    public static LatencySummary From(IEnumerable<double> milliseconds)
    {
        var sorted = milliseconds.Order().ToArray();
        if (sorted.Length == 0)
            return new LatencySummary(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        return new LatencySummary(sorted.Length, Percentile(sorted, 0.50), Percentile(sorted, 0.95), Percentile(sorted, 0.99), sorted[^1], sorted.Average());
    }

    /// <summary>Nearest-rank percentile: the smallest value with at least p of the samples at or below it.</summary>
    private static double Percentile(double[] sorted, double p) =>
        Math.Round(sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)], 2);

    public override string ToString() => Count == 0 ? "-" : $"p50 {P50Ms:0.0} / p95 {P95Ms:0.0} / p99 {P99Ms:0.0} ms";
}

public sealed record FloorResult(
    int Messages, int MessageBytes, int Window, int Prefetch, double Seconds, double MessagesPerSecond,
    LatencySummary PublishToDelivered, LatencySummary SequentialPublishToDelivered);

/// <summary>CPU and memory of one process over a run (CPU is the delta over the run; memory as of its end).</summary>
public sealed record ProcessUsage(string Name, double CpuSeconds, double CpuMsPerNotification, double RssMb, double PeakRssMb);

public sealed record PipelineRun
{
    public required string Name { get; init; }
    public double? OfferedPerSecond { get; init; }
    public int Concurrency { get; init; }
    public int Submitted { get; init; }
    public int Accepted { get; init; }
    public int Confirmed { get; init; }
    public double Seconds { get; init; }

    /// <summary>Confirmed notifications ÷ (last confirmation observed − first submission).</summary>
    public double NotificationsPerSecond { get; init; }

    /// <summary>Submission start (client) → the sender's store shows the delivery confirmed (observed).</summary>
    public required LatencySummary SubmitToConfirmed { get; init; }
    public required LatencySummary SubmitToAccepted { get; init; }

    /// <summary>The same journey cut at the instants the nodes stamp in their stores (see docs/performance.md).</summary>
    public required Dictionary<string, LatencySummary> Stages { get; init; }
    public required List<ProcessUsage> Processes { get; init; }
    public List<string> Errors { get; init; } = [];
}

public sealed record RssResult(int SeededRows, double SeedSeconds, double RssMbAfterRuns, double PeakRssMb);

public sealed record ScaleOutResult(
    int Instances, int Messages, double PublisherOnlyPerSecond, double DrainPerSecond, double SecondsToAllStored, double SecondsToAllConfirmed,
    int Stored, int Confirmed, int DuplicateReceiptsAtSender, List<ProcessUsage> Subscribers, List<ProcessUsage> SteadySubscribers);

public sealed record TopologyResult(
    int Centres, double ProvisionSeconds, double ProvisionMsPerCentre, double RoutingSeconds, int Routed, int Misrouted, bool AllCorrect, double CleanupSeconds);

/// <summary>
/// One notification to many recipients at a time (FanOutBenchmark): every receipt applied at the sender, and when.
/// CPU per process is per notification (each one costs <see cref="Recipients"/> publishes and as many receipts).
/// </summary>
public sealed record FanOutResult
{
    public int Recipients { get; init; }
    public int Notifications { get; init; }
    public int Accepted { get; init; }
    public int ReceiptsExpected { get; init; }

    /// <summary>Deliveries confirmed in the sender's store (an accepted receipt applied).</summary>
    public int ReceiptsApplied { get; init; }

    /// <summary>Notifications with every recipient's receipt applied.</summary>
    public int NotificationsAllApplied { get; init; }
    public required LatencySummary SubmitToAccepted { get; init; }

    /// <summary>Submission start (client) → the sender's store stamps ReceiptAt, over every receipt of every notification.</summary>
    public required LatencySummary SubmitToReceiptApplied { get; init; }

    /// <summary>Submission start → the last of a notification's receipts applied, one value per notification.</summary>
    public required LatencySummary SubmitToAllApplied { get; init; }
    public required Dictionary<string, LatencySummary> Stages { get; init; }
    public required List<ProcessUsage> Processes { get; init; }
    public required FanOutResponderCounts Responder { get; init; }
    public double ProvisionSeconds { get; init; }

    /// <summary>The bench-only agreements the nodes loaded (hcoc with the sender and the counterparts as parties).</summary>
    public string? AgreementsDirectory { get; init; }
    public List<string> Errors { get; init; } = [];
}

/// <summary>What the counterparts' responder did over the phase (warm-up included).</summary>
public sealed record FanOutResponderCounts(long Notifications, long AcceptedReceipts, long RejectedReceipts, long OtherDeliveries, long Refused);

public sealed record TargetResult(string Name, string Target, string Measured, string Status, string? Note = null);
