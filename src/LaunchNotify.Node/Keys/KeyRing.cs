using System.Text.Json.Nodes;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Audit;
using LaunchNotify.Node.Hosting;
using LaunchNotify.Protocol.Signing;
using LaunchNotify.Storage;
using LaunchNotify.Storage.Audit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace LaunchNotify.Node.Keys;

/// <summary>What a reload found: nothing new, a change (applied), or files that could not be used (previous keys kept).</summary>
public sealed record KeyReloadResult(bool Changed, string? Error, string SigningKid, IReadOnlyList<string> Added, IReadOnlyList<string> Removed,
    IReadOnlyList<string> StatusChanged)
{
    public bool Failed => Error is not null;
}

/// <summary>
/// The node's keys as they are on disk now: the trust store (<c>jwks.json</c>), the keys' lifecycle
/// (<c>key-status.json</c>) and this centre's private signing key. Verifies and signs with the current set;
/// <see cref="ReloadAsync"/> (called by <see cref="KeyFileWatcher"/>, SIGHUP, <c>POST /v1/keys/reload</c> and after a key
/// announcement) swaps in what the files hold now, logs and audits the change, and keeps the previous keys if the
/// files cannot be used. Loaded at construction, so a node with unusable keys refuses to start.
/// </summary>
public sealed class KeyRing : ISignatureVerifier, IPayloadSigner
{
    private readonly NodeSettings settings;
    private readonly IClock clock;
    private readonly IDbContextFactory<NodeDbContext> dbFactory;
    private readonly ILogger<KeyRing> logger;
    private readonly SemaphoreSlim reloading = new(1, 1);
    private volatile State state;

    private sealed record State(CentreKey Key, JwsSignatureVerifier Verifier, JwsPayloadSigner Signer);

    public KeyRing(NodeSettings settings, IClock clock, IDbContextFactory<NodeDbContext> dbFactory, ILogger<KeyRing> logger)
    {
        this.settings = settings;
        this.clock = clock;
        this.dbFactory = dbFactory;
        this.logger = logger;
        state = Load();
    }

    public string Directory => settings.KeysDirectory;

    public CentreCode Centre => settings.Centre;

    /// <summary>The key id this node signs with now.</summary>
    public string Kid => state.Key.Kid;

    public JwkSet TrustedKeys => state.Verifier.TrustedKeys;

    public KeyStatuses Statuses => state.Verifier.Statuses;

    public byte[] Sign(byte[] payloadUtf8) => state.Signer.Sign(payloadUtf8);

    public byte[]? ReadUnverifiedPayload(ReadOnlySpan<byte> jws, out string? error) => state.Verifier.ReadUnverifiedPayload(jws, out error);

    public SignatureCheck Verify(ReadOnlySpan<byte> jws, CentreCode claimedSender) => state.Verifier.Verify(jws, claimedSender);

    private State Load()
    {
        var key = KeyStore.LoadPrivate(settings.KeysDirectory, settings.Centre);
        var trusted = KeyStore.LoadTrustedKeys(settings.KeysDirectory);
        var statuses = KeyStore.LoadStatuses(settings.KeysDirectory);
        if (trusted.Find(key.Kid) is null)
            logger.LogWarning("This centre's signing key {Kid} is not in its own trust store {Path}; counterparts need its public key to verify it",
                key.Kid, KeyStore.TrustStorePath(settings.KeysDirectory));
        return new State(key, new JwsSignatureVerifier(trusted, statuses, clock), new JwsPayloadSigner(key));
    }

    /// <summary>Reads the key files again and, if they changed, starts using them; says what changed, or why nothing could be.</summary>
    public async Task<KeyReloadResult> ReloadAsync(string trigger, CancellationToken ct)
    {
        await reloading.WaitAsync(ct);
        try
        {
            var before = state;
            State after;
            try
            {
                after = Load();
            }
            catch (Exception e) when (e is KeyStoreException or KeyFormatException or IOException or UnauthorizedAccessException)
            {
                logger.LogError("Key files in {Directory} could not be reloaded ({Trigger}); still using the previous keys (signing key {Kid}): {Error}",
                    settings.KeysDirectory, trigger, before.Key.Kid, e.Message);
                await AuditAsync(AuditTypes.KeysReloadFailed, new JsonObject { ["trigger"] = trigger, ["signingKid"] = before.Key.Kid, ["error"] = e.Message }, ct);
                return new KeyReloadResult(false, e.Message, before.Key.Kid, [], [], []);
            }

            var oldKids = before.Verifier.TrustedKeys.Keys.Select(k => k.Kid).ToHashSet(StringComparer.Ordinal);
            var newKids = after.Verifier.TrustedKeys.Keys.Select(k => k.Kid).ToHashSet(StringComparer.Ordinal);
            var added = newKids.Except(oldKids).Order(StringComparer.Ordinal).ToList();
            var removed = oldKids.Except(newKids).Order(StringComparer.Ordinal).ToList();
            var statusChanged = after.Verifier.Statuses.All.Where(s => before.Verifier.Statuses.Find(s.Kid) != s)
                .Select(s => s.Kid).Order(StringComparer.Ordinal).ToList();
            var signingChanged = after.Key.Kid != before.Key.Kid;
            state = after;
            if (!signingChanged && added.Count == 0 && removed.Count == 0 && statusChanged.Count == 0)
                return new KeyReloadResult(false, null, after.Key.Kid, [], [], []);

            logger.LogInformation("Keys reloaded ({Trigger}): signing key {Kid}{Was}; trusted +[{Added}] -[{Removed}]; status changed [{Status}]",
                trigger, after.Key.Kid, signingChanged ? $" (was {before.Key.Kid})" : "", string.Join(", ", added), string.Join(", ", removed),
                string.Join(", ", statusChanged.Select(k => Describe(after.Verifier.Statuses.Find(k)!))));
            await AuditAsync(AuditTypes.KeysChanged, new JsonObject
            {
                ["trigger"] = trigger,
                ["signingKid"] = after.Key.Kid,
                ["previousSigningKid"] = signingChanged ? before.Key.Kid : null,
                ["added"] = Array(added),
                ["removed"] = Array(removed),
                ["statusChanged"] = Array(statusChanged.Select(k => Describe(after.Verifier.Statuses.Find(k)!))),
            }, ct);
            return new KeyReloadResult(true, null, after.Key.Kid, added, removed, statusChanged);
        }
        finally
        {
            reloading.Release();
        }
    }

    private static string Describe(KeyStatus s) =>
        s.RevokedAt is { } revoked ? $"{s.Kid} revoked at {AuditChain.FormatInstant(revoked)}"
        : s.RetiresAt is { } retires ? $"{s.Kid} retires at {AuditChain.FormatInstant(retires)}" : s.Kid;

    private static JsonArray Array(IEnumerable<string> items) => new(items.Select(i => (JsonNode)JsonValue.Create(i)).ToArray());

    private Task AuditAsync(string type, JsonObject details, CancellationToken ct) =>
        AuditLog.AppendAsync(dbFactory, new AuditEvent(clock.GetCurrentInstant(), type, new AuditSubject(Centre: settings.Centre.Value), details), ct);
}
