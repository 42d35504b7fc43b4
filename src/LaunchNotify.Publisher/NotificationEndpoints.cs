using LaunchNotify.Node.Queries;
using LaunchNotify.Node.Submission;
using LaunchNotify.Protocol.Json;
using LaunchNotify.Publisher.Security;
using Microsoft.AspNetCore.Mvc;

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
            app.MapPost(path, (HttpRequest request, SubmissionService submissions, [FromQuery] bool? allowLate, CancellationToken ct) =>
                    SubmitAsync(request, submissions, kind, allowLate ?? false, ct))
                .RequireAuthorization(ApiPolicies.Submit)
                .WithName("Submit-" + kind)
                .WithSummary($"Submit a {kind} of this centre: 202 with the message id and a status URL, 400 if malformed, 422 if against the agreement.")
                .Accepts<object>("application/json")
                .Produces(StatusCodes.Status202Accepted)
                .Produces(StatusCodes.Status200OK)
                .Produces(StatusCodes.Status400BadRequest)
                .Produces(StatusCodes.Status422UnprocessableEntity);
        }

        app.MapGet("/v1/notifications/{id:guid}", async (Guid id, StatusQueries queries, CancellationToken ct) =>
                await queries.GetAsync(id, ct) is { } view
                    ? Results.Json(view, WireJson.Options)
                    : Results.Json(new { error = "NOT_FOUND", message = $"This centre has sent no message {id}." }, WireJson.Options, statusCode: 404))
            .RequireAuthorization(ApiPolicies.ReadTraffic)
            .WithName("GetStatus")
            .WithSummary("Status per recipient: accepted → published → confirmed or rejected (with the receiver's reasons).");

        app.MapGet("/v1/notifications", async (StatusQueries queries, [FromQuery] int? limit, CancellationToken ct) =>
                Results.Json(await queries.RecentAsync(Math.Clamp(limit ?? 50, 1, 1000), ct), WireJson.Options))
            .RequireAuthorization(ApiPolicies.ReadTraffic)
            .WithName("ListSent")
            .WithSummary("The most recent messages this centre sent, with their status per recipient.");

        app.MapGet("/v1/inbox", async (StatusQueries queries, [FromQuery] int? limit, [FromQuery] bool? all, CancellationToken ct) =>
                Results.Json(await queries.InboxAsync(Math.Clamp(limit ?? 50, 1, 1000), all ?? false, ct), WireJson.Options))
            .RequireAuthorization(ApiPolicies.ReadTraffic)
            .WithName("ListReceived")
            .WithSummary("The most recent messages received from counterparts, with the verdict this centre sent back.");
    }

    private static async Task<IResult> SubmitAsync(HttpRequest request, SubmissionService submissions, string kind, bool allowLate, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct);
        // Who submitted is the signed-in account, recorded with the message and in its audit entry.
        var result = await submissions.SubmitAsync(buffer.ToArray(), kind, allowLate, request.HttpContext.User.ToActor(), ct);
        var body = new
        {
            messageId = result.MessageId,
            status = result.Status.ToString().ToLowerInvariant(),
            statusUrl = result.MessageId is { } id && result.IsAccepted ? $"/v1/notifications/{id}" : null,
            recipients = result.Recipients.Select(r => new { centre = r.Centre.Value, sequence = r.Sequence }),
            errors = result.Errors,
            warnings = result.Warnings,
        };
        var status = result.Status switch
        {
            SubmissionStatus.Accepted => StatusCodes.Status202Accepted,
            SubmissionStatus.AlreadyAccepted => StatusCodes.Status200OK,
            SubmissionStatus.Malformed => StatusCodes.Status400BadRequest,
            _ => StatusCodes.Status422UnprocessableEntity,
        };
        if (result.IsAccepted)
            request.HttpContext.Response.Headers.Location = body.statusUrl;
        return Results.Json(body, WireJson.Options, statusCode: status);
    }
}
