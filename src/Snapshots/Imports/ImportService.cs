using Microsoft.Extensions.Options;
using Snapshots.Access;
using Snapshots.Archive;
using Snapshots.Projects;

namespace Snapshots.Imports;

/// <summary>
/// Accepts an upload in two steps. In the request: stage the body (counting it against the limit) and read only
/// the zip's central directory, which is enough to refuse unsafe names, oversized entries and bombs and to tell a
/// snapshot zip from a Konfuzio export. In the import's first activity: read every JSON5 file, resolve every
/// reference, plan the batches, and only then create the (not yet listed) project. Bad input leaves nothing behind.
/// </summary>
public sealed class ImportService(
    ImportStaging staging, ImportPlanner planner, ProjectStore store, MembershipStore members,
    IOptions<ImportOptions> options, TimeProvider clock, Microsoft.Extensions.Logging.ILogger<ImportService> logger)
{
    /// <summary>
    /// Stages an upload: a snapshot zip of this service (it has a manifest.json at its root) comes back with its
    /// manifest; anything else must look like a Konfuzio export. Refused uploads are deleted from staging.
    /// </summary>
    public async Task<StagedUpload> StageAsync(Stream upload, CancellationToken cancellationToken)
    {
        var importId = Guid.NewGuid().ToString("N");
        try
        {
            var bytes = await staging.UploadAsync(importId, upload, options.Value.MaxUploadBytes, cancellationToken);
            await using (var directory = await staging.OpenUploadStreamAsync(importId, cancellationToken, ImportStaging.DirectoryReadAhead))
            {
                // Before the zip reader loads the whole central directory into memory.
                await ZipDirectoryLimits.CheckAsync(directory, options.Value, cancellationToken);
            }

            using (var zip = await staging.OpenUploadAsync(importId, cancellationToken, ImportStaging.DirectoryReadAhead))
            {
                ArchiveLimits.Check(zip, options.Value);
                await staging.CheckOneDirectoryAsync(importId, zip, cancellationToken);
                if (zip.GetEntry(ArchiveEntries.Manifest) is null)
                {
                    _ = KonfuzioExport.Open(zip);
                    ImportLog.Staged(logger, importId, UploadKind.KonfuzioExport, bytes);
                    return new StagedUpload(importId, UploadKind.KonfuzioExport, null);
                }
            }

            var manifest = await ReadManifestAsync(importId, cancellationToken);
            ImportLog.Staged(logger, importId, UploadKind.SnapshotArchive, bytes);
            return new StagedUpload(importId, UploadKind.SnapshotArchive, manifest);
        }
        catch (Exception ex)
        {
            await staging.DeleteAsync(importId, CancellationToken.None);
            if (ex is Errors.RequestRefusedException)
            {
                ImportLog.Refused(logger, importId, ex.Message);
            }

            throw;
        }
    }

    /// <summary>The first activity of an import: validates and plans the whole export, then creates its project.</summary>
    public async Task<ImportRequest> PlanAsync(ImportUpload upload, CancellationToken cancellationToken)
    {
        var plan = await planner.PlanAsync(upload.ImportId, cancellationToken);

        // Upserts with the id chosen by the request: a retried activity writes the same project again.
        var project = new Project
        {
            Id = upload.ProjectId,
            Name = upload.ProjectName,
            Status = ProjectStatus.Importing,
            CreatedAt = clock.GetUtcNow(),
        };
        await store.UpsertAsync(project.Id, project, cancellationToken);
        if (upload.OwnerId is not null)
        {
            await members.GrantOwnerAsync(project, new Caller(upload.OwnerId, upload.OwnerName, new HashSet<string>(), new Dictionary<string, string>()), cancellationToken);
        }

        ImportLog.Planned(logger, upload.ImportId, upload.ProjectId, plan.Documents, plan.Batches, plan.Warnings.Count);
        return new ImportRequest(upload.ImportId, upload.ProjectId, upload.ProjectName, plan.Documents, plan.Batches);
    }

    /// <summary>An import's input for the upload it staged.</summary>
    public static ImportUpload Upload(StagedUpload staged, string projectName, Caller? owner) =>
        new(staged.ImportId, Guid.NewGuid().ToString("N"), projectName, owner?.UserId, owner?.Name);

    private async Task<SnapshotManifest> ReadManifestAsync(string importId, CancellationToken cancellationToken)
    {
        try
        {
            using var archive = SnapshotArchiveReader.Open(
                await staging.OpenUploadStreamAsync(importId, cancellationToken, ImportStaging.DirectoryReadAhead), options.Value);
            return archive.Manifest;
        }
        catch (ArchiveValidationException ex)
        {
            throw ImportValidationException.Whole(ex.Message);
        }
        catch (ArchiveTooLargeException ex)
        {
            throw new ImportTooLargeException(ex.Message);
        }
    }
}
