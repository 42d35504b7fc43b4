using LaunchNotify.Node.Hosting;
using System.Diagnostics;
using LaunchNotify.Domain.Values;

namespace LaunchNotify.Cli.Demo;

/// <summary>One centre's two deployables, started as real processes with their configuration in the environment.</summary>
public sealed record CentreNode(CentreCode Centre, string HttpUrl, string Folder, string BrokerPassword, string KeysDirectory)
{
    public string Store => "sqlite:" + Path.Combine(Folder, "node.db");

    /// <summary>The centres it keeps links with: heartbeats to them, and a watch on theirs.</summary>
    public IReadOnlyList<CentreCode> Counterparts { get; init; } = [];

    /// <summary>Settings of this centre only, applied last (a federated centre's own broker and links).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
}

/// <summary>Starts and stops the publisher and subscriber processes of the demo's centres; their logs go to files.</summary>
/// <param name="environment">Settings every process gets (e.g. the demo's shortened deadlines).</param>
public sealed class NodeProcesses(string repoRoot, string configuration, IReadOnlyDictionary<string, string>? environment = null) : IAsyncDisposable
{
    private readonly List<(string Name, Process Process)> _processes = [];

    public IReadOnlyList<(string Name, Process Process)> Running => _processes;

    public string BinaryPath(string project) =>
        Path.Combine(repoRoot, "src", project, "bin", configuration, "net10.0", project + ".dll");

    public void Start(CentreNode node, string project, string role)
    {
        var dll = BinaryPath(project);
        if (!File.Exists(dll))
            throw new Commands.CliException($"{dll} is missing. Build first: dotnet build -c {configuration} LaunchNotify.sln (infra/demo.sh does it).");
        var log = Path.Combine(node.Folder, role + ".log");
        var info = new ProcessStartInfo(DotnetHost(), [dll])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = node.Folder,
        };
        info.Environment["LaunchNotify__Centre"] = node.Centre.Value;
        info.Environment["LaunchNotify__Store"] = node.Store;
        info.Environment["LaunchNotify__Broker__Password"] = node.BrokerPassword;
        if (Environment.GetEnvironmentVariable("LAUNCHNOTIFY_AMQP_PORT") is { Length: > 0 } amqpPort)
            info.Environment["LaunchNotify__Broker__Port"] = amqpPort;
        info.Environment["LaunchNotify__KeysDirectory"] = node.KeysDirectory;
        info.Environment["LaunchNotify__HttpUrl"] = node.HttpUrl;
        info.Environment["LaunchNotify__Timeliness__Counterparts"] = string.Join(",", node.Counterparts);
        foreach (var (key, value) in (environment ?? new Dictionary<string, string>()).Concat(node.Environment))
            info.Environment[key] = value;
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        LaunchNotify.Node.Hosting.NodeRuntimeSettings.ApplyTo(info.Environment);
        info.Environment["Logging__Console__FormatterName"] = "simple";
        info.Environment["Logging__Console__FormatterOptions__TimestampFormat"] = "HH:mm:ss.fff ";
        info.Environment["Logging__Console__FormatterOptions__UseUtcTimestamp"] = "true";
        info.Environment["Logging__LogLevel__Microsoft"] = "Warning";
        info.Environment["Logging__LogLevel__MassTransit"] = "Warning";

        // Dies with this process: a killed run leaves nothing consuming the broker's queues (ParentWatch).
        info.Tie();
        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {dll}.");
        var writer = new StreamWriter(log, append: false) { AutoFlush = true };
        var gate = new object();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (gate) writer.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (gate) writer.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.Exited += (_, _) => { lock (gate) writer.Flush(); };
        _processes.Add(($"{node.Centre} {role}", process));
    }

    /// <summary>The first process that died, if any: a node that crashes must fail the demo, not hang it.</summary>
    public (string Name, int ExitCode)? FirstExited() =>
        _processes.Where(p => p.Process.HasExited).Select(p => ((string, int)?)(p.Name, p.Process.ExitCode)).FirstOrDefault();

    private static string DotnetHost() =>
        Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";

    public async ValueTask DisposeAsync()
    {
        foreach (var (_, p) in _processes.Where(p => !p.Process.HasExited))
        {
            try
            {
                // SIGTERM: the hosts stop gracefully (the dispatcher finishes its batch, MassTransit stops consuming).
                Process.Start("kill", ["-TERM", p.Id.ToString()])?.WaitForExit(2000);
            }
            catch (Exception)
            {
                // Fall through to Kill below.
            }
        }
        foreach (var (_, p) in _processes)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await p.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                p.Kill(entireProcessTree: true);
            }
            p.Dispose();
        }
        _processes.Clear();
    }
}
