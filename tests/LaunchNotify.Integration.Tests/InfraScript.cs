using System.Diagnostics;

namespace LaunchNotify.Integration.Tests;

/// <summary>Runs one of the project's infra scripts and fails with its whole output if it fails.</summary>
internal static class InfraScript
{
    public static async Task<string> RunAsync(string relativePath, TimeSpan timeout, params string[] arguments)
    {
        var script = Path.Combine(RepoPaths.Root, relativePath);
        if (!File.Exists(script))
            throw new InvalidOperationException($"{relativePath} is missing under {RepoPaths.Root}.");
        var info = new ProcessStartInfo("bash", [script, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepoPaths.Root,
        };
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not run {relativePath}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{relativePath} did not finish within {timeout.TotalSeconds:0} s.\n{await stdout}\n{await stderr}");
        }
        var output = await stdout;
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{relativePath} failed (exit {process.ExitCode}):\n{$"{output}\n{await stderr}".Trim()}");
        return output.Trim();
    }
}
