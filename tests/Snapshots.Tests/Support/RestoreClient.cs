using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Snapshots.Tests.Support;

public static class RestoreClient
{
    public static async Task<JsonElement> StartRestoreAsync(this HttpClient http, string snapshotId, object? body = null)
    {
        var response = body is null
            ? await http.PostAsync($"/api/snapshots/{snapshotId}/restores", null)
            : await http.PostAsJsonAsync($"/api/snapshots/{snapshotId}/restores", body);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw new InvalidOperationException($"Restore answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static Task<JsonElement> WaitForRestoreAsync(this HttpClient http, string restoreId) =>
        Eventually.ReturnsAsync(
            () => http.GetFromJsonAsync<JsonElement>($"/api/restores/{restoreId}"),
            r => r.GetProperty("status").GetString() is "restored" or "contactSupport",
            TimeSpan.FromMinutes(2));

    public static async Task<JsonElement> RestoreAsync(this HttpClient http, string snapshotId, object? body = null)
    {
        var started = await http.StartRestoreAsync(snapshotId, body);
        return await http.WaitForRestoreAsync(started.GetProperty("id").GetString()!);
    }
}
