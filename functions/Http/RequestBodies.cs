using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Snapshots.Configuration;

namespace Snapshots.Functions.Http;

public static class RequestBodies
{
    /// <summary>
    /// Reads a JSON body of at most <see cref="RequestLimits.MaxJsonBodyBytes"/> (more is a 413); a missing or
    /// malformed body is an error message for a 400, never an exception.
    /// </summary>
    public static async Task<(T? Body, string? Error)> ReadJsonAsync<T>(HttpRequest request)
        where T : class
    {
        var bytes = await ReadBoundedAsync(request);
        try
        {
            var body = bytes.Length == 0 ? null : JsonSerializer.Deserialize<T>(bytes, SnapshotsJson.Options);
            return body is null ? (null, "The request needs a JSON body.") : (body, null);
        }
        catch (JsonException ex)
        {
            return (null, $"The body is not valid JSON: {ex.Message.Split('.')[0]}.");
        }
    }

    /// <summary>Reads a small optional JSON body (same limit): an empty body is <paramref name="empty"/>.</summary>
    public static async Task<(T? Body, string? Error)> ReadOptionalJsonAsync<T>(HttpRequest request, T empty)
        where T : class
    {
        var bytes = await ReadBoundedAsync(request);
        if (bytes.AsSpan().Trim(" \t\r\n"u8).IsEmpty)
        {
            return (empty, null);
        }

        try
        {
            return (JsonSerializer.Deserialize<T>(bytes, SnapshotsJson.Options) ?? empty, null);
        }
        catch (JsonException ex)
        {
            return (null, $"The body is not valid JSON: {ex.Message.Split('.')[0]}.");
        }
    }

    private static async Task<byte[]> ReadBoundedAsync(HttpRequest request)
    {
        const long limit = RequestLimits.MaxJsonBodyBytes;
        var tooLarge = $"The JSON body is larger than the limit of {limit} bytes.";
        if (request.ContentLength > limit)
        {
            throw new RequestBodyTooLargeException(tooLarge);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw new RequestBodyTooLargeException(tooLarge);
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>Reads a page size query value (1-1000, default 100).</summary>
    public static bool TryReadPageSize(HttpRequest request, out int pageSize)
    {
        pageSize = 100;
        return !request.Query.TryGetValue("pageSize", out var raw) || (int.TryParse(raw, out pageSize) && pageSize is >= 1 and <= 1000);
    }
}
