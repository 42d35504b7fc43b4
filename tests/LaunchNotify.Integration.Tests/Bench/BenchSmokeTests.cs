using System.Text.Json;
using LaunchNotify.Bench;
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
            Skip = new HashSet<string> { "scale", "topology" },
            OutputDirectory = output,
            // The fixture's broker users: the run must not change their passwords under the other tests.
            ExistingPasswords = broker.Credentials.ToDictionary(c => c.Key.Value, c => c.Value.Password),
        };
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(new StringWriter()), Interactive = InteractionSupport.No, Ansi = AnsiSupport.No,
        });

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
}
