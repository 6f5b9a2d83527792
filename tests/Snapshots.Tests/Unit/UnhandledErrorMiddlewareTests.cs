using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Cosmos;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;
using Snapshots.Functions.Http;

namespace Snapshots.Tests.Unit;

/// <summary>The deployed app's worker middleware answers an escaping exception as the local runtime does.</summary>
public sealed class UnhandledErrorMiddlewareTests
{
    // Where the worker's ASP.NET Core integration keeps an invocation's HttpContext (FunctionContext.GetHttpContext reads it).
    private const string HttpContextKey = "HttpRequestContext";

    [Fact]
    public async Task A_dependency_that_does_not_answer_is_a_503_problem_with_retry_after()
    {
        var http = new DefaultHttpContext { Response = { Body = new MemoryStream() } };

        await Middleware().Invoke(Context(http), _ => throw new CosmosException("down", HttpStatusCode.ServiceUnavailable, 0, "a", 0));

        Assert.Equal(503, http.Response.StatusCode);
        Assert.Equal(DependencyFailures.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), http.Response.Headers.RetryAfter.ToString());
        Assert.StartsWith("application/problem+json", http.Response.ContentType);
        var problem = JsonDocument.Parse(((MemoryStream)http.Response.Body).ToArray()).RootElement;
        Assert.Equal("Cosmos DB does not answer right now; retry in a few seconds.", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Anything_else_is_a_one_line_500_without_the_exception()
    {
        var http = new DefaultHttpContext { Response = { Body = new MemoryStream() } };

        await Middleware().Invoke(Context(http), _ => throw new InvalidOperationException("secret internals"));

        Assert.Equal(500, http.Response.StatusCode);
        Assert.DoesNotContain("secret internals", System.Text.Encoding.UTF8.GetString(((MemoryStream)http.Response.Body).ToArray()));
    }

    [Fact]
    public async Task A_failure_outside_an_http_function_is_rethrown_for_the_durable_retries() =>
        await Assert.ThrowsAsync<InvalidOperationException>(() => Middleware().Invoke(Context(null), _ => throw new InvalidOperationException("activity failed")));

    private static UnhandledErrorMiddleware Middleware() => new(NullLogger<UnhandledErrorMiddleware>.Instance);

    private static FunctionContext Context(HttpContext? http)
    {
        var definition = new Mock<FunctionDefinition>();
        definition.SetupGet(d => d.Name).Returns("SomeFunction");
        var context = new Mock<FunctionContext>();
        context.SetupGet(c => c.FunctionDefinition).Returns(definition.Object);
        context.SetupGet(c => c.Items).Returns(http is null ? new Dictionary<object, object>() : new Dictionary<object, object> { [HttpContextKey] = http });
        return context.Object;
    }
}
