using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using LaunchNotify.Domain.Alarms;
using LaunchNotify.Domain.Validation;
using LaunchNotify.Node;
using LaunchNotify.Node.Alarms;
using LaunchNotify.Protocol.Json;
using LaunchNotify.Publisher.Security;
using LaunchNotify.Storage.Audit;
using NodaTime;
using NodaTime.Text;

namespace LaunchNotify.Publisher;

/// <summary>The operators' alarm desk: list alarms, look at one, acknowledge it, resolve it (docs/alarms.md).</summary>
public static class AlarmEndpoints
{
    /// <summary>Response header warning that a typed <c>"by"</c> was ignored.</summary>
    public const string IgnoredByHeader = "X-LaunchNotify-Warning";
    public const int MaxCommentLength = 1000;

    /// <summary>How often the stream looks for changes (alarms are raised by other processes of the node too).</summary>
    public static readonly TimeSpan StreamPollInterval = TimeSpan.FromSeconds(1);

    public static void MapAlarmEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/alarms", async (HttpRequest request, AlarmBook book, NodeIdentity node, CancellationToken ct) =>
            {
                var (filter, errors) = ParseFilter(request.Query);
                if (filter is null)
                    return RequestInput.InvalidQuery(errors);
                var alarms = await book.ListAsync(filter, ct);
                return Results.Json(alarms.Select(a => AlarmView.From(a, node.Centre)), WireJson.Options);
            })
            .RequireAuthorization(ApiPolicies.ReadTraffic)
            .WithName("ListAlarms")
            .WithSummary("Alarms, newest first: ?state=open|acknowledged|resolved, ?open=true (not resolved), ?kind=CODE, ?since=INSTANT (raised), " +
                         "?changedSince=INSTANT (any change, oldest first, to follow), ?limit=1..1000 (default 100).");

        app.MapGet("/v1/alarms/stream", (HttpRequest request, AlarmBook book, NodeIdentity node, IClock clock, CancellationToken ct) =>
            {
                var (filter, errors) = ParseFilter(request.Query);
                if (filter is null)
                    return RequestInput.InvalidQuery(errors);
                return TypedResults.ServerSentEvents(StreamAsync(book, node, clock, filter.Kind, ct));
            })
            .RequireAuthorization(ApiPolicies.ReadTraffic)
            .WithName("StreamAlarms")
            .WithSummary("Server-sent events: first 'following' {since}, then one 'alarm' event (the alarm as JSON) per change from then on; ?kind=CODE.");

        app.MapGet("/v1/alarms/{id}", async (string id, AlarmBook book, NodeIdentity node, CancellationToken ct) =>
            {
                if (!Guid.TryParse(id, out var alarmId))
                    return BadId(id);
                return await book.GetAsync(alarmId, ct) is { } alarm
                    ? Results.Json(AlarmView.From(alarm, node.Centre), WireJson.Options)
                    : NotFound(alarmId);
            })
            .RequireAuthorization(ApiPolicies.ReadTraffic)
            .WithName("GetAlarm")
            .WithSummary("One alarm with who acknowledged and resolved it, when, and why.");

        app.MapPost("/v1/alarms/{id}/acknowledge", (string id, HttpRequest request, AlarmBook book, NodeIdentity node, CancellationToken ct) =>
                ActAsync(id, request, node, ct, async (alarmId, by, comment) =>
                {
                    var alarm = await book.AcknowledgeAsync(alarmId, by, comment, ct);
                    return alarm.State == AlarmState.Resolved
                        ? ApiProblems.Problem(StatusCodes.Status409Conflict, "ALARM_RESOLVED",
                            $"Alarm {alarmId} was already resolved by {alarm.ResolvedBy} at {InstantPattern.General.Format(alarm.ResolvedAt!.Value)}; " +
                            "there is nothing left to acknowledge.",
                            extensions: new Dictionary<string, object?> { ["alarm"] = JsonSerializer.SerializeToNode(AlarmView.From(alarm, node.Centre), WireJson.Options) })
                        : Results.Json(AlarmView.From(alarm, node.Centre), WireJson.Options);
                }))
            .RequireAuthorization(ApiPolicies.ActOnAlarms)
            .WithName("AcknowledgeAlarm")
            .WithSummary("Body {\"comment\"?: TEXT} (or none). A duty officer has seen the alarm; the record names the signed-in account. Acknowledging again keeps the first acknowledgement.")
            .Accepts<object>("application/json");

        app.MapPost("/v1/alarms/{id}/resolve", (string id, HttpRequest request, AlarmBook book, NodeIdentity node, CancellationToken ct) =>
                ActAsync(id, request, node, ct, async (alarmId, by, comment) =>
                    Results.Json(AlarmView.From(await book.ResolveAsync(alarmId, by, comment, ct), node.Centre), WireJson.Options)))
            .RequireAuthorization(ApiPolicies.ActOnAlarms)
            .WithName("ResolveAlarm")
            .WithSummary("Body {\"comment\"?: TEXT} (or none). The condition is dealt with; the record names the signed-in account. Resolving again keeps the first resolution.")
            .Accepts<object>("application/json");
    }

    /// <summary>
    /// Every change (raised, acknowledged, resolved) from the moment the stream opens, by polling the store: alarms are
    /// raised in other processes of the node too, so there is no in-process event to wait on.
    /// </summary>
    private static async IAsyncEnumerable<SseItem<string>> StreamAsync(AlarmBook book, NodeIdentity node, IClock clock, AlarmKind? kind,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var cursor = clock.GetCurrentInstant();
        // Sent at once, so the client knows the stream is open and from when it counts.
        yield return new SseItem<string>(JsonSerializer.Serialize(new { since = cursor }, WireJson.Options), "following");
        var sentAtCursor = new HashSet<(Guid, int)>();
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(StreamPollInterval, ct);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
            var changes = await book.ListAsync(new AlarmFilter(Kind: kind, ChangedSince: cursor, Limit: 1000), ct);
            foreach (var alarm in changes)
            {
                // Changes at exactly the cursor instant come again in the next poll; send each version once.
                if (alarm.ChangedAt == cursor && !sentAtCursor.Add((alarm.Id, alarm.Version)))
                    continue;
                yield return new SseItem<string>(JsonSerializer.Serialize(AlarmView.From(alarm, node.Centre), WireJson.Options), "alarm")
                {
                    EventId = $"{alarm.Id:D}.v{alarm.Version}",
                };
            }
            if (changes.Count > 0 && changes[^1].ChangedAt > cursor)
            {
                cursor = changes[^1].ChangedAt;
                sentAtCursor = changes.Where(a => a.ChangedAt == cursor).Select(a => (a.Id, a.Version)).ToHashSet();
            }
        }
    }

    /// <summary>Reads the query string of <c>GET /v1/alarms</c>; every bad parameter is reported with what to send instead.</summary>
    public static (AlarmFilter? Filter, IReadOnlyList<ValidationError> Errors) ParseFilter(IQueryCollection query)
    {
        var errors = new List<ValidationError>();
        AlarmState? state = null;
        if (RequestInput.Single(query, "state", Rule, errors) is { } stateText)
        {
            if (Enum.TryParse<AlarmState>(stateText, ignoreCase: true, out var s) && !int.TryParse(stateText, out _))
                state = s;
            else
                errors.Add(QueryError("state", $"state '{ApiProblems.Shorten(stateText)}' is not one of open, acknowledged, resolved.", "oneOf", stateText,
                    ("allowed", "open, acknowledged, resolved")));
        }
        AlarmKind? kind = null;
        if (RequestInput.Single(query, "kind", Rule, errors) is { } kindText)
        {
            if (AlarmKinds.TryParse(kindText, out var k))
                kind = k;
            else
                errors.Add(QueryError("kind", $"kind '{ApiProblems.Shorten(kindText)}' is not an alarm kind; use one of {string.Join(", ", Enum.GetValues<AlarmKind>().Select(x => x.Code()))}.",
                    "oneOf", kindText, ("allowed", string.Join(", ", Enum.GetValues<AlarmKind>().Select(x => x.Code())))));
        }
        var openOnly = RequestInput.Bool(query, "open", false, Rule, errors);
        var since = ReadInstant(query, "since", errors);
        var changedSince = ReadInstant(query, "changedSince", errors);
        var limit = RequestInput.Int(query, "limit", 1, 1000, 100, Rule, errors);
        return errors.Count > 0 ? (null, errors) : (new AlarmFilter(state, kind, openOnly, since, limit, changedSince), []);
    }

    private static Instant? ReadInstant(IQueryCollection query, string name, List<ValidationError> errors)
    {
        if (RequestInput.Single(query, name, Rule, errors) is not { } text)
            return null;
        var parsed = InstantPattern.ExtendedIso.Parse(text);
        if (parsed.Success)
            return parsed.Value;
        errors.Add(QueryError(name, $"{name} '{ApiProblems.Shorten(text)}' is not an instant; give it in RFC 3339 UTC, e.g. 2026-03-10T08:00:00Z.", "instant", text));
        return null;
    }

    private static async Task<IResult> ActAsync(string id, HttpRequest request, NodeIdentity node, CancellationToken ct,
        Func<Guid, Actor, string?, Task<IResult>> act)
    {
        if (!Guid.TryParse(id, out var alarmId))
            return BadId(id);
        string? comment = null;
        // No body at all is fine: the comment is optional and who acts comes from the token.
        if (request.ContentLength is not 0)
        {
            var (body, problem) = await RequestInput.ReadJsonAsync(request, node.MaxMessageBytes, ct);
            if (body is null)
                return problem!;
            (var typedName, comment, var errors) = ReadAction(body);
            if (errors.Count > 0)
                return ApiProblems.BadRequest("INVALID_BODY", errors);
            if (typedName is not null)
                request.HttpContext.Response.Headers.Append(IgnoredByHeader, "\"by\" is ignored: the record names the signed-in account, not a typed name.");
        }
        try
        {
            return await act(alarmId, request.HttpContext.User.ToActor(), comment);
        }
        catch (AlarmNotFoundException)
        {
            return NotFound(alarmId);
        }
    }

    /// <summary>Reads <c>{"comment"?: TEXT}</c>. A <c>"by"</c> from older clients is returned only to warn that it is ignored.</summary>
    private static (string? By, string? Comment, IReadOnlyList<ValidationError> Errors) ReadAction(byte[] utf8)
    {
        const string shape = "Send {\"comment\": \"optional\"}, or no body: the record names the signed-in account.";
        var (body, error) = JsonBody.ParseObject(utf8, Rule, shape);
        if (body is null)
            return error!.Code == "BODY_EMPTY" ? (null, null, []) : (null, null, [error]);

        var errors = new List<ValidationError>();
        var by = body["by"] is null ? null : Text(body["by"]) ?? "";
        var comment = Text(body["comment"]);
        if (body["comment"] is not null && comment is null)
            errors.Add(BodyError("TEXT_INVALID", "/comment", "\"comment\" must be a string."));
        else if (comment is { Length: > MaxCommentLength })
            errors.Add(BodyError("TEXT_TOO_LONG", "/comment", $"\"comment\" is {comment.Length} characters; at most {MaxCommentLength}."));
        return (by, string.IsNullOrWhiteSpace(comment) ? null : comment.Trim(), errors);
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private const string Rule = "node/alarms";

    private static ValidationError QueryError(string name, string message, string form, string value, params (string Name, string Value)[] more) =>
        RequestInput.QueryError(Rule, name, message, form, value, more);

    private static ValidationError BodyError(string code, string path, string message) => new(code, Rule, path, message);

    private static IResult BadId(string id) =>
        ApiProblems.BadId(id, "an alarm", "list alarms with GET /v1/alarms or 'launchnotify alarms'.");

    private static IResult NotFound(Guid id) =>
        ApiProblems.NotFound($"This centre has no alarm {id}; list alarms with GET /v1/alarms or 'launchnotify alarms'.");
}
