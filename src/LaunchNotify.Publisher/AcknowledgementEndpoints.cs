using LaunchNotify.Domain.Validation;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Acknowledgements;
using LaunchNotify.Protocol.Json;
using LaunchNotify.Publisher.Security;

namespace LaunchNotify.Publisher;

/// <summary>
/// A duty officer reads received notices: the list still waiting for a person, and the act of acknowledging one, which
/// sends the signed acknowledgement back to the sender (docs/api.md, docs/protocol.md).
/// </summary>
public static class AcknowledgementEndpoints
{
    private const string Rule = "node/acknowledgements";
    private const string ListHint = "list received notices with GET /v1/inbox or 'launchnotify inbox'.";

    public static void MapAcknowledgementEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/inbox/awaiting-acknowledgement", async (HttpRequest request, AwaitingAcknowledgementQuery query, CancellationToken ct) =>
            {
                var errors = new List<ValidationError>();
                var limit = RequestInput.Int(request.Query, "limit", 1, AwaitingAcknowledgementQuery.MaxLimit, 100, Rule, errors);
                return errors.Count > 0 ? RequestInput.InvalidQuery(errors) : Results.Json(await query.ListAsync(limit, ct), WireJson.Options);
            })
            .RequireAuthorization(ApiPolicies.ReadTraffic)
            .WithName("ListAwaitingAcknowledgement")
            .WithSummary("Received notifications no person has acknowledged yet, most urgent first, each with its deadline, escalation instant and urgency: ?limit=1..1000 (default 100).");

        app.MapPost("/v1/inbox/{sender}/{id}/acknowledge", async (string sender, string id, HttpRequest request, AcknowledgementService service, CancellationToken ct) =>
            {
                if (!CentreCode.TryParse(sender, out var centre))
                    return ApiProblems.Problem(StatusCodes.Status400BadRequest, "INVALID_CENTRE",
                        $"'{ApiProblems.Shorten(sender)}' is not a centre code (two upper-case letters, e.g. RU); {ListHint}",
                        [new ValidationError("INVALID_CENTRE", Rule, "sender", $"'{ApiProblems.Shorten(sender)}' is not a centre code.") { Args = RuleArgs.Of(("value", RuleArgs.Echo(sender))) }]);
                if (!Guid.TryParse(id, out var messageId))
                    return ApiProblems.BadId(id, "a message", ListHint);
                // Who acknowledged is the signed-in account (the audit entry names it); no body is read.
                var result = await service.AcknowledgeAsync(centre, messageId, request.HttpContext.User.ToActor(), ct);
                return result.Outcome switch
                {
                    AcknowledgeOutcome.NotFound => ApiProblems.NotFound($"{result.Reason} {ListHint}"),
                    AcknowledgeOutcome.NotAcknowledgeable => ApiProblems.Problem(StatusCodes.Status409Conflict, "NOT_ACKNOWLEDGEABLE", result.Reason!),
                    _ => Results.Json(new
                    {
                        outcome = result.Outcome == AcknowledgeOutcome.Acknowledged ? "acknowledged" : "already-acknowledged",
                        result.MessageId,
                        result.Sender,
                        result.Kind,
                        result.ReceivedAt,
                        result.DueAt,
                        result.AcknowledgedAt,
                        result.AcknowledgedBy,
                        result.AcknowledgementMessageId,
                    }, WireJson.Options),
                };
            })
            .RequireAuthorization(ApiPolicies.AcknowledgeNotices)
            .WithName("AcknowledgeNotice")
            .WithSummary("No body. A duty officer has read this received notification: recorded under the signed-in account, NOT_ACKNOWLEDGED settled, " +
                         "and a signed acknowledgement sent back to its sender. 200 {outcome: acknowledged | already-acknowledged (the first stands)}; " +
                         "404 no such message from that sender; 409 NOT_ACKNOWLEDGEABLE (not an accepted notification).")
            .Produces(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
    }
}
