using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Hosting;
using LaunchNotify.Node.Inbox;
using LaunchNotify.Node.Outbox;
using LaunchNotify.Node.Submission;
using LaunchNotify.Protocol.Signing;
using LaunchNotify.Storage;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace LaunchNotify.Bench;

/// <summary>One path of the hot-path phase: what one message cost, averaged over a block of them.</summary>
/// <param name="CpuMs">CPU of this process per message (all its threads: the GC's and the group commit's included).</param>
/// <param name="AllocatedKb">Managed memory allocated per message (all threads).</param>
/// <param name="ServerCpuMs">On PostgreSQL: the database server's CPU per message (postmaster and backends), not a node's.</param>
public sealed record HotPathRun(string Path, int Messages, double WallMs, double CpuMs, double AllocatedKb, double? ServerCpuMs = null);

/// <param name="Runs">The three paths on SQLite stores (the embedded default).</param>
/// <param name="PostgresRuns">The same three paths on PostgreSQL stores, in the same child after the SQLite ones (issue 12, item 6).</param>
public sealed record HotPathResult(List<HotPathRun> Runs, List<HotPathRun>? PostgresRuns = null)
{
    public double CpuMsPerNotification => Math.Round(Runs.Sum(r => r.CpuMs), 3);
    public double AllocatedKbPerNotification => Math.Round(Runs.Sum(r => r.AllocatedKb), 1);
    public double? PostgresCpuMsPerNotification => PostgresRuns is { } pg ? Math.Round(pg.Sum(r => r.CpuMs), 3) : null;
    public double? PostgresAllocatedKbPerNotification => PostgresRuns is { } pg ? Math.Round(pg.Sum(r => r.AllocatedKb), 1) : null;
    public double? PostgresServerCpuMsPerNotification => PostgresRuns is { } pg ? Math.Round(pg.Sum(r => r.ServerCpuMs ?? 0), 3) : null;

    /// <summary>The node's CPU per notification on PostgreSQL ÷ on SQLite, both measured in this run.</summary>
    public double? PostgresCpuRatio => PostgresCpuMsPerNotification is { } pg && CpuMsPerNotification > 0 ? Math.Round(pg / CpuMsPerNotification, 2) : null;
}

/// <summary>
/// The node's own work on one notification, without the broker, HTTP or a second process: the sender's submission
/// (validate, number, sign, store with its outbox entry), the recipient's inbox (verify, validate, check the rules,
/// store, sign and queue the receipt) and the sender's inbox applying that receipt, each run as a block of
/// <see cref="BenchOptions.HotPathMessages"/> messages over two SQLite stores in this process, after a warm-up. The
/// same code the publisher and the subscribers run (<c>AddLaunchNotifyNode</c>), on files with their production
/// settings (one fsync per commit). Its figures move far less between runs than the pipeline's, which share the two
/// cores with the broker and five processes: it is the phase that tells a change to the hot path from the machine's
/// noise. Messages are carried from store to store the way <c>launchnotify seed</c> carries them.
/// </summary>
public static class HotPathBenchmark
{
    private static readonly JsonSerializerOptions OneLine = new(BenchResult.Json) { WriteIndented = false };
    private static readonly CentreCode Sender = NodeCluster.Sender, Recipient = NodeCluster.Receiver;

    /// <summary>The argument that makes the benchmark's executable run the phase itself (<see cref="ChildAsync"/>).</summary>
    public const string ChildArgument = "--hotpath-child";

