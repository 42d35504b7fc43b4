namespace LaunchNotify.Bench;

/// <summary>What one benchmark run does; <see cref="Quick"/> and <see cref="Full"/> are the two presets.</summary>
public sealed record BenchOptions
{
    public string Mode { get; init; } = "default";

    /// <summary>Notifications in the closed-loop throughput run, and how many submissions are in flight at once.</summary>
    public int Messages { get; init; } = 3000;
    public int Concurrency { get; init; } = 32;

    /// <summary>The fixed-rate latency run: notifications per second, for this many seconds.</summary>
    public int Rate { get; init; } = 100;
    public int RateSeconds { get; init; } = 20;

    public int WarmUp { get; init; } = 400;

    /// <summary>Notifications submitted one at a time on an otherwise idle pipeline, each after the last was confirmed.</summary>
    public int IdleNotifications { get; init; } = 40;

    /// <summary>Messages in the broker floor (plain RabbitMQ.Client), and publishes awaiting a confirm at once.</summary>
    public int FloorMessages { get; init; } = 20_000;
    public int FloorWindow { get; init; } = 200;

    /// <summary>Inbox rows written into the receiving subscriber's store before it starts (1M in full mode).</summary>
    public int SeedRows { get; init; } = 100_000;

    public IReadOnlyList<int> ScaleInstances { get; init; } = [1, 2, 4];
    public int ScaleMessages { get; init; } = 2000;

    public IReadOnlyList<int> CentreCounts { get; init; } = [10, 50, 200];

    /// <summary>Fan-out: recipients of each hcoc notification (counterparts on the broker), notifications measured, warm-up ones.</summary>
    public int FanOutRecipients { get; init; } = 142;
    public int FanOutNotifications { get; init; } = 10;
    public int FanOutWarmUp { get; init; } = 2;

    /// <summary>How often the confirmation observer reads the sender's store.</summary>
    public int ObserveIntervalMs { get; init; } = 2;

    /// <summary>Seed replay: days of the reference/fast pair, and years of the fast-pace drill after it (1: only the pair).</summary>
    public int SeedDays { get; init; } = 365;
    public int SeedYears { get; init; } = 1;

    /// <summary>Hot path (in this process, no broker): notifications per measured block (a quarter of it again as warm-up).</summary>
    public int HotPathMessages { get; init; } = 2000;

    /// <summary>Every phase, by the name <c>--skip</c> takes, in the order they run.</summary>
    public static readonly IReadOnlyList<string> Phases = ["idle", "floor", "pipeline", "rate", "scale", "topology", "fanout", "seed", "hotpath"];

    /// <summary>Phases to leave out (names from <see cref="Phases"/>).</summary>
    public IReadOnlySet<string> Skip { get; init; } = new HashSet<string>();

    /// <summary>A <see cref="Skip"/> that leaves out every phase but <paramref name="phases"/>.</summary>
    public static IReadOnlySet<string> AllBut(params string[] phases) => Phases.Except(phases).ToHashSet();

    /// <summary>Where results-&lt;timestamp&gt;.json goes (default .local/bench under the repository).</summary>
    public string? OutputDirectory { get; init; }

    /// <summary>
    /// Broker passwords of centres that are already provisioned (a test fixture's): the run uses them and leaves those
    /// users as they are instead of provisioning fresh passwords.
    /// </summary>
    public IReadOnlyDictionary<string, string>? ExistingPasswords { get; init; }

    /// <summary>Debug or Release: whose build output the node processes are started from (default: the bench's own).</summary>
    public string? Configuration { get; init; }

    /// <summary>Another clone whose build output runs as the nodes (e.g. the commit before an optimization), for before/after.</summary>
    public string? NodesRoot { get; init; }

    public bool Runs(string phase) => !Skip.Contains(phase);

    public static BenchOptions Quick => new()
    {
        Mode = "quick",
        Messages = 600,
        Concurrency = 16,
        RateSeconds = 8,
        WarmUp = 300,
        IdleNotifications = 20,
        FloorMessages = 5000,
        SeedRows = 20_000,
        ScaleInstances = [1, 2, 4],
        ScaleMessages = 600,
        CentreCounts = [10, 50],
        FanOutNotifications = 3,
        FanOutWarmUp = 1,
        SeedDays = 120,
        HotPathMessages = 1000,
    };

    public static BenchOptions Full => new()
    {
        Mode = "full",
        Messages = 10_000,
        Concurrency = 32,
        RateSeconds = 60,
        WarmUp = 1000,
        IdleNotifications = 100,
        FloorMessages = 50_000,
        SeedRows = 1_000_000,
        ScaleMessages = 4000,
        FanOutNotifications = 30,
        HotPathMessages = 5000,
    };
}
