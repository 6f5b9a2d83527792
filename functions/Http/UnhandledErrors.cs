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
    public static Task WriteAsync(HttpContext context, Exception? error)
    {
        // A body over its limit, found while reading it: ours (JSON bodies) or the server's (Kestrel's 413).
        if (error is RequestBodyTooLargeException or BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
        {
            return WriteProblemAsync(context, StatusCodes.Status413PayloadTooLarge, "Payload too large", error.Message.Split('\n')[0]);
        }

        if (DependencyFailures.DependencyOf(error) is { } dependency)
        {
            context.Response.Headers.RetryAfter = DependencyFailures.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            return WriteProblemAsync(context, StatusCodes.Status503ServiceUnavailable, "Service unavailable", DependencyFailures.Detail(dependency));
        }

        return WriteProblemAsync(context, StatusCodes.Status500InternalServerError, "Internal server error",
            "The service failed to answer this request; the failure is in its log.");
    }

    private static Task WriteProblemAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(
            new ProblemDetails { Status = status, Title = title, Detail = detail },
            (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json");
    }
}
