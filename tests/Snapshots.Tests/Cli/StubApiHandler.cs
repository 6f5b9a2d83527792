using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace Snapshots.Tests.Cli;

/// <summary>A request the CLI sent, with its body read while it was still open.</summary>
public sealed record RecordedRequest(HttpMethod Method, Uri Uri, string? Authorization, string? ContentType, long? ContentLength, byte[] Body);

/// <summary>
/// Stands in for the snapshot service: answers by method and path, in order when one route is given several answers
/// (the last one repeats), and records every request.
/// </summary>
public sealed class StubApiHandler : HttpMessageHandler
{
    private readonly ConcurrentDictionary<string, Queue<Func<HttpResponseMessage>>> routes = new();
    private readonly ConcurrentQueue<RecordedRequest> requests = new();

    public IReadOnlyList<RecordedRequest> Requests => [.. requests];

    /// <summary>When set, every request fails as if the connection could not be made.</summary>
    public Exception? Failure { get; set; }

    public StubApiHandler On(HttpMethod method, string path, params Func<HttpResponseMessage>[] answers)
    {
        routes[Key(method, path)] = new Queue<Func<HttpResponseMessage>>(answers);
        return this;
    }

    public IEnumerable<RecordedRequest> To(HttpMethod method, string path) =>
        Requests.Where(request => request.Method == method && request.Uri.AbsolutePath == path);

    public static Func<HttpResponseMessage> Json(HttpStatusCode status, string json, string contentType = "application/json") => () =>
        new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, contentType) };

    public static Func<HttpResponseMessage> Problem(HttpStatusCode status, string detail) =>
        Json(status, $$"""{"title":"{{status}}","status":{{(int)status}},"detail":{{System.Text.Json.JsonSerializer.Serialize(detail)}}}""", "application/problem+json");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // The declared length is computed from the stream's position: read it before the body.
        var length = request.Content?.Headers.ContentLength;
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        requests.Enqueue(new RecordedRequest(request.Method, request.RequestUri!, request.Headers.Authorization?.ToString(),
            request.Content?.Headers.ContentType?.MediaType, length, body));
        if (Failure is not null)
        {
            throw Failure;
        }

        if (!routes.TryGetValue(Key(request.Method, request.RequestUri!.AbsolutePath), out var answers))
        {
            return Problem(HttpStatusCode.NotFound, $"stub: no route for {request.Method} {request.RequestUri!.AbsolutePath}")();
        }

        lock (answers)
        {
            var answer = answers.Count > 1 ? answers.Dequeue() : answers.Peek();
            var response = answer();
            response.RequestMessage = request;
            return response;
        }
    }

    private static string Key(HttpMethod method, string path) => $"{method} {path}";
}
