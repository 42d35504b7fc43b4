using System.Text.Json.Nodes;
using LaunchNotify.Domain.Values;
using LaunchNotify.Protocol.Signing;
using LaunchNotify.Tests.Shared;

namespace LaunchNotify.Integration.Tests.Exchange;

/// <summary><c>launchnotify keys …</c> run as a process: exit codes and words an operator sees, never a stack trace or a private key.</summary>
public sealed class KeysCliTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly string dir = Directory.CreateTempSubdirectory("ln-keys-cli-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private Task<CliProcess.Result> Keys(params string[] args) => CliProcess.RunAsync(["keys", .. args], Timeout);

    private static void AssertNoStackTrace(CliProcess.Result result)
    {
        Assert.DoesNotContain("Unhandled exception", result.Output);
        Assert.DoesNotContain("   at ", result.Output);
    }

    [Fact]
    public async Task Generate_Twice_RefusesWithExit1AndNamesTheRealFlags()
    {
        var first = await Keys("generate", "--centre", "US", "--dir", dir);
        Assert.True(first.ExitCode == 0, first.ToString());
        var privateBefore = await File.ReadAllBytesAsync(KeyStore.PrivateKeyPath(dir, new CentreCode("US")));

        var second = await Keys("generate", "--centre", "US", "--dir", dir);

        Assert.Equal(1, second.ExitCode);
        AssertNoStackTrace(second);
        Assert.Contains("already has a private key", second.Flat);
        Assert.Contains("--force", second.Flat);
        Assert.Contains("keys rotate --centre US", second.Flat);
        Assert.Equal(privateBefore, await File.ReadAllBytesAsync(KeyStore.PrivateKeyPath(dir, new CentreCode("US"))));

        var forced = await Keys("generate", "--centre", "US", "--dir", dir, "--force");
        Assert.True(forced.ExitCode == 0, forced.ToString());
    }

    [Fact]
    public async Task Import_APrivateKeyOrACollidingKid_IsRefusedWithExit1_AndNeverPrintsD()
    {
        Assert.Equal(0, (await Keys("generate", "--centre", "US", "--dir", dir)).ExitCode);
        var elsewhere = Path.Combine(dir, "ru-side");
        Assert.Equal(0, (await Keys("generate", "--centre", "RU", "--dir", elsewhere)).ExitCode);
        var ruPrivate = KeyStore.PrivateKeyPath(elsewhere, new CentreCode("RU"));
        var d = JsonNode.Parse(await File.ReadAllTextAsync(ruPrivate))!["d"]!.GetValue<string>();
        var trustBefore = await File.ReadAllBytesAsync(KeyStore.TrustStorePath(dir));

        var withPrivate = await Keys("import", ruPrivate, "--dir", dir);

        Assert.Equal(1, withPrivate.ExitCode);
        AssertNoStackTrace(withPrivate);
        Assert.Contains("private part", withPrivate.Flat);
        Assert.DoesNotContain(d, withPrivate.Output);

        // The same kid as US's key, other key material.
        using var impostor = CentreKey.Generate(new CentreCode("US"));
        var forged = JsonNode.Parse(impostor.PublicJwk.ToJson())!.AsObject();
        forged["kid"] = KeyStore.LoadPublic(dir, new CentreCode("US")).Kid;
        var forgedFile = Path.Combine(dir, "forged.json");
        await File.WriteAllTextAsync(forgedFile, forged.ToJsonString());

        var colliding = await Keys("import", forgedFile, "--dir", dir);

        Assert.Equal(1, colliding.ExitCode);
        AssertNoStackTrace(colliding);
        Assert.Contains("already trusted for a different key", colliding.Flat);
        Assert.Equal(trustBefore, await File.ReadAllBytesAsync(KeyStore.TrustStorePath(dir)));

        var genuine = await Keys("import", KeyStore.TrustStorePath(elsewhere), "--dir", dir);
        Assert.True(genuine.ExitCode == 0, genuine.ToString());
        Assert.Contains("trusted RU-", genuine.Flat);
    }

    [Fact]
    public async Task RotateThenRevoke_KeepsTheOldKeyForTheOverlap_ThenMarksItRevoked()
    {
        Assert.Equal(0, (await Keys("generate", "--centre", "US", "--dir", dir)).ExitCode);
        var old = KeyStore.LoadPublic(dir, new CentreCode("US")).Kid;

        var currentRevoke = await Keys("revoke", old, "--dir", dir);
        Assert.Equal(1, currentRevoke.ExitCode);
        Assert.Contains("rotate it first", currentRevoke.Flat);

        var rotate = await Keys("rotate", "--centre", "US", "--dir", dir, "--overlap", "48h");
        Assert.True(rotate.ExitCode == 0, rotate.ToString());
        var fresh = KeyStore.LoadPublic(dir, new CentreCode("US")).Kid;
        Assert.NotEqual(old, fresh);
        Assert.Equal([old, fresh], KeyStore.LoadTrustedKeys(dir).Keys.Select(k => k.Kid));
        var retiresAt = KeyStore.LoadStatuses(dir).Find(old)!.RetiresAt!.Value;
        var expected = NodaTime.SystemClock.Instance.GetCurrentInstant() + NodaTime.Duration.FromHours(48);
        Assert.InRange((expected - retiresAt).TotalMinutes, 0, 5);

        var revoke = await Keys("revoke", old, "--dir", dir, "--at", "2026-01-01T00:00:00Z", "--reason", "key compromised");
        Assert.True(revoke.ExitCode == 0, revoke.ToString());
        var status = KeyStore.LoadStatuses(dir).Find(old)!;
        Assert.Equal(NodaTime.Instant.FromUtc(2026, 1, 1, 0, 0), status.RevokedAt);
        Assert.Equal("key compromised", status.Reason);

        var list = await Keys("list", "--dir", dir);
        Assert.Contains("revoked from 01/01/2026 00:00:00 UTC", list.Flat);

        var badOverlap = await Keys("rotate", "--centre", "US", "--dir", dir, "--overlap", "two days");
        Assert.Equal(1, badOverlap.ExitCode);
        Assert.Contains("is not a duration", badOverlap.Flat);
        AssertNoStackTrace(badOverlap);
    }
}
