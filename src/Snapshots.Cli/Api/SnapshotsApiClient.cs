using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Snapshots.Cli.Api;

/// <summary>The HTTP API as the CLI uses it: JSON in and out, problem+json turned into <see cref="ApiException"/>.</summary>
public sealed class SnapshotsApiClient(HttpClient http)
{
    public Uri BaseAddress => http.BaseAddress!;

    public Task<JsonObject> GetAsync(string path, CancellationToken cancellationToken) => SendAsync(HttpMethod.Get, path, null, cancellationToken);

    public Task<JsonObject> PostJsonAsync(string path, object body, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, path, JsonContent.Create(body), cancellationToken);

    public Task<JsonObject> PutJsonAsync(string path, object body, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Put, path, JsonContent.Create(body), cancellationToken);

    public Task<JsonObject> PatchJsonAsync(string path, object body, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Patch, path, JsonContent.Create(body), cancellationToken);

    public Task<JsonObject> DeleteAsync(string path, CancellationToken cancellationToken) => SendAsync(HttpMethod.Delete, path, null, cancellationToken);

    public Task<JsonObject> PostFileAsync(string path, Stream content, string contentType, CancellationToken cancellationToken)
    {
        var body = new StreamContent(content);
        body.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return SendAsync(HttpMethod.Post, path, body, cancellationToken);
    }

    /// <summary>Streams a download to <paramref name="destination"/>, reporting bytes done and the total when known.</summary>
    public async Task<string?> DownloadAsync(string path, Stream destination, IProgress<(long Done, long? Total)> progress, CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(new HttpRequestMessage(HttpMethod.Get, path), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var total = response.Content.Headers.ContentLength;
        await using var source = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[81920];
        long done = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            done += read;
            progress.Report((done, total));
        }

        return response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName?.Trim('"');
    }

    private async Task<JsonObject> SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(new HttpRequestMessage(method, path) { Content = content }, HttpCompletionOption.ResponseContentRead, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        try
        {
            return JsonNode.Parse(text) as JsonObject ?? throw new JsonException();
        }
        catch (JsonException)
        {
            throw new UnexpectedAnswerException($"the service answered {method} {response.RequestMessage?.RequestUri} with something that is not a JSON object");
        }
    }

    private async Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, completion, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new ServiceUnreachableException(http.BaseAddress!.ToString().TrimEnd('/'), ex);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new ApiException((int)response.StatusCode, DetailOf(text) ?? $"{(int)response.StatusCode} {response.ReasonPhrase}");
        }
    }

    /// <summary>The problem's <c>detail</c>, else its <c>title</c>; null when the body is not a problem document.</summary>
    private static string? DetailOf(string problem)
    {
        try
        {
            var body = JsonNode.Parse(problem) as JsonObject;
            return Text(body?["detail"]) ?? Text(body?["title"]);
        }
        catch (JsonException)
        {
            return null;
        }

        static string? Text(JsonNode? node) =>
            node is JsonValue value && value.TryGetValue<string>(out var text) && !string.IsNullOrWhiteSpace(text) ? text : null;
    }
}
