using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using LaunchNotify.Domain.Values;
using LaunchNotify.Protocol.Signing;
using NodaTime;
using NodaTime.Text;
using Spectre.Console;

namespace LaunchNotify.Bench;

/// <summary>Runs the phases of one benchmark in order, with progress, and writes the results (JSON and a table).</summary>
public static class BenchRunner
{
    public sealed record Outcome(BenchResult Result, string JsonPath, string TextPath);

    public static async Task<Outcome> RunAsync(BenchOptions options, IAnsiConsole console, CancellationToken ct)
    {
        var total = Stopwatch.StartNew();
        using var env = await BenchEnvironment.OpenAsync(options.Configuration, options.NodesRoot, ct);
        var started = SystemClock.Instance.GetCurrentInstant();
        var stamp = started.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var folder = Path.Combine(env.RepoRoot, ".local", "bench", "run-" + stamp);
        var result = new BenchResult
        {
            StartedAt = InstantPattern.ExtendedIso.Format(started),
            Mode = options.Mode,
            Machine = MachineInfo.Now(env.Configuration),
            Options = options,
        };
        console.MarkupLine($"[bold]LaunchNotify benchmark[/] ({options.Mode}): broker amqp://{BenchEnvironment.Host}:{env.AmqpPort}, " +
            $"{Environment.ProcessorCount} cores, load {Markup.Escape(result.Machine.LoadAverageAtStart)}; " +
            (env.NodesRoot is { } nodes ? $"nodes built from {Markup.Escape(nodes)}; " : "") + $"node logs under {Markup.Escape(Path.GetRelativePath(env.RepoRoot, folder))}/");

        await WithProgressAsync(console, async phase =>
        {
            if (options.Runs("idle") || options.Runs("pipeline") || options.Runs("rate") || options.Runs("floor"))
                await PipelinePhaseAsync(env, options, Path.Combine(folder, "pipeline"), result, phase, ct);
            if (options.Runs("scale"))
                await ScalePhaseAsync(env, options, Path.Combine(folder, "scale"), result, phase, ct);
            if (options.Runs("topology"))
                foreach (var count in options.CentreCounts)
                {
                    try
                    {
                        result.Topology.Add(await TopologyBenchmark.RunAsync(env, count, phase($"topology ×{count}"), ct));
                    }
                    catch (Exception e) when (e is TimeoutException or OperationCanceledException && !ct.IsCancellationRequested)
                    {
                        // Recorded as a miss with its reason; the other phases' results are still written.
                        result.Topology.Add(new TopologyResult(count, double.NaN, double.NaN, double.NaN, 0, count, false, double.NaN));
                        result.Notes.Add($"{count} centres: routing did not complete: {e.Message}");
                    }
                }
            if (options.Runs("fanout"))
                result.FanOut = await FanOutBenchmark.RunAsync(env, options, Path.Combine(folder, "fanout"), phase, ct);
            if (options.Runs("seed"))
                result.Seed = await SeedReplayBenchmark.RunAsync(options, Path.Combine(folder, "seed"), phase, ct);
            if (options.Runs("hotpath"))
            {
                // The same paths on PostgreSQL too (item 6: its node CPU against SQLite's), unless that store cannot be had here.
                string? postgres = null;
                try
                {
                    postgres = await env.PostgresConnectionStringAsync(ct);
                }
                catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException)
                {
                    result.Notes.Add($"hot path on PostgreSQL not run: {e.Message}");
                }
                result.HotPath = await HotPathBenchmark.RunAsync(options, Path.Combine(folder, "hotpath"), phase, ct, postgres, postgres is null ? null : env.PostgresPid());
            }
        });

        // The node logs stay for inspection; the stores go (a --full run leaves a 4.7 GB SQLite file otherwise).
        if (Directory.Exists(folder))
            foreach (var store in Directory.EnumerateFiles(folder, "node.db*", SearchOption.AllDirectories))
                File.Delete(store);

        result.TotalSeconds = Math.Round(total.Elapsed.TotalSeconds, 1);
        Targets.Evaluate(result);

