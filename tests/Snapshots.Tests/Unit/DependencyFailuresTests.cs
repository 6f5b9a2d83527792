using System.Net;
using Azure;
using Grpc.Core;
using Microsoft.Azure.Cosmos;
using Snapshots.Functions.Http;

namespace Snapshots.Tests.Unit;

public sealed class DependencyFailuresTests
{
    public static TheoryData<Exception, string?> Failures() => new()
    {
        { new CosmosException("down", HttpStatusCode.ServiceUnavailable, 0, "a", 0), "Cosmos DB" },
        { new CosmosException("slow", HttpStatusCode.RequestTimeout, 0, "a", 0), "Cosmos DB" },
        { new RequestFailedException(0, "connection refused"), "blob storage" },
        { new InvalidOperationException("wrapped", new RequestFailedException(503, "busy")), "blob storage" },
        { new RpcException(new Status(StatusCode.Unavailable, "sidecar gone")), "the durable backend" },
        { new HttpRequestException("refused"), "a storage service" },
        { new CosmosException("missing", HttpStatusCode.NotFound, 0, "a", 0), null },
        { new RequestFailedException(409, "conflict"), null },
        { new InvalidOperationException("a bug"), null },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void Only_a_dependency_that_does_not_answer_is_a_503(Exception failure, string? dependency) =>
        Assert.Equal(dependency, DependencyFailures.DependencyOf(failure));
}
