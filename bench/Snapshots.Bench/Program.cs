using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Snapshots;
using Snapshots.Access;
using Snapshots.Archive;
using Snapshots.Bench;
using Snapshots.Local.Emulators;
using Snapshots.Projects;
using Snapshots.Seeding;

// Snapshot and restore throughput of the service against raw storage throughput measured in the same run, peak
// memory of the service process at each size, and the local durable backend's fan-out rate.
var sizes = Option("--sizes", "1000,5000").Split(',').Select(int.Parse).ToArray();
var annotations = int.Parse(Option("--annotations", "30"), CultureInfo.InvariantCulture);
var fileKb = int.Parse(Option("--file-kb", "50"), CultureInfo.InvariantCulture);
var modelMb = int.Parse(Option("--model-mb", "5"), CultureInfo.InvariantCulture);
var root = RepositoryRoot();

Console.WriteLine($"Snapshot benchmark: sizes {string.Join(", ", sizes)} documents, {annotations} annotations and one {fileKb} KB file each, 3 AIs with {modelMb} MB models; {Environment.ProcessorCount} cores.");
var data = Directory.CreateTempSubdirectory("snapshots-bench-").FullName;
// Stopped at the end, before its data folder is removed (a crash leaves none running: see EmulatorProcess).
var emulators = await EmulatorSet.StartAsync(new EmulatorOptions { DataDirectory = data }, NullLogger.Instance);
var configuration = new ConfigurationBuilder().AddInMemoryCollection(emulators.Endpoints.ToConfiguration()).Build();
var services = new ServiceCollection().AddLogging(l => l.SetMinimumLevel(LogLevel.Warning)).AddSingleton<IConfiguration>(configuration)
    .AddSnapshotsEngine(configuration).BuildServiceProvider();
foreach (var hosted in services.GetServices<IHostedService>())
{
    await hosted.StartAsync(default);
}

// The service process signs tokens with the same per-user development key.
var adminToken = DevelopmentTokens.Mint(DevelopmentTokens.LoadOrCreateKey(DevelopmentTokens.DefaultKeyPath),
    new DevelopmentTokenRequest("bench") { EnvironmentRoles = [EnvironmentRoles.Admin] });
var rows = new List<Row>();
double? fanOut = null;
foreach (var size in sizes)
{
    Console.WriteLine($"\n== {size} documents");
    var seedWatch = Stopwatch.StartNew();
    var projectId = await services.GetRequiredService<SyntheticProjectSeeder>().SeedAsync(new SeedSpec
    {
        Name = $"bench-{size}", Documents = size, AnnotationsPerDocument = annotations, Ais = 3,
        DocumentFileBytes = fileKb * 1024, ModelFileBytes = modelMb * 1024 * 1024,
    }, new Progress<int>(done => { if (done % 500 == 0) { Console.Write($"\r  seeding {done}/{size}"); } }));
    Console.WriteLine($"\r  seeded in {seedWatch.Elapsed.TotalSeconds:0.0} s");

    var scratch = services.GetRequiredService<SnapshotBlobs>().Container;
    var (baselineExport, baselineImport) = await new Baseline(services.GetRequiredService<ProjectStore>(), services.GetRequiredService<ProjectFiles>(), scratch).RunAsync(projectId);
    Console.WriteLine($"  baseline: export {baselineExport.Elapsed.TotalSeconds:0.0} s, import {baselineImport.Elapsed.TotalSeconds:0.0} s");

    await using var service = await ServiceProcess.StartAsync(root, emulators.Endpoints, "bench");
    using var http = new HttpClient { BaseAddress = service.Address, Timeout = TimeSpan.FromMinutes(30) };
    http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", adminToken);
    fanOut ??= await FanOutAsync(http, 500);
    service.TakeActivityRuns();

    var createWatch = Stopwatch.StartNew();
    var created = await (await http.PostAsJsonAsync($"/api/projects/{projectId}/snapshots", new { modes = new[] { "dataset", "ai" } })).Content.ReadFromJsonAsync<JsonElement>();
    var snapshot = await PollAsync(http, $"/api/snapshots/{created.GetProperty("id").GetString()}", s => s.GetProperty("status").GetString() != "creating");
    createWatch.Stop();
    var entities = Entities(snapshot.GetProperty("counts"));
    var archiveBytes = snapshot.GetProperty("bytes").GetInt64();
    var create = new Measured(createWatch.Elapsed, entities, archiveBytes);
    Console.WriteLine($"  create: {create.Elapsed.TotalSeconds:0.0} s ({snapshot.GetProperty("status").GetString()})");
    var createRuns = service.TakeActivityRuns();
    Console.Write(ActivityTable(createRuns));

    var restoreWatch = Stopwatch.StartNew();
    var started = await (await http.PostAsync($"/api/snapshots/{snapshot.GetProperty("id").GetString()}/restores", null)).Content.ReadFromJsonAsync<JsonElement>();
    var restore = await PollAsync(http, $"/api/restores/{started.GetProperty("id").GetString()}", r => r.GetProperty("status").GetString() is "restored" or "contactSupport");
    restoreWatch.Stop();
    var restored = new Measured(restoreWatch.Elapsed, entities, archiveBytes);
    Console.WriteLine($"  restore: {restored.Elapsed.TotalSeconds:0.0} s ({restore.GetProperty("status").GetString()})");
    var restoreRuns = service.TakeActivityRuns();
    Console.Write(ActivityTable(restoreRuns));

    rows.Add(new Row(size, baselineExport, create, baselineImport, restored, service.PeakWorkingSetMiB(), createRuns, restoreRuns));
}

