using System.Diagnostics;

namespace LaunchNotify.Protocol.Tests;

/// <summary>
/// A counterpart's tooling is not ours: the schemas must compile under ajv's strict mode (draft 2020-12), and ajv must
/// agree with our catalog on every labelled example and agreement file (tools/ajv/check.mjs, installed by
/// infra/schemas/install.sh).
/// </summary>
public class AjvStrictTests
{
    [Fact]
    public async Task EverySchema_CompilesInAjvStrictMode_AndAjvAgreesOnEveryExampleAndAgreementFile()
    {
        var tool = Path.Combine(RepoPaths.Root, "tools", "ajv");
        Assert.True(Directory.Exists(Path.Combine(tool, "node_modules", "ajv")),
            $"ajv is not installed in {tool}: run infra/schemas/install.sh (infra/test.sh does).");
        var info = new ProcessStartInfo("node", [Path.Combine(tool, "check.mjs")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepoPaths.Root,
        };
        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start node: run infra/schemas/install.sh.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        var output = await stdout + await stderr;

        Assert.True(process.ExitCode == 0, output);
        Assert.Matches(@"9 schemas compiled in strict mode, \d+ documents checked, 0 problem\(s\)", output);
    }
}
