using LaunchNotify.Domain.Validation;
using LaunchNotify.Node;
using LaunchNotify.Node.Launches;
using LaunchNotify.Protocol.Json;
using LaunchNotify.Publisher.Security;

namespace LaunchNotify.Publisher;

/// <summary>Observed launches: an operator or a detection feed records one, and learns whether a notification covered it.</summary>
public static class LaunchEndpoints
{
    private const string ListHint = "list them with GET /v1/observed-launches or 'launchnotify launches list'.";

    public static void MapLaunchEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/observed-launches", async (HttpRequest request, ObservedLaunchService launches, NodeIdentity node, CancellationToken ct) =>
            {
                var (body, problem) = await RequestInput.ReadJsonAsync(request, node.MaxMessageBytes, ct);
                if (body is null)
                    return problem!;
                var (input, errors) = ObservedLaunchRequest.Parse(body, launches.KnownCentres, launches.Now, launches.MaxClockSkew);
                if (input is null)
                    return ApiProblems.BadRequest("INVALID_OBSERVED_LAUNCH", errors);

                var recorded = await launches.RecordAsync(input, ct);
                var url = $"/v1/observed-launches/{recorded.View.Id}";
                request.HttpContext.Response.Headers.Location = url;
                return Results.Json(recorded.View, WireJson.Options,
                    statusCode: recorded.AlreadyRecorded ? StatusCodes.Status200OK : StatusCodes.Status201Created);
            })
            .RequireAuthorization(ApiPolicies.RecordLaunches)
            .WithName("RecordObservedLaunch")
            .WithSummary("Body {\"at\", \"launchPoint\": {\"lat\", \"lon\"}, \"impactPoint\"?, \"attributedCentre\", \"class\"? (unknown|ballistic|slv|soundingRocket|cruise), \"source\"?, \"comment\"?, \"id\"?}. " +
                         "201 with the verdict: covered (by which notifications) or not (the LAUNCH_WITHOUT_NOTIFICATION alarm id); 400 with every problem.")
            .Accepts<object>("application/json")
            .Produces(StatusCodes.Status201Created)
            .Produces(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        app.MapGet("/v1/observed-launches", async (HttpRequest request, ObservedLaunchService launches, CancellationToken ct) =>
            {
                var errors = new List<ValidationError>();
                var limit = RequestInput.Int(request.Query, "limit", 1, 1000, 50, ObservedLaunchRequest.Rule, errors);
                return errors.Count > 0 ? RequestInput.InvalidQuery(errors) : Results.Json(await launches.ListAsync(limit, ct), WireJson.Options);
            })
            .RequireAuthorization(ApiPolicies.ReadTraffic)
            .WithName("ListObservedLaunches")
            .WithSummary("Recorded launches, newest first, with their verdicts and any notice that arrived after the launch: ?limit=1..1000 (default 50).");

        app.MapGet("/v1/observed-launches/{id}", async (string id, ObservedLaunchService launches, CancellationToken ct) =>
            {
                if (!Guid.TryParse(id, out var launchId))
                    return ApiProblems.BadId(id, "an observed launch", ListHint);
                return await launches.GetAsync(launchId, ct) is { } view
                    ? Results.Json(view, WireJson.Options)
                    : ApiProblems.NotFound($"This centre has recorded no launch {launchId}; {ListHint}");
            })
            .RequireAuthorization(ApiPolicies.ReadTraffic)
            .WithName("GetObservedLaunch")
            .WithSummary("One recorded launch and its verdict.");
    }
}
