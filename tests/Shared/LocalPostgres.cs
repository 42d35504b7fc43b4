using System.Diagnostics;
using System.Net.Sockets;

namespace LaunchNotify.Tests.Shared;

/// <summary>
/// The project-local PostgreSQL the test projects share (compiled into each of them): infra/postgres/start.sh runs it on
/// 127.0.0.1, port LAUNCHNOTIFY_PG_PORT or 5442; it is started here when it does not answer, and a failure to start
/// fails the caller with the script's output. Password from LAUNCHNOTIFY_PG_PASSWORD or .local/postgres/password.
/// </summary>
internal static class LocalPostgres
{
    public static int Port => int.TryParse(Environment.GetEnvironmentVariable("LAUNCHNOTIFY_PG_PORT"), out var p) ? p : 5442;

    /// <summary>Starts the server if needed; returns the connection string of the <c>launchnotify</c> database.</summary>
    public static async Task<string> EnsureRunningAsync()
    {
        var root = RepoRoot();
        if (!await AnswersAsync(Port))
            await RunScriptAsync(root, Path.Combine("infra", "postgres", "start.sh"), TimeSpan.FromMinutes(3));
        var password = Environment.GetEnvironmentVariable("LAUNCHNOTIFY_PG_PASSWORD");
        if (string.IsNullOrEmpty(password))
            password = (await File.ReadAllTextAsync(Path.Combine(root, ".local", "postgres", "password"))).Trim();
        return $"Host=127.0.0.1;Port={Port};Database=launchnotify;Username=launchnotify;Password={password}";
    }

    private static async Task<bool> AnswersAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", port).WaitAsync(TimeSpan.FromSeconds(2));
            return true;
        }
        catch (Exception e) when (e is SocketException or TimeoutException)
        {
            return false;
        }
    }

    private static async Task RunScriptAsync(string root, string relativePath, TimeSpan timeout)
    {
        using var process = Process.Start(new ProcessStartInfo("bash", [Path.Combine(root, relativePath)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = root,
        }) ?? throw new InvalidOperationException($"Could not run {relativePath}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(timeout);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{relativePath} failed (exit {process.ExitCode}):\n{await stdout}\n{await stderr}");
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "LaunchNotify.sln")))
                return dir.FullName;
        throw new InvalidOperationException("LaunchNotify.sln not found above " + AppContext.BaseDirectory);
    }
}
