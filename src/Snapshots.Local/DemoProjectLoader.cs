using System.IO.Compression;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Snapshots.Functions.Imports;
using Snapshots.Imports;
using Snapshots.Projects;

namespace Snapshots.Local;

/// <summary>
/// Loads the Konfuzio sample (<c>samples/konfuzio-project-46</c>) as a demo project when the local runtime starts and
/// no project of that name exists yet: once per data folder (the emulators keep their data in <c>.local-data/</c>;
/// <c>--reset</c> empties it).
/// </summary>
internal sealed class DemoProjectLoader(ImportService imports, ProjectStore store, DurableTaskClient client, ILogger<DemoProjectLoader> logger)
{
    public const string ProjectName = "Konfuzio demo (project 46)";

    public async Task LoadAsync(string repositoryRoot, CancellationToken cancellationToken)
    {
        var fixture = Path.Combine(repositoryRoot, "samples", "konfuzio-project-46");
        if (!Directory.Exists(fixture))
        {
            logger.LogWarning("No demo project: the fixture {Fixture} is not there.", fixture);
            return;
        }

        var existing = await store.ListProjectsAsync(1000, null, cancellationToken);
        if (existing.Items.Any(p => p.Name == ProjectName))
        {
            return;
        }

        var zipPath = Path.Combine(Path.GetTempPath(), $"snapshots-demo-{Guid.NewGuid():N}.zip");
        try
        {
            ZipFile.CreateFromDirectory(fixture, zipPath, CompressionLevel.Fastest, includeBaseDirectory: false);
            await using var zip = File.OpenRead(zipPath);
            var request = ImportService.Upload(await imports.StageAsync(zip, cancellationToken), ProjectName, owner: null);
            await client.ScheduleNewOrchestrationInstanceAsync(
                nameof(ImportFunctions.ImportProjectOrchestrator), request, new StartOrchestrationOptions(request.ImportId), cancellationToken);
            logger.LogInformation("Loading the demo project {ProjectId} from {Fixture} (operation /api/operations/{ImportId}).",
                request.ProjectId, fixture, request.ImportId);
        }
        finally
        {
            File.Delete(zipPath);
        }
    }
}
