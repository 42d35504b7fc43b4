using System.Diagnostics;
using System.Text.RegularExpressions;

namespace LaunchNotify.Integration.Tests.Operations;

/// <summary>
/// The deployment files, checked without a Docker engine: infra/docker-compose.yml against the Compose Specification's
/// schema and dclint's error rules, each Dockerfile with dockerfile-utils (the Docker language server's checks) and
/// against the project it builds; and the CLI packed as a dotnet tool, installed into a folder and run as <c>launchnotify</c>.
/// The checkers come from infra/lint/install.sh (infra/test.sh runs it).
/// </summary>
public sealed class PackagingTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ln-packaging-").FullName;
    private static readonly string[] Deployables = ["Publisher", "Subscriber"];

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string Checker(string name)
    {
        var path = Path.Combine(RepoPaths.Root, "infra", "lint", "node_modules", ".bin", name);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{name} is missing: run infra/lint/install.sh (infra/test.sh does).");
    }

    [Fact]
    public async Task ComposeFile_PassesTheComposeSchema_AndACopyWithAMisspelledKeyDoesNot()
    {
        var compose = Path.Combine(RepoPaths.Root, "infra", "docker-compose.yml");
        var result = await RunAsync(Checker("dclint"), "-q", "--color", "false", compose);
        Assert.True(result.ExitCode == 0, result.Output);

        var text = await File.ReadAllTextAsync(compose);
        foreach (var service in new[] { "rabbitmq:", "postgres:", "publisher:", "subscriber:" })
            Assert.Contains($"\n  {service}\n", text);
        var broken = Path.Combine(_folder, "docker-compose.yml");
        await File.WriteAllTextAsync(broken, text.Replace("    restart: unless-stopped", "    restrat: unless-stopped"));
        var refused = await RunAsync(Checker("dclint"), "-q", "--color", "false", broken);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("invalid-schema", refused.Output);
    }

    [Fact]
    public async Task Dockerfiles_PassDockerfileUtils_AndBuildTheirOwnProject()
    {
        foreach (var deployable in Deployables)
        {
            var dockerfile = Path.Combine(RepoPaths.Root, "src", $"LaunchNotify.{deployable}", "Dockerfile");
            var result = await RunAsync(Checker("dockerfile-utils"), "lint", dockerfile);
            Assert.True(result.ExitCode == 0, $"{dockerfile}:\n{result.Output}");

            var text = await File.ReadAllTextAsync(dockerfile);
            var project = Regex.Match(text, @"dotnet publish (\S+\.csproj)").Groups[1].Value;
            Assert.True(File.Exists(Path.Combine(RepoPaths.Root, project)), $"{dockerfile} publishes {project}, which does not exist");
            Assert.Contains($"ENTRYPOINT [\"dotnet\", \"LaunchNotify.{deployable}.dll\"]", text);
            Assert.Matches(@"(?m)^USER \S+", text); // never root
        }
        var broken = Path.Combine(_folder, "Dockerfile");
        await File.WriteAllTextAsync(broken, "FROM mcr.microsoft.com/dotnet/aspnet:10.0\nEXPOSE eighty\nCOPYY . .\n");
        var refused = await RunAsync(Checker("dockerfile-utils"), "lint", broken);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("Unknown instruction: COPYY", refused.Output);
    }

    [Fact]
    public async Task Cli_PacksAsADotnetTool_ThatInstallsAndRunsAsLaunchnotify()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}") ? "Debug" : "Release";
        var packages = Path.Combine(_folder, "packages");
        var pack = await RunAsync("dotnet", "pack", Path.Combine(RepoPaths.Root, "src", "LaunchNotify.Cli", "LaunchNotify.Cli.csproj"),
            "-c", configuration, "--no-build", "-o", packages, "--nologo");
        Assert.True(pack.ExitCode == 0, pack.Output);
        var package = Assert.Single(Directory.GetFiles(packages, "LaunchNotify.Cli.*.nupkg"));

        var tools = Path.Combine(_folder, "tools");
        var install = await RunAsync("dotnet", "tool", "install", "LaunchNotify.Cli", "--tool-path", tools, "--add-source", packages,
            "--version", Regex.Match(Path.GetFileName(package), @"LaunchNotify\.Cli\.(.+)\.nupkg").Groups[1].Value);
        Assert.True(install.ExitCode == 0, install.Output);

        var run = await RunAsync(Path.Combine(tools, "launchnotify"), "agreements");
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("us-ru-bmlna-1988", run.Output);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepoPaths.Root };
        info.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        return (process.ExitCode, await stdout + await stderr);
    }
}
