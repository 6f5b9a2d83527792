using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Snapshots.Create;
using Snapshots.Imports;
using Snapshots.Local.Emulators;
using Snapshots.Projects;
using Snapshots.Restore;
using Snapshots.Testing.Seeding;
using Snapshots.Tests.Support;
using Xunit.Abstractions;

namespace Snapshots.Tests.Reliability;

/// <summary>
/// The service process is killed with SIGKILL while a snapshot is being created, while a restore runs and while a
/// Konfuzio export is imported, at two points each, and started again on the same data: each operation finishes by
/// itself (or after one retry, if it ended in "Contact support.") with exact counts and no duplicate. The points
/// are exact: the service runs as <see cref="TestAssemblyEntryPoint"/>, which lets a chosen number of document
/// batches through and holds the rest, so the kill lands when the progress shows exactly those batches (between
/// 10 % and 60 % of the documents). The points are printed.
/// </summary>
public abstract class KillTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly Stopwatch clock = Stopwatch.StartNew();

    protected ITestOutputHelper Output { get; } = output;

    /// <summary>Prints a step with the seconds since the test started, so a slow run shows where its time went.</summary>
    protected void Log(string message) => Output.WriteLine($"[{clock.Elapsed.TotalSeconds,6:0.0} s] {message}");

    private readonly string data = Path.Combine(Path.GetTempPath(), "snapshots-tests", "kill-" + Guid.NewGuid().ToString("N"));
    private EmulatorSet emulators = null!;
    protected ServiceProvider engine = null!;
    private LocalRuntimeProcess service = null!;
    protected HttpClient http = null!;

    public async Task InitializeAsync()
    {
        emulators = await EmulatorSet.StartAsync(new EmulatorOptions { DataDirectory = data }, NullLogger.Instance);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(emulators.Endpoints.ToConfiguration()).Build();
        engine = new ServiceCollection().AddLogging(l => l.SetMinimumLevel(LogLevel.Warning)).AddSingleton<IConfiguration>(configuration)
            .AddSnapshotsEngine(configuration).AddSyntheticProjectSeeder().BuildServiceProvider();
        // The service creates the containers and the database when it starts; the seeding comes after.
        service = await LocalRuntimeProcess.StartAsync(emulators.Endpoints);
        http = service.CreateAdminClient();
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

    /// <summary>Two numbers of batches whose documents are 10-60 % of the total: the first past 10 %, the last before 50 %.</summary>
    protected static int[] KillPoints(int documents, int perBatch)
    {
        var low = (int)Math.Ceiling(documents * 0.10 / perBatch);
        var high = (int)Math.Floor(documents * 0.50 / perBatch);
        Assert.True(high > low, $"{documents} documents in batches of {perBatch} leave no two kill points");
        return [low, high];
    }

    protected async Task AssertNoDuplicateDocumentsAsync(string projectId, Func<Document, string> key, int expected)
    {
        var keys = (await engine.GetRequiredService<ProjectStore>().ListAsync<Document>(projectId, default).CollectAsync()).Select(key).ToList();
        Assert.Equal(expected, keys.Count);
        Assert.Equal(keys.Count, keys.Distinct().Count());
    }

    protected async Task KillAndRestartAsync(string what)
    {
        await service.KillAsync();
        Log($"SIGKILL of the service process during the {what}");
        await RestartAsync(passBatches: null);
    }

    protected async Task RestartAsync(int? passBatches)
    {
        await service.DisposeAsync();
        service = await LocalRuntimeProcess.StartAsync(emulators.Endpoints, passBatches);
        Log(passBatches is { } pass ? $"service started, letting {pass} batches through" : "service started");
        http.Dispose();
        http = service.CreateAdminClient();
    }

    protected Task<JsonElement> WaitForRestoreAsync(string restoreId) =>
        Eventually.ReturnsAsync(() => http.GetFromJsonAsync<JsonElement>($"/api/restores/{restoreId}"),
            r => r.GetProperty("status").GetString() is "restored" or "contactSupport" or "cancelled", TimeSpan.FromMinutes(3), TimeSpan.FromMilliseconds(200));

    protected static int Done(JsonElement element, string done)
    {
        var source = element.TryGetProperty("progress", out var progress) && progress.ValueKind == JsonValueKind.Object ? progress : element;
        return source.TryGetProperty(done, out var value) ? value.GetInt32() : 0;
    }
}

