using System.Net;
using System.Text.Json;
using LaunchNotify.Bench;
using LaunchNotify.Node.Broker;
using Spectre.Console;

namespace LaunchNotify.Integration.Tests.Bench;

/// <summary>
/// The benchmark's floor and a tiny pipeline run against the real broker and real node processes: correctness only
/// (the results file is well-formed and every notification was confirmed), never speed.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class BenchSmokeTests(BrokerFixture broker)
{
    [Fact]
    public async Task FloorAndTinyPipeline_WriteWellFormedResults_AndConfirmEveryNotification()
    {
        var output = Path.Combine(Path.GetTempPath(), "launchnotify-bench-smoke-" + Guid.NewGuid().ToString("N"));
        var options = new BenchOptions
        {
            Mode = "smoke",
            WarmUp = 3,
            Messages = 8,
            Concurrency = 2,
            Rate = 5,
            RateSeconds = 2,
            FloorMessages = 200,
            FloorWindow = 20,
            SeedRows = 100,
            Skip = BenchOptions.AllBut("idle", "floor", "pipeline", "rate"),
            OutputDirectory = output,
            // The fixture's broker users: the run must not change their passwords under the other tests.
            ExistingPasswords = broker.Credentials.ToDictionary(c => c.Key.Value, c => c.Value.Password),
        };
        var console = QuietConsole();

        try
        {
            var outcome = await BenchRunner.RunAsync(options, console, CancellationToken.None);

            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(outcome.JsonPath));
            var root = json.RootElement;
            Assert.Equal("smoke", root.GetProperty("mode").GetString());
            Assert.True(root.GetProperty("jwsBytes").GetInt32() > 200, "the floor uses the size of a real signed notification");
            var floor = root.GetProperty("floor");
            Assert.Equal(200, floor.GetProperty("messages").GetInt32());
            Assert.True(floor.GetProperty("messagesPerSecond").GetDouble() > 0);
            Assert.True(floor.GetProperty("publishToDelivered").GetProperty("count").GetInt32() == 200, "every floor message was delivered");
            foreach (var (run, expected) in new[] { ("throughput", 8), ("fixedRate", 10) })
            {
                var r = root.GetProperty(run);
                Assert.Equal(expected, r.GetProperty("submitted").GetInt32());
                Assert.Equal(expected, r.GetProperty("confirmed").GetInt32());
                Assert.Equal(expected, r.GetProperty("submitToConfirmed").GetProperty("count").GetInt32());
                Assert.Contains(r.GetProperty("processes").EnumerateArray(), p => p.GetProperty("name").GetString() == "RU subscriber");
            }
            Assert.True(root.GetProperty("ratio").GetDouble() > 0);
            Assert.Contains(root.GetProperty("targets").EnumerateArray(), t => t.GetProperty("status").GetString() is "PASS" or "MISS");
            Assert.True(File.Exists(outcome.TextPath));
        }
        finally
        {
            if (Directory.Exists(output))
                Directory.Delete(output, recursive: true);
        }
    }

    /// <summary>
    /// The fan-out phase with 10 counterparts and 2 notifications: every recipient's signed receipt (verified by the
    /// US subscriber like any other) is applied at the sender, the responder verified every notification, and the
    /// counterpart centres are gone from the broker afterwards.
    /// </summary>
    [Fact]
    public async Task FanOut_TenRecipientsTwoNotifications_EveryReceiptApplied_AndCentresRemoved()
    {
        using var json = await RunOnlyAsync(new BenchOptions { Mode = "smoke", FanOutRecipients = 10, FanOutNotifications = 2, FanOutWarmUp = 1 }, "idle", "fanout");

        var fan = json.RootElement.GetProperty("fanOut");
        Assert.Equal(10, fan.GetProperty("recipients").GetInt32());
        Assert.Equal(2, fan.GetProperty("accepted").GetInt32());
        Assert.Equal(20, fan.GetProperty("receiptsExpected").GetInt32());
        Assert.Equal(20, fan.GetProperty("receiptsApplied").GetInt32());
        Assert.Equal(2, fan.GetProperty("notificationsAllApplied").GetInt32());
        Assert.Equal(20, fan.GetProperty("submitToReceiptApplied").GetProperty("count").GetInt32());
        Assert.True(fan.GetProperty("submitToReceiptApplied").GetProperty("p99Ms").GetDouble() > 0);
        Assert.Equal(2, fan.GetProperty("submitToAllApplied").GetProperty("count").GetInt32());
        Assert.Empty(fan.GetProperty("errors").EnumerateArray());
        // Warm-up included: three notifications, each verified and answered by all ten counterparts, none refused.
        var responder = fan.GetProperty("responder");
        Assert.Equal(30, responder.GetProperty("notifications").GetInt64());
        Assert.Equal(30, responder.GetProperty("acceptedReceipts").GetInt64());
        Assert.Equal(0, responder.GetProperty("refused").GetInt64());
        Assert.Contains(fan.GetProperty("processes").EnumerateArray(), p => p.GetProperty("name").GetString() == "US subscriber");
        Assert.Contains(json.RootElement.GetProperty("targets").EnumerateArray(),
            t => t.GetProperty("name").GetString()!.Contains("every notification confirmed by every recipient") && t.GetProperty("status").GetString() == "PASS");

        // The bench-only agreement lists the sender and the ten counterparts; the shipped one is unchanged.
        var agreement = Path.Combine(fan.GetProperty("agreementsDirectory").GetString()!, "hcoc.json");
        using var bench = JsonDocument.Parse(await File.ReadAllTextAsync(agreement));
        Assert.Equal(["US", .. FanOutBenchmark.Codes(10).Select(c => c.Value)], bench.RootElement.GetProperty("parties").EnumerateArray().Select(p => p.GetString()!));
        using var shipped = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "agreements", "hcoc.json")));
        Assert.Equal(23, shipped.RootElement.GetProperty("parties").GetArrayLength());

        foreach (var code in FanOutBenchmark.Codes(10))
        {
            var user = await broker.Management.GetAsync($"api/users/{code}");
            Assert.Equal(HttpStatusCode.NotFound, user.StatusCode);
            var inbox = await broker.Management.GetAsync($"api/queues/{Uri.EscapeDataString(BrokerTopology.VirtualHost)}/{Uri.EscapeDataString(BrokerTopology.InboxQueue(code))}");
            Assert.Equal(HttpStatusCode.NotFound, inbox.StatusCode);
        }
    }

    /// <summary>The seed-replay phase on 40 days: the reference and fast paces seed the same history, both measured, and the ratio is reported.</summary>
    [Fact]
    public async Task SeedReplay_FortyDays_ReportsBothPaces_WithTheSameHistory()
    {
        using var json = await RunOnlyAsync(new BenchOptions { Mode = "smoke", SeedDays = 40 }, "seed");

        var runs = json.RootElement.GetProperty("seed").GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal(["reference", "fast"], runs.Select(r => r.GetProperty("pace").GetString()));
        Assert.All(runs, r => Assert.Equal(40, r.GetProperty("days").GetInt32()));
        // The same seed: the same notifications and messages at either pace.
        Assert.Equal(runs[0].GetProperty("notifications").GetInt32(), runs[1].GetProperty("notifications").GetInt32());
        Assert.Equal(runs[0].GetProperty("messages").GetInt32(), runs[1].GetProperty("messages").GetInt32());
        Assert.True(runs[1].GetProperty("messages").GetInt32() > 100);
        Assert.All(runs, r => Assert.True(r.GetProperty("cpuSeconds").GetDouble() > 0 && r.GetProperty("notificationsPerSecond").GetDouble() > 0));
        Assert.True(json.RootElement.GetProperty("seed").GetProperty("cpuRatio").GetDouble() > 0);
        Assert.Contains(json.RootElement.GetProperty("targets").EnumerateArray(), t => t.GetProperty("name").GetString()!.StartsWith("seed replay"));
    }

    [Fact]
    public async Task HotPath_TwentyNotifications_InAChildProcess_ReportsEachPathPerMessage()
    {
        using var json = await RunOnlyAsync(new BenchOptions { Mode = "smoke", HotPathMessages = 20 }, "hotpath");

        var hot = json.RootElement.GetProperty("hotPath");
        var runs = hot.GetProperty("runs").EnumerateArray().ToList();
        // Every path ran every message (the child throws on a refused submission, a parked delivery or a missing outbox
        // entry, and the phase then fails): the figures are per message of a real block.
        Assert.Equal(["submission (sender)", "notification received (recipient)", "receipt applied (sender)"], runs.Select(r => r.GetProperty("path").GetString()));
        Assert.All(runs, r => Assert.Equal(20, r.GetProperty("messages").GetInt32()));
        Assert.All(runs, r => Assert.True(r.GetProperty("wallMs").GetDouble() > 0 && r.GetProperty("cpuMs").GetDouble() > 0 && r.GetProperty("allocatedKb").GetDouble() > 10));
        Assert.Equal(runs.Sum(r => r.GetProperty("allocatedKb").GetDouble()), hot.GetProperty("allocatedKbPerNotification").GetDouble(), 0.5);

        // The same three paths on PostgreSQL stores (the suite's server), with that server's own CPU beside the node's.
        var pg = hot.GetProperty("postgresRuns").EnumerateArray().ToList();
        Assert.Equal(runs.Select(r => r.GetProperty("path").GetString()), pg.Select(r => r.GetProperty("path").GetString()));
        Assert.All(pg, r => Assert.Equal(20, r.GetProperty("messages").GetInt32()));
        Assert.All(pg, r => Assert.True(r.GetProperty("cpuMs").GetDouble() > 0 && r.GetProperty("serverCpuMs").GetDouble() >= 0));
        Assert.True(hot.GetProperty("postgresCpuRatio").GetDouble() > 0);
        Assert.Contains(json.RootElement.GetProperty("targets").EnumerateArray(), t => t.GetProperty("name").GetString()!.Contains("PostgreSQL ÷ SQLite"));
    }

    /// <summary>Runs only <paramref name="phases"/> of <paramref name="options"/>, with the fixture's broker users, and reads its results file.</summary>
    private async Task<JsonDocument> RunOnlyAsync(BenchOptions options, params string[] phases)
    {
        var output = Path.Combine(Path.GetTempPath(), $"launchnotify-bench-{string.Join("-", phases)}-{Guid.NewGuid():N}");
        try
        {
            var outcome = await BenchRunner.RunAsync(options with
            {
                Skip = BenchOptions.AllBut(phases),
                OutputDirectory = output,
                ExistingPasswords = broker.Credentials.ToDictionary(c => c.Key.Value, c => c.Value.Password),
            }, QuietConsole(), CancellationToken.None);
            return JsonDocument.Parse(await File.ReadAllTextAsync(outcome.JsonPath));
        }
        finally
        {
            if (Directory.Exists(output))
                Directory.Delete(output, recursive: true);
        }
    }

    [Fact]
    public void FanOutCodes_NeverAShippedPartyOrATestCentre_AndUnique()
    {
        var codes = FanOutBenchmark.Codes(FanOutBenchmark.MaxRecipients).Select(c => c.Value).ToList();
        Assert.Equal(FanOutBenchmark.MaxRecipients, codes.Distinct().Count());
        var parties = LaunchNotify.Protocol.Agreements.AgreementCatalog.Default.All.SelectMany(a => a.Parties).Select(p => p.Value);
        Assert.Empty(codes.Intersect([.. parties, .. BrokerFixture.Centres.Select(c => c.Value), "XA", "XB", "XC", "XX", "ZZ"]));
        Assert.Empty(codes.Intersect(TopologyBenchmark.Codes(200).Select(c => c.Value)));
        Assert.Throws<InvalidOperationException>(() => FanOutBenchmark.Codes(FanOutBenchmark.MaxRecipients + 1));
    }

    /// <summary>A console that records nothing anyone reads: the runs' progress lines and tables.</summary>
    private static IAnsiConsole QuietConsole() => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(new StringWriter()), Interactive = InteractionSupport.No, Ansi = AnsiSupport.No,
    });
}
