using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace LaunchNotify.Compliance.Tests;

/// <summary><c>launchnotify audit …</c> and <c>launchnotify evidence …</c> run as a process, as an officer runs them.</summary>
public sealed class CommandLineTests
{
    [Fact]
    public async Task AuditVerify_OnTheSendersStore_ExitsZeroWithTheHead_AndOneNamingTheEntryOnceTamperedWith()
    {
        await using var centres = await TwoCentres.CreateAsync();
        await centres.ExchangeAsync();
        var store = $"sqlite:{((SqliteTestStore)centres.Us.Store).File}";

        var intact = await RunAsync("audit", "verify", "--store", store);
        Assert.Equal(0, intact.ExitCode);
        Assert.Contains("5 entries checked", intact.Output);
        Assert.Contains("✓ intact", intact.Output);
        var head = await RunAsync("audit", "head", "--store", store);
        Assert.Matches("^5:[0-9a-f]{64}$", head.Output.Trim());
        Assert.Contains($"head {head.Output.Trim()}", intact.Output);

        await centres.Us.Store.ExecuteAsync("""UPDATE "AuditEntries" SET "DetailsJson" = {0} WHERE "Seq" = 2""", """{"note":"edited"}""");
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        var broken = await RunAsync("audit", "verify", "--store", store, "--anchor", head.Output.Trim());
        Assert.Equal(1, broken.ExitCode);
        Assert.Contains("✗ broken at entry 2 (ContentHash): content hash differs", broken.Output);
    }

    [Theory]
    [InlineData("content-invalid/prenotification-window-ends-before-start.json", "WINDOW_NOT_AFTER_START")]
    [InlineData("content-invalid/heartbeat-issued-at-leap-second.json", "INSTANT_LEAP_SECOND")]
    [InlineData("content-invalid/heartbeat-issued-at-year-9999.json", "INSTANT_OUT_OF_RANGE")]
    [InlineData("content-invalid/prenotification-radius-1e-minus-400.json", "NUMBER_OUT_OF_RANGE")]
    [InlineData("invalid/malformed-lone-surrogate.json.txt", "JSON_INVALID_UNICODE")]
    [InlineData("invalid/malformed-invalid-utf8.json.txt", "JSON_INVALID_UNICODE")]
    [InlineData("invalid/malformed-duplicate-member.json.txt", "JSON_MALFORMED")]
    [InlineData("invalid/prenotification-agreement-id-65-characters.json", "SCHEMA_LENGTH")]
    public async Task Validate_OddButSignedContent_PrintsTheCodeAndExitsOneWithoutAStackTrace(string example, string code)
    {
        var file = Path.Combine(RepoPaths.Root, "schemas", "examples", example);

        var result = await RunAsync("validate", file, "--at", "2026-11-01T00:00:00Z", "--json");

        Assert.Equal(1, result.ExitCode);
        var output = JsonNode.Parse(result.Output)!;
        Assert.False((bool)output["valid"]!);
        Assert.Contains(code, output["errors"]!.AsArray().Select(e => (string?)e!["code"]));
        Assert.DoesNotContain("Exception", result.Output);
    }

    [Fact]
    public async Task AuditVerify_WithoutAStore_ExitsTwoAndSaysWhatToGive()
    {
        var result = await RunAsync("audit", "verify");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--store sqlite:PATH", result.Output);
    }

    [Fact]
    public async Task AuditList_BySubject_PrintsThatCentresEntries()
    {
        await using var centres = await TwoCentres.CreateAsync();
        await centres.ExchangeAsync();

        var result = await RunAsync("audit", "list", "--store", $"sqlite:{((SqliteTestStore)centres.Us.Store).File}", "--subject", "RU", "--json");

        Assert.Equal(0, result.ExitCode);
        var entries = JsonNode.Parse(result.Output)!.AsArray();
        Assert.Equal(["published", "received", "verified", "confirmed"], entries.Select(e => (string?)e!["type"]));
        Assert.All(entries, e => Assert.Equal("RU", (string?)e!["subject"]!["centre"]));
    }

    [Fact]
    public async Task EvidenceExportThenVerify_PassesOffline_AndFailsOnceTheFileIsTamperedWith()
    {
        await using var centres = await TwoCentres.CreateAsync();
        var id = await centres.ExchangeAsync();
        var file = Path.Combine(centres.KeysDirectory, "bundle.json");

        var export = await RunAsync("evidence", "export", id.ToString(), "--store", $"sqlite:{((SqliteTestStore)centres.Us.Store).File}",
            "--keys", centres.KeysDirectory, "-o", file);
        Assert.Equal(0, export.ExitCode);

        var verified = await RunAsync("evidence", "verify", file, "--trusted-keys", Path.Combine(centres.KeysDirectory, "jwks.json"));
        Assert.Equal(0, verified.ExitCode);
        Assert.Contains("✓ notification signature: valid ES256 by US", verified.Output);
        Assert.Contains("✓ receipt 1 (RU) signature: valid ES256 by RU", verified.Output);
        Assert.Contains("Evidence verified", verified.Output);

        var selfAsserted = await RunAsync("evidence", "verify", file);
        Assert.Equal(0, selfAsserted.ExitCode);
        Assert.Contains("self-asserted", selfAsserted.Output);

        var bundle = JsonNode.Parse(await File.ReadAllTextAsync(file))!;
        bundle["receipts"]![0]!["receiptFor"] = Guid.NewGuid().ToString();
        await File.WriteAllTextAsync(file, bundle.ToJsonString());
        var tampered = await RunAsync("evidence", "verify", file);
        Assert.Equal(1, tampered.ExitCode);
        Assert.Contains("✗ receipt 1 (RU): the bundle's summary says receiptFor", tampered.Output);
        Assert.Contains("Evidence NOT verified", tampered.Output);
    }

    [Fact]
    public async Task EvidenceExport_OfAnUnknownMessage_ExitsTwoAndNamesTheStore()
    {
        await using var centres = await TwoCentres.CreateAsync();
        var id = Guid.NewGuid();

        var result = await RunAsync("evidence", "export", id.ToString(), "--store", $"sqlite:{((SqliteTestStore)centres.Us.Store).File}", "--keys", centres.KeysDirectory);

        Assert.Equal(2, result.ExitCode);
        // Errors go through Spectre.Console, which wraps long lines.
        Assert.Contains($"holds no message {id}", System.Text.RegularExpressions.Regex.Replace(result.Output, @"\s+", " "));
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet", [CliPath, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        // The commands must not pick a store up from the test runner's environment.
        info.Environment.Remove("LaunchNotify__Store");
        info.Environment.Remove("LaunchNotify__KeysDirectory");
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>The CLI built beside this test assembly's configuration (the project reference builds it first).</summary>
    private static string CliPath
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}") ? "Debug" : "Release";
            var path = Path.Combine(RepoPaths.Root, "src", "LaunchNotify.Cli", "bin", configuration, "net10.0", "launchnotify.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException($"Build the CLI first: {path} is missing.");
        }
    }
}
