using System.CommandLine;
using LaunchNotify.Bench;
using LaunchNotify.Bench.Faults;
using Spectre.Console;

// dotnet run --project bench/LaunchNotify.Bench -c Release -- [--quick | --full] [options]; see docs/performance.md.
if (args is [HotPathBenchmark.ChildArgument, var hotPathFolder, var hotPathMessages])
    return await HotPathBenchmark.ChildAsync(hotPathFolder, int.Parse(hotPathMessages, System.Globalization.CultureInfo.InvariantCulture), CancellationToken.None);
if (Console.IsOutputRedirected)
    AnsiConsole.Profile.Width = 160;

var quick = new Option<bool>("--quick") { Description = "About 1–2 minutes: fewer messages, 20k seeded rows, 10 and 50 centres." };
var full = new Option<bool>("--full") { Description = "The full run: 10k notifications, 1M seeded inbox rows, 10/50/200 centres." };
var messages = new Option<int?>("--messages") { Description = "Notifications in the throughput run." };
var concurrency = new Option<int?>("--concurrency") { Description = "Submissions in flight in the throughput run." };
var rate = new Option<int?>("--rate") { Description = "Notifications per second in the latency run (default 100)." };
var rateSeconds = new Option<int?>("--rate-seconds") { Description = "How long the latency run lasts." };
var seed = new Option<int?>("--seed-rows") { Description = "Inbox rows seeded into the receiving subscriber's store (full: 1,000,000)." };
var floorMessages = new Option<int?>("--floor-messages") { Description = "Messages in the broker floor measurement." };
var scale = new Option<string?>("--scale") { Description = "Subscriber instance counts, e.g. 1,2,4." };
var scaleMessages = new Option<int?>("--scale-messages") { Description = "Backlog drained in each scale-out run." };
var centres = new Option<string?>("--centres") { Description = "Centre counts for provisioning and routing, e.g. 10,50,200." };
var fanOutRecipients = new Option<int?>("--fanout-recipients") { Description = $"Recipients of each hcoc notification in the fan-out phase (default 142, at most {FanOutBenchmark.MaxRecipients})." };
var idleNotifications = new Option<int?>("--idle-notifications") { Description = "Notifications in the idle phase, one at a time (default 40; quick 20)." };
var fanOutNotifications = new Option<int?>("--fanout-notifications") { Description = "Notifications measured in the fan-out phase, one at a time (default 10; quick 3)." };
var seedDays = new Option<int?>("--seed-days") { Description = "Seed replay: days of the reference/fast pair (default 365; quick 120)." };
var seedYears = new Option<int?>("--seed-years") { Description = "Seed replay: also seed this many years at the fast pace (a drill), after the one-year pair (default 1: the pair only)." };
var skip = new Option<string?>("--skip") { Description = $"Phases to leave out: {string.Join(", ", BenchOptions.Phases)} (comma-separated)." };
var nodes = new Option<string?>("--nodes") { Description = "Run the nodes from another clone's build output (before/after comparisons)." };
var output = new Option<string?>("--out") { Description = "Folder for results-<timestamp>.json/.txt (default .local/bench)." };
var faults = new Option<bool>("--faults") { Description = "Run the fault suite instead (docs/reliability.md): kills, cut links, hostile intake and inbox floods. With --quick: the short version infra/test.sh runs." };
var scenarios = new Option<string?>("--scenarios") { Description = $"Fault scenarios to run (comma-separated, default all): {string.Join(", ", FaultSuite.Scenarios)}." };
var corpus = new Option<int?>("--corpus") { Description = "Hostile bodies in the intake flood (default 10,000)." };
var outage = new Option<int?>("--outage-seconds") { Description = "How long each fault lasts before it heals (default 15)." };

