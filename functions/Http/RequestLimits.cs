using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Snapshots.Functions.Http;

/// <summary>
/// How large a request may be. JSON bodies are small by nature and capped here; the host's own limit (the Functions
/// host's 100 MB default, which the local runtime keeps) is lifted only for the routes that take uploads.
/// </summary>
public static class RequestLimits
{
    public const long MaxJsonBodyBytes = 1024 * 1024;

    /// <summary>The Functions host's default request body limit (FUNCTIONS_REQUEST_BODY_SIZE_LIMIT raises it in Azure).</summary>
    public const long HostRequestBodyBytes = 100L * 1024 * 1024;

    /// <summary>
    /// Lets this request's body grow past the host's limit where the server enforces one per request: to
    /// <paramref name="limit"/>, or without one (null) where the route counts the bytes itself and answers 413 naming its own limit.
    /// </summary>
    public static void AllowUpload(HttpRequest request, long? limit)
    {
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit;
        }
    }
}

/// <summary>A request body over its limit, found while reading it.</summary>
public sealed class RequestBodyTooLargeException(string message) : Errors.TooLargeException(message);