/// <summary>Kills during a create and during a restore of the snapshot it made.</summary>
public sealed class CreateAndRestoreKillTests(ITestOutputHelper output) : KillTests(output)
{
    [Fact]
    public async Task Creates_and_restores_killed_at_two_points_finish_after_a_restart_with_exact_counts()
    {
        var projectId = await engine.GetRequiredService<SyntheticProjectSeeder>().SeedAsync(
            new SeedSpec { Name = "killed", Documents = 1500, AnnotationsPerDocument = 4, Ais = 3, DocumentFileBytes = 2048, ModelFileBytes = 4096 });
        var counts = (await http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}")).GetProperty("counts");
        var datasetDocuments = counts.Get("documentsByDatasetStatus.training").GetInt32() + counts.Get("documentsByDatasetStatus.test").GetInt32();
        Log($"seeded {datasetDocuments} training and test documents");

        foreach (var batches in KillPoints(datasetDocuments, SnapshotExporter.DocumentsPerBatch))
        {
            // Create, killed while its document batches are exported.
            await RestartAsync(passBatches: batches);
            var started = await http.PostAsJsonAsync($"/api/projects/{projectId}/snapshots", new { modes = new[] { "dataset", "ai" } });
            var snapshotId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
            var exported = batches * SnapshotExporter.DocumentsPerBatch;
            await Eventually.ReturnsAsync(async () => Done(await http.GetFromJsonAsync<JsonElement>($"/api/operations/{snapshotId}"), "documentsDone"),
                done => done == exported, TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(50));
            await KillAndRestartAsync($"create {snapshotId} at {exported} of {datasetDocuments} documents ({(double)exported / datasetDocuments:P0})");
            var snapshot = await Eventually.ReturnsAsync(() => http.GetFromJsonAsync<JsonElement>($"/api/snapshots/{snapshotId}"),
                s => s.GetProperty("status").GetString() != "creating", TimeSpan.FromMinutes(3), TimeSpan.FromMilliseconds(200));
            Assert.Equal("created", snapshot.GetProperty("status").GetString());
            Assert.Equal(datasetDocuments, snapshot.Get("counts.documents").GetInt32());
            Assert.Equal(counts.GetProperty("labels").GetInt32(), snapshot.Get("counts.labels").GetInt32());
            Log($"create {snapshotId} finished after the restart");

            // Restore of that snapshot, killed while it writes its documents.
            await RestartAsync(passBatches: batches);
            var restore = await (await http.PostAsync($"/api/snapshots/{snapshotId}/restores", null)).Content.ReadFromJsonAsync<JsonElement>();
            var restoreId = restore.GetProperty("id").GetString()!;
            var written = batches * DocumentRestorer.DocumentsPerBatch;
            await Eventually.ReturnsAsync(async () =>
            {
                var view = await http.GetFromJsonAsync<JsonElement>($"/api/restores/{restoreId}");
                return view.TryGetProperty("progress", out var progress) && progress.ValueKind == JsonValueKind.Object ? Done(progress.GetProperty("documents"), "done") : 0;
            }, done => done == written, TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(50));
            await KillAndRestartAsync($"restore {restoreId} at {written} of {datasetDocuments} documents ({(double)written / datasetDocuments:P0})");
            var ended = await WaitForRestoreAsync(restoreId);
            if (ended.GetProperty("status").GetString() == "contactSupport")
            {
                Log($"restore {restoreId} ended in Contact support ({ended.GetProperty("error").GetString()}); one retry");
                await Eventually.ReturnsAsync(() => http.PostAsync($"/api/restores/{restoreId}/retry", null), r => r.IsSuccessStatusCode, TimeSpan.FromMinutes(1));
                ended = await WaitForRestoreAsync(restoreId);
            }

            Assert.Equal("restored", ended.GetProperty("status").GetString());
            var target = ended.GetProperty("projectId").GetString()!;
            var restoredCounts = (await http.GetFromJsonAsync<JsonElement>($"/api/projects/{target}")).GetProperty("counts");
            Assert.Equal(datasetDocuments, restoredCounts.GetProperty("documents").GetInt32());
            Assert.Equal(snapshot.Get("counts.annotations").GetInt32(), restoredCounts.GetProperty("annotations").GetInt32());
            Assert.Equal(snapshot.Get("counts.ais").GetInt32(), restoredCounts.GetProperty("ais").GetInt32());
            await AssertNoDuplicateDocumentsAsync(target, d => d.Name, datasetDocuments);
            Log($"restore {restoreId} finished after the restart");
        }
    }
}

/// <summary>Kills during Konfuzio imports.</summary>
public sealed class ImportKillTests(ITestOutputHelper output) : KillTests(output)
{
    private const int ImportCopies = 8;

    [Fact]
    public async Task Konfuzio_imports_killed_at_two_points_finish_after_a_restart_with_exact_counts()
    {
        var fixture = FixtureFacts.Project46;
        var zip = ExportArchives.Replicated(ImportCopies);
        var documents = fixture.Documents.Count * ImportCopies;
        var perBatch = new ImportOptions().DocumentsPerBatch;

        foreach (var batches in KillPoints(documents, perBatch))
        {
            await RestartAsync(passBatches: batches);
            var response = await http.PostZipAsync($"/api/imports?name=killed-import-{batches}", zip);
            var accepted = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(response.IsSuccessStatusCode, accepted.ToString());
            var importId = accepted.GetProperty("id").GetString()!;
            var projectId = accepted.GetProperty("projectId").GetString()!;
            var imported = batches * perBatch;
            await Eventually.ReturnsAsync(async () => Done(await http.GetFromJsonAsync<JsonElement>($"/api/operations/{importId}"), "documentsDone"),
                done => done == imported, TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(50));
            await KillAndRestartAsync($"import {importId} at {imported} of {documents} documents ({(double)imported / documents:P0})");

            var operation = await Eventually.ReturnsAsync(() => http.GetFromJsonAsync<JsonElement>($"/api/operations/{importId}"),
                o => o.GetProperty("status").GetString() is "Completed" or "Failed" or "Terminated", TimeSpan.FromMinutes(3), TimeSpan.FromMilliseconds(200));
            Assert.Equal("Completed", operation.GetProperty("status").GetString());
            var project = await http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}");
            Assert.Equal("ready", project.GetProperty("status").GetString());
            var importedCounts = project.GetProperty("counts");
            Assert.Equal(documents, importedCounts.GetProperty("documents").GetInt32());
            Assert.Equal(fixture.AnnotationSetsByDocument.Values.Sum() * ImportCopies, importedCounts.GetProperty("annotationSets").GetInt32());
            Assert.Equal(fixture.AnnotationsByDocument.Values.Sum() * ImportCopies, importedCounts.GetProperty("annotations").GetInt32());
            Assert.Equal(fixture.Labels.Count, importedCounts.GetProperty("labels").GetInt32());
            await AssertNoDuplicateDocumentsAsync(projectId, d => d.Id, documents);
            Log($"import {importId} finished after the restart");
        }
    }
}
