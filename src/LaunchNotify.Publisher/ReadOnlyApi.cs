namespace LaunchNotify.Publisher;

public static class ReadOnlyApi
{
    /// <summary>
    /// A read-only publisher answers every request that would change something (anything but GET and HEAD) with a
    /// problem response saying so, before it reaches an endpoint: the store is opened read-only too, as a second guard.
    /// </summary>
    public static void UseReadOnlyApi(this WebApplication app) => app.Use(async (context, next) =>
    {
        // Reads, and signing in (a token or the dashboard's cookie: nothing is written for a good password; the test
        // checks the store file's hash), so that an archive can be looked at by the people allowed to.
        if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)
            || context.Request.Path.Equals("/connect/token", StringComparison.OrdinalIgnoreCase)
            || context.Request.Path.StartsWithSegments("/dashboard/login", StringComparison.OrdinalIgnoreCase)
            || context.Request.Path.StartsWithSegments("/dashboard/logout", StringComparison.OrdinalIgnoreCase))
        {
            await next(context);
            return;
        }
        await Results.Problem(
            statusCode: StatusCodes.Status409Conflict,
            title: "This publisher is read-only",
            detail: "It was started with LaunchNotify:ReadOnly=true to look at a store without changing it. Submit, acknowledge and record through the centre's running publisher.",
            extensions: new Dictionary<string, object?> { ["code"] = "READ_ONLY" }).ExecuteAsync(context);
    });
}
