using Snapshots.Functions.Http;

namespace Snapshots.Local;

/// <summary>
/// The local runtime's answer to an exception that escapes an HTTP function or endpoint: the same problem and log
/// as the deployed worker's <see cref="UnhandledErrorMiddleware"/>. A response already under way is left to the
/// server, which cuts the connection.
/// </summary>
internal sealed class LocalErrorMiddleware(RequestDelegate next, ILogger<LocalErrorMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (Exception ex) when (!context.Response.HasStarted)
        {
            await ProblemResponses.AnswerAsync(context, ex, logger, context.GetEndpoint()?.DisplayName ?? context.Request.Path);
        }
    }
}
