using LaunchNotify.Node.Security;
using System.Diagnostics;
using LaunchNotify.Publisher.Security;
using Microsoft.Extensions.Configuration;

namespace LaunchNotify.Alarms.Tests.Security;

/// <summary>Off loopback only with TLS: the rule, and the real publisher process refusing to start (nothing is bound).</summary>
public sealed class TransportGuardTests
{
    private static IReadOnlyList<string> Check(string url, params (string Key, string Value)[] settings) =>
        TransportGuard.Check(new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build(), url);

    [Theory]
    [InlineData("http://127.0.0.1:5080")]
    [InlineData("http://localhost:5080")]
    [InlineData("http://[::1]:5080")]
    [InlineData("http://127.0.0.2:5080")]
    public void Loopback_WithoutTls_IsAllowed(string url) => Assert.Empty(Check(url));

    [Theory]
    [InlineData("http://0.0.0.0:5080")]
    [InlineData("http://*:5080")]
    [InlineData("http://+:5080")]
    [InlineData("http://192.0.2.10:5080")]
    [InlineData("http://launchnotify.example:5080")]
    public void OffLoopback_OverHttp_IsRefusedSayingWhatToConfigure(string url)
    {
        var problem = Assert.Single(Check(url));
        Assert.Contains("not a loopback address", problem);
        Assert.Contains("Kestrel:Certificates:Default:Path", problem);
    }

    [Fact]
    public void OffLoopback_OverHttps_NeedsACertificate()
    {
        Assert.Contains("without a certificate", Assert.Single(Check("https://0.0.0.0:5443")));
        Assert.Empty(Check("https://0.0.0.0:5443", ("Kestrel:Certificates:Default:Path", "/etc/launchnotify/api.crt")));
    }

    [Fact]
    public void KestrelEndpoints_AreCheckedInsteadOfTheHttpUrl()
    {
        var problems = Check("http://127.0.0.1:5080", ("Kestrel:Endpoints:Public:Url", "http://0.0.0.0:80"), ("Kestrel:Endpoints:Local:Url", "http://127.0.0.1:5080"));
        Assert.Contains("Kestrel:Endpoints:Public:Url", Assert.Single(problems));
    }

    [Fact]
    public async Task ThePublisherProcess_OnANonLoopbackUrlWithoutACertificate_ExitsNonZeroSayingWhy()
    {
        var folder = Path.Combine(Path.GetTempPath(), "launchnotify-tls-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        // Valid settings but for the address, so that the refusal is the transport's (the options check wants the folder).
        Directory.CreateDirectory(Path.Combine(folder, "keys"));
        try
        {
            var start = new ProcessStartInfo("dotnet", [PublisherDll()])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                Environment =
                {
                    ["LaunchNotify__Centre"] = "US",
                    ["LaunchNotify__Store"] = "sqlite:" + Path.Combine(folder, "node.db"),
                    ["LaunchNotify__KeysDirectory"] = Path.Combine(folder, "keys"),
                    ["LaunchNotify__Broker__Password"] = "unused",
                    // Never bound: the process refuses before it listens.
                    ["LaunchNotify__HttpUrl"] = "http://0.0.0.0:5999",
                },
            };
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            await process.WaitForExitAsync(cts.Token);

            Assert.NotEqual(0, process.ExitCode);
            var said = await stderr + await stdout;
            Assert.Contains("Refusing to listen on http://0.0.0.0:5999", said);
            Assert.Contains("not a loopback address", said);
            Assert.False(File.Exists(Path.Combine(folder, "node.db")), "the store was opened before the refusal");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string PublisherDll() => DeployableDll("Publisher");

    /// <summary>A deployable's built dll (the publisher, the subscriber), beside this test assembly's configuration.</summary>
    public static string DeployableDll(string deployable)
    {
        // This test assembly lives in tests/LaunchNotify.Alarms.Tests/bin/<Configuration>/net10.0/.
        var bin = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = bin.Parent!.Name;
        var repo = bin.Parent.Parent!.Parent!.Parent!.Parent!.FullName;
        var dll = Path.Combine(repo, "src", $"LaunchNotify.{deployable}", "bin", configuration, "net10.0", $"LaunchNotify.{deployable}.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build the {deployable} first (dotnet build -c {configuration}); not found: {dll}");
    }
}
