using Microsoft.Extensions.Options;
using Snapshots.Access;
using Snapshots.Projects;

namespace Snapshots.Imports;

/// <summary>
/// Accepts an upload: stages it, checks its limits, validates the whole export and plans its batches, and only
/// then creates the (not yet listed) project. Bad input leaves nothing behind.
/// </summary>
public sealed class ImportService(
    ImportStaging staging, ImportPlanner planner, SnapshotArchiveImporter snapshots, ProjectStore store, MembershipStore members,
    IOptions<ImportOptions> options, TimeProvider clock)
{
    /// <summary>
    /// Accepts either kind of upload: a snapshot zip of this service (it has a manifest.json at its root) is
    /// verified and placed in the snapshot storage for a restore; anything else is read as a Konfuzio export, whose
    /// new project gets <paramref name="owner"/> as its owner.
    /// </summary>
    public async Task<PreparedImport> PrepareAnyAsync(string projectName, Stream upload, Caller? owner, CancellationToken cancellationToken, bool shareArchive = false)
    {
        var importId = Guid.NewGuid().ToString("N");
        try
        {
            await staging.UploadAsync(importId, upload, options.Value.MaxUploadBytes, cancellationToken);
            bool isSnapshot;
            using (var zip = await staging.OpenUploadAsync(importId, cancellationToken))
            {
                ArchiveLimits.Check(zip, options.Value);
                isSnapshot = zip.GetEntry(Archive.ArchiveEntries.Manifest) is not null;
            }

            if (isSnapshot)
            {
                var (identifier, manifest) = await snapshots.ImportAsync(importId, shareArchive, cancellationToken);
                await staging.DeleteAsync(importId, cancellationToken);
                return new PreparedImport(null, null, identifier, manifest);
            }

            var (request, plan) = await PrepareStagedAsync(importId, projectName, owner, cancellationToken);
            return new PreparedImport(request, plan, null, null);
        }
        catch
        {
            await staging.DeleteAsync(importId, CancellationToken.None);
            throw;
        }
    }

    public async Task<(ImportRequest Request, ImportPlan Plan)> PrepareAsync(string projectName, Stream upload, Caller? owner, CancellationToken cancellationToken)
    {
        var prepared = await PrepareAnyAsync(projectName, upload, owner, cancellationToken);
        return prepared.Request is not null
            ? (prepared.Request, prepared.Plan!)
            : throw new ImportValidationException("", "the upload is a snapshot archive, not a Konfuzio project export.");
    }

    private async Task<(ImportRequest Request, ImportPlan Plan)> PrepareStagedAsync(string importId, string projectName, Caller? owner, CancellationToken cancellationToken)
    {
        ImportPlan plan;
        using (var zip = await staging.OpenUploadAsync(importId, cancellationToken))
        {
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
        if (owner is not null)
        {
            await members.GrantOwnerAsync(project, owner, cancellationToken);
        }
        return (new ImportRequest(importId, project.Id, projectName, plan.Documents, plan.Batches), plan);
    }
}

/// <summary>What an upload turned out to be: a Konfuzio export ready to import, or a verified snapshot ready to restore.</summary>
public sealed record PreparedImport(ImportRequest? Request, ImportPlan? Plan, string? SnapshotIdentifier, Archive.SnapshotManifest? Manifest);
