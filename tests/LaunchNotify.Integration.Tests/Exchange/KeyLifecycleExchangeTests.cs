using LaunchNotify.Tests.Shared;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Audit;
using LaunchNotify.Node.Broker;
using LaunchNotify.Node.Inbox;
using LaunchNotify.Protocol.Signing;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace LaunchNotify.Integration.Tests.Exchange;

/// <summary>
/// Keys change while centres run (docs/signing.md): an operator's import, a rotation announced over the exchange, a
/// revocation. Each centre has its own key folder, so what RU trusts is only what it was told. The CLI runs as a process.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class KeyLifecycleExchangeTests(BrokerFixture broker, ITestOutputHelper output)
{
    private static readonly CentreCode Us = new("US"), Ru = new("RU");
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan CliTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task KeyImportedAfterTheSubscriberStarted_IsUsedWithoutARestart()
    {
        await using var network = await CentreNetwork.CreateAsync(broker, output);
        var ru = await network.StartWithOwnKeysAsync(Ru);
        var ruKeys = network.OwnKeysDirectory(Ru);
        using var published = CentreKey.Generate(Us); // a key US publishes after RU started
        var id = Guid.NewGuid();
        var body = WireMessages.Sign(WireMessages.UsToRuPreNotification(id, 1, ru.Clock.GetCurrentInstant()), published);

        // Before the import: unknown key, parked.
        await network.PublishAsync(Us, "RU.US.prenotification", body, id, "prenotification");
        var parked = await network.GetAsync(BrokerTopology.ParkedQueue(Ru), Deadline);
        Assert.NotNull(parked);
        Assert.Equal(SigningErrorCodes.UnknownKey, WireMessages.Header(parked, AmqpParkingLot.CodeHeader));

        // The operator imports US's published JWK Set with the CLI; the running subscriber picks it up.
        var file = Path.Combine(network.Folder, "us-published.json");
        await File.WriteAllBytesAsync(file, new JwkSet([published.PublicJwk]).ToJson());
        var import = await CliProcess.RunAsync(["keys", "import", file, "--dir", ruKeys], CliTimeout);
        Assert.True(import.ExitCode == 0, import.ToString());
        Assert.Contains($"trusted {published.Kid}", import.Flat);
        await Eventually.UntilAsync(() => Task.FromResult(ru.Keys.TrustedKeys.Find(published.Kid)), k => k is not null, Deadline,
            "RU's running node to trust the imported key");

        await network.PublishAsync(Us, "RU.US.prenotification", body, id, "prenotification");
        var stored = await StoredAsync(ru, id);
        Assert.Equal(InboxOutcome.Accepted, stored.Outcome);
        await using var db = await ru.OpenStoreAsync();
        var audited = await db.Set<AuditEntry>().Where(e => e.Type == AuditTypes.KeysChanged).ToListAsync();
        Assert.Contains(audited, e => e.DetailsJson.Contains(published.Kid, StringComparison.Ordinal));
    }

    [Fact]
    public async Task RotationAnnouncedOverTheExchange_ThenRevocation_CounterpartFollowsWithoutARestart()
    {
        await using var network = await CentreNetwork.CreateAsync(broker, output);
        var us = await network.StartWithOwnKeysAsync(Us);
        var ru = await network.StartWithOwnKeysAsync(Ru);
        var usKeys = network.OwnKeysDirectory(Us);
        var usStore = $"sqlite:{Path.Combine(network.Folder, "US.db")}";
        using var old = KeyStore.LoadPrivate(usKeys, Us);

        // US rotates; the announcement, signed with the old key RU trusts, goes out through US's outbox.
        var rotate = await CliProcess.RunAsync(["keys", "rotate", "--centre", "US", "--dir", usKeys, "--overlap", "1h", "--announce-to", "RU", "--store", usStore], CliTimeout);
        Assert.True(rotate.ExitCode == 0, rotate.ToString());
        var fresh = KeyStore.LoadPublic(usKeys, Us);
        Assert.NotEqual(old.Kid, fresh.Kid);
        // RU's folder is not the CLI's to touch: RU learns the key only from US's announcement (stored and accepted below).
        // Not asserted as "RU does not trust it yet": US's running dispatcher may already have sent the announcement, and
        // RU applied it, by the time the CLI has returned (it did in one full-suite run).

        await Eventually.UntilAsync(() => Task.FromResult(ru.Keys.TrustedKeys.Find(fresh.Kid)), k => k is not null, Deadline,
            "RU to trust US's new key from the announcement");
        Assert.NotNull(ru.Keys.Statuses.Find(old.Kid)?.RetiresAt);
        var announcement = await Eventually.UntilAsync(async () =>
        {
            await using var db = await ru.OpenStoreAsync();
            return await db.Inbox.AsNoTracking().SingleOrDefaultAsync(m => m.Kind == KeyAnnouncement.Kind);
        }, m => m is not null, Deadline, "RU to store the key announcement");
        Assert.Equal((InboxOutcome.Accepted, "US"), (announcement!.Outcome, announcement.Sender));
        await Eventually.UntilAsync(() => Task.FromResult(us.Keys.Kid), kid => kid == fresh.Kid, Deadline, "US's running node to sign with its new key");

        // A message under the new key is accepted; one under the old key too, within the overlap.
        using var freshPrivate = KeyStore.LoadPrivate(usKeys, Us);
        var first = Guid.NewGuid();
        await network.PublishAsync(Us, "RU.US.prenotification",
            WireMessages.Sign(WireMessages.UsToRuPreNotification(first, 1, ru.Clock.GetCurrentInstant()), freshPrivate), first, "prenotification");
        Assert.Equal(InboxOutcome.Accepted, (await StoredAsync(ru, first)).Outcome);

        // US revokes the old key and announces it, signed with the new key RU learnt above.
        var revoke = await CliProcess.RunAsync(["keys", "revoke", old.Kid, "--dir", usKeys, "--reason", "key compromised", "--announce-to", "RU", "--store", usStore], CliTimeout);
        Assert.True(revoke.ExitCode == 0, revoke.ToString());
        await Eventually.UntilAsync(() => Task.FromResult(ru.Keys.Statuses.Find(old.Kid)?.RevokedAt), at => at is not null, Deadline,
            "RU to record the revocation from the announcement");

        var late = Guid.NewGuid();
        await network.PublishAsync(Us, "RU.US.prenotification",
            WireMessages.Sign(WireMessages.UsToRuPreNotification(late, 2, ru.Clock.GetCurrentInstant()), old), late, "prenotification");
        var parked = await network.GetAsync(BrokerTopology.ParkedQueue(Ru), Deadline);
        Assert.NotNull(parked);
        Assert.Equal(SigningErrorCodes.KeyRevoked, WireMessages.Header(parked, AmqpParkingLot.CodeHeader));
        Assert.Equal(late.ToString("D"), WireMessages.Header(parked, "x-original-message-id"));
    }

    [Fact]
    public async Task AnnouncementClaimingAnotherCentresKey_IsRejectedAndTrustsNothing()
    {
        await using var network = await CentreNetwork.CreateAsync(broker, output);
        var ru = await network.StartWithOwnKeysAsync(Ru);
        using var usKey = network.PrivateKey(Us);
        using var cnLookalike = CentreKey.Generate(new CentreCode("CN"));
        var id = Guid.NewGuid();
        var announcement = new KeyAnnouncement(id, Us, [Ru], ru.Clock.GetCurrentInstant(), new JwkSet([cnLookalike.PublicJwk]), [], []);

        await network.PublishAsync(Us, $"RU.US.{KeyAnnouncement.RoutingWord}", WireMessages.Sign(announcement.ToPayload(), usKey), id, KeyAnnouncement.Kind);

        var stored = await StoredAsync(ru, id);
        Assert.Equal(InboxOutcome.Rejected, stored.Outcome);
        Assert.Contains(KeyAnnouncement.Codes.ForeignKey, stored.DetailsJson);
        Assert.Null(ru.Keys.TrustedKeys.Find(cnLookalike.Kid));
        Assert.Null(KeyStore.LoadTrustedKeys(network.OwnKeysDirectory(Ru)).Find(cnLookalike.Kid));
    }

    private static Task<InboxMessage> StoredAsync(CentreHost host, Guid id) =>
        Eventually.UntilAsync(async () =>
        {
            await using var db = await host.OpenStoreAsync();
            return await db.Inbox.AsNoTracking().SingleOrDefaultAsync(m => m.MessageId == id);
        }, m => m is not null, Deadline, $"{host} to store message {id}")!;
}
