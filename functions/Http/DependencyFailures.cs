using System.Net;
using Azure;
using Grpc.Core;
using Microsoft.Azure.Cosmos;
using Snapshots.Errors;

namespace Snapshots.Functions.Http;

/// <summary>
/// Tells a dependency that does not answer (Cosmos DB, blob storage, the durable backend) from a fault of the
/// service: the first is a 503 with Retry-After naming the dependency, never a 500 with a stack trace.
/// </summary>
public static class DependencyFailures
{
    public const int RetryAfterSeconds = 5;

    /// <summary>The name of the dependency that failed to answer, or null when the exception is something else.</summary>
    public static string? DependencyOf(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case DependencyUnavailableException unavailable:
                    return unavailable.Dependency;
                case CosmosException { StatusCode: HttpStatusCode.ServiceUnavailable or HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests or 0 }:
                    return "Cosmos DB";
                case RequestFailedException { Status: 0 or 503 or 500 }:
                    return "blob storage";
                case RpcException { StatusCode: StatusCode.Unavailable or StatusCode.DeadlineExceeded }:
                    return "the durable backend";
                case HttpRequestException:
                    return "a storage service";
            }
        }

        return null;
    }

    public static string Detail(string dependency) =>
        $"{char.ToUpperInvariant(dependency[0])}{dependency[1..]} does not answer right now; retry in a few seconds.";
}
