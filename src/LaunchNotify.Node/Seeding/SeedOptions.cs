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

    /// <summary>Replace stores already in <see cref="Directory"/>.</summary>
    public bool Force { get; init; }

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
    public int AlarmsRaised { get; set; }
    public int AlarmsAcknowledged { get; set; }
    public int AlarmsResolved { get; set; }
    public Dictionary<string, string> Stores { get; } = [];
    public List<string> Links { get; } = [];
    public TimeSpan Elapsed { get; set; }
}

public sealed class SeedException(string message) : Exception(message);
