using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Snapshots.Configuration;
using Snapshots.Projects;
using Snapshots.Storage;

namespace Snapshots.Tests.Support;

/// <summary>
/// Everything a project shows, to compare before and after: its API view with counts, its documents and AIs through
/// the API, its schema as reads see it, and every blob under its prefix in the data storage.
/// </summary>
public sealed record TargetState(string Project, string Documents, string Ais, string Categories, string Labels, string LabelSets, string Blobs)
{
    public static async Task<TargetState> ReadAsync(ServiceFixture service, string projectId)
    {
        var http = service.Http;
        var store = service.Services.GetRequiredService<ProjectStore>();
        var documents = new List<JsonElement>();
        string? continuation = null;
        do
        {
            var page = await http.GetFromJsonAsync<JsonElement>(
                $"/api/projects/{projectId}/documents?pageSize=1000{(continuation is null ? "" : "&continuationToken=" + Uri.EscapeDataString(continuation))}");
            documents.AddRange(page.GetProperty("items").EnumerateArray());
            continuation = page.TryGetProperty("continuationToken", out var token) && token.ValueKind == JsonValueKind.String ? token.GetString() : null;
        }
        while (continuation is not null);

        var visibility = await store.VisibilityAsync(projectId, default);
        return new TargetState(
            await http.GetStringAsync($"/api/projects/{projectId}"),
            Sorted(documents.Select(d => d.GetRawText())),
            await http.GetStringAsync($"/api/projects/{projectId}/ais"),
            Sorted((await store.ListAsync<Category>(projectId, visibility, default).CollectAsync()).Select(Json)),
            Sorted((await store.ListAsync<Label>(projectId, visibility, default).CollectAsync()).Select(Json)),
            Sorted((await store.ListLabelSetsAsync(projectId, visibility, default).CollectAsync()).Select(Json)),
            await ReadBlobsAsync(service, projectId));
    }

    /// <summary>Every blob under the project's prefix in the data storage, with its size and hash, one per line.</summary>
    public static async Task<string> ReadBlobsAsync(ServiceFixture service, string projectId)
    {
        var data = service.Services.GetRequiredService<BlobAccounts>().Data;
        var names = new List<string>();
        foreach (var container in new[] { BlobContainerNames.Documents, BlobContainerNames.Models })
        {
            await foreach (var blob in data.GetBlobContainerClient(container).GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = projectId + "/" }))
            {
                names.Add($"{container}/{blob.Name} {blob.Properties.ContentLength} {Convert.ToHexString(blob.Properties.ContentHash ?? [])}");
            }
        }

        return Sorted(names);
    }

    private static string Json<T>(T value) => JsonSerializer.Serialize(value, SnapshotsJson.Options);

    private static string Sorted(IEnumerable<string> lines) => string.Join('\n', lines.Order(StringComparer.Ordinal));
}
