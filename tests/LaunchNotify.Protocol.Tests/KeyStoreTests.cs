using System.Text;
using LaunchNotify.Domain.Values;
using LaunchNotify.Protocol.Signing;

namespace LaunchNotify.Protocol.Tests;

/// <remarks>File modes are POSIX; on Windows the folder ACL is the operator's to set.</remarks>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class KeyStoreTests : IDisposable
{
    private static readonly CentreCode Us = new("US");
    private static readonly CentreCode Ru = new("RU");
    private readonly string dir = Directory.CreateTempSubdirectory("ln-keystore-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void Generate_WritesOwnerOnlyPrivateFileAndFolder_AndPublicFiles()
    {
        using var key = KeyStore.Generate(Us, dir);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyStore.PrivateKeyPath(dir, Us)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(KeyStore.CentreDirectory(dir, Us)));
        Assert.Contains("\"d\"", File.ReadAllText(KeyStore.PrivateKeyPath(dir, Us)));
        Assert.DoesNotContain("\"d\"", File.ReadAllText(KeyStore.PublicKeyPath(dir, Us)));
        Assert.DoesNotContain("\"d\"", File.ReadAllText(KeyStore.TrustStorePath(dir)));
        Assert.Equal(key.PublicJwk, KeyStore.LoadPublic(dir, Us));
        Assert.Equal([key.PublicJwk], KeyStore.LoadTrustedKeys(dir).Keys);
        Assert.Empty(Directory.GetFiles(dir, "*.tmp-*", SearchOption.AllDirectories));
    }

    [Fact]
    public void LoadPrivate_AfterGenerate_SignsWhatTheTrustStoreVerifies()
    {
        string kid;
        using (var generated = KeyStore.Generate(Us, dir))
            kid = generated.Kid;

        using var key = KeyStore.LoadPrivate(dir, Us);
        var body = Jws.SignFlattened("{\"sender\":\"US\"}"u8, key.Key, key.Kid);

        Assert.Equal(kid, key.Kid);
        Assert.True(Jws.TryParseFlattened(body, out var jws, out _));
        using var publicKey = KeyStore.LoadTrustedKeys(dir).Find(kid)!.ToECDsa();
        Assert.True(Jws.Verify(jws, publicKey));
    }

    [Fact]
    public void Generate_WhenTheCentreHasAKey_RefusesWithoutOverwrite()
    {
        using var first = KeyStore.Generate(Us, dir);
        var before = File.ReadAllBytes(KeyStore.PrivateKeyPath(dir, Us));

        var e = Assert.Throws<KeyAlreadyExistsException>(() => KeyStore.Generate(Us, dir));

        Assert.Contains("already has a private key", e.Message);
        Assert.Equal(Us, e.Centre);
        Assert.Equal(before, File.ReadAllBytes(KeyStore.PrivateKeyPath(dir, Us)));
    }

    [Fact]
    public void Generate_WithOverwrite_ReplacesTheKeyAndKeepsTheOldOneTrustedUntilRemoved()
    {
        using var first = KeyStore.Generate(Us, dir);

        using var second = KeyStore.Generate(Us, dir, overwrite: true);

        Assert.NotEqual(first.Kid, second.Kid);
        using (var loaded = KeyStore.LoadPrivate(dir, Us))
            Assert.Equal(second.Kid, loaded.Kid);
        Assert.Equal([first.Kid, second.Kid], KeyStore.LoadTrustedKeys(dir).Keys.Select(k => k.Kid));

        KeyStore.RemoveFromTrustStore(dir, first.Kid);
        Assert.Equal([second.Kid], KeyStore.LoadTrustedKeys(dir).Keys.Select(k => k.Kid));
    }

    [Fact]
    public void LoadPrivate_WhenGroupOrOthersMayRead_IsRefused()
    {
        using var key = KeyStore.Generate(Us, dir);
        var path = KeyStore.PrivateKeyPath(dir, Us);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var e = Assert.Throws<KeyStoreException>(() => KeyStore.LoadPrivate(dir, Us));
        Assert.Contains("chmod 600", e.Message);
    }

    [Fact]
    public void LoadPrivate_WhenNoKeyExists_SaysSo()
    {
        var e = Assert.Throws<KeyStoreException>(() => KeyStore.LoadPrivate(dir, Us));
        Assert.Contains("no private key", e.Message);
    }

    [Fact]
    public void LoadPrivate_OfAFolderHoldingAnotherCentresKey_IsRefused()
    {
        using var ru = KeyStore.Generate(Ru, dir);
        Directory.CreateDirectory(KeyStore.CentreDirectory(dir, Us));
        File.Copy(KeyStore.PrivateKeyPath(dir, Ru), KeyStore.PrivateKeyPath(dir, Us));

        var e = Assert.Throws<KeyStoreException>(() => KeyStore.LoadPrivate(dir, Us));
        Assert.Contains("centre RU", e.Message);
    }

    [Fact]
    public void LoadTrustedKeys_WithoutATrustStore_SaysSo()
    {
        var e = Assert.Throws<KeyStoreException>(() => KeyStore.LoadTrustedKeys(dir));
        Assert.Contains("No trust store", e.Message);
    }

    [Fact]
    public void Import_ACounterpartsPublicKeyFile_AddsItToTheTrustStore()
    {
        var counterpartDir = Path.Combine(dir, "elsewhere");
        using var ru = KeyStore.Generate(Ru, counterpartDir);
        using var us = KeyStore.Generate(Us, dir);

        var store = KeyStore.Import(dir, KeyStore.PublicKeyPath(counterpartDir, Ru));
        KeyStore.Import(dir, KeyStore.PublicKeyPath(counterpartDir, Ru));

        Assert.Equal([us.Kid, ru.Kid], store.Keys.Select(k => k.Kid));
        Assert.Equal(store.Keys, KeyStore.LoadTrustedKeys(dir).Keys);
    }

    [Fact]
    public void Import_APrivateKeyFile_IsRefusedAndTheStoreUnchanged()
    {
        using var us = KeyStore.Generate(Us, dir);
        var before = File.ReadAllBytes(KeyStore.TrustStorePath(dir));

        var e = Assert.Throws<KeyStoreException>(() => KeyStore.Import(dir, KeyStore.PrivateKeyPath(dir, Us)));

        Assert.Contains("private part", e.Message);
        Assert.Equal(before, File.ReadAllBytes(KeyStore.TrustStorePath(dir)));
        Assert.DoesNotContain("\"d\"", Encoding.UTF8.GetString(before));
    }
}
