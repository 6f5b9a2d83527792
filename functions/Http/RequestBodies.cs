using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Snapshots.Configuration;

namespace Snapshots.Functions.Http;

public static class RequestBodies
{
    /// <summary>Reads a JSON body; a missing or malformed body is an error message for a 400, never an exception.</summary>
    public static async Task<(T? Body, string? Error)> ReadJsonAsync<T>(HttpRequest request)
        where T : class
    {
        try
        {
            var body = await JsonSerializer.DeserializeAsync<T>(request.Body, SnapshotsJson.Options, request.HttpContext.RequestAborted);
            return body is null ? (null, "The request needs a JSON body.") : (body, null);
        }
        catch (JsonException ex)
        {
            return (null, $"The body is not valid JSON: {ex.Message.Split('.')[0]}.");
        }
    }

    /// <summary>Reads a small optional JSON body: an empty body is <paramref name="empty"/>.</summary>
    public static async Task<(T? Body, string? Error)> ReadOptionalJsonAsync<T>(HttpRequest request, T empty)
        where T : class
    {
        using var reader = new StreamReader(request.Body);
        var text = await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
        if (string.IsNullOrWhiteSpace(text))
        {
            return (empty, null);
        }

        try
        {
            return (JsonSerializer.Deserialize<T>(text, SnapshotsJson.Options) ?? empty, null);
        }
        catch (JsonException ex)
        {
            return (null, $"The body is not valid JSON: {ex.Message.Split('.')[0]}.");
        }
    }

    /// <summary>Reads a page size query value (1-1000, default 100).</summary>
    public static bool TryReadPageSize(HttpRequest request, out int pageSize)
    {
        pageSize = 100;
        return !request.Query.TryGetValue("pageSize", out var raw) || (int.TryParse(raw, out pageSize) && pageSize is >= 1 and <= 1000);
    }
}
