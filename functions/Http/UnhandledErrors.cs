using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Snapshots.Functions.Http;

/// <summary>
/// What escapes a function, as both hosts answer it: a dependency that does not answer is a 503 with Retry-After
/// naming it; anything else a 500. Both are problem+json with one line, never a stack trace (that goes to the log).
/// </summary>
public static class UnhandledErrors
{
    public static async Task WriteAsync(HttpContext context, Exception? error)
    {
        // A body over its limit, found while reading it: ours (JSON bodies) or the server's (Kestrel's 413).
        if (error is RequestBodyTooLargeException or BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            await context.Response.WriteAsJsonAsync(
                new ProblemDetails { Status = StatusCodes.Status413PayloadTooLarge, Title = "Payload too large", Detail = error.Message.Split('\n')[0] },
                (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json");
            return;
        }

        var dependency = DependencyFailures.DependencyOf(error);
        var status = dependency is null ? StatusCodes.Status500InternalServerError : StatusCodes.Status503ServiceUnavailable;
        if (dependency is not null)
        {
            context.Response.Headers.RetryAfter = DependencyFailures.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        }

        context.Response.StatusCode = status;
        await context.Response.WriteAsJsonAsync(
            new ProblemDetails
            {
                Status = status,
                Title = dependency is null ? "Internal server error" : "Service unavailable",
                Detail = dependency is null ? "The service failed to answer this request; the failure is in its log." : DependencyFailures.Detail(dependency),
            },
            (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json");
    }
}
