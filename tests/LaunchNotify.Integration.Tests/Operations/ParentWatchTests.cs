using System.Diagnostics;
using System.Net;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Hosting;
using LaunchNotify.Protocol.Signing;

namespace LaunchNotify.Integration.Tests.Operations;

/// <summary>
/// A node started by a launcher that is then killed (kill -9: no clean-up of its own) stops by itself: it watches the
/// process named by LAUNCHNOTIFY_PARENT_PID, which the demo, the benchmark and the tests set for every node they start.
/// </summary>
public sealed class ParentWatchTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ln-parent-").FullName;
    private readonly string _keys;

    public ParentWatchTests()
    {
        _keys = Path.Combine(_folder, "keys");
        KeyStore.Generate(new CentreCode("US"), _keys);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private Dictionary<string, string> Environment(int healthPort) => new()
    {
        ["LaunchNotify__Centre"] = "US",
        ["LaunchNotify__Store"] = $"sqlite:{Path.Combine(_folder, "node.db")}",
        ["LaunchNotify__KeysDirectory"] = _keys,
        // No broker there: the node runs and reconnects; what matters is that it runs until its launcher is gone.
        ["LaunchNotify__Broker__Port"] = DeployableProcess.FreePort().ToString(),
        ["LaunchNotify__Broker__Password"] = "unused",
        ["LaunchNotify__Subscriber__HttpUrl"] = $"http://127.0.0.1:{healthPort}",
        ["DOTNET_ENVIRONMENT"] = "Production",
    };

    [Fact]
    public async Task LauncherKilled_TheSubscriberItStartedStops()
    {
        // The launcher: a shell that starts the subscriber as its child, tied to itself, and waits, as the demo's and the
        // benchmark's launchers do. Killed with SIGKILL it cleans up nothing; the node must notice by itself.
        var port = DeployableProcess.FreePort();
        var log = Path.Combine(_folder, "subscriber.log");
        var info = new ProcessStartInfo("bash", ["-c", $"export {ParentWatch.Variable}=$$; dotnet \"$0\" > \"$1\" 2>&1 & echo $!; wait", DeployableProcess.Dll("Subscriber"), log])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("LaunchNotify", StringComparison.OrdinalIgnoreCase)).ToList())
            info.Environment.Remove(name);
        foreach (var (name, value) in Environment(port))
            info.Environment[name] = value;
        using var launcher = Process.Start(info)!;
        var nodePid = int.Parse((await launcher.StandardOutput.ReadLineAsync())!);
        using var node = Process.GetProcessById(nodePid);
        try
        {
            await LiveAsync(port, node, log);

            launcher.Kill(); // SIGKILL, the launcher only
            await launcher.WaitForExitAsync();

            var exited = await ExitedAsync(node, TimeSpan.FromSeconds(60));
            Assert.True(exited, $"the subscriber (pid {nodePid}) still runs 60 s after its launcher was killed:\n{Read(log)}");
            Assert.Contains("the launcher (process", await File.ReadAllTextAsync(log));
        }
        finally
        {
            if (!node.HasExited)
                node.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task LauncherNotItsParent_Killed_ThePublisherStopsToo()
    {
        // The id names a process that is not the node's parent (a wrapper between them): the watch tells it by its start time.
        using var launcher = Process.Start(new ProcessStartInfo("sleep", ["600"]) { UseShellExecute = false })!;
        var port = DeployableProcess.FreePort();
        var environment = Environment(port);
        environment["LaunchNotify__HttpUrl"] = $"http://127.0.0.1:{port}";
        environment[ParentWatch.Variable] = launcher.Id.ToString();
        await using var publisher = DeployableProcess.Start("Publisher", environment);
        try
        {
            await publisher.HealthAsync($"http://127.0.0.1:{port}/health/live", (status, _) => status == HttpStatusCode.OK, TimeSpan.FromMinutes(2), "liveness");

            launcher.Kill();
            await launcher.WaitForExitAsync();

            Assert.Equal(0, await publisher.ExitCodeAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains($"the launcher (process {launcher.Id}, {ParentWatch.Variable}) is gone", publisher.Output);
        }
        finally
        {
            if (!launcher.HasExited)
                launcher.Kill();
        }
    }

    private static async Task LiveAsync(int port, Process node, string log)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromMinutes(2))
        {
            // The log is read only when needed: the launcher echoes the pid before its child has opened the log file.
            if (node.HasExited)
                Assert.Fail($"the subscriber exited before its launcher was killed:\n{Read(log)}");
            try
            {
                if ((await http.GetAsync($"http://127.0.0.1:{port}/health/live")).StatusCode == HttpStatusCode.OK)
                    return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }
            await Task.Delay(250);
        }
        Assert.Fail($"the subscriber was not live within 2 minutes:\n{Read(log)}");
    }

    private static string Read(string log) => File.Exists(log) ? File.ReadAllText(log) : "(no log written)";

    private static async Task<bool> ExitedAsync(Process node, TimeSpan within)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < within)
        {
            node.Refresh();
            if (node.HasExited)
                return true;
            await Task.Delay(250);
        }
        return false;
    }
}
