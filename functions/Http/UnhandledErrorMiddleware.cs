using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;

namespace Snapshots.Functions.Http;

/// <summary>
/// The deployed app's answer to an exception that escapes an HTTP function (<see cref="ProblemResponses"/>); the
/// local runtime answers the same through its own middleware. Other triggers rethrow, so the durable retry
/// policies see the failure; so does a response already under way, which only the connection can cut.
/// </summary>
public sealed class UnhandledErrorMiddleware(ILogger<UnhandledErrorMiddleware> logger) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (Exception ex) when (context.GetHttpContext() is { Response.HasStarted: false } http)
        {
            await ProblemResponses.AnswerAsync(http, ex, logger, context.FunctionDefinition.Name);
        }
    }
}
