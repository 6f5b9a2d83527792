using Microsoft.Extensions.Options;
using Snapshots.Projects;

namespace Snapshots.Imports;

/// <summary>
/// Accepts an upload: stages it, checks its limits, validates the whole export and plans its batches, and only
/// then creates the (not yet listed) project. Bad input leaves nothing behind.
/// </summary>
public sealed class ImportService(ImportStaging staging, ImportPlanner planner, ProjectStore store, IOptions<ImportOptions> options, TimeProvider clock)
{
    public async Task<(ImportRequest Request, ImportPlan Plan)> PrepareAsync(string projectName, Stream upload, CancellationToken cancellationToken)
    {
        var importId = Guid.NewGuid().ToString("N");
        try
        {
            await staging.UploadAsync(importId, upload, options.Value.MaxUploadBytes, cancellationToken);
            ImportPlan plan;
            using (var zip = await staging.OpenUploadAsync(importId, cancellationToken))
            {
                ArchiveLimits.Check(zip, options.Value);
                plan = await planner.PlanAsync(importId, KonfuzioExport.Open(zip), cancellationToken);
            }

            var project = new Project
            {
                Id = Guid.NewGuid().ToString("N"),
                Name = projectName,
                Status = ProjectStatus.Importing,
                CreatedAt = clock.GetUtcNow(),
            };
            await store.UpsertAsync(project.Id, project, cancellationToken);
            return (new ImportRequest(importId, project.Id, projectName, plan.Documents, plan.Batches), plan);
        }
        catch
        {
            await staging.DeleteAsync(importId, CancellationToken.None);
            throw;
        }
    }
}
