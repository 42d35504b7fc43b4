using LaunchNotify.Domain.Validation;
using LaunchNotify.Node;
using LaunchNotify.Node.Queries;
using LaunchNotify.Node.Submission;
using LaunchNotify.Protocol.Json;
using LaunchNotify.Publisher.Security;

namespace LaunchNotify.Publisher;

/// <summary>The operators' API: submit a message of this centre, and see where it stands with each recipient.</summary>
public static class NotificationEndpoints
{
    /// <summary>Path → the kind it submits (the body's own <c>kind</c>, if given, must agree).</summary>
    private static readonly (string Path, string Kind)[] SubmitRoutes =
    [
        ("/v1/notifications", "prenotification"),
        ("/v1/amendments", "amendment"),
        ("/v1/cancellations", "cancellation"),
        ("/v1/postlaunch-reports", "postlaunch"),
    ];

    public static void MapNotificationEndpoints(this IEndpointRouteBuilder app)
    {
        foreach (var (path, kind) in SubmitRoutes)
        {
            app.MapPost(path, (HttpRequest request, SubmissionService submissions, NodeIdentity node, CancellationToken ct) =>
                    SubmitAsync(request, submissions, node, kind, ct))
                .RequireAuthorization(ApiPolicies.Submit)
                .WithName("Submit-" + kind)
                .WithSummary($"Submit a {kind} of this centre (?allowLate=true to send one later than the agreement's lead time): " +
                             "202 with the message id and a status URL, 200 for a retry of an accepted one; problems: 400 malformed, " +
                             "413 too large, 415 not JSON, 422 against the agreement (docs/api.md).")
                .Accepts<object>("application/json")
                .Produces(StatusCodes.Status202Accepted)
                .Produces(StatusCodes.Status200OK)
                .ProducesProblem(StatusCodes.Status400BadRequest)
                .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
                .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
                .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        }

        app.MapGet("/v1/notifications/{id}", async (string id, StatusQueries queries, CancellationToken ct) =>
            {
                if (!Guid.TryParse(id, out var messageId))
                    return ApiProblems.BadId(id, "a message", ListHint);
                return await queries.GetAsync(messageId, ct) is { } view
                    ? Results.Json(view, WireJson.Options)
                    : ApiProblems.NotFound($"This centre has sent no message {messageId}; {ListHint}");
            })
            .RequireAuthorization(ApiPolicies.ReadTraffic)
            .WithName("GetStatus")
            .WithSummary("Status per recipient: accepted → published → confirmed or rejected (with the receiver's reasons).");

        app.MapGet("/v1/notifications", async (HttpRequest request, StatusQueries queries, CancellationToken ct) =>
            {
                var errors = new List<ValidationError>();
                var limit = RequestInput.Int(request.Query, "limit", 1, 1000, 50, Rule, errors);
                return errors.Count > 0 ? RequestInput.InvalidQuery(errors) : Results.Json(await queries.RecentAsync(limit, ct), WireJson.Options);
            })
            .RequireAuthorization(ApiPolicies.ReadTraffic)
            .WithName("ListSent")
            .WithSummary("The most recent messages this centre sent, with their status per recipient: ?limit=1..1000 (default 50).");

        app.MapGet("/v1/inbox", async (HttpRequest request, StatusQueries queries, CancellationToken ct) =>
            {
                var errors = new List<ValidationError>();
                var limit = RequestInput.Int(request.Query, "limit", 1, 1000, 50, Rule, errors);
                var all = RequestInput.Bool(request.Query, "all", false, Rule, errors);
                return errors.Count > 0 ? RequestInput.InvalidQuery(errors) : Results.Json(await queries.InboxAsync(limit, all, ct), WireJson.Options);
            })
            .RequireAuthorization(ApiPolicies.ReadTraffic)
            .WithName("ListReceived")
            .WithSummary("The most recent messages received from counterparts, with the verdict this centre sent back: ?limit=1..1000, ?all=true.");
    }

    private const string Rule = "node/intake";
    private const string ListHint = "list them with GET /v1/notifications or 'launchnotify status'.";

    private static async Task<IResult> SubmitAsync(HttpRequest request, SubmissionService submissions, NodeIdentity node, string kind, CancellationToken ct)
    {
        var queryErrors = new List<ValidationError>();
        var allowLate = RequestInput.Bool(request.Query, "allowLate", false, Rule, queryErrors);
        if (queryErrors.Count > 0)
            return RequestInput.InvalidQuery(queryErrors);
        var (draft, problem) = await RequestInput.ReadJsonAsync(request, node.MaxMessageBytes, ct);
        if (draft is null)
            return problem!;

        // Who submitted is the signed-in account, recorded with the message and in its audit entry.
        var result = await submissions.SubmitAsync(draft, kind, allowLate, request.HttpContext.User.ToActor(), ct);
        if (!result.IsAccepted)
        {
            var malformed = result.Status == SubmissionStatus.Malformed;
            var reasons = string.Join(" ", result.Errors.Take(3).Select(e => e.Message)) + (result.Errors.Count > 3 ? $" (and {result.Errors.Count - 3} more)" : "");
            return ApiProblems.Problem(
                malformed ? StatusCodes.Status400BadRequest : StatusCodes.Status422UnprocessableEntity,
                malformed ? "SUBMISSION_MALFORMED" : "SUBMISSION_REFUSED",
                (malformed ? $"The {kind} is malformed: " : $"The {kind} is refused under its agreement: ") + reasons,
                result.Errors,
                new Dictionary<string, object?> { ["messageId"] = result.MessageId, ["warnings"] = result.Warnings });
        }
        var statusUrl = $"/v1/notifications/{result.MessageId}";
        request.HttpContext.Response.Headers.Location = statusUrl;
        var body = new
        {
            messageId = result.MessageId,
            status = result.Status.ToString().ToLowerInvariant(),
            statusUrl,
            recipients = result.Recipients.Select(r => new { centre = r.Centre.Value, sequence = r.Sequence }),
            errors = result.Errors,
            warnings = result.Warnings,
        };
        return Results.Json(body, WireJson.Options,
            statusCode: result.Status == SubmissionStatus.Accepted ? StatusCodes.Status202Accepted : StatusCodes.Status200OK);
    }
}
