using System.Diagnostics;
using System.Text;

namespace LaunchNotify.Tests.Shared;

/// <summary>
/// Runs the built <c>launchnotify</c> CLI (of this test's build configuration) as an operator would, from the repository
/// root. Compiled into the test projects that run it (tests/Shared).
/// </summary>
internal static class CliProcess
{
    public static string RepoRoot { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LaunchNotify.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("LaunchNotify.sln not found above " + AppContext.BaseDirectory);
    }

    public sealed record Result(int ExitCode, string Output, TimeSpan Elapsed)
    {
        /// <summary>The output with every run of white space as one space: the console wraps long lines at 140 columns.</summary>
        public string Flat => System.Text.RegularExpressions.Regex.Replace(Output, @"\s+", " ");

        public override string ToString() => $"exit {ExitCode} after {Elapsed.TotalSeconds:0.0} s:\n{Output}";
    }

    /// <summary>Debug or Release, read from this test's output folder (…/bin/&lt;configuration&gt;/net10.0/).</summary>
    private static string Configuration => new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    public static string Dll => Path.Combine(RepoRoot, "src", "LaunchNotify.Cli", "bin", Configuration, "net10.0", "launchnotify.dll");

    public static async Task<Result> RunAsync(IEnumerable<string> arguments, TimeSpan timeout, IReadOnlyDictionary<string, string?>? environment = null)
    {
        if (!File.Exists(Dll))
            throw new InvalidOperationException($"{Dll} is missing: build the solution (or this test project, which builds the CLI) in {Configuration}.");
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", [Dll, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = RepoRoot,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
                info.Environment.Remove(name);
            else
                info.Environment[name] = value;
        }

        var clock = Stopwatch.StartNew();
        // Dies with this process, and so do the nodes it starts: a killed run leaves nothing consuming the broker's queues
        // (LaunchNotify.Node.Hosting.ParentWatch; spelled out here, as some test projects linking this file do not reference the node).
        info.Environment["LAUNCHNOTIFY_PARENT_PID"] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {Dll}.");
        process.StandardInput.Close();
        var output = new StringBuilder();
        var gate = new object();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (gate) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (gate) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            lock (gate)
                throw new Xunit.Sdk.XunitException($"launchnotify {string.Join(' ', arguments)} did not finish within {timeout.TotalSeconds:0} s:\n{output}");
        }
        process.WaitForExit(); // drains the redirected output
        lock (gate)
            return new Result(process.ExitCode, output.ToString(), clock.Elapsed);
    }
}
