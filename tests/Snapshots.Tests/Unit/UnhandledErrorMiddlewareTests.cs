using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Azure.Cosmos;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;
using Snapshots.Errors;
using Snapshots.Functions.Http;

namespace Snapshots.Tests.Unit;

/// <summary>The deployed app's worker middleware answers an escaping exception as the local runtime does (<see cref="ProblemResponses"/>).</summary>
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
    public async Task A_refusal_is_answered_by_its_meaning_in_place_of_what_the_function_had_set()
    {
        var http = new DefaultHttpContext { Response = { Body = new MemoryStream() } };

        await Middleware().Invoke(Context(http), _ =>
        {
            http.Response.Headers.ContentDisposition = "attachment; filename=snapshot.zip";
            throw new NotFoundException("No snapshot with id 'x'.");
        });

        Assert.Equal(404, http.Response.StatusCode);
        Assert.StartsWith("application/problem+json", http.Response.ContentType);
        Assert.False(http.Response.Headers.ContainsKey("Content-Disposition"));
        var problem = JsonDocument.Parse(((MemoryStream)http.Response.Body).ToArray()).RootElement;
        Assert.Equal("Not found", problem.GetProperty("title").GetString());
        Assert.Equal("No snapshot with id 'x'.", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_caller_without_a_valid_token_is_asked_for_one()
    {
        var http = new DefaultHttpContext { Response = { Body = new MemoryStream() } };

        await Middleware().Invoke(Context(http), _ => throw new AuthenticationRequiredException("The token has expired."));

        Assert.Equal(401, http.Response.StatusCode);
        Assert.Equal("Bearer error=\"invalid_token\"", http.Response.Headers.WWWAuthenticate.ToString());
    }

    [Fact]
    public async Task A_response_already_under_way_is_not_written_to()
    {
        var http = new DefaultHttpContext();
        http.Features.Set<IHttpResponseFeature>(new StartedResponse());

        await Assert.ThrowsAsync<ConflictException>(() => Middleware().Invoke(Context(http), _ => throw new ConflictException("too late")));
    }

    [Fact]
    public async Task A_refusal_is_logged_as_routine_and_only_a_fault_as_an_error()
    {
        var logger = new RecordingLogger();
        var middleware = new UnhandledErrorMiddleware(logger);

        await middleware.Invoke(Context(new DefaultHttpContext { Response = { Body = new MemoryStream() } }), _ => throw new PermissionDeniedException("no"));
        await middleware.Invoke(Context(new DefaultHttpContext { Response = { Body = new MemoryStream() } }), _ => throw new InvalidOperationException("bug"));

        Assert.Equal([LogLevel.Information, LogLevel.Error], logger.Levels);
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

    private sealed class StartedResponse : HttpResponseFeature
    {
        public override bool HasStarted => true;
    }

    private sealed class RecordingLogger : ILogger<UnhandledErrorMiddleware>
    {
        public List<LogLevel> Levels { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Levels.Add(logLevel);
    }
}