        var output = options.OutputDirectory ?? Path.Combine(env.RepoRoot, ".local", "bench");
        Directory.CreateDirectory(output);
        var jsonPath = Path.Combine(output, $"results-{stamp}.json");
        await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(result, BenchResult.Json), ct);
        var recorder = new Recorder(console);
        Report.Write(recorder, result);
        var textPath = Path.Combine(output, $"results-{stamp}.txt");
        await File.WriteAllTextAsync(textPath, recorder.ExportText(), ct);
        console.MarkupLine($"Results: [bold]{Markup.Escape(Path.GetRelativePath(env.RepoRoot, jsonPath))}[/] and {Markup.Escape(Path.GetRelativePath(env.RepoRoot, textPath))} ({result.TotalSeconds:0} s)");
        return new Outcome(result, jsonPath, textPath);
    }

    /// <summary>Bars when the console is interactive; otherwise a line per phase step, so logs show progress too.</summary>
    private static async Task WithProgressAsync(IAnsiConsole console, Func<Func<string, Action<string, double>>, Task> run)
    {
        if (console.Profile.Capabilities.Interactive)
        {
            await console.Progress().AutoClear(false).HideCompleted(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .StartAsync(ctx => run(name =>
                {
                    var task = ctx.AddTask(Markup.Escape(name), maxValue: 1.0);
                    return (text, fraction) =>
                    {
                        if (text.Length > 0) task.Description = Markup.Escape(text);
                        task.Value = Math.Clamp(fraction, 0, 1);
                    };
                }));
            return;
        }
        await run(name =>
        {
            var gate = new object();
            var lastText = "";
            var lastStep = -1;
            return (text, fraction) =>
            {
                lock (gate)
                {
                    var shown = text.Length > 0 ? text : name;
                    var step = (int)(Math.Clamp(fraction, 0, 1) * 4);
                    if (shown == lastText && step == lastStep) return;
                    lastText = shown;
                    lastStep = step;
                    console.WriteLine($"  [{SystemClock.Instance.GetCurrentInstant().ToString("HH:mm:ss", CultureInfo.InvariantCulture)}] {shown}: {Math.Clamp(fraction, 0, 1):P0}");
                }
            };
        });
    }

    private static async Task PipelinePhaseAsync(BenchEnvironment env, BenchOptions options, string folder, BenchResult result,
        Func<string, Action<string, double>> phase, CancellationToken ct)
    {
        var setup = phase("pipeline: set-up");
        await using var cluster = await NodeCluster.PrepareAsync(env, folder, options.ExistingPasswords, ct);

        // The receiving subscriber's store already holds many notifications before it starts (the memory target).
        setup($"seeding RU's inbox with {options.SeedRows:N0} rows", 0);
        var sample = SampleJws(cluster);
        var seedSeconds = await StoreSetup.SeedInboxAsync(cluster.StorePath(NodeCluster.Receiver), options.SeedRows, sample,
            f => setup($"seeding RU's inbox with {options.SeedRows:N0} rows", 0.6 * f), ct);

        setup("starting US publisher, US subscriber, RU subscriber", 0.6);
        cluster.StartPublisher(NodeCluster.Sender);
        cluster.StartSubscriber(NodeCluster.Sender);
        var receiver = cluster.StartSubscriber(NodeCluster.Receiver);
        await cluster.WaitUntilReadyAsync(true, new Dictionary<CentreCode, int> { [NodeCluster.Sender] = 1, [NodeCluster.Receiver] = 1 }, ct);
        await using var observer = new ConfirmationObserver(cluster.StorePath(NodeCluster.Sender), TimeSpan.FromMilliseconds(options.ObserveIntervalMs));
        using var driver = new PipelineDriver(cluster, observer, await cluster.OperatorTokenAsync(ct));

        // Warm-up: JIT, connection pools, the publishers' AMQP connections. Not measured.
        var warm = await driver.ClosedLoopAsync(options.WarmUp, Math.Min(8, options.Concurrency), n => setup("warm-up", 0.6 + 0.2 * n / options.WarmUp), ct);
        await driver.WaitConfirmedAsync(warm, TimeSpan.FromSeconds(30), n => setup("warm-up: waiting for receipts", 0.8 + 0.2 * n / Math.Max(1, warm.Count)), ct);
        if (warm.Count(w => w.Accepted) == 0)
            throw new InvalidOperationException($"The publisher accepted none of the warm-up notifications: {warm.FirstOrDefault()?.Error}");
        // Let the runtime finish tier-1 compiling what the warm-up made hot, so the runs measure steady state, not JIT.
        setup("warm-up: letting the JIT settle", 1);
        await Task.Delay(TimeSpan.FromSeconds(3), ct);
        var jws = RealJws(cluster) ?? sample;
        result.JwsBytes = jws.Length;
        setup($"ready (a signed pre-notification is {jws.Length} bytes)", 1);

        List<ProcessSample> Samples() => [.. cluster.Processes.Select(p => p.Sample()),
            .. env.BrokerPid() is { } broker ? [ProcessSample.Read("rabbitmq", broker)] : Array.Empty<ProcessSample>(),
            ProcessSample.Read("bench (client + observer)", Environment.ProcessId)];

        if (options.Runs("idle"))
        {
            var progress = phase($"idle: {options.IdleNotifications} notifications one at a time");
            var before = Samples();
            var sent = await driver.OneAtATimeAsync(options.IdleNotifications, TimeSpan.FromMilliseconds(250),
                n => progress("", (double)n / options.IdleNotifications), ct);
            result.Idle = driver.Summarize("one at a time, idle", null, 1, sent, before, Samples());
            progress($"idle: p50 {result.Idle.SubmitToConfirmed.P50Ms:0.0} ms submit→confirmed", 1);
        }

        if (options.Runs("floor"))
        {
            var floor = phase("floor: plain RabbitMQ.Client");
            result.Floor = await FloorBenchmark.RunAsync(env, options.FloorMessages, jws, options.FloorWindow, 32, floor, ct);
            floor($"floor: {result.Floor.MessagesPerSecond:N0} msg/s", 1);
        }

        if (options.Runs("pipeline"))
        {
            var progress = phase($"throughput: {options.Messages:N0} notifications, {options.Concurrency} in flight");
            var before = Samples();
            var sent = await driver.ClosedLoopAsync(options.Messages, options.Concurrency, n => progress("", 0.5 * n / options.Messages), ct);
            await driver.WaitConfirmedAsync(sent, TimeSpan.FromSeconds(30), n => progress("throughput: waiting for receipts", 0.5 + 0.5 * n / Math.Max(1, sent.Count)), ct);
            result.Throughput = driver.Summarize("throughput", null, options.Concurrency, sent, before, Samples());
            progress($"throughput: {result.Throughput.NotificationsPerSecond:N0} notifications/s", 1);
        }

        if (options.Runs("rate"))
        {
            var progress = phase($"latency: {options.Rate}/s for {options.RateSeconds} s");
            var before = Samples();
            var count = options.Rate * options.RateSeconds;
            var sent = await driver.FixedRateAsync(options.Rate, options.RateSeconds, n => progress("", 0.9 * n / count), ct);
            await driver.WaitConfirmedAsync(sent, TimeSpan.FromSeconds(30), n => progress("latency: waiting for receipts", 0.9 + 0.1 * n / Math.Max(1, sent.Count)), ct);
            result.FixedRate = driver.Summarize($"fixed {options.Rate}/s", options.Rate, 0, sent, before, Samples());
            progress($"latency at {options.Rate}/s: p99 {result.FixedRate.SubmitToConfirmed.P99Ms:0.0} ms", 1);
        }

        var memory = receiver.Sample();
        result.SubscriberMemory = new RssResult(options.SeedRows, Math.Round(seedSeconds, 1),
            Math.Round(memory.RssBytes / 1048576.0, 1), Math.Round(memory.PeakRssBytes / 1048576.0, 1));
    }

    private static async Task ScalePhaseAsync(BenchEnvironment env, BenchOptions options, string folder, BenchResult result,
        Func<string, Action<string, double>> phase, CancellationToken ct)
    {
        var setup = phase("scale-out: set-up (PostgreSQL store for RU)");
        var postgres = await env.PostgresConnectionStringAsync(ct);
        await using var cluster = await NodeCluster.PrepareAsync(env, folder, options.ExistingPasswords, ct);
        cluster.StartPublisher(NodeCluster.Sender);
        cluster.StartSubscriber(NodeCluster.Sender);
        await cluster.WaitUntilReadyAsync(true, new Dictionary<CentreCode, int> { [NodeCluster.Sender] = 1 }, ct);
        await using var observer = new ConfirmationObserver(cluster.StorePath(NodeCluster.Sender), TimeSpan.FromMilliseconds(20));
        using var driver = new PipelineDriver(cluster, observer, await cluster.OperatorTokenAsync(ct));
        setup("scale-out: sender ready", 1);
        foreach (var instances in options.ScaleInstances)
        {
            var progress = phase($"scale-out ×{instances}");
            var run = await ScaleOutBenchmark.RunAsync(env, cluster, driver, postgres, instances, options.ScaleMessages, options.Concurrency, progress, ct);
            result.ScaleOut.Add(run);
            progress($"scale-out ×{instances}: {run.DrainPerSecond:N0} msg/s drained", 1);
        }
    }

    /// <summary>A pre-notification signed in process, the size of a real one: seeds rows before any node has run.</summary>
    private static byte[] SampleJws(NodeCluster cluster)
    {
        using var key = KeyStore.LoadPrivate(cluster.KeysDirectory, NodeCluster.Sender);
        var payload = Encoding.UTF8.GetBytes(new string('x', 900));
        return new JwsPayloadSigner(key).Sign(payload);
    }

    /// <summary>A JWS exactly as the publisher signed and sent it (from the sender's store), for the floor's message size.</summary>
    private static byte[]? RealJws(NodeCluster cluster)
    {
        using var connection = BenchEnvironment.OpenReadOnly(cluster.StorePath(NodeCluster.Sender));
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT Jws FROM OutboundMessages LIMIT 1";
        return command.ExecuteScalar() as byte[];
    }
}
