using System.Diagnostics;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Broker;
using Npgsql;

namespace LaunchNotify.Bench;

/// <summary>
/// 1, 2, 4 … subscriber instances of one centre on its one inbox queue, sharing a PostgreSQL store. The sender
/// first fills the recipient's inbox queue (no subscriber running), then the instances start and drain it; the
/// drain rate is taken between 10 % and 90 % of the backlog stored, so staggered process starts do not count.
/// </summary>
public static class ScaleOutBenchmark
{
    private const string Schema = "launchnotify_bench";

    public static async Task<ScaleOutResult> RunAsync(BenchEnvironment env, NodeCluster cluster, PipelineDriver driver, string postgres,
        int instances, int messages, int concurrency, Action<string, double> progress, CancellationToken ct)
    {
        var store = "postgres:" + await StoreSetup.FreshPostgresSchemaAsync(postgres, Schema, ct);
        var connectionString = store["postgres:".Length..];

        // The backlog: published and broker-confirmed while no RU subscriber runs.
        var start = Stopwatch.GetTimestamp();
        var sent = await driver.ClosedLoopAsync(messages, concurrency, n => progress($"scale ×{instances}: filling the inbox", 0.5 * n / messages), ct);
        var accepted = sent.Where(s => s.Accepted).Select(s => s.MessageId).ToHashSet();
        while (PublishedCount(cluster, accepted) < accepted.Count && Stopwatch.GetElapsedTime(start) < TimeSpan.FromMinutes(5))
            await Task.Delay(100, ct);
        var publisherOnly = accepted.Count / Stopwatch.GetElapsedTime(start).TotalSeconds;

        var duplicatesBefore = CountLines(cluster, "Duplicate receipt");
        var subscribers = Enumerable.Range(1, instances)
            .Select(i => cluster.StartSubscriber(NodeCluster.Receiver, store, $"subscriber-pg-{instances}x{i}")).ToList();
        var drainStart = Stopwatch.GetTimestamp();
        var stored = 0;
        var confirmedCount = 0;
        double storedAt = double.NaN, confirmedAt = double.NaN;
        // The instances' CPU between the 50 % and the 90 % mark of the backlog stored: their start (runtime, broker and
        // store connections) and their first seconds, when the runtime's tiering thread recompiles the hot methods
        // (41 % of a fresh instance's CPU samples 4–16 s after its start), are not a message's cost.
        int low = accepted.Count / 2, high = accepted.Count * 9 / 10;
        (int Stored, List<ProcessSample> Samples)? atLow = null, atHigh = null;
        try
        {
            var lastChange = Stopwatch.StartNew();
            while (lastChange.Elapsed < TimeSpan.FromSeconds(60))
            {
                if (subscribers.FirstOrDefault(p => p.HasExited) is { } dead)
                    throw new InvalidOperationException($"{dead.Name} exited; see {dead.LogPath}.");
                var nowStored = await StoredCountAsync(connectionString, ct);
                var nowConfirmed = ConfirmedCount(cluster, accepted);
                if (nowStored != stored || nowConfirmed != confirmedCount)
                    lastChange.Restart();
                stored = nowStored;
                confirmedCount = nowConfirmed;
                if (stored >= low && atLow is null)
                    atLow = (stored, subscribers.Select(p => p.Sample()).ToList());
                if (stored >= high && atHigh is null && atLow is { } lo && stored > lo.Stored)
                    atHigh = (stored, subscribers.Select(p => p.Sample()).ToList());
                if (stored >= accepted.Count && double.IsNaN(storedAt))
                    storedAt = Stopwatch.GetElapsedTime(drainStart).TotalSeconds;
                if (confirmedCount >= accepted.Count)
                {
                    confirmedAt = Stopwatch.GetElapsedTime(drainStart).TotalSeconds;
                    break;
                }
                progress($"scale ×{instances}: draining", 0.5 + 0.5 * confirmedCount / Math.Max(1, accepted.Count));
                await Task.Delay(100, ct);
            }
            var samples = subscribers.Select(s => s.Sample()).ToList();
            var drain = await DrainRateAsync(connectionString, ct);
            // Receipt dispatchers of several instances may publish the same receipt; the sender's inbox drops the copies.
            await Task.Delay(500, ct);
            var duplicates = CountLines(cluster, "Duplicate receipt") - duplicatesBefore;
            var steady = atLow is { } l && atHigh is { } h ? PipelineDriver.Usage(l.Samples, h.Samples, h.Stored - l.Stored) : [];
            return new ScaleOutResult(instances, accepted.Count, Math.Round(publisherOnly, 1), Math.Round(drain, 1), Math.Round(storedAt, 2),
                Math.Round(confirmedAt, 2), stored, confirmedCount, duplicates,
                PipelineDriver.Usage([], samples, Math.Max(1, stored)), steady);
        }
        finally
        {
            foreach (var subscriber in subscribers)
                await cluster.StopAsync(subscriber);
        }
    }

    private static int PublishedCount(NodeCluster cluster, HashSet<Guid> ids) => CountDeliveries(cluster, ids, "Status IN ('Published', 'Confirmed', 'Rejected')");

    private static int ConfirmedCount(NodeCluster cluster, HashSet<Guid> ids) => CountDeliveries(cluster, ids, "Status = 'Confirmed'");

    private static int CountDeliveries(NodeCluster cluster, HashSet<Guid> ids, string condition)
    {
        using var connection = BenchEnvironment.OpenReadOnly(cluster.StorePath(NodeCluster.Sender));
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT MessageId FROM Deliveries WHERE {condition}";
        using var reader = command.ExecuteReader();
        var count = 0;
        while (reader.Read())
            if (ids.Contains(Guid.Parse(reader.GetString(0))))
                count++;
        return count;
    }

    private static async Task<int> StoredCountAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT count(*) FROM \"Inbox\" WHERE \"Kind\" = 'prenotification'", connection);
        return Convert.ToInt32(await command.ExecuteScalarAsync(ct));
    }

    /// <summary>Messages per second between the 10 % and the 90 % mark of the backlog, by the instants the instances stamped.</summary>
    private static async Task<double> DrainRateAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT \"ReceivedAt\" FROM \"Inbox\" WHERE \"Kind\" = 'prenotification' ORDER BY \"ReceivedAt\"", connection);
        var stamps = new List<long>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
                stamps.Add(reader.GetInt64(0));
        if (stamps.Count < 10)
            return double.NaN;
        int lo = stamps.Count / 10, hi = stamps.Count * 9 / 10;
        var seconds = (stamps[hi] - stamps[lo]) / (double)TimeSpan.TicksPerSecond;
        return seconds > 0 ? (hi - lo) / seconds : double.NaN;
    }

    private static int CountLines(NodeCluster cluster, string text)
    {
        var log = Path.Combine(cluster.Folder, NodeCluster.Sender.Value, "subscriber.log");
        if (!File.Exists(log))
            return 0;
        using var stream = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var count = 0;
        while (reader.ReadLine() is { } line)
            if (line.Contains(text, StringComparison.Ordinal))
                count++;
        return count;
    }
}
