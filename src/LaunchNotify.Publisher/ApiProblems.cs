using System.Diagnostics;
using LaunchNotify.Domain.Validation;
using Microsoft.AspNetCore.Diagnostics;

namespace LaunchNotify.Publisher;

/// <summary>
/// The one shape of every error answer of the API: RFC 9457 problem details (<c>application/problem+json</c>) with
/// <c>code</c>, a stable machine-readable code for the whole answer, and <c>errors</c>, never empty, each reason as
/// <c>{code, rule, path, message}</c> (docs/api.md). Answers the framework makes itself (no route, wrong method,
/// an unhandled exception) get the same members here.
/// </summary>
public static class ApiProblems
{
    public const string Rule = "node/api";

    /// <summary>A problem answer; with no <paramref name="errors"/>, one error with the same code and detail.</summary>
    public static IResult Problem(int status, string code, string detail, IReadOnlyList<ValidationError>? errors = null,
        IReadOnlyDictionary<string, object?>? extensions = null, System.Collections.Immutable.ImmutableSortedDictionary<string, string>? args = null)
    {
        var members = new Dictionary<string, object?>
        {
            ["code"] = code,
            ["errors"] = errors is { Count: > 0 } ? errors : [new ValidationError(code, Rule, "", detail) { Args = args }],
        };
        foreach (var (name, value) in extensions ?? new Dictionary<string, object?>())
            members[name] = value;
        return TypedResults.Problem(detail: detail, statusCode: status, title: TitleOf(status), extensions: members);
    }

    public static IResult NotFound(string detail) => Problem(StatusCodes.Status404NotFound, "NOT_FOUND", detail);

    public static IResult BadRequest(string code, IReadOnlyList<ValidationError> errors) =>
        Problem(StatusCodes.Status400BadRequest, code, string.Join(" ", errors.Select(e => e.Message)), errors);

    /// <summary>A path id that is not a UUID: 400 rather than 404, saying where to find real ones.</summary>
    public static IResult BadId(string id, string what, string whereToFind) =>
        Problem(StatusCodes.Status400BadRequest, "INVALID_ID", $"'{Shorten(id)}' is not {what} id (a UUID); {whereToFind}",
            [new ValidationError("INVALID_ID", Rule, "id", $"'{Shorten(id)}' is not a UUID.") { Args = RuleArgs.Of(("value", RuleArgs.Echo(id))) }]);

    /// <summary>
    /// Fills in what an answer made by the framework lacks (status code pages, the exception handler): a code, a detail
    /// saying what to do, the errors list. Answers made by <see cref="Problem"/> already have them.
    /// </summary>
    public static void Complete(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        var status = problem.Status ?? StatusCodes.Status500InternalServerError;
        problem.Title ??= TitleOf(status);
        if (!problem.Extensions.ContainsKey("code"))
        {
            var (code, detail) = Describe(status, context.HttpContext);
            problem.Detail ??= detail;
            problem.Extensions["code"] = code;
            problem.Extensions["errors"] = new[] { new ValidationError(code, Rule, "", problem.Detail) };
        }
        problem.Extensions["traceId"] = Activity.Current?.Id ?? context.HttpContext.TraceIdentifier;
    }

    private static (string Code, string Detail) Describe(int status, HttpContext http)
    {
        var request = http.Request;
        var target = $"{request.Method} {Shorten(request.Path.Value ?? "/")}";
        return status switch
        {
            StatusCodes.Status404NotFound => ("NOT_FOUND", $"Nothing answers {target}; the API is described at /openapi/v1.json (docs/api.md)."),
            StatusCodes.Status405MethodNotAllowed => ("METHOD_NOT_ALLOWED",
                $"{target} is not allowed; use {(http.Response.Headers.Allow is { Count: > 0 } allow ? string.Join(", ", allow.ToArray()) : "another method")}."),
            StatusCodes.Status413PayloadTooLarge => ("BODY_TOO_LARGE", "The body is larger than this node accepts; send a smaller one."),
            StatusCodes.Status415UnsupportedMediaType => ("UNSUPPORTED_MEDIA_TYPE", "Send the body as application/json in UTF-8."),
            StatusCodes.Status400BadRequest => ("BAD_REQUEST", "The request could not be read (headers, framing or encoding); check the client."),
            StatusCodes.Status500InternalServerError => ("INTERNAL_ERROR",
                $"The publisher failed on this request: this is a bug. Its log has the cause under trace id {Activity.Current?.Id ?? http.TraceIdentifier}; " +
                "report it with that id. Retrying a submission with the same messageId is safe."),
            _ => ("HTTP_" + status, $"{target} answered HTTP {status}."),
        };
    }

    private static string TitleOf(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "The request is malformed",
        StatusCodes.Status404NotFound => "Not found",
        StatusCodes.Status405MethodNotAllowed => "Method not allowed",
        StatusCodes.Status409Conflict => "Conflict",
        StatusCodes.Status413PayloadTooLarge => "Body too large",
        StatusCodes.Status415UnsupportedMediaType => "Unsupported media type",
        StatusCodes.Status422UnprocessableEntity => "Refused under the agreement",
        StatusCodes.Status500InternalServerError => "Internal error",
        _ => $"HTTP {status}",
    };

    /// <summary>Input echoed in a detail is cut short: an answer never grows with what an attacker sends.</summary>
    internal static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";
}

/// <summary>
/// A request the server could not read (Kestrel's body size limit, a broken chunked body): the client's fault, answered
/// with its own status as a problem, and logged as information, not as a server error.
/// </summary>
internal sealed class BadRequestExceptionHandler(IProblemDetailsService problems, ILogger<BadRequestExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        if (exception is not BadHttpRequestException bad)
            return false;
        logger.LogInformation("Unreadable request {Method} {Path}: {Reason}", http.Request.Method, http.Request.Path, bad.Message);
        http.Response.StatusCode = bad.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, Exception = exception });
    }
}
