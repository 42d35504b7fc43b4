using LaunchNotify.Publisher.Security;
using LaunchNotify.Node.Keys;
using LaunchNotify.Protocol.Json;
using LaunchNotify.Storage.Audit;

namespace LaunchNotify.Publisher;

/// <summary>Administrators' API for the node's keys (docs/signing.md): what it signs and verifies with, and reload now.</summary>
public static class KeyEndpoints
{
    public static void MapKeyEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/keys", (KeyRing ring) => Results.Json(View(ring), WireJson.Options))
            .WithName("GetKeys")
            .WithSummary("The key this publisher signs with, the keys it trusts (public JWKs) and their retirement or revocation.")
            .RequireAuthorization(ApiPolicies.Administer);

        app.MapPost("/v1/keys/reload", async (KeyRing ring, CancellationToken ct) =>
            {
                var result = await ring.ReloadAsync("POST /v1/keys/reload", ct);
                if (result.Failed)
                    return ApiProblems.Problem(StatusCodes.Status409Conflict, "KEYS_RELOAD_FAILED",
                        $"The key files could not be used; the previous keys stay in use: {result.Error}");
                return Results.Json(new
                {
                    changed = result.Changed,
                    signingKid = result.SigningKid,
                    added = result.Added,
                    removed = result.Removed,
                    statusChanged = result.StatusChanged,
                }, WireJson.Options);
            })
            .WithName("ReloadKeys")
            .WithSummary("Reads the key files now (as the file watcher does on a change); the change is logged and audited.")
            .RequireAuthorization(ApiPolicies.Administer);
    }

    private static object View(KeyRing ring) => new
    {
        centre = ring.Centre.Value,
        signingKid = ring.Kid,
        trusted = ring.TrustedKeys.Keys.Select(k => new
        {
            kid = k.Kid,
            centre = k.Centre.Value,
            thumbprint = k.Thumbprint(),
            retiresAt = ring.Statuses.Find(k.Kid)?.RetiresAt is { } r ? AuditChain.FormatInstant(r) : null,
            revokedAt = ring.Statuses.Find(k.Kid)?.RevokedAt is { } v ? AuditChain.FormatInstant(v) : null,
            revocationReason = ring.Statuses.Find(k.Kid)?.Reason,
        }),
    };
}
