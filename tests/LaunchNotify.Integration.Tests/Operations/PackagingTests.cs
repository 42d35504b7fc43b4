using System.Diagnostics;
using System.Net;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Security;
using LaunchNotify.Protocol.Signing;
using Microsoft.Extensions.Configuration;

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

    /// <summary>What a Dockerfile says: its build stage's COPY and RUN steps, the final stage's ENV, the entry point's dll.</summary>
    private sealed record DockerfileSteps(IReadOnlyList<string[]> Copies, IReadOnlyList<string> Runs, IReadOnlyDictionary<string, string> Environment, string EntryDll);

    private static DockerfileSteps Read(string dockerfile)
    {
        var stages = Regex.Split(File.ReadAllText(dockerfile), @"(?m)^FROM ").Skip(1).ToList();
        Assert.Equal(2, stages.Count); // build, then runtime
        var lines = (string stage) => stage.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        return new DockerfileSteps(
            lines(stages[0]).Where(l => l.StartsWith("COPY ")).Select(l => l[5..].Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList(),
            lines(stages[0]).Where(l => l.StartsWith("RUN ")).Select(l => l[4..]).ToList(),
            lines(stages[1]).Where(l => l.StartsWith("ENV ")).Select(l => l[4..].Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]),
            Regex.Match(stages[1], @"ENTRYPOINT \[""dotnet"", ""([^""]+)""\]").Groups[1].Value);
    }

    /// <summary>
    /// The build stage without an engine: its COPY steps into a fresh folder (the build context is the repository's root),
    /// its RUN steps there (dotnet publish into a folder of the test's instead of /app). What the image would hold is then
    /// checked: the entry point's dll, the schemas and agreements embedded in the protocol, and the node started from the
    /// published folder with the image's own settings (TLS on, the token key where the compose file shares it), on loopback.
    /// </summary>
    [Fact]
    public async Task Dockerfiles_BuildStepsRunWithoutAnEngine_AndThePublishedNodesStartWithTheImagesSettings()
    {
        var context = Path.Combine(_folder, "src");
        var centre = Path.Combine(_folder, "centre");
        KeyStore.Generate(new CentreCode("US"), Path.Combine(centre, "keys"));
        var (certificate, thumbprint) = Certificate(Path.Combine(centre, "tls"));
        foreach (var deployable in Deployables)
        {
            var steps = Read(Path.Combine(RepoPaths.Root, "src", $"LaunchNotify.{deployable}", "Dockerfile"));
            foreach (var copy in steps.Copies)
                Copy(copy[..^1], Path.Combine(context, copy[^1]));
            var app = Path.Combine(_folder, "app-" + deployable);
            foreach (var run in steps.Runs.Where(r => r.StartsWith("dotnet ")))
            {
                var arguments = run.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(a => a == "/app" ? app : a).ToArray();
                var result = await RunInAsync(context, "dotnet", arguments);
                Assert.True(result.ExitCode == 0, $"{deployable}'s Dockerfile: RUN {run}\n{result.Output}");
            }
            Assert.True(File.Exists(Path.Combine(app, steps.EntryDll)), $"the image would have no {steps.EntryDll}");
            var embedded = Resources(Path.Combine(app, "LaunchNotify.Protocol.dll"));
            foreach (var file in Directory.GetFiles(Path.Combine(RepoPaths.Root, "schemas", "v1"), "*.json").Select(f => "schemas/v1/" + Path.GetFileName(f))
                         .Concat(Directory.GetFiles(Path.Combine(RepoPaths.Root, "agreements"), "*.json").Select(f => "agreements/" + Path.GetFileName(f))))
                Assert.True(embedded.Contains(file), $"the image's LaunchNotify.Protocol.dll lacks {file}: the Dockerfile does not COPY it");

            // The image listens on 0.0.0.0 inside its container: allowed only because it configures TLS.
            var imageSettings = new ConfigurationBuilder().AddInMemoryCollection(steps.Environment.Select(kv => new KeyValuePair<string, string?>(kv.Key.Replace("__", ":"), kv.Value))).Build();
            var urlKey = deployable == "Publisher" ? "LaunchNotify:HttpUrl" : "LaunchNotify:Subscriber:HttpUrl";
            Assert.Empty(TransportGuard.Check(imageSettings, imageSettings[urlKey]!, urlKey));

            // The published node, started with the image's settings; paths the compose file mounts point into this test's
            // folder, and the address is loopback (a test never listens on every interface).
            var port = DeployableProcess.FreePort();
            var environment = new Dictionary<string, string>(steps.Environment)
            {
                [urlKey.Replace(":", "__")] = $"https://127.0.0.1:{port}",
                ["Kestrel__Certificates__Default__Path"] = certificate + ".crt",
                ["Kestrel__Certificates__Default__KeyPath"] = certificate + ".key",
                ["LaunchNotify__Auth__SigningKeyFile"] = Path.Combine(centre, "auth", "api-token-signing.pem"),
                ["LaunchNotify__Auth__Issuer"] = "https://127.0.0.1:5080/",
                ["LaunchNotify__Centre"] = "US",
                ["LaunchNotify__Store"] = "sqlite:" + Path.Combine(centre, "node.db"),
                ["LaunchNotify__KeysDirectory"] = Path.Combine(centre, "keys"),
                ["LaunchNotify__Broker__Port"] = DeployableProcess.FreePort().ToString(),
                ["LaunchNotify__Broker__Password"] = "unused",
            };
            await using var node = DeployableProcess.Start(deployable, environment, Path.Combine(app, steps.EntryDll));
            using var https = new HttpClient(new HttpClientHandler
            {
                // Only the certificate this test made (the one the image would be given) is trusted.
                ServerCertificateCustomValidationCallback = (_, served, _, _) => served?.GetCertHashString(HashAlgorithmName.SHA256) == thumbprint,
            }) { Timeout = TimeSpan.FromSeconds(10) };
            var live = await UntilAsync(async () => (await https.GetAsync($"https://127.0.0.1:{port}/health/live")).StatusCode == HttpStatusCode.OK, node);
            Assert.True(live, $"the published {deployable} did not answer https://127.0.0.1:{port}/health/live:\n{node.Output}");
            Assert.Equal(HttpStatusCode.Unauthorized, (await https.GetAsync($"https://127.0.0.1:{port}/metrics")).StatusCode);
        }
    }

    /// <summary>Docker's COPY: a folder's contents into the destination (bin/obj left out, as .dockerignore would), a file into it.</summary>
    private static void Copy(IEnumerable<string> sources, string destination)
    {
        foreach (var source in sources.Select(s => Path.Combine(RepoPaths.Root, s)))
        {
            if (Directory.Exists(source))
            {
                foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
                {
                    var relative = Path.GetRelativePath(source, file);
                    if (relative.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
                        continue;
                    var target = Path.Combine(destination, relative);
                    Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                    File.Copy(file, target, overwrite: true);
                }
            }
            else
            {
                Assert.True(File.Exists(source), $"COPY {source}: no such file in the build context");
                Directory.CreateDirectory(destination);
                File.Copy(source, Path.Combine(destination, Path.GetFileName(source)), overwrite: true);
            }
        }
    }

    private static HashSet<string> Resources(string dll)
    {
        using var pe = new PEReader(File.OpenRead(dll));
        var metadata = pe.GetMetadataReader();
        return metadata.ManifestResources.Select(h => metadata.GetString(metadata.GetManifestResource(h).Name)).ToHashSet();
    }

    /// <summary>A self-signed certificate for 127.0.0.1 as PEM files (PATH.crt, PATH.key) and its SHA-256 thumbprint.</summary>
    private static (string Path, string Thumbprint) Certificate(string folder)
    {
        Directory.CreateDirectory(folder);
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var path = Path.Combine(folder, "tls");
        File.WriteAllText(path + ".crt", certificate.ExportCertificatePem());
        LaunchNotify.Node.Accounts.SecretFile.WriteOwnerOnly(path + ".key", rsa.ExportPkcs8PrivateKeyPem());
        return (path, certificate.GetCertHashString(HashAlgorithmName.SHA256));
    }

    private static async Task<bool> UntilAsync(Func<Task<bool>> condition, DeployableProcess node)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromMinutes(2))
        {
            try
            {
                if (await condition())
                    return true;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }
            if (node.StandardError.Count > 0 && node.Output.Contains("launchnotify: "))
                return false; // it stopped on its settings: the output says why
            await Task.Delay(250);
        }
        return false;
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

    private static Task<(int ExitCode, string Output)> RunAsync(string file, params string[] args) => RunInAsync(RepoPaths.Root, file, args);

    private static async Task<(int ExitCode, string Output)> RunInAsync(string workingDirectory, string file, string[] args)
    {
        var info = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        info.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(10));
        return (process.ExitCode, await stdout + await stderr);
    }
}
