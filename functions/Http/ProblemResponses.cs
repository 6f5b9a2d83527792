using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace Snapshots.Functions.Http;

/// <summary>
/// Answers an exception that escaped an HTTP function, as both hosts do: logs it by what it means (a refusal is
/// routine, only a fault of the service is an error) and writes its <see cref="ProblemMapper"/> problem.
/// </summary>
public static partial class ProblemResponses
{
    /// <summary>Writes the answer to <paramref name="error"/>; the caller makes sure the response has not started.</summary>
    public static Task AnswerAsync(HttpContext context, Exception error, ILogger logger, string source)
    {
        var problem = ProblemMapper.Map(error);
        if (problem.Status == StatusCodes.Status403Forbidden)
        {
            Audit.AuditContext.Of(context).RefusalReason = problem.Detail;
        }

        switch (problem.Status)
        {
            case StatusCodes.Status500InternalServerError:
                LogFailed(logger, source, error);
                break;
            case StatusCodes.Status503ServiceUnavailable:
                LogUnavailable(logger, source, problem.Detail, error);
                break;
            default:
                LogRefused(logger, source, problem.Status, problem.Detail);
                break;
        }

        return WriteAsync(context, problem);
    }

    /// <summary>Replaces whatever the response held so far (headers, a buffered body) with <paramref name="problem"/>.</summary>
    public static Task WriteAsync(HttpContext context, Problem problem)
    {
        var response = context.Response;
        response.Clear();
        response.StatusCode = problem.Status;
        foreach (var (name, value) in problem.Headers)
        {
            response.Headers[name] = value;
        }

        return response.WriteAsJsonAsync(
            new ProblemDetails { Status = problem.Status, Title = problem.Title, Detail = problem.Detail },
            (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json", context.RequestAborted);
    }

    [LoggerMessage(EventId = 9001, Level = LogLevel.Information, Message = "{Source} refused the request ({Status}): {Detail}")]
    private static partial void LogRefused(ILogger logger, string source, int status, string detail);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Warning, Message = "{Source} answered 503: {Detail}")]
    private static partial void LogUnavailable(ILogger logger, string source, string detail, Exception exception);

    [LoggerMessage(EventId = 9003, Level = LogLevel.Error, Message = "{Source} failed")]
    private static partial void LogFailed(ILogger logger, string source, Exception exception);
}
