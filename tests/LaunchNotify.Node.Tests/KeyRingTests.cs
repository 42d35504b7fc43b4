using System.Diagnostics;
using System.Text;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Audit;
using LaunchNotify.Node.Keys;
using LaunchNotify.Protocol.Signing;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace LaunchNotify.Node.Tests;

/// <summary>The node's keys reload while it runs: on a file change (watcher), on request, after an announcement; logged and audited.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class KeyRingTests : IAsyncDisposable
{
    private static readonly CentreCode Us = new("US"), Ru = new("RU");
    private static readonly byte[] Payload = "{\"sender\":\"US\"}"u8.ToArray();
    private readonly TestWorld world = new("US", "RU");

    public ValueTask DisposeAsync() => world.DisposeAsync();

    private static KeyRing Ring(TestCentre centre) => centre.Services.GetRequiredService<KeyRing>();

    private static async Task<List<AuditEntry>> AuditAsync(TestCentre centre, string type)
    {
        await using var db = centre.NewDb();
        return await db.Set<AuditEntry>().Where(e => e.Type == type).OrderBy(e => e.Seq).ToListAsync();
    }

    [Fact]
    public async Task FileWatcher_KeyAddedToTheTrustStore_IsTrustedWithoutARestartAndAudited()
    {
        var ru = await world.StartAsync("RU");
        var watcher = ru.Services.GetServices<IHostedService>().OfType<KeyFileWatcher>().Single();
        await watcher.StartAsync(CancellationToken.None);
        using var added = CentreKey.Generate(Us);
        var body = new JwsPayloadSigner(added).Sign(Payload);
        Assert.Equal(SigningErrorCodes.UnknownKey, Ring(ru).Verify(body, Us).ErrorCode);

        KeyStore.AddToTrustStore(world.KeysDirectory, added.PublicJwk);

        var clock = Stopwatch.StartNew();
        // The ring swaps keys first, then writes the audit entry: wait for both.
        while (!Ring(ru).Verify(body, Us).IsValid || (await AuditAsync(ru, AuditTypes.KeysChanged)).Count == 0)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), "the watcher did not reload the trust store within 15 s");
            await Task.Delay(20);
        }
        var audited = Assert.Single(await AuditAsync(ru, AuditTypes.KeysChanged));
        Assert.Contains(added.Kid, audited.DetailsJson);
        Assert.Contains("key file change", audited.DetailsJson);
        await watcher.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Reload_OwnPrivateKeyReplaced_SignsWithTheNewKey()
    {
        var us = await world.StartAsync("US");
        var before = Ring(us).Kid;
        using var fresh = KeyStore.Rotate(Us, world.KeysDirectory, NodaTime.Duration.FromHours(1), world.Clock.GetCurrentInstant()).Key;

        var result = await Ring(us).ReloadAsync("test", CancellationToken.None);

        Assert.True(result.Changed);
        Assert.Equal(fresh.Kid, Ring(us).Kid);
        Assert.True(Jws.TryParseFlattened(Ring(us).Sign(Payload), out var jws, out _));
        Assert.Equal(fresh.Kid, jws.Header.Kid);
        var audited = Assert.Single(await AuditAsync(us, AuditTypes.KeysChanged));
        Assert.Contains(before, audited.DetailsJson); // previousSigningKid and the retiring status
    }

    [Fact]
    public async Task Reload_WithUnusableFiles_KeepsThePreviousKeysAndAuditsTheFailure()
    {
        var ru = await world.StartAsync("RU");
        using var usKey = KeyStore.LoadPrivate(world.KeysDirectory, Us);
        var body = new JwsPayloadSigner(usKey).Sign(Payload);
        await File.WriteAllTextAsync(KeyStore.TrustStorePath(world.KeysDirectory), "{\"keys\":[{\"kty\":\"EC\"");

        var result = await Ring(ru).ReloadAsync("test", CancellationToken.None);

        Assert.True(result.Failed);
        Assert.Contains(KeyStore.TrustStoreFile, result.Error);
        Assert.True(Ring(ru).Verify(body, Us).IsValid);
        Assert.Single(await AuditAsync(ru, AuditTypes.KeysReloadFailed));
        Assert.Empty(await AuditAsync(ru, AuditTypes.KeysChanged));
    }

    [Fact]
    public async Task Reload_NothingChanged_IsNotAudited()
    {
        var ru = await world.StartAsync("RU");

        var result = await Ring(ru).ReloadAsync("test", CancellationToken.None);

        Assert.False(result.Changed);
        Assert.Empty(await AuditAsync(ru, AuditTypes.KeysChanged));
    }

    [Fact]
    public async Task Announcement_ReusingATrustedKidForOtherKeyMaterial_IsRefusedAndChangesNothing()
    {
        var ru = await world.StartAsync("RU");
        using var usKey = KeyStore.LoadPrivate(world.KeysDirectory, Us);
        using var impostor = CentreKey.Generate(Us);
        var node = System.Text.Json.Nodes.JsonNode.Parse(impostor.PublicJwk.ToJson())!.AsObject();
        node["kid"] = usKey.Kid;
        var colliding = Jwk.FromJson(System.Text.Json.JsonDocument.Parse(node.ToJsonString()).RootElement);
        var announcement = new KeyAnnouncement(Guid.NewGuid(), Us, [Ru], world.Clock.GetCurrentInstant(), new JwkSet([colliding]), [], []);
        var trustBefore = await File.ReadAllBytesAsync(KeyStore.TrustStorePath(world.KeysDirectory));

        var errors = await ru.Services.GetRequiredService<KeyAnnouncements>().ApplyAsync(announcement.ToPayload(), Us, CancellationToken.None);

        Assert.Equal(KeyAnnouncement.Codes.KidCollision, Assert.Single(errors).Code);
        Assert.Equal(trustBefore, await File.ReadAllBytesAsync(KeyStore.TrustStorePath(world.KeysDirectory)));
        Assert.Equal(usKey.PublicJwk, Ring(ru).TrustedKeys.Find(usKey.Kid));
    }

    [Fact]
    public async Task Announcement_QueuedBySenderAndDeliveredToTheInbox_IsStoredAcceptedWithoutAReceipt()
    {
        var us = await world.StartAsync("US");
        var ru = await world.StartAsync("RU");
        using var usKey = KeyStore.LoadPrivate(world.KeysDirectory, Us);
        await using (var db = us.NewDb())
        {
            KeyAnnouncements.Queue(db, world.KeysDirectory, usKey, [Ru], world.Clock.GetCurrentInstant());
            await db.SaveChangesAsync();
        }

        var result = Assert.Single(await world.DeliverAsync(us, ru));

        Assert.Equal(Inbox.InboxDisposition.Accepted, result.Disposition);
        Assert.Equal(KeyAnnouncement.Kind, result.Kind);
        Assert.Null(result.ReceiptMessageId);
        await using var ruDb = ru.NewDb();
        Assert.Empty(await ruDb.Outbox.ToListAsync());
        Assert.Single(await AuditAsync(us, AuditTypes.KeysAnnounced));
    }

    [Fact]
    public async Task Start_WithAPrivateKeyReadableByOthers_IsRefusedNamingTheFixAndNotTheKey()
    {
        var path = KeyStore.PrivateKeyPath(world.KeysDirectory, Us);
        var d = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(path))!["d"]!.GetValue<string>();
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var e = await Assert.ThrowsAsync<KeyStoreException>(() => world.StartAsync("US"));

        Assert.Contains($"chmod 600 {path}", e.Message);
        Assert.DoesNotContain(d, e.Message);
    }
}
