using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Snapshots.Errors;

namespace Snapshots.Functions.Http;

/// <summary>What a client is answered: an RFC 9457 problem and the headers that go with it.</summary>
public sealed record Problem(int Status, string Title, string Detail)
{
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// The one translation from an exception that escapes an HTTP function to its answer, for both hosts: a refusal
/// by its meaning, a dependency that does not answer as a 503 with Retry-After, anything else a 500 that tells
/// nothing of the failure (that goes to the log).
/// </summary>
public static class ProblemMapper
{
    public const string InternalErrorDetail = "The service failed to answer this request; the failure is in its log.";

    public static Problem Map(Exception? error)
    {
        // A refusal may arrive wrapped (a host or a task around it): it still says what the caller did wrong.
        for (var current = error; current is not null; current = current.InnerException)
        {
            if (RefusalOf(current) is { } refusal)
            {
                return refusal;
            }
        }

        if (DependencyFailures.DependencyOf(error) is { } dependency)
        {
            return new Problem(StatusCodes.Status503ServiceUnavailable, ProblemTitles.Of(StatusCodes.Status503ServiceUnavailable), DependencyFailures.Detail(dependency))
            {
                Headers = new Dictionary<string, string>
                {
                    [HeaderNames.RetryAfter] = DependencyFailures.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture),
                },
            };
        }

        return new Problem(StatusCodes.Status500InternalServerError, ProblemTitles.Of(StatusCodes.Status500InternalServerError), InternalErrorDetail);
    }

    private static Problem? RefusalOf(Exception error) => error switch
    {
        AuthenticationRequiredException => Refusal(StatusCodes.Status401Unauthorized, error) with
        {
            Headers = new Dictionary<string, string> { [HeaderNames.WWWAuthenticate] = "Bearer error=\"invalid_token\"" },
        },
        PermissionDeniedException => Refusal(StatusCodes.Status403Forbidden, error),
        NotFoundException => Refusal(StatusCodes.Status404NotFound, error),
        ConflictException => Refusal(StatusCodes.Status409Conflict, error),
        InvalidRequestException => Refusal(StatusCodes.Status400BadRequest, error),
        // Ours (a JSON body past its limit, an upload) or the server's own 413, found while reading the body.
        TooLargeException or BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            Refusal(StatusCodes.Status413PayloadTooLarge, error),
        _ => null,
    };

    private static Problem Refusal(int status, Exception error) => new(status, ProblemTitles.Of(status), FirstLine(error.Message));

    private static string FirstLine(string message) => message.Split('\n')[0].TrimEnd('\r');
}

/// <summary>The title of each status this service answers with, the same whichever path answers it.</summary>
public static class ProblemTitles
{
    public static string Of(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "Bad request",
        StatusCodes.Status404NotFound => "Not found",
        StatusCodes.Status413PayloadTooLarge => "Payload too large",
        StatusCodes.Status500InternalServerError => "Internal server error",
        StatusCodes.Status503ServiceUnavailable => "Service unavailable",
        _ => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status),
    };
}
