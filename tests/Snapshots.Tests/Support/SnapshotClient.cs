using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;

namespace Snapshots.Tests.Support;

/// <summary>Creates snapshots through the API and opens their archives.</summary>
public static class SnapshotClient
{
    public static async Task<HttpResponseMessage> PostSnapshotAsync(this HttpClient http, string projectId, string[] modes, string? description = null) =>
        await http.PostAsJsonAsync($"/api/projects/{projectId}/snapshots", new { modes, description });

    /// <summary>Creates a snapshot and waits until it leaves <c>creating</c>; returns its record.</summary>
    public static async Task<JsonElement> CreateSnapshotAsync(this HttpClient http, string projectId, params string[] modes)
    {
        var response = await http.PostSnapshotAsync(projectId, modes);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw new InvalidOperationException($"Create answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        return await http.WaitForSnapshotAsync(id);
    }

    public static Task<JsonElement> WaitForSnapshotAsync(this HttpClient http, string snapshotId) =>
        Eventually.ReturnsAsync(
            () => http.GetFromJsonAsync<JsonElement>($"/api/snapshots/{snapshotId}"),
            s => s.GetProperty("status").GetString() != "creating",
            TimeSpan.FromMinutes(2));

    public static async Task<ZipArchive> DownloadAsync(this HttpClient http, string snapshotId)
    {
        var bytes = await http.GetByteArrayAsync($"/api/snapshots/{snapshotId}/download");
        return new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read);
    }

    public static JsonElement Manifest(this ZipArchive zip)
    {
        using var stream = zip.GetEntry("manifest.json")!.Open();
        return JsonDocument.Parse(stream).RootElement.Clone();
    }

    public static List<JsonElement> ReadNdjson(this ZipArchive zip, string entry)
    {
        using var reader = new StreamReader(zip.GetEntry(entry)!.Open());
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
    }

    public static string Sha256(this ZipArchiveEntry entry)
    {
        using var stream = entry.Open();
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
