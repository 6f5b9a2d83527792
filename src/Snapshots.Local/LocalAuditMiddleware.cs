using Snapshots.Audit;
using Snapshots.Functions.Audit;

namespace Snapshots.Local;

/// <summary>
/// The local runtime's audit of HTTP calls, as the deployed worker's <see cref="AuditMiddleware"/>: the operation is
/// the endpoint's name (the function's), the route values are the endpoint's. Requests that reach no endpoint are not calls of ours.
/// </summary>
internal sealed class LocalAuditMiddleware(RequestDelegate next, AuditRecorder recorder, TimeProvider clock)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var operation = context.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName;
        if (operation is null)
        {
            await next(context);
            return;
        }

        await HttpAudit.AroundAsync(() => next(context), () => context.Response.StatusCode, status => Record(context, operation, status));
    }

    private void Record(HttpContext context, string operation, int status) =>
        HttpAudit.RecordWhenAnswered(context, recorder, clock, operation, status,
            context.Request.RouteValues.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value?.ToString())));
}
