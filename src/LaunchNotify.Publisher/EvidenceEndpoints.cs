using LaunchNotify.Domain.Validation;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Evidence;
using LaunchNotify.Node.Hosting;
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
        app.MapGet("/v1/notifications/{id}/evidence", async (string id, HttpRequest request, IDbContextFactory<NodeDbContext> dbFactory, NodeSettings settings,
                IClock clock, HttpResponse response, CancellationToken ct) =>
            {
                if (!Guid.TryParse(id, out var messageId))
                    return ApiProblems.BadId(id, "a message", "list them with GET /v1/notifications or GET /v1/inbox.");
                // Read per request: keys imported since start-up are bundled too.
                var exporter = new EvidenceExporter(dbFactory, KeyStore.LoadTrustedKeys(settings.KeysDirectory), clock);
                // A message is (sender, id): when two centres used this id, the caller says whose (?sender=CC).
                var errors = new List<ValidationError>();
                var sender = RequestInput.Single(request.Query, "sender", ApiProblems.Rule, errors);
                if (sender is not null && !CentreCode.IsValid(sender))
                    errors.Add(RequestInput.QueryError(ApiProblems.Rule, "sender", $"sender '{ApiProblems.Shorten(sender)}' must be a centre code (two upper-case letters).", "centre", sender));
                if (errors.Count > 0)
                    return RequestInput.InvalidQuery(errors);
                if (sender is null && await exporter.SendersOfAsync(messageId, ct) is { Count: > 1 } senders)
                    return ApiProblems.Problem(StatusCodes.Status409Conflict, "AMBIGUOUS_MESSAGE_ID",
                        $"Centres {string.Join(", ", senders)} each sent a message {messageId}; say whose with ?sender=CC.");
                if (await exporter.ExportAsync(messageId, ct, sender) is not { } export)
                    return ApiProblems.NotFound($"This centre has neither sent nor received a message {messageId}{(sender is null ? "" : " from " + sender)}; list them with GET /v1/notifications or GET /v1/inbox.");
                foreach (var warning in export.Warnings)
                    response.Headers.Append("X-Evidence-Warning", warning);
                response.Headers.ContentDisposition = $"attachment; filename=\"evidence-{messageId:D}.json\"";
                return Results.Bytes(export.ToUtf8(), "application/json");
            })
            .RequireAuthorization(ApiPolicies.Compliance)
            .WithName("GetEvidence")
            .WithSummary("The evidence bundle for one message: signed notification, signed receipts, public keys, timeline, alarms and audit entries. Check it with 'launchnotify evidence verify'.");
    }
}
