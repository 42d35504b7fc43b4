namespace LaunchNotify.Bench.Faults;

/// <summary>What one fault run does; <see cref="Short"/> is the version infra/test.sh runs.</summary>
public sealed record FaultOptions
{
    public string Mode { get; init; } = "default";

    /// <summary>Notifications submitted through the intake during each process or broker fault; the fault starts a third of the way in.</summary>
    public int StreamMessages { get; init; } = 300;
    public int StreamConcurrency { get; init; } = 4;

    /// <summary>How long each fault lasts (process down, link cut) before it heals; the broker is down for as long as its restart takes on top.</summary>
    public TimeSpan Outage { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Hostile bodies sent to the intake, and how many at once.</summary>
    public int CorpusSize { get; init; } = 10_000;
    public int FloodConcurrency { get; init; } = 8;

    /// <summary>After a fault heals, everything accepted must be confirmed within this, else it counts as lost.</summary>
    public TimeSpan ConvergeBound { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>Each message of the inbox flood must reach its outcome (stored with a receipt, or parked) within this.</summary>
    public TimeSpan InboxBound { get; init; } = TimeSpan.FromSeconds(60);

    public ulong Seed { get; init; } = 20261206;

    /// <summary>Scenarios to run (all when empty): subscriber-kill, publisher-kill, link-drop, link-hold, broker-kill, intake-flood, inbox-flood.</summary>
    public IReadOnlySet<string> Only { get; init; } = new HashSet<string>();

    /// <summary>Broker passwords of centres already provisioned (a test fixture's): used and left as they are.</summary>
    public IReadOnlyDictionary<string, string>? ExistingPasswords { get; init; }

    public string? OutputDirectory { get; init; }
    public string? Configuration { get; init; }

    public bool Runs(string scenario) => Only.Count == 0 || Only.Contains(scenario);

    /// <summary>For infra/test.sh: every scenario, shortened (a few minutes on a loaded 2-core machine).</summary>
    public static FaultOptions Short => new()
    {
        Mode = "short",
        StreamMessages = 24,
        StreamConcurrency = 3,
        Outage = TimeSpan.FromSeconds(4),
        CorpusSize = 1_500,
        FloodConcurrency = 4,
        ConvergeBound = TimeSpan.FromMinutes(2),
        InboxBound = TimeSpan.FromSeconds(45),
    };
}

/// <summary>The figures of one scenario (docs/reliability.md); <see cref="Failures"/> empty means it passed.</summary>
public sealed record ScenarioResult
{
    public required string Name { get; init; }
    public required string What { get; init; }
    /// <summary>Requests or messages sent (submissions, hostile bodies, broker publishes).</summary>
    public int Sent { get; set; }
    /// <summary>Answered 202/200 by the intake, or stored as accepted by the recipient (inbox flood).</summary>
    public int Accepted { get; set; }
    /// <summary>Stored in the recipient's inbox (accepted or rejected with a receipt).</summary>
    public int Stored { get; set; }
    /// <summary>Receipts back at the sender.</summary>
    public int Confirmed { get; set; }
    /// <summary>Accepted but never confirmed within the bound, or sent to the inbox and neither stored nor parked.</summary>
    public int Lost { get; set; }
    /// <summary>Effects applied twice: a second inbox row, a second receipt applied, two receipt ids for one message.</summary>
    public int Duplicated { get; set; }
    public int Parked { get; set; }
    public int Http5xx { get; set; }
    /// <summary>Requests that got no HTTP answer at all (refused or reset), retried while a fault lasted.</summary>
    public int ConnectionErrors { get; set; }

    /// <summary>Requests sent a second time after a transport error on the first try (the second answered).</summary>
    public int TransportRetries { get; set; }
    /// <summary>From the fault healing (process back, link restored, broker started) until everything was confirmed.</summary>
    public double? ConvergeSeconds { get; set; }
    public Dictionary<string, int> Statuses { get; init; } = [];
    public List<string> Failures { get; init; } = [];
    public List<string> Notes { get; init; } = [];
    public bool Passed => Failures.Count == 0;
}

public sealed record FaultReport
{
    public required string StartedAt { get; init; }
    public required string Mode { get; init; }
    public required MachineInfo Machine { get; init; }
    public required FaultOptions Options { get; init; }
    public List<ScenarioResult> Scenarios { get; } = [];
    public double TotalSeconds { get; set; }
    public bool Passed => Scenarios.All(s => s.Passed);
}
