using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Snapshots.Tests.Support;

public static class ApiClientExtensions
{
    public static Task<HttpResponseMessage> PostZipAsync(this HttpClient http, string uri, byte[] zip)
    {
        var content = new ByteArrayContent(zip);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        return http.PostAsync(uri, content);
    }

    public static async Task<JsonObject> ReadJsonObjectAsync(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonObject>())!;

    /// <summary>Imports an export through the API and waits for the import to finish; returns the project id.</summary>
    public static async Task<string> ImportAsync(this ServiceFixture service, byte[] zip, string name)
    {
        var response = await service.Http.PostZipAsync($"/api/imports?name={Uri.EscapeDataString(name)}", zip);
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != System.Net.HttpStatusCode.Accepted)
        {
            throw new InvalidOperationException($"Import answered {(int)response.StatusCode}: {body}");
        }

        var accepted = JsonNode.Parse(body)!.AsObject();
        var operation = await service.WaitForOperationAsync(accepted["statusUri"]!.GetValue<string>(), TimeSpan.FromMinutes(2));
        return operation.Status == "Completed"
            ? accepted["projectId"]!.GetValue<string>()
            : throw new InvalidOperationException($"Import ended {operation.Status}: {operation.Error}");
    }

    /// <summary>
    /// Uploads a zip that must not import, and returns how it was refused: by the request itself (a 4xx problem, for
    /// what the zip's central directory shows) or by the operation the request started (202, then an import that
    /// failed or a restore that ended in "contact support", for what only reading the contents shows).
    /// </summary>
    public static async Task<UploadRefusal> UploadRefusedAsync(this HttpClient http, string uri, byte[] zip)
    {
        using var response = await http.PostZipAsync(uri, zip);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        if (response.StatusCode != System.Net.HttpStatusCode.Accepted)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            return new UploadRefusal(response.StatusCode, body.GetProperty("detail").GetString()!, null);
        }

        if (body.TryGetProperty("status", out _))
        {
            var restore = await http.WaitForRestoreAsync(body.GetProperty("id").GetString()!);
            Assert.Equal("contactSupport", restore.GetProperty("status").GetString());
            await http.WaitUntilOrchestrationEndsAsync(body.GetProperty("id").GetString()!);
            return new UploadRefusal(response.StatusCode, restore.GetProperty("error").GetString()!, body.GetProperty("id").GetString());
        }

        var operation = await http.WaitUntilOrchestrationEndsAsync(body.GetProperty("id").GetString()!);
        Assert.Equal("Failed", operation.GetProperty("status").GetString());
        return new UploadRefusal(response.StatusCode, operation.GetProperty("error").GetString()!, body.GetProperty("id").GetString());
    }

    /// <summary>
    /// Waits until an operation's orchestration has ended (admins see every operation): a failed restore reports
    /// before it has discarded what it staged, its orchestration ends after.
    /// </summary>
    public static Task<JsonElement> WaitUntilOrchestrationEndsAsync(this HttpClient http, string instanceId) =>
        Eventually.ReturnsAsync(
            () => http.GetFromJsonAsync<JsonElement>($"/api/operations/{instanceId}"),
            o => o.GetProperty("status").GetString() is "Completed" or "Failed" or "Terminated", TimeSpan.FromMinutes(2));

    public static async Task<IReadOnlyList<string>> ListProjectIdsAsync(this HttpClient http)
    {
        var page = await http.GetFromJsonAsync<JsonObject>("/api/projects?pageSize=1000");
        return page!["items"]!.AsArray().Select(p => p!["id"]!.GetValue<string>()).ToList();
    }

    public static JsonElement Get(this JsonElement element, string path) =>
        path.Split('.').Aggregate(element, (current, name) => current.GetProperty(name));
}

public static class AsyncEnumerables
{
    /// <summary>Collects an async sequence (spelled out: two LINQ-for-async libraries are referenced and clash).</summary>
    public static async Task<List<T>> CollectAsync<T>(this IAsyncEnumerable<T> source)
    {
        var items = new List<T>();
        await foreach (var item in source)
        {
            items.Add(item);
        }

        return items;
    }
}

/// <param name="Status">What the upload request answered: a 4xx, or 202 when the operation it started failed.</param>
/// <param name="Reason">The problem's detail, or the failed operation's reason.</param>
/// <param name="Id">The operation (import or restore) the request started, if it did.</param>
public sealed record UploadRefusal(System.Net.HttpStatusCode Status, string Reason, string? Id);
