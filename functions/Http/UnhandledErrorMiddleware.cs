using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;

namespace Snapshots.Functions.Http;

/// <summary>
/// The deployed app's answer to an exception that escapes an HTTP function (<see cref="UnhandledErrors"/>); the
/// local runtime's exception handler gives the same. Other triggers rethrow, so the durable retry policies see it.
/// </summary>
public sealed partial class UnhandledErrorMiddleware(ILogger<UnhandledErrorMiddleware> logger) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (Exception ex) when (context.GetHttpContext() is { Response.HasStarted: false })
        {
            LogUnhandled(logger, context.FunctionDefinition.Name, ex);
            await UnhandledErrors.WriteAsync(context.GetHttpContext()!, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Function {Function} failed")]
    private static partial void LogUnhandled(ILogger logger, string function, Exception exception);
}