var report = Report(rows, fanOut ?? 0);
Console.WriteLine();
Console.WriteLine(report);
await File.WriteAllTextAsync(Path.Combine(root, "bench", "results.md"), report);
await emulators.DisposeAsync();
Directory.Delete(data, recursive: true);
return 0;

static long Entities(JsonElement counts) =>
    new[] { "documents", "annotationSets", "annotations", "ais" }.Sum(kind => (long)counts.GetProperty(kind).GetInt32());

// A status read can time out while the single-threaded Cosmos emulator is saturated by the run; a few such
// failures in a row are tolerated, a persistent one ends the benchmark.
static async Task<JsonElement> PollAsync(HttpClient http, string uri, Func<JsonElement, bool> done)
{
    var failures = 0;
    while (true)
    {
        JsonElement state;
        try
        {
            state = await http.GetFromJsonAsync<JsonElement>(uri);
            failures = 0;
        }
        catch (HttpRequestException ex) when (ex.StatusCode is null or >= System.Net.HttpStatusCode.InternalServerError && ++failures < 10)
        {
            Console.Error.WriteLine($"  status read failed ({ex.Message}); retrying");
            await Task.Delay(1000);
            continue;
        }

        if (done(state))
        {
            return state;
        }

        await Task.Delay(200);
    }
}

static async Task<double> FanOutAsync(HttpClient http, int activities)
{
    var started = await (await http.PostAsync($"/api/diagnostics/ping?activities={activities}", null)).Content.ReadFromJsonAsync<JsonElement>();
    var operation = await PollAsync(http, started.GetProperty("statusUri").GetString()!, o => o.GetProperty("status").GetString() is "Completed" or "Failed");
    var elapsed = operation.GetProperty("lastUpdatedAt").GetDateTimeOffset() - operation.GetProperty("createdAt").GetDateTimeOffset();
    return activities / elapsed.TotalSeconds;
}

static string Report(List<Row> rows, double fanOut)
{
    var text = new StringBuilder();
    text.AppendLine("# Benchmark results");
    text.AppendLine();
    text.AppendLine(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, {Math.Round(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1024.0 / 1024 / 1024)} GiB, local emulators (Azurite, @vercel/cosmosdb-server), durable backend: Azure Storage provider on Azurite.");
    text.AppendLine("Entities = documents + annotation sets + annotations + AIs; MB = archive bytes (service) or bytes moved (baseline). Ratio = service throughput / baseline throughput.");
    text.AppendLine();
    text.AppendLine("| documents | step | baseline s | service s | service entities/s | service MB/s | ratio | target |");
    text.AppendLine("|---|---|---|---|---|---|---|---|");
    foreach (var row in rows)
    {
        foreach (var (step, baseline, service) in new[] { ("create", row.BaselineExport, row.Create), ("restore", row.BaselineImport, row.Restore) })
        {
            var ratio = baseline.Elapsed.TotalSeconds / service.Elapsed.TotalSeconds * service.Entities / Math.Max(baseline.Entities, 1);
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {row.Documents} | {step} | {baseline.Elapsed.TotalSeconds:0.0} | {service.Elapsed.TotalSeconds:0.0} | {service.EntitiesPerSecond:0} | {service.MegabytesPerSecond:0.0} | {ratio:0.00} | {(ratio >= 0.5 ? "met (>= 0.5)" : "missed (< 0.5)")} |");
        }
    }

    text.AppendLine();
    text.AppendLine("| documents | peak working set of the service (MiB) |");
    text.AppendLine("|---|---|");
    foreach (var row in rows)
    {
        text.AppendLine(CultureInfo.InvariantCulture, $"| {row.Documents} | {row.PeakMiB:0} |");
    }

    if (rows.Count >= 2)
    {
        var growth = rows[^1].PeakMiB / rows[0].PeakMiB;
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Memory at {rows[^1].Documents / (double)rows[0].Documents:0.#}x the size: {growth:0.00}x the peak working set (target <= 1.5x: {(growth <= 1.5 ? "met" : "missed")}).");
    }

    var largest = rows[^1];
    text.AppendLine();
    text.AppendLine(CultureInfo.InvariantCulture, $"Where the service's time goes at {largest.Documents} documents (activities run in parallel, so totals can exceed the wall time):");
    text.AppendLine();
    text.Append(ActivityTable(largest.CreateRuns.Concat(largest.RestoreRuns).ToList()));

    text.AppendLine();
    text.AppendLine(CultureInfo.InvariantCulture, $"Local durable backend: fan-out of 500 no-op activities at {fanOut:0} activities/s (target >= 50: {(fanOut >= 50 ? "met" : "missed")}).");
    return text.ToString();
}

static string ActivityTable(List<ActivityRun> runs)
{
    var text = new StringBuilder();
    text.AppendLine("| activity | runs | total s | longest s |");
    text.AppendLine("|---|---|---|---|");
    foreach (var activity in runs.GroupBy(r => r.Activity))
    {
        text.AppendLine(CultureInfo.InvariantCulture, $"| {activity.Key} | {activity.Count()} | {activity.Sum(r => r.Seconds):0.0} | {activity.Max(r => r.Seconds):0.0} |");
    }

    return text.ToString();
}

string Option(string name, string fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
}

static string RepositoryRoot()
{
    for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
    {
        if (File.Exists(Path.Combine(directory.FullName, "SnapshotFunctions.sln")))
        {
            return directory.FullName;
        }
    }

    throw new DirectoryNotFoundException("SnapshotFunctions.sln not found.");
}

internal sealed record Row(
    int Documents, Measured BaselineExport, Measured Create, Measured BaselineImport, Measured Restore, double PeakMiB,
    List<ActivityRun> CreateRuns, List<ActivityRun> RestoreRuns);
