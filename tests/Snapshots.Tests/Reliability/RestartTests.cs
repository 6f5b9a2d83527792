using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Snapshots.Tests.Support;
using Xunit.Abstractions;

namespace Snapshots.Tests.Reliability;

/// <summary>
/// The local runtime as a user runs it (its own emulators, a data folder of its own) is stopped with SIGINT and
/// with SIGKILL and started again on the same folder: every project, document page, AI, member list, backup
/// policy, snapshot and restore answers exactly as before.
/// </summary>
public sealed class RestartTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string data = Path.Combine(Path.GetTempPath(), "snapshots-tests", "restart-" + Guid.NewGuid().ToString("N"));
    private LocalRuntimeProcess service = null!;
    private HttpClient http = null!;

    public async Task InitializeAsync()
    {
        service = await LocalRuntimeProcess.StartWithEmulatorsAsync(data);
        http = service.CreateAdminClient();
    }

    public async Task DisposeAsync()
    {
        http.Dispose();
        await service.InterruptAsync();
        await service.DisposeAsync();
        try
        {
            Directory.Delete(data, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Everything_answers_the_same_after_a_sigint_and_after_a_sigkill_of_the_local_runtime()
    {
        var imported = await ImportAsync();
        var snapshotId = await CreateSnapshotAsync(imported);
        var patched = await http.PatchAsJsonAsync($"/api/snapshots/{snapshotId}", new { description = "before the restarts" });
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        await RestoreAsync(snapshotId);
        Assert.True((await http.PutAsJsonAsync($"/api/projects/{imported}/backup-policy",
            new { modes = new[] { "dataset" }, schedule = "0 2 * * *", retention = new { keepLast = 3 } })).IsSuccessStatusCode);
        Assert.True((await http.PutAsJsonAsync($"/api/projects/{imported}/members",
            new { members = new object[] { new { userId = "reliability-test", role = "owner" }, new { userId = "reader", name = "Reader", role = "reader" } } })).IsSuccessStatusCode);

        var before = await EverythingAsync();
        Assert.Equal(2, before["projects"]!.AsArray().Count);
        Assert.Contains(before["projects"]!.AsArray(), p => p!["restores"]!.AsArray().Count == 1);

        await service.InterruptAsync();
        await StartAgainAsync("SIGINT");
        Assert.Equal(before.ToJsonString(), (await EverythingAsync()).ToJsonString());

        await service.KillAsync();
        await StartAgainAsync("SIGKILL");
        Assert.Equal(before.ToJsonString(), (await EverythingAsync()).ToJsonString());
    }

    private async Task StartAgainAsync(string signal)
    {
        await service.DisposeAsync();
        http.Dispose();
        service = await LocalRuntimeProcess.StartWithEmulatorsAsync(data);
        http = service.CreateAdminClient();
        output.WriteLine($"{signal}, started again on {data}");
    }

    /// <summary>Every GET of every project, snapshot and restore, with the status codes (a 404 counts as an answer).</summary>
    private async Task<JsonObject> EverythingAsync()
    {
        var projects = new JsonArray();
        var page = await GetAsync("/api/projects?pageSize=1000");
        foreach (var entry in page["items"]!.AsArray())
        {
            var id = entry!["id"]!.GetValue<string>();
            var snapshots = await GetAsync($"/api/projects/{id}/snapshots?pageSize=1000");
            var details = new JsonArray();
            foreach (var snapshot in snapshots["items"]!.AsArray())
            {
                var snapshotId = snapshot!["id"]!.GetValue<string>();
                details.Add(new JsonObject
                {
                    ["snapshot"] = await GetAsync($"/api/snapshots/{snapshotId}"),
                    ["restores"] = await GetAsync($"/api/snapshots/{snapshotId}/restores?pageSize=1000"),
                });
            }

            projects.Add(new JsonObject
            {
                ["entry"] = entry.DeepClone(),
                ["project"] = await GetAsync($"/api/projects/{id}"),
                ["documents"] = await GetAsync($"/api/projects/{id}/documents?pageSize=1000"),
                ["ais"] = await GetAsync($"/api/projects/{id}/ais?pageSize=1000"),
                ["members"] = await GetAsync($"/api/projects/{id}/members"),
                ["backupPolicy"] = await GetAsync($"/api/projects/{id}/backup-policy"),
                ["snapshots"] = snapshots,
                ["snapshotDetails"] = details,
                ["restores"] = await RestoresAsync(id),
            });
        }

        return new JsonObject { ["projects"] = projects };
    }

    private async Task<JsonArray> RestoresAsync(string projectId)
    {
        var restores = new JsonArray();
        foreach (var restore in (await GetAsync($"/api/restores?projectId={projectId}"))["items"]!.AsArray())
        {
            restores.Add(await GetAsync($"/api/restores/{restore!["id"]!.GetValue<string>()}"));
        }

        return restores;
    }

    private async Task<JsonNode> GetAsync(string path)
    {
        using var response = await http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode
            ? JsonNode.Parse(body)!
            : new JsonObject { ["status"] = (int)response.StatusCode };
    }

    private async Task<string> ImportAsync()
    {
        var response = await http.PostZipAsync("/api/imports?name=restarted", ExportArchives.SmallFixture());
        var accepted = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await Eventually.ReturnsAsync(() => http.GetFromJsonAsync<JsonElement>($"/api/operations/{accepted.GetProperty("id").GetString()}"),
            o => o.GetProperty("status").GetString() == "Completed", TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(200));
        return accepted.GetProperty("projectId").GetString()!;
    }

    private async Task<string> CreateSnapshotAsync(string projectId)
    {
        var started = await http.PostAsJsonAsync($"/api/projects/{projectId}/snapshots", new { modes = new[] { "dataset", "ai" } });
        var id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await Eventually.ReturnsAsync(() => http.GetFromJsonAsync<JsonElement>($"/api/snapshots/{id}"),
            s => s.GetProperty("status").GetString() == "created", TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(200));
        return id;
    }

    private async Task RestoreAsync(string snapshotId)
    {
        var restore = await (await http.PostAsync($"/api/snapshots/{snapshotId}/restores", null)).Content.ReadFromJsonAsync<JsonElement>();
        var id = restore.GetProperty("id").GetString()!;
        await Eventually.ReturnsAsync(() => http.GetFromJsonAsync<JsonElement>($"/api/restores/{id}"),
            // Revertible: its steps after the publish (fold-in, ledger) have run, so nothing of it changes any more.
            r => r.GetProperty("status").GetString() == "restored" && r.GetProperty("revertible").GetBoolean(), TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(200));
    }
}