var root = new RootCommand("LaunchNotify benchmark: broker floor, full pipeline with real processes, scale-out, provisioning and routing, fan-out.")
{
    quick, full, messages, concurrency, rate, rateSeconds, seed, floorMessages, scale, scaleMessages, centres, fanOutRecipients, idleNotifications, fanOutNotifications, seedDays, seedYears, skip, nodes, output,
    faults, scenarios, corpus, outage,
};
root.SetAction(async (parse, ct) =>
{
    if (parse.GetValue(faults))
    {
        var fo = parse.GetValue(quick) ? FaultOptions.Short : new FaultOptions();
        fo = fo with
        {
            StreamMessages = parse.GetValue(messages) ?? fo.StreamMessages,
            CorpusSize = parse.GetValue(corpus) ?? fo.CorpusSize,
            Outage = parse.GetValue(outage) is { } o ? TimeSpan.FromSeconds(o) : fo.Outage,
            Only = parse.GetValue(scenarios) is { } only ? only.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet() : fo.Only,
            OutputDirectory = parse.GetValue(output),
        };
        if (fo.Only.FirstOrDefault(x => !FaultSuite.Scenarios.Contains(x)) is { } unknown)
        {
            AnsiConsole.MarkupLine($"[red]Unknown scenario '{Markup.Escape(unknown)}'[/]; known: {string.Join(", ", FaultSuite.Scenarios)}.");
            return 2;
        }
        try
        {
            // Exit 1 on any loss, duplicate effect, 5xx, stalled queue or crash.
            return (await FaultSuite.RunAsync(fo, AnsiConsole.Console, ct)).Report.Passed ? 0 : 1;
        }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException or TimeoutException)
        {
            AnsiConsole.MarkupLine($"[red]Fault suite failed:[/] {Markup.Escape(e.Message)}");
            return 2;
        }
    }
    var skipped = parse.GetValue(skip) is { } k ? k.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet() : null;
    if (skipped?.Except(BenchOptions.Phases).ToList() is { Count: > 0 } misspelt)
    {
        // A misspelt phase would otherwise run after all: say so before anything starts.
        AnsiConsole.MarkupLine($"[red]--skip: no phase named {Markup.Escape(string.Join(", ", misspelt))}.[/] The phases are {string.Join(", ", BenchOptions.Phases)}.");
        return 2;
    }
    var options = parse.GetValue(full) ? BenchOptions.Full : parse.GetValue(quick) ? BenchOptions.Quick : new BenchOptions();
    static IReadOnlyList<int> Ints(string text) => [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse)];
    options = options with
    {
        Messages = parse.GetValue(messages) ?? options.Messages,
        Concurrency = parse.GetValue(concurrency) ?? options.Concurrency,
        Rate = parse.GetValue(rate) ?? options.Rate,
        RateSeconds = parse.GetValue(rateSeconds) ?? options.RateSeconds,
        SeedRows = parse.GetValue(seed) ?? options.SeedRows,
        FloorMessages = parse.GetValue(floorMessages) ?? options.FloorMessages,
        ScaleInstances = parse.GetValue(scale) is { } s ? Ints(s) : options.ScaleInstances,
        ScaleMessages = parse.GetValue(scaleMessages) ?? options.ScaleMessages,
        CentreCounts = parse.GetValue(centres) is { } c ? Ints(c) : options.CentreCounts,
        FanOutRecipients = parse.GetValue(fanOutRecipients) ?? options.FanOutRecipients,
        IdleNotifications = parse.GetValue(idleNotifications) ?? options.IdleNotifications,
        FanOutNotifications = parse.GetValue(fanOutNotifications) ?? options.FanOutNotifications,
        SeedDays = parse.GetValue(seedDays) is { } days and > 0 ? days : options.SeedDays,
        SeedYears = parse.GetValue(seedYears) is { } years and > 0 ? years : options.SeedYears,
        Skip = skipped ?? options.Skip,
        OutputDirectory = parse.GetValue(output),
        NodesRoot = parse.GetValue(nodes),
    };
    try
    {
        var outcome = await BenchRunner.RunAsync(options, AnsiConsole.Console, ct);
        // Exit 1 only when something was lost or misrouted; missed speed targets are findings, not failures.
        return outcome.Result.Targets.Any(t => t.Status != "PASS" && (t.Name.Contains("every notification") || t.Name.Contains("route") || t.Name.Contains("instances"))) ? 1 : 0;
    }
    catch (Exception e) when (e is InvalidOperationException or HttpRequestException or TimeoutException)
    {
        AnsiConsole.MarkupLine($"[red]Benchmark failed:[/] {Markup.Escape(e.Message)}");
        return 2;
    }
});
// Started by a launcher that set LAUNCHNOTIFY_PARENT_PID (a test): stop when it is gone; the nodes this process started
// watch this process the same way and follow.
using var parentWatch = LaunchNotify.Node.Hosting.ParentWatch.Watch(reason =>
{
    Console.Error.WriteLine($"bench: stopping: {reason}");
    Environment.Exit(143);
});
return await root.Parse(args).InvokeAsync();
