using LaunchNotify.Node.Hosting;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace LaunchNotify.Integration.Tests.Operations;

/// <summary>
/// A publisher or subscriber run as the real process (its built dll), with only the environment given here (no
/// LaunchNotify* or LAUNCHNOTIFY* variable of the test runner leaks in), its output kept for assertions and failures.
/// </summary>
public sealed class DeployableProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _stdout = [], _stderr = [];

    private DeployableProcess(Process process) => _process = process;

    /// <param name="dll">Another build of it (a published folder's) instead of the one in its bin folder.</param>
    public static DeployableProcess Start(string deployable, IReadOnlyDictionary<string, string> environment, string? dll = null)
    {
        var info = new ProcessStartInfo("dotnet", [dll ?? Dll(deployable)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("LaunchNotify", StringComparison.OrdinalIgnoreCase)).ToList())
            info.Environment.Remove(name);
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        // Dies with this process: a killed test run leaves nothing consuming the broker's queues (ParentWatch; the
        // environment given may name another launcher).
        info.Tie();
        foreach (var (name, value) in environment)
            info.Environment[name] = value;
        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {deployable}.");
        var running = new DeployableProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (running._stdout) running._stdout.Add(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (running._stderr) running._stderr.Add(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return running;
    }

    public IReadOnlyList<string> StandardError { get { lock (_stderr) return [.. _stderr]; } }
    public string Output { get { lock (_stdout) lock (_stderr) return string.Join('\n', _stdout.Concat(_stderr)); } }

    /// <summary>The exit code, once the process has ended by itself (bounded: a hung start fails the test).</summary>
    public async Task<int> ExitCodeAsync(TimeSpan within)
    {
        await _process.WaitForExitAsync().WaitAsync(within);
        _process.WaitForExit(); // drains the redirected output
        return _process.ExitCode;
    }

    /// <summary>GETs a health endpoint until <paramref name="until"/> holds for its status code and JSON, or fails after <paramref name="within"/>.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> HealthAsync(string url, Func<HttpStatusCode, JsonElement, bool> until, TimeSpan within, string what)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var waited = Stopwatch.StartNew();
        (HttpStatusCode, JsonElement)? last = null;
        while (waited.Elapsed < within)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"The process exited with {_process.ExitCode} while waiting for {what}:\n{Output}");
            try
            {
                using var response = await http.GetAsync(url);
                var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
                last = (response.StatusCode, body);
                if (until(response.StatusCode, body))
                    return last.Value;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
            {
                // Not listening yet.
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"No {what} within {within.TotalSeconds:0} s; last answer {last?.Item1} {last?.Item2}:\n{Output}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string Dll(string deployable)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}") ? "Debug" : "Release";
        var dll = Path.Combine(RepoPaths.Root, "src", $"LaunchNotify.{deployable}", "bin", configuration, "net10.0", $"LaunchNotify.{deployable}.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build the {deployable} first: {dll} is missing.");
    }
}
