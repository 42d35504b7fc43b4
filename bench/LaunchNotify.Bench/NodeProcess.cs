using LaunchNotify.Node.Hosting;
using System.Diagnostics;

namespace LaunchNotify.Bench;

/// <summary>A publisher or subscriber started as a real process from its build output; its log goes to a file.</summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;

    public string Name { get; }
    public string LogPath { get; }
    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;

    private NodeProcess(string name, Process process, string logPath, StreamWriter log)
    {
        Name = name;
        _process = process;
        LogPath = logPath;
        _log = log;
    }

    public static NodeProcess Start(string name, string dll, IReadOnlyDictionary<string, string> environment, string logPath)
    {
        var info = new ProcessStartInfo(DotnetHost(), [dll])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(logPath)!,
        };
        foreach (var (key, value) in environment)
            info.Environment[key] = value;
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        LaunchNotify.Node.Hosting.NodeRuntimeSettings.ApplyTo(info.Environment);
        info.Environment["Logging__Console__FormatterName"] = "simple";
        info.Environment["Logging__LogLevel__Microsoft"] = "Warning";
        info.Environment["Logging__LogLevel__MassTransit"] = "Warning";

        // Dies with this process: a killed run leaves nothing consuming the broker's queues (ParentWatch).
        info.Tie();
        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {dll}.");
        var writer = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var gate = new object();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (gate) writer.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (gate) writer.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new NodeProcess(name, process, logPath, writer);
    }

    public ProcessSample Sample() => ProcessSample.Read(Name, Pid);

    /// <summary>The exit code if the process has ended (by itself: a crash, unless it was killed).</summary>
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>SIGKILL, as <c>kill -9</c>: the process gets no chance to stop cleanly.</summary>
    public async ValueTask KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _process.WaitForExitAsync(timeout.Token);
        }
        _process.Dispose();
        lock (_log) _log.Dispose();
    }

    /// <summary>SIGTERM (the hosts stop gracefully), then a kill after 10 s.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()]);
                kill?.WaitForExit(2000);
            }
            catch (Exception)
            {
                // Fall through to the kill below.
            }
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        _process.Dispose();
        lock (_log) _log.Dispose();
    }

    private static string DotnetHost() =>
        Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
}

/// <summary>CPU time and memory of one process from /proc: cumulative since it started.</summary>
public sealed record ProcessSample(string Name, int Pid, double CpuSeconds, long RssBytes, long PeakRssBytes)
{
    // USER_HZ: the unit of utime/stime in /proc/<pid>/stat; 100 on every Linux this runs on.
    private const double ClockTicksPerSecond = 100.0;

    public static ProcessSample Read(string name, int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // Fields after the parenthesised command name (which may contain spaces): state is field 3, utime 14, stime 15.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var cpu = (long.Parse(fields[11]) + long.Parse(fields[12])) / ClockTicksPerSecond;
        long rss = 0, hwm = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:")) rss = Kilobytes(line);
            else if (line.StartsWith("VmHWM:")) hwm = Kilobytes(line);
        }
        return new ProcessSample(name, pid, cpu, rss, hwm);
    }

    /// <summary>
    /// CPU seconds of a server process and its children: its own, its live children's and what it has reaped of ended
    /// ones (<c>cutime</c>/<c>cstime</c>), e.g. a PostgreSQL postmaster and its backends.
    /// </summary>
    public static double TreeCpuSeconds(int pid)
    {
        static long[] Fields(int p)
        {
            var stat = File.ReadAllText($"/proc/{p}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ').Skip(11).Take(4).Select(long.Parse).ToArray();
        }
        var own = Fields(pid);
        var ticks = own.Sum();
        var children = $"/proc/{pid}/task/{pid}/children";
        if (File.Exists(children))
            foreach (var child in File.ReadAllText(children).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                try
                {
                    var f = Fields(int.Parse(child));
                    ticks += f[0] + f[1];
                }
                catch (IOException)
                {
                    // The backend ended between the listing and the read: its CPU is in the parent's cutime once reaped.
                }
            }
        return ticks / ClockTicksPerSecond;
    }

    private static long Kilobytes(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
}
