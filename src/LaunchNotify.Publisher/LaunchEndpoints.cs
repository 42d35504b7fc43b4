using LaunchNotify.Node;
using LaunchNotify.Node.Launches;
using LaunchNotify.Protocol.Json;
using LaunchNotify.Publisher.Security;
using Microsoft.AspNetCore.Mvc;

namespace LaunchNotify.Publisher;

/// <summary>Observed launches: an operator or a detection feed records one, and learns whether a notification covered it.</summary>
public static class LaunchEndpoints
{
    public static void MapLaunchEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/observed-launches", async (HttpRequest request, ObservedLaunchService launches, NodeIdentity node, CancellationToken ct) =>
            {
                using var buffer = new MemoryStream();
                await request.Body.CopyToAsync(buffer, ct);
                if (buffer.Length > node.MaxMessageBytes)
                    return AlarmEndpoints.Invalid("BODY_TOO_LARGE", $"The body is {buffer.Length} bytes; at most {node.MaxMessageBytes}.", []);
                var (input, errors) = ObservedLaunchRequest.Parse(buffer.ToArray(), launches.KnownCentres, launches.Now, launches.MaxClockSkew);
                if (input is null)
                    return AlarmEndpoints.Invalid("INVALID_OBSERVED_LAUNCH", string.Join(" ", errors.Select(e => e.Message)), errors);

                var recorded = await launches.RecordAsync(input, ct);
                var url = $"/v1/observed-launches/{recorded.View.Id}";
                request.HttpContext.Response.Headers.Location = url;
                return Results.Json(recorded.View, WireJson.Options,
                    statusCode: recorded.AlreadyRecorded ? StatusCodes.Status200OK : StatusCodes.Status201Created);
            })
            .RequireAuthorization(ApiPolicies.RecordLaunches)
            .WithName("RecordObservedLaunch")
            .WithSummary("Body {\"at\", \"launchPoint\": {\"lat\", \"lon\"}, \"impactPoint\"?, \"attributedCentre\", \"source\"?, \"comment\"?, \"id\"?}. " +
                         "201 with the verdict: covered (by which notifications) or not (the LAUNCH_WITHOUT_NOTIFICATION alarm id); 400 with every problem.")
            .Accepts<object>("application/json")
            .Produces(StatusCodes.Status201Created)
            .Produces(StatusCodes.Status200OK)
            .Produces(StatusCodes.Status400BadRequest);

        app.MapGet("/v1/observed-launches", async (ObservedLaunchService launches, [FromQuery] int? limit, CancellationToken ct) =>
                Results.Json(await launches.ListAsync(Math.Clamp(limit ?? 50, 1, 1000), ct), WireJson.Options))
            .RequireAuthorization(ApiPolicies.ReadTraffic)
            .WithName("ListObservedLaunches")
            .WithSummary("Recorded launches, newest first, with their verdicts and any notice that arrived after the launch.");

        app.MapGet("/v1/observed-launches/{id}", async (string id, ObservedLaunchService launches, CancellationToken ct) =>
            {
                if (!Guid.TryParse(id, out var launchId))
                    return AlarmEndpoints.Invalid("INVALID_ID", $"'{id}' is not an observed launch id (a UUID); list them with GET /v1/observed-launches.", []);
                return await launches.GetAsync(launchId, ct) is { } view
                    ? Results.Json(view, WireJson.Options)
                    : Results.Json(new { error = "NOT_FOUND", message = $"This centre has recorded no launch {launchId}; list them with GET /v1/observed-launches." },
                        WireJson.Options, statusCode: StatusCodes.Status404NotFound);
            })
            .RequireAuthorization(ApiPolicies.ReadTraffic)
            .WithName("GetObservedLaunch")
            .WithSummary("One recorded launch and its verdict.");
    }
}
