using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LaunchNotify.Node.Hosting;

/// <summary>
/// Ties a process to the one that launched it. A launcher (the demo, the benchmark, a test) puts its own process id in
/// the child's environment as <c>LAUNCHNOTIFY_PARENT_PID</c> (<see cref="Tie"/>); the child looks every second whether
/// that process is still there and, once it is gone (killed, crashed), stops. A killed test run or benchmark so leaves
/// no publisher or subscriber behind consuming the shared broker's queues. Unset (systemd, a container): no watch.
/// </summary>
public static class ParentWatch
{
    public const string Variable = "LAUNCHNOTIFY_PARENT_PID";

    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>Makes the child started with <paramref name="info"/> stop when this process is gone.</summary>
    public static ProcessStartInfo Tie(this ProcessStartInfo info)
    {
        info.Environment[Variable] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        return info;
    }

    /// <summary>
    /// Watches the launcher named by <c>LAUNCHNOTIFY_PARENT_PID</c>, if set: <paramref name="onGone"/> is called once, with
    /// the reason, when it is gone (at once if it already is, or if the variable is not a process id). Dispose to stop watching.
    /// </summary>
    public static IDisposable? Watch(Action<string> onGone)
    {
        if (Environment.GetEnvironmentVariable(Variable) is not { Length: > 0 } text)
            return null;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid <= 0)
        {
            onGone($"{Variable} is '{text}', not a process id");
            return null;
        }
        var started = StartTime(pid);
        if (started is null)
        {
            onGone($"the launcher (process {pid}, {Variable}) is already gone");
            return null;
        }
        // A direct child is re-parented the moment its launcher dies (even before the launcher is reaped): the surest sign.
        var direct = !OperatingSystem.IsWindows() && ParentProcessId() == pid;
        var fired = 0;
        return new Timer(_ =>
        {
            var gone = direct && ParentProcessId() != pid || StartTime(pid) != started;
            if (gone && Interlocked.Exchange(ref fired, 1) == 0)
                onGone($"the launcher (process {pid}, {Variable}) is gone");
        }, null, Interval, Interval);
    }

    /// <summary>When the process started (tells it from a later one that got its id), or null if there is none.</summary>
    private static DateTime? StartTime(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited ? null : process.StartTime;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private static int ParentProcessId() => OperatingSystem.IsWindows() ? -1 : GetParentProcessId();

    [DllImport("libc", EntryPoint = "getppid")]
    private static extern int GetParentProcessId();
}

/// <summary>Stops the node (gracefully: the host's shutdown) when its launcher is gone; see <see cref="ParentWatch"/>.</summary>
public sealed class ParentWatchService(IHostApplicationLifetime lifetime, ILogger<ParentWatchService> logger) : IHostedService, IDisposable
{
    private IDisposable? _watch;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _watch = ParentWatch.Watch(reason =>
        {
            logger.LogWarning("Stopping: {Reason}", reason);
            lifetime.StopApplication();
            // A shutdown that hangs (a broker that does not answer) must not keep the node consuming: bounded.
            _ = Task.Delay(TimeSpan.FromSeconds(20)).ContinueWith(_ => Environment.Exit(3), TaskScheduler.Default);
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _watch?.Dispose();
}
