using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Snapshots.Access;
using Snapshots.Local.Emulators;
using Snapshots.Projects;
using Snapshots.Seeding;
using Snapshots.Tests.Support;
using Xunit.Abstractions;

namespace Snapshots.Tests.Reliability;

/// <summary>
/// The service process is killed with SIGKILL while a snapshot is being created and while a restore runs, at two
/// points each (the first progress seen at or past 10 %, then at or past 35 %, of the documents; always before the
/// documents are done), and started again on the same data: each operation finishes by itself (or after one
/// retry, if it ended in "Contact support.") with exact counts and no duplicate. The points are printed.
/// </summary>
public sealed class KillTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string data = Path.Combine(Path.GetTempPath(), "snapshots-tests", "kill-" + Guid.NewGuid().ToString("N"));
    private EmulatorSet emulators = null!;
    private ServiceProvider engine = null!;
    private LocalRuntimeProcess service = null!;
    private HttpClient http = null!;

    public async Task InitializeAsync()
    {
        emulators = await EmulatorSet.StartAsync(new EmulatorOptions { DataDirectory = data }, NullLogger.Instance);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(emulators.Endpoints.ToConfiguration()).Build();
        engine = new ServiceCollection().AddLogging(l => l.SetMinimumLevel(LogLevel.Warning)).AddSingleton<IConfiguration>(configuration)
            .AddSnapshotsEngine(configuration).BuildServiceProvider();
        // The service creates the containers and the database when it starts; the seeding comes after.
        service = await LocalRuntimeProcess.StartAsync(emulators.Endpoints);
        http = Client();
    }

    public async Task DisposeAsync()
    {
        http.Dispose();
        await service.DisposeAsync();
        await engine.DisposeAsync();
        await emulators.DisposeAsync();
        try
        {
            Directory.Delete(data, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task A_create_and_a_restore_killed_midway_finish_after_a_restart_with_exact_counts()
    {
        var projectId = await engine.GetRequiredService<SyntheticProjectSeeder>().SeedAsync(
            new SeedSpec { Name = "killed", Documents = 1500, AnnotationsPerDocument = 4, Ais = 3, DocumentFileBytes = 2048, ModelFileBytes = 4096 });
        var counts = (await http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}")).GetProperty("counts");
        var datasetDocuments = counts.Get("documentsByDatasetStatus.training").GetInt32() + counts.Get("documentsByDatasetStatus.test").GetInt32();

        foreach (var low in new[] { 0.10, 0.35 })
        {
            // Create, killed while its document batches are exported.
            var started = await http.PostAsJsonAsync($"/api/projects/{projectId}/snapshots", new { modes = new[] { "dataset", "ai" } });
            var snapshotId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
            var at = await Eventually.ReturnsAsync(async () => Fraction(await http.GetFromJsonAsync<JsonElement>($"/api/operations/{snapshotId}"), "documentsDone", "documentsTotal"),
                fraction => fraction >= low, TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(20));
            await RestartAsync($"create {snapshotId} at {at:P0} of its documents");
            var snapshot = await Eventually.ReturnsAsync(() => http.GetFromJsonAsync<JsonElement>($"/api/snapshots/{snapshotId}"),
                s => s.GetProperty("status").GetString() != "creating", TimeSpan.FromMinutes(3), TimeSpan.FromMilliseconds(200));
            Assert.Equal("created", snapshot.GetProperty("status").GetString());
            Assert.Equal(datasetDocuments, snapshot.Get("counts.documents").GetInt32());
            Assert.Equal(counts.GetProperty("labels").GetInt32(), snapshot.Get("counts.labels").GetInt32());
            Assert.True(at < 1, $"the create had exported all its documents ({at:P0}) before the kill");

            // Restore of that snapshot, killed while it writes its documents.
            var restore = await (await http.PostAsync($"/api/snapshots/{snapshotId}/restores", null)).Content.ReadFromJsonAsync<JsonElement>();
            var restoreId = restore.GetProperty("id").GetString()!;
            var restoredAt = await Eventually.ReturnsAsync(async () =>
            {
                var view = await http.GetFromJsonAsync<JsonElement>($"/api/restores/{restoreId}");
                return view.TryGetProperty("progress", out var progress) && progress.ValueKind == JsonValueKind.Object
                    ? Fraction(progress.GetProperty("documents"), "done", "total") : 0;
            }, fraction => fraction >= low, TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(20));
            Assert.True(restoredAt < 1, $"the restore had written all its documents ({restoredAt:P0}) before the kill");
            await RestartAsync($"restore {restoreId} at {restoredAt:P0} of its documents");
            var ended = await WaitForRestoreAsync(restoreId);
            if (ended.GetProperty("status").GetString() == "contactSupport")
            {
                output.WriteLine($"restore {restoreId} ended in Contact support ({ended.GetProperty("error").GetString()}); one retry");
                await Eventually.ReturnsAsync(() => http.PostAsync($"/api/restores/{restoreId}/retry", null), r => r.IsSuccessStatusCode, TimeSpan.FromMinutes(1));
                ended = await WaitForRestoreAsync(restoreId);
            }

            Assert.Equal("restored", ended.GetProperty("status").GetString());
            var target = ended.GetProperty("projectId").GetString()!;
            var restoredCounts = (await http.GetFromJsonAsync<JsonElement>($"/api/projects/{target}")).GetProperty("counts");
            Assert.Equal(datasetDocuments, restoredCounts.GetProperty("documents").GetInt32());
            Assert.Equal(snapshot.Get("counts.annotations").GetInt32(), restoredCounts.GetProperty("annotations").GetInt32());
            Assert.Equal(snapshot.Get("counts.ais").GetInt32(), restoredCounts.GetProperty("ais").GetInt32());
            var names = (await engine.GetRequiredService<ProjectStore>().ListAsync<Document>(target, default).CollectAsync()).Select(d => d.Name).ToList();
            Assert.Equal(names.Count, names.Distinct().Count());
        }
    }

    private async Task RestartAsync(string what)
    {
        await service.KillAsync();
        output.WriteLine($"SIGKILL of the service process during the {what}");
        await service.DisposeAsync();
        service = await LocalRuntimeProcess.StartAsync(emulators.Endpoints);
        http.Dispose();
        http = Client();
    }

    private Task<JsonElement> WaitForRestoreAsync(string restoreId) =>
        Eventually.ReturnsAsync(() => http.GetFromJsonAsync<JsonElement>($"/api/restores/{restoreId}"),
            r => r.GetProperty("status").GetString() is "restored" or "contactSupport" or "cancelled", TimeSpan.FromMinutes(3), TimeSpan.FromMilliseconds(200));

    private static double Fraction(JsonElement element, string done, string total)
    {
        var source = element.TryGetProperty("progress", out var progress) && progress.ValueKind == JsonValueKind.Object ? progress : element;
        return source.TryGetProperty(done, out var d) && source.TryGetProperty(total, out var t) && t.GetDouble() > 0 ? d.GetDouble() / t.GetDouble() : 0;
    }

    private HttpClient Client()
    {
        var client = new HttpClient { BaseAddress = service.Address, Timeout = TimeSpan.FromSeconds(60) };
        var key = DevelopmentTokens.LoadOrCreateKey(DevelopmentTokens.DefaultKeyPath);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            DevelopmentTokens.Mint(key, new DevelopmentTokenRequest("kill-test") { EnvironmentRoles = [EnvironmentRoles.Admin] }));
        return client;
    }
}
