using LaunchNotify.Node.Evidence;
using LaunchNotify.Node.Hosting;
using LaunchNotify.Protocol.Json;
using LaunchNotify.Protocol.Signing;
using LaunchNotify.Publisher.Security;
using LaunchNotify.Storage;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace LaunchNotify.Publisher;

/// <summary>Compliance officers' API: one notification's evidence bundle (docs/evidence.md), to check offline.</summary>
public static class EvidenceEndpoints
{
    public static void MapEvidenceEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/notifications/{id:guid}/evidence", async (Guid id, IDbContextFactory<NodeDbContext> dbFactory, NodeSettings settings, IClock clock,
                HttpResponse response, CancellationToken ct) =>
            {
                // Read per request: keys imported since start-up are bundled too.
                var exporter = new EvidenceExporter(dbFactory, KeyStore.LoadTrustedKeys(settings.KeysDirectory), clock);
                if (await exporter.ExportAsync(id, ct) is not { } export)
                    return Results.Json(new { error = "NOT_FOUND", message = $"This centre has neither sent nor received a message {id}." }, WireJson.Options, statusCode: 404);
                foreach (var warning in export.Warnings)
                    response.Headers.Append("X-Evidence-Warning", warning);
                response.Headers.ContentDisposition = $"attachment; filename=\"evidence-{id:D}.json\"";
                return Results.Bytes(export.ToUtf8(), "application/json");
            })
            .RequireAuthorization(ApiPolicies.Compliance)
            .WithName("GetEvidence")
            .WithSummary("The evidence bundle for one message: signed notification, signed receipts, public keys, timeline, alarms and audit entries. Check it with 'launchnotify evidence verify'.");
    }
}
