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