    /// <summary>
    /// Runs the phase in a child process with the node processes' runtime settings (no tiered PGO, the 4 MiB gen0 budget
    /// of <see cref="NodeRuntimeSettings"/>), not with this process's own: with them its CPU figure is the nodes', and the
    /// benchmark's own threads (progress, other phases' leftovers) are not counted.
    /// </summary>
    /// <param name="postgres">A PostgreSQL server's connection string: the three paths are measured on it too (fresh schemas), after SQLite.</param>
    /// <param name="postgresPid">That server's postmaster, whose CPU (with its backends') is reported beside the node's.</param>
    public static async Task<HotPathResult> RunAsync(BenchOptions options, string folder, Func<string, Action<string, double>> phase, CancellationToken ct,
        string? postgres = null, int? postgresPid = null)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("The benchmark cannot find its own executable.");
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
            start.ArgumentList.Add(typeof(HotPathBenchmark).Assembly.Location);
        foreach (var a in new[] { ChildArgument, folder, options.HotPathMessages.ToString(CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(a);
        if (postgres is not null)
        {
            // Not on the command line (its password): the child reads it from its environment.
            start.Environment[PostgresVariable] = postgres;
            start.Environment[PostgresPidVariable] = postgresPid?.ToString(CultureInfo.InvariantCulture) ?? "";
        }
        start.Environment["DOTNET_TieredPGO"] = "0";
        NodeRuntimeSettings.ApplyTo(start.Environment);
        using var child = Process.Start(start) ?? throw new InvalidOperationException("The hot-path child process did not start.");
        // Bounded in time as well as in count: a child that hangs is stopped, and so is one whose parent was interrupted.
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(TimeSpan.FromMinutes(Math.Max(5, options.HotPathMessages / 100)));
        try
        {
            var errors = child.StandardError.ReadToEndAsync(limit.Token);
            var progress = phase("hot path: starting (a child process with the nodes' runtime settings)");
            HotPathResult? result = null;
            while (await child.StandardOutput.ReadLineAsync(limit.Token) is { } line)
            {
                if (line.StartsWith("progress ", StringComparison.Ordinal) && line.Split(' ', 3) is [_, var fraction, var what])
                    progress("hot path: " + what, double.Parse(fraction, CultureInfo.InvariantCulture));
                else if (line.StartsWith("result ", StringComparison.Ordinal))
                    result = JsonSerializer.Deserialize<HotPathResult>(line["result ".Length..], OneLine);
            }
            await child.WaitForExitAsync(limit.Token);
            return child.ExitCode == 0 && result is not null
                ? result
                : throw new InvalidOperationException($"The hot-path child process failed (exit {child.ExitCode}): {(await errors).Trim()}");
        }
        finally
        {
            if (!child.HasExited)
                child.Kill(entireProcessTree: true);
        }
    }

    private const string PostgresVariable = "LAUNCHNOTIFY_BENCH_HOTPATH_POSTGRES", PostgresPidVariable = "LAUNCHNOTIFY_BENCH_HOTPATH_POSTGRES_PID";

    /// <summary>The phase itself, in the child process: progress and the result as lines on standard output.</summary>
    public static async Task<int> ChildAsync(string folder, int messages, CancellationToken ct)
    {
        Directory.CreateDirectory(folder);
        var keys = Path.Combine(folder, "keys");
        KeyStore.Generate(Sender, keys, overwrite: true).Dispose();
        KeyStore.Generate(Recipient, keys, overwrite: true).Dispose();
        var postgres = Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } pg ? pg : null;
        Func<double>? serverCpu = int.TryParse(Environment.GetEnvironmentVariable(PostgresPidVariable), out var pid) ? () => ProcessSample.TreeCpuSeconds(pid) : null;
        var share = postgres is null ? 1.0 : 0.5;
        void Progress(string what, double fraction) =>
            Console.Out.WriteLine(FormattableString.Invariant($"progress {fraction:0.000} {what}"));
        try
        {
            var sqlite = await StoreRoundAsync("SQLite", c => StorageOptions.SqliteFile(Path.Combine(folder, c.Value + ".db")), null,
                (what, f) => Progress(what, f * share));
            List<HotPathRun>? onPostgres = null;
            if (postgres is not null)
            {
                // A schema per centre, made and migrated fresh, as two PostgreSQL-backed nodes would have.
                var stores = new Dictionary<CentreCode, StorageOptions>();
                foreach (var centre in new[] { Sender, Recipient })
                    stores[centre] = new StorageOptions(StorageProvider.PostgreSql,
                        await StoreSetup.FreshPostgresSchemaAsync(postgres, "launchnotify_hotpath_" + centre.Value.ToLowerInvariant(), ct));
                onPostgres = await StoreRoundAsync("PostgreSQL", c => stores[c], serverCpu, (what, f) => Progress(what, 0.5 + f * 0.5));
            }
            Console.Out.WriteLine("result " + JsonSerializer.Serialize(new HotPathResult(sqlite, onPostgres), OneLine));
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        async Task<List<HotPathRun>> StoreRoundAsync(string name, Func<CentreCode, StorageOptions> store, Func<double>? server, Action<string, double> progress)
        {
            var us = await StartAsync(Sender, store(Sender), keys, ct);
            var ru = await StartAsync(Recipient, store(Recipient), keys, ct);
            try
            {
                var warmUp = Math.Max(50, messages / 4);
                await RoundAsync(us, ru, warmUp, null, (what, f) => progress($"{name}: warm-up, {what} (not measured)", f * 0.2), ct);
                // As after the pipeline's warm-up: the runtime compiles the hot methods' optimized code on a background thread
                // shortly after they get hot, and that compilation is not the first measured block's cost.
                await Task.Delay(TimeSpan.FromSeconds(3), ct);
                return await RoundAsync(us, ru, messages, server, (what, f) => progress($"{name}: {messages} notifications, {what}", 0.2 + f * 0.8), ct);
            }
            finally
            {
                await us.Services.DisposeAsync();
                await ru.Services.DisposeAsync();
                us.Store.ReleaseSqliteConnections();
                ru.Store.ReleaseSqliteConnections();
            }
        }
    }

    private sealed record Node(CentreCode Centre, StorageOptions Store, ServiceProvider Services)
    {
        public SubmissionService Submissions => Services.GetRequiredService<SubmissionService>();
        public InboxProcessor Inbox => Services.GetRequiredService<InboxProcessor>();
        public NodeDbContext NewDb() => Services.GetRequiredService<IDbContextFactory<NodeDbContext>>().CreateDbContext();
    }

    /// <summary>The publisher's and subscriber's composition, on this machine's clock, never connected to a broker.</summary>
    private static async Task<Node> StartAsync(CentreCode centre, StorageOptions store, string keys, CancellationToken ct)
    {
        var settings = new NodeSettings
        {
            Centre = centre,
            Store = store,
            Broker = new BrokerConnection(BenchEnvironment.Host, 1, "launchnotify", centre.Value, "unused"),
            KeysDirectory = keys,
        };
        var services = new ServiceCollection().AddLogging();
        services.AddLaunchNotifyNode(settings, SystemClock.Instance);
        services.AddDeadlineWatcher(settings, NodeRole.Both);
        services.AddSingleton<IParkingLot, RefusingParkingLot>();
        var provider = services.BuildServiceProvider();
        await provider.InitializeNodeAsync(settings, ct);
        return new Node(centre, settings.Store, provider);
    }

    /// <summary>Submits <paramref name="count"/> notifications, then carries them all to the recipient, then all the receipts back: one block per path.</summary>
    private static async Task<List<HotPathRun>> RoundAsync(Node us, Node ru, int count, Func<double>? server, Action<string, double> progress, CancellationToken ct)
    {
        var drafts = Enumerable.Range(0, count)
            .Select(_ => Encoding.UTF8.GetBytes(PipelineDriver.ValidDraft(SystemClock.Instance.GetCurrentInstant(), Guid.NewGuid()))).ToList();
        var submission = await MeasureAsync("submission (sender)", count, server, async () =>
        {
            for (var i = 0; i < drafts.Count; i++)
            {
                var result = await us.Submissions.SubmitAsync(drafts[i], "prenotification", allowLate: false, ct);
                if (result.Status != SubmissionStatus.Accepted)
                    throw new InvalidOperationException($"The hot-path draft was not accepted ({result.Status}: {string.Join("; ", result.Errors.Select(e => e.Code + " " + e.Message))}).");
                progress("submissions", (i + 1.0) / drafts.Count / 3);
            }
        });
        var notifications = await TakeOutboxAsync(us, ru, count, ct);
        var inbox = await MeasureAsync("notification received (recipient)", count, server, () => DeliverAllAsync(ru, us, notifications, "notifications", 1, progress, ct));
        var receipts = await TakeOutboxAsync(ru, us, count, ct);
        var receipt = await MeasureAsync("receipt applied (sender)", count, server, () => DeliverAllAsync(us, ru, receipts, "receipts", 2, progress, ct));
        return [submission, inbox, receipt];
    }

    private static async Task<HotPathRun> MeasureAsync(string path, int count, Func<double>? server, Func<Task> block)
    {
        // Each block starts from a collected heap, so one path does not pay for the garbage of the one before.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var self = Process.GetCurrentProcess();
        var cpu = self.TotalProcessorTime;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var serverBefore = server?.Invoke();
        var wall = Stopwatch.StartNew();
        await block();
        var elapsed = wall.Elapsed;
        self.Refresh();
        var cpuUsed = self.TotalProcessorTime - cpu;
        var bytes = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        double? serverMs = serverBefore is { } sb && server is not null ? Math.Round((server() - sb) * 1000 / count, 3) : null;
        return new HotPathRun(path, count, Math.Round(elapsed.TotalMilliseconds / count, 3), Math.Round(cpuUsed.TotalMilliseconds / count, 3),
            Math.Round(bytes / 1024.0 / count, 1), serverMs);
    }

    /// <summary>The sender's unpublished entries for <paramref name="to"/>, marked published as the dispatcher would (not measured).</summary>
    private static async Task<List<OutboxEntry>> TakeOutboxAsync(Node from, Node to, int expected, CancellationToken ct)
    {
        await using var db = from.NewDb();
        var entries = await db.Outbox.Where(o => o.PublishedAt == null && o.Recipient == to.Centre.Value).OrderBy(o => o.Id).ToListAsync(ct);
        if (entries.Count != expected)
            throw new InvalidOperationException($"{from.Centre} queued {entries.Count} messages for {to.Centre}, not {expected}.");
        var now = SystemClock.Instance.GetCurrentInstant();
        foreach (var entry in entries)
            entry.PublishedAt = now;
        await db.Deliveries.Where(d => d.Recipient == to.Centre.Value && d.Status == DeliveryStatus.Accepted)
            .ExecuteUpdateAsync(u => u.SetProperty(d => d.Status, DeliveryStatus.Published).SetProperty(d => d.PublishedAt, now), ct);
        await db.SaveChangesAsync(ct);
        return entries;
    }

    private static async Task DeliverAllAsync(Node to, Node from, List<OutboxEntry> entries, string what, int third, Action<string, double> progress, CancellationToken ct)
    {
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            var result = await to.Inbox.ProcessAsync(
                new InboundDelivery(entry.Body, from.Centre.Value, entry.RoutingKey, entry.MessageId.ToString("D"), entry.Kind, AmqpPublisher.ContentType), ct);
            if (result.Disposition != InboxDisposition.Accepted)
                throw new InvalidOperationException($"{to.Centre} did not store {entry.Kind} {entry.MessageId}: {result.Disposition} ({string.Join("; ", result.Details.Select(d => d.Code))}).");
            progress(what, (third + (i + 1.0) / entries.Count) / 3);
        }
    }

    private sealed class RefusingParkingLot : IParkingLot
    {
        public Task ParkAsync(ParkedMessage message, CancellationToken ct) =>
            throw new InvalidOperationException($"The hot path parked a message ({message.Code}: {message.Reason}): the benchmark is out of step with the inbox.");
    }
}
