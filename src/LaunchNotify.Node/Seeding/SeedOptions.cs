using NodaTime;

namespace LaunchNotify.Node.Seeding;

/// <summary>What history to make: which centres, from when, for how long, and the random seed that fixes every choice.</summary>
public sealed record SeedOptions
{
    /// <summary>Each centre's store goes to <c>DIR/CC/node.db</c>; every centre's keys to <c>DIR/keys</c>.</summary>
    public required string Directory { get; init; }

    public IReadOnlyList<string> Centres { get; init; } = ["US", "RU", "CN", "IN", "PK"];

    /// <summary>A fixed default so that the same seed always gives the same history, whatever day it runs.</summary>
    public LocalDate From { get; init; } = new(2025, 1, 1);

    public int Days { get; init; } = 365;

    public int Seed { get; init; } = 1;

    /// <summary>Multiplies the yearly launch rates (0.5: half as many notifications).</summary>
    public double Scale { get; init; } = 1.0;

    /// <summary>
    /// How often seeded centres send each other heartbeats (null: none, and no link outage). Coarser than the
    /// agreements' 5 min to 1 h, which would be most of the seed's work; every beat then carries the finding
    /// HEARTBEAT_INTERVAL_MISMATCH.
    /// </summary>
    public Duration? HeartbeatInterval { get; init; } = Duration.FromDays(1);

    /// <summary>Replace stores already in <see cref="Directory"/>.</summary>
    public bool Force { get; init; }

    /// <summary>
    /// The seeder's reference pace: every store migrated on its own, and every node's deadline watcher taking a turn
    /// after each event that stored a deadline, even one due later than the watcher's next look. The same history, made
    /// slower; the seeder's tests compare the two (docs/performance.md, "seed replay").
    /// </summary>
    public bool Reference { get; init; }

    public Instant Start => From.AtStartOfDayInZone(DateTimeZone.Utc).ToInstant();
    public Instant End => Start + Duration.FromDays(Days);

    public string StorePath(string centre) => Path.Combine(Directory, centre, "node.db");
    public string KeysDirectory => Path.Combine(Directory, "keys");
}

/// <summary>Reported once per simulated day.</summary>
public sealed record SeedProgress(LocalDate Day, int DaysDone, int DaysTotal, int Submitted, int Delivered, int AlarmsRaised);

/// <summary>What the seeder did, by design (the report then measures it from the stores).</summary>
public sealed record SeedSummary
{
    public int Launches { get; set; }
    public int Submitted { get; set; }
    public int SubmittedLate { get; set; }
    public int Amendments { get; set; }
    public int Cancellations { get; set; }
    public int PostLaunchReports { get; set; }
    public int PostLaunchLate { get; set; }
    public int PostLaunchWithheld { get; set; }
    public int Delivered { get; set; }
    public int Dropped { get; set; }
    public int ReceiptsDelayed { get; set; }
    public int ReceiptsLost { get; set; }
    public int ReceiverRejections { get; set; }
    public int Heartbeats { get; set; }
    public int HeartbeatsLost { get; set; }

    /// <summary>The link that went down for a while (null: none).</summary>
    public string? Outage { get; set; }

    /// <summary>Raised by the nodes' detectors (counted as the seed goes, then from the stores).</summary>
    public int AlarmsRaised { get; set; }
    public Dictionary<string, int> AlarmsByKind { get; } = [];
    public int AlarmsAcknowledged { get; set; }
    public int AlarmsResolvedByOfficers { get; set; }

    /// <summary>Resolved by the detectors because what was awaited arrived (a late receipt, a gap filled, a late report, heartbeats again).</summary>
    public int AlarmsResolvedBySystem { get; set; }

    /// <summary>Alarm deadlines still pending when the history ends: they fire when a node is next started on the store.</summary>
    public int DeadlinesPending { get; set; }
    public Dictionary<string, string> Stores { get; } = [];
    public List<string> Links { get; } = [];
    public TimeSpan Elapsed { get; set; }
}

public sealed class SeedException(string message) : Exception(message);
