using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Options;
using Snapshots.Archive;

namespace Snapshots.Imports;

/// <summary>
/// Takes a snapshot zip carried in from another installation (air-gapped moves): copies it into the snapshot
/// storage under a new identifier, verifies all of it, and only then commits it with its manifest blob.
/// </summary>
public sealed class SnapshotArchiveImporter(ImportStaging staging, SnapshotBlobs blobs, ImportedArchives imported, IOptions<ImportOptions> limits)
{
    /// <param name="share">Leave the archive restorable by identifier from other environments sharing the storage, and keep it.</param>
    public async Task<(string Identifier, SnapshotManifest Manifest)> ImportAsync(string importId, bool share, CancellationToken cancellationToken)
    {
        var identifier = SnapshotIdentifiers.New(ImportedArchives.Prefix);
        try
        {
            await using (var upload = await staging.OpenUploadStreamAsync(importId, cancellationToken))
            {
                await blobs.Archive(identifier).UploadAsync(upload, new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "application/zip" } }, cancellationToken);
            }

            SnapshotManifest manifest;
            await using (var archiveStream = await blobs.Archive(identifier).OpenReadAsync(new BlobOpenReadOptions(false) { BufferSize = 4 * 1024 * 1024 }, cancellationToken))
            using (var archive = SnapshotArchiveReader.Open(archiveStream, limits.Value))
            {
                await archive.VerifyAsync(cancellationToken);
                manifest = archive.Manifest;
            }

            await blobs.Manifest(identifier).UploadAsync(BinaryData.FromObjectAsJson(manifest, ManifestJson.Options),
                new BlobUploadOptions { Metadata = imported.CommitMetadata(share) }, cancellationToken);
            return (identifier, manifest);
        }
        catch (ArchiveValidationException ex)
        {
            await blobs.DeleteAllAsync(identifier, CancellationToken.None);
            throw ImportValidationException.Whole(ex.Message);
        }
        catch (ArchiveTooLargeException ex)
        {
            await blobs.DeleteAllAsync(identifier, CancellationToken.None);
            throw new ImportTooLargeException(ex.Message);
        }
        catch
        {
            await blobs.DeleteAllAsync(identifier, CancellationToken.None);
            throw;
        }
    }
}
