using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Options;
using Snapshots.Archive;

namespace Snapshots.Imports;

/// <summary>
/// Takes a snapshot zip carried in from another installation (air-gapped moves) from the import staging into the
/// snapshot storage under the identifier its restore was given, and commits it with its manifest blob. Runs as the
/// first activity of that restore, whose verification then reads all of it.
/// </summary>
public sealed class SnapshotArchiveImporter(ImportStaging staging, SnapshotBlobs blobs, ImportedArchives imported, IOptions<ImportOptions> limits)
{
    /// <param name="share">Leave the archive restorable by identifier from other environments sharing the storage, and keep it.</param>
    public async Task AdmitAsync(string importId, string identifier, bool share, CancellationToken cancellationToken)
    {
        // Idempotent: a retried or replayed admission finds the archive committed and the staging already gone.
        if (await blobs.Manifest(identifier).ExistsAsync(cancellationToken))
        {
            await staging.DeleteAsync(importId, cancellationToken);
            return;
        }

        Stream upload;
        try
        {
            upload = await staging.OpenUploadStreamAsync(importId, cancellationToken);
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            throw new PermanentFailureException("The uploaded archive is no longer in the import staging; upload it again.");
        }

        try
        {
            await using (upload)
            {
                await blobs.Archive(identifier).UploadAsync(upload, new BlobUploadOptions
                {
                    HttpHeaders = new BlobHttpHeaders { ContentType = "application/zip" },
                    TransferOptions = new Azure.Storage.StorageTransferOptions { MaximumTransferSize = 8 * 1024 * 1024, MaximumConcurrency = 4 },
                }, cancellationToken);
            }

            SnapshotManifest manifest;
            await using (var archiveStream = await blobs.Archive(identifier).OpenReadAsync(new BlobOpenReadOptions(false) { BufferSize = 4 * 1024 * 1024 }, cancellationToken))
            using (var archive = SnapshotArchiveReader.Open(archiveStream, limits.Value))
            {
                manifest = archive.Manifest;
            }

            await blobs.Manifest(identifier).UploadAsync(BinaryData.FromObjectAsJson(manifest, ManifestJson.Options),
                new BlobUploadOptions { Metadata = imported.CommitMetadata(share) }, cancellationToken);
        }
        catch
        {
            // No archive without its manifest is left behind; a retried admission starts from the staging again.
            await blobs.DeleteAllAsync(identifier, CancellationToken.None);
            throw;
        }

        await staging.DeleteAsync(importId, cancellationToken);
    }
}
