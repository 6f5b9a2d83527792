using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Snapshots.Audit;

namespace Snapshots.Functions.Audit;

/// <summary>
/// The deployed app's audit of HTTP calls (<see cref="HttpAudit"/>); registered outside
/// <see cref="Http.UnhandledErrorMiddleware"/>, so it sees the status of the problem an exception became.
/// </summary>
public sealed class AuditMiddleware(AuditRecorder recorder, TimeProvider clock) : IFunctionsWorkerMiddleware
{
    private static readonly ConcurrentDictionary<string, IReadOnlyList<string>> RouteParametersByEntryPoint = new(StringComparer.Ordinal);

    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        if (context.GetHttpContext() is not { } http)
        {
            await next(context);
            return;
        }

        await HttpAudit.AroundAsync(() => next(context), () => StatusOf(context, http), status => Record(context, http, status));
    }

    /// <summary>An action result is executed after the pipeline, so its status is read from the result itself.</summary>
    public static int StatusOf(FunctionContext context, HttpContext http) =>
        context.GetInvocationResult().Value is IStatusCodeActionResult { StatusCode: { } status } ? status : http.Response.StatusCode;

    /// <summary>The route's values only: binding data also holds the query and the headers, which an entry never takes.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> RouteValuesOf(FunctionContext context)
    {
        var data = context.BindingContext.BindingData;
        return RouteParametersOf(context.FunctionDefinition.EntryPoint)
            .Select(name => new KeyValuePair<string, string?>(name, data.TryGetValue(name, out var value) ? value?.ToString() : null));
    }

    private void Record(FunctionContext context, HttpContext http, int status) =>
        HttpAudit.RecordWhenAnswered(http, recorder, clock, context.FunctionDefinition.Name, status, RouteValuesOf(context));

    private static IReadOnlyList<string> RouteParametersOf(string entryPoint) =>
        RouteParametersByEntryPoint.GetOrAdd(entryPoint, point =>
        {
            var split = point.LastIndexOf('.');
            var method = split < 0 ? null : typeof(AuditMiddleware).Assembly.GetType(point[..split])?.GetMethod(point[(split + 1)..]);
            var route = method?.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).OfType<HttpTriggerAttribute>().FirstOrDefault()?.Route;
            return HttpAudit.RouteParameters(route);
        });
}
