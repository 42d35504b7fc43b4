using LaunchNotify.Bench.Faults;
using Spectre.Console;
using Xunit.Abstractions;

namespace LaunchNotify.Integration.Tests.Faults;

/// <summary>
/// The benchmark's fault suite, shortened (<see cref="FaultOptions.Short"/>): real node processes on the real broker,
/// which it kills and restarts with the infra scripts (so it runs in the "broker" collection, never beside another
/// broker test), links cut by its proxy, a generated hostile intake corpus and a poisoned inbox. Any loss, duplicate
/// effect, 5xx, stalled queue or crash fails it, with every scenario's figures in the output (docs/reliability.md).
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class FaultSuiteTests(BrokerFixture broker, ITestOutputHelper output)
{
    [Fact]
    public async Task ShortFaultSuite_EveryScenario_LosesNothing_DuplicatesNothing_AndNeverAnswers5xx()
    {
        var folder = Path.Combine(Path.GetTempPath(), "launchnotify-faults-" + Guid.NewGuid().ToString("N"));
        var options = FaultOptions.Short with
        {
            OutputDirectory = folder,
            // The fixture's broker users: the run must not change their passwords under the other tests.
            ExistingPasswords = broker.Credentials.ToDictionary(c => c.Key.Value, c => c.Value.Password),
        };
        var text = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(text), Interactive = InteractionSupport.No, Ansi = AnsiSupport.No,
        });
        console.Profile.Width = 200;

        try
        {
            var outcome = await FaultSuite.RunAsync(options, console, CancellationToken.None);
            output.WriteLine(text.ToString());

            var report = outcome.Report;
            Assert.Equal(FaultSuite.Scenarios, report.Scenarios.Select(s => s.Name));
            Assert.True(File.Exists(outcome.JsonPath) && File.Exists(outcome.TextPath));
            // Each scenario really ran: the stream scenarios sent and confirmed notifications across their fault.
            Assert.All(report.Scenarios, s => Assert.True(s.Sent > 0, $"{s.Name} sent nothing"));
            Assert.True(report.Scenarios.Single(s => s.Name == "intake-flood").Sent > options.CorpusSize);
            var failures = report.Scenarios.Where(s => !s.Passed).Select(s => $"{s.Name}:\n  " + string.Join("\n  ", s.Failures)).ToList();
            Assert.True(failures.Count == 0, "Fault scenarios failed:\n" + string.Join("\n", failures));
        }
        catch
        {
            output.WriteLine(text.ToString());
            throw;
        }
        finally
        {
            if (Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);
        }
    }
}
