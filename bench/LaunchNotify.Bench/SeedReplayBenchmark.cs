using System.Diagnostics;
using LaunchNotify.Node.Seeding;

namespace LaunchNotify.Bench;

/// <summary>One run of <c>launchnotify seed</c>'s engine (the five reference centres), measured in this process.</summary>
/// <param name="Pace">"fast" (the seeder's default) or "reference" (<see cref="SeedOptions.Reference"/>: the pace before).</param>
/// <param name="Messages">Deliveries and heartbeats processed by a recipient's inbox (receipts and acknowledgements not counted).</param>
public sealed record SeedReplayRun(string Pace, int Days, int Notifications, int Messages, double WallSeconds, double CpuSeconds,
    double NotificationsPerSecond, double MessagesPerSecond, double CpuMsPerDay);

/// <summary>
/// The seed-replay phase: a year (<see cref="BenchOptions.SeedDays"/>) at the reference pace and at the fast pace, in the same process after a short warm-up
/// (so the JIT is not counted in either), and optionally a longer drill at the fast pace.
/// </summary>
public sealed record SeedReplayResult(List<SeedReplayRun> Runs)
{
    /// <summary>Reference CPU ÷ fast CPU over the same days (the first pair): how much faster the seeder is than before, in one run.</summary>
    public double? CpuRatio => Runs.FirstOrDefault(r => r.Pace == "reference") is { } slow && Runs.FirstOrDefault(r => r.Pace == "fast" && r.Days == slow.Days) is { } fast
        ? Math.Round(slow.CpuSeconds / fast.CpuSeconds, 2) : null;
}

public static class SeedReplayBenchmark
{
    public static async Task<SeedReplayResult> RunAsync(BenchOptions options, string folder, Func<string, Action<string, double>> phase, CancellationToken ct)
    {
        var runs = new List<SeedReplayRun>();
        var warm = phase("seed replay: warm-up (30 days, not measured)");
        await RunOnceAsync("warm-up", Math.Min(30, options.SeedDays), false, folder, warm, ct);
        warm("seed replay: warm-up done", 1);
        foreach (var (pace, days) in new[] { ("reference", options.SeedDays), ("fast", options.SeedDays) }.Concat(options.SeedYears > 1 ? [("fast", 365 * options.SeedYears)] : []))
        {
            var progress = phase($"seed replay: {days} days, {pace} pace");
            var run = await RunOnceAsync(pace, days, pace == "reference", folder, progress, ct);
            runs.Add(run);
            progress($"seed replay: {days} days, {pace}: {run.WallSeconds:0.0} s, CPU {run.CpuSeconds:0.0} s", 1);
        }
        return new SeedReplayResult(runs);
    }

    private static async Task<SeedReplayRun> RunOnceAsync(string pace, int days, bool reference, string folder, Action<string, double> progress, CancellationToken ct)
    {
        var options = new SeedOptions { Directory = Path.Combine(folder, $"{pace}-{days}"), Days = days, Reference = reference, Force = true };
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        var summary = await HistorySeeder.RunAsync(options, new DayProgress(p => progress("", (double)p.DaysDone / p.DaysTotal)), ct);
        var seconds = wall.Elapsed.TotalSeconds;
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(options.Directory, recursive: true);
        var messages = summary.Delivered + summary.Heartbeats;
        return new SeedReplayRun(pace, days, summary.Submitted, messages, Math.Round(seconds, 2), Math.Round(cpuSeconds, 2),
            Math.Round(summary.Submitted / seconds, 1), Math.Round(messages / seconds, 1), Math.Round(cpuSeconds * 1000 / days, 1));
    }

    private sealed class DayProgress(Action<SeedProgress> report) : IProgress<SeedProgress>
    {
        public void Report(SeedProgress value) => report(value);
    }
}
