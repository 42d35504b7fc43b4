using System.Text;
using System.Text.Json.Nodes;
using LaunchNotify.Domain.Values;
using LaunchNotify.Protocol.Schemas;
using LaunchNotify.Protocol.Signing;
using NodaTime;
using NodaTime.Testing;

namespace LaunchNotify.Protocol.Tests;

/// <summary>Rotation with an overlap, revocation from an instant, and key announcements (docs/signing.md).</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class KeyLifecycleTests : IDisposable
{
    private static readonly CentreCode Us = new("US");
    private static readonly CentreCode Ru = new("RU");
    private static readonly Instant Now = Instant.FromUtc(2026, 12, 6, 8, 0);
    private static readonly byte[] Payload = "{\"sender\":\"US\"}"u8.ToArray();
    private readonly string dir = Directory.CreateTempSubdirectory("ln-lifecycle-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private JwsSignatureVerifier VerifierAt(Instant at) =>
        new(KeyStore.LoadTrustedKeys(dir), KeyStore.LoadStatuses(dir), new FakeClock(at));

    [Fact]
    public void Rotate_OldKeyVerifiesDuringTheOverlap_AndIsRefusedAfterIt()
    {
        using var old = KeyStore.Generate(Us, dir);
        var signedWithOld = new JwsPayloadSigner(old).Sign(Payload);

        var (fresh, previousKid, retiresAt) = KeyStore.Rotate(Us, dir, Duration.FromHours(2), Now);
        using var _ = fresh;

        Assert.Equal(old.Kid, previousKid);
        Assert.Equal(Now + Duration.FromHours(2), retiresAt);
        Assert.NotEqual(old.Kid, fresh.Kid);
        using (var loaded = KeyStore.LoadPrivate(dir, Us))
            Assert.Equal(fresh.Kid, loaded.Kid);
        Assert.True(VerifierAt(Now + Duration.FromMinutes(119)).Verify(signedWithOld, Us).IsValid);
        var after = VerifierAt(retiresAt).Verify(signedWithOld, Us);
        Assert.Equal(SigningErrorCodes.KeyRetired, after.ErrorCode);
        Assert.True(VerifierAt(retiresAt + Duration.FromDays(30)).Verify(new JwsPayloadSigner(fresh).Sign(Payload), Us).IsValid);
    }

    [Fact]
    public void Revoke_RefusesSignaturesCheckedFromThatInstant_NotBefore()
    {
        using var old = KeyStore.Generate(Us, dir);
        var body = new JwsPayloadSigner(old).Sign(Payload);
        KeyStore.Rotate(Us, dir, Duration.FromDays(7), Now).Key.Dispose();

        var status = KeyStore.Revoke(dir, old.Kid, Now + Duration.FromHours(1), "key compromised");

        Assert.Equal(Now + Duration.FromHours(1), status.RevokedAt);
        Assert.True(VerifierAt(Now + Duration.FromMinutes(59)).Verify(body, Us).IsValid);
        var refused = VerifierAt(Now + Duration.FromHours(1)).Verify(body, Us);
        Assert.Equal(SigningErrorCodes.KeyRevoked, refused.ErrorCode);
        Assert.Contains("key compromised", refused.Reason);
        // Evidence: checked as of a moment before the revocation, it still verifies.
        Assert.True(VerifierAt(Now + Duration.FromDays(90)).Verify(body, Us, Now).IsValid);
    }

    [Fact]
    public void Revoke_TheCurrentSigningKey_IsRefusedUntilRotated()
    {
        using var key = KeyStore.Generate(Us, dir);

        var e = Assert.Throws<KeyStoreException>(() => KeyStore.Revoke(dir, key.Kid, Now, null));

        Assert.Contains("rotate it first", e.Message);
        Assert.False(File.Exists(KeyStore.StatusPath(dir)));
    }

    [Fact]
    public void Revoke_AnUnknownKey_SaysSo()
    {
        using var key = KeyStore.Generate(Us, dir);

        var e = Assert.Throws<KeyStoreException>(() => KeyStore.Revoke(dir, "US-unknown1", Now, null));

        Assert.Contains("not in the trust store", e.Message);
    }

    [Fact]
    public void SetStatus_ARevocationCanBeBroughtForwardButNeverUndoneOrDelayed()
    {
        KeyStore.SetStatus(dir, new KeyStatus("RU-abcdefgh", null, Now, "first"));
        KeyStore.SetStatus(dir, new KeyStatus("RU-abcdefgh", null, Now + Duration.FromDays(1), "later"));
        KeyStore.SetStatus(dir, new KeyStatus("RU-abcdefgh", Now + Duration.FromDays(3), null, null));

        var status = KeyStore.LoadStatuses(dir).Find("RU-abcdefgh")!;
        Assert.Equal(Now, status.RevokedAt);
        Assert.Equal("first", status.Reason);
        Assert.Equal(Now + Duration.FromDays(3), status.RetiresAt);

        KeyStore.SetStatus(dir, new KeyStatus("RU-abcdefgh", null, Now - Duration.FromDays(1), "earlier"));
        Assert.Equal((Now - Duration.FromDays(1), "earlier"), (KeyStore.LoadStatuses(dir).Find("RU-abcdefgh")!.RevokedAt, KeyStore.LoadStatuses(dir).Find("RU-abcdefgh")!.Reason));
    }

    [Theory]
    [InlineData("{\"keys\":[{\"kid\":\"RU-abcdefgh\",\"revokedAt\":\"yesterday\"}]}")]
    [InlineData("{\"keys\":[{\"revokedAt\":\"2026-12-06T08:00:00Z\"}]}")]
    [InlineData("{\"keys\":{}}")]
    [InlineData("not json")]
    public void LoadStatuses_Malformed_IsRefusedWithTheFileNamed(string content)
    {
        File.WriteAllText(KeyStore.StatusPath(dir), content);

        var e = Assert.Throws<KeyStoreException>(() => KeyStore.LoadStatuses(dir));

        Assert.Contains(KeyStatuses.FileName, e.Message);
    }

    [Fact]
    public void Import_AKeyIdAlreadyTrustedForOtherKeyMaterial_IsRefusedAndNothingChanges()
    {
        using var us = KeyStore.Generate(Us, dir);
        using var impostor = CentreKey.Generate(Us);
        var forged = Path.Combine(dir, "forged.json");
        var jwk = JsonNode.Parse(impostor.PublicJwk.ToJson())!.AsObject();
        jwk["kid"] = us.Kid;
        File.WriteAllText(forged, jwk.ToJsonString());
        var before = File.ReadAllBytes(KeyStore.TrustStorePath(dir));

        var e = Assert.Throws<KeyStoreException>(() => KeyStore.Import(dir, forged));

        Assert.Contains("already trusted for a different key", e.Message);
        Assert.Equal(before, File.ReadAllBytes(KeyStore.TrustStorePath(dir)));
    }

    [Theory]
    [InlineData("{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\",\"kid\":\"RU-abcdefgh\"}", "kty")]
    [InlineData("{\"kty\":\"EC\",\"crv\":\"P-384\",\"x\":\"AA\",\"y\":\"AA\",\"kid\":\"RU-abcdefgh\"}", "crv")]
    [InlineData("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\",\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}", "no 'kid'")]
    [InlineData("{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\",\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\",\"kid\":\"RU-abcdefgh\",\"use\":\"enc\"}]}", "use")]
    public void Import_AnythingButAnEcP256PublicSigningKeyWithAKid_IsRefused(string content, string named)
    {
        using var us = KeyStore.Generate(Us, dir);
        var file = Path.Combine(dir, "published.json");
        File.WriteAllText(file, content);

        var e = Assert.Throws<KeyStoreException>(() => KeyStore.Import(dir, file));

        Assert.Contains(named, e.Message);
        Assert.Equal([us.Kid], KeyStore.LoadTrustedKeys(dir).Keys.Select(k => k.Kid));
    }

    [Fact]
    public void SecretFiles_AGroupReadablePasswordFile_IsRefusedWithTheFix()
    {
        var file = Path.Combine(dir, "password");
        File.WriteAllText(file, "secret");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);

        var e = Assert.Throws<KeyStoreException>(() => SecretFiles.RequireOwnerOnly(file, "The password file"));

        Assert.Contains($"chmod 600 {file}", e.Message);
        Assert.DoesNotContain("secret", e.Message);
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        SecretFiles.RequireOwnerOnly(file, "The password file");
    }

    // Key announcements.

    private static KeyAnnouncement Announcement(JwkSet keys, IReadOnlyList<KeyStatus>? retiring = null, IReadOnlyList<KeyStatus>? revoked = null) =>
        new(Guid.NewGuid(), Us, [Ru], Now, keys, retiring ?? [], revoked ?? []);

    [Fact]
    public void KeyAnnouncement_AsWritten_PassesItsSchemaAndReadsBack()
    {
        using var a = CentreKey.Generate(Us);
        using var b = CentreKey.Generate(Us);
        var written = Announcement(new JwkSet([b.PublicJwk]),
            [new KeyStatus(a.Kid, Now + Duration.FromDays(7), null, null)], [new KeyStatus("US-oldkey01", null, Now, "lost")]);
        var payload = written.ToPayload();

        Assert.True(SchemaCatalog.Default.Validate(KeyAnnouncement.SchemaName, payload).IsValid);
        var repoSchemas = SchemaCatalog.FromDirectory(Path.Combine(RepoPaths.Schemas, "v1"));
        var (read, errors) = KeyAnnouncement.Read(payload, repoSchemas);

        Assert.Empty(errors);
        Assert.Equal(written.MessageId, read!.MessageId);
        Assert.Equal([b.PublicJwk], read.Keys.Keys);
        Assert.Equal(written.Retiring, read.Retiring);
        Assert.Equal(written.Revoked, read.Revoked);
    }

    [Fact]
    public void KeyAnnouncement_NamingAnotherCentresKey_IsRefused()
    {
        using var ru = CentreKey.Generate(Ru);
        var payload = Announcement(new JwkSet([ru.PublicJwk])).ToPayload();

        var (read, errors) = KeyAnnouncement.Read(payload, SchemaCatalog.Default);

        Assert.Null(read);
        Assert.Equal(KeyAnnouncement.Codes.ForeignKey, Assert.Single(errors).Code);
    }

    [Fact]
    public void KeyAnnouncement_CarryingAPrivatePart_FailsTheSchema()
    {
        using var key = CentreKey.Generate(Us);
        var payload = JsonNode.Parse(Announcement(new JwkSet([key.PublicJwk])).ToPayload())!.AsObject();
        payload["keys"]![0]!["d"] = "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI";

        var (read, errors) = KeyAnnouncement.Read(Encoding.UTF8.GetBytes(payload.ToJsonString()), SchemaCatalog.Default);

        Assert.Null(read);
        Assert.Contains(errors, e => e.Path.StartsWith("/keys/0", StringComparison.Ordinal));
    }

    [Fact]
    public void KeyAnnouncement_WithAPointOffTheCurve_IsRefusedAsInvalidKey()
    {
        using var key = CentreKey.Generate(Us);
        var payload = JsonNode.Parse(Announcement(new JwkSet([key.PublicJwk])).ToPayload())!.AsObject();
        payload["keys"]![0]!["y"] = payload["keys"]![0]!["x"]!.GetValue<string>();

        var (read, errors) = KeyAnnouncement.Read(Encoding.UTF8.GetBytes(payload.ToJsonString()), SchemaCatalog.Default);

        Assert.Null(read);
        Assert.Equal(KeyAnnouncement.Codes.BadKey, Assert.Single(errors).Code);
    }
}
