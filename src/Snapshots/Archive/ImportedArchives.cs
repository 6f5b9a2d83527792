using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Options;
using Snapshots.Configuration;
using Snapshots.Imports;

namespace Snapshots.Archive;

/// <summary>
/// Snapshot zips uploaded to this environment (<c>imp-...</c> in the snapshot storage) are the uploader's, not the
/// shared storage's: unless the upload asked to share it (<c>?share=true</c>), the manifest blob names the
/// environment that imported it, other environments cannot restore it by identifier, and it is deleted once the
/// restore it was uploaded for has ended (restored, cancelled, or failed for good, say because the archive is invalid;
/// a restore failed otherwise keeps it for its retry) or, at the
/// latest, <see cref="ImportOptions.ImportedArchiveRetention"/> after the upload, unless a reader still marks it.
/// </summary>
public sealed class ImportedArchives(SnapshotBlobs blobs, IOptions<SnapshotsOptions> environment, IOptions<ImportOptions> limits, TimeProvider clock)
{
    public const string Prefix = "imp";
    private const string ImportedByKey = "importedby";

    /// <summary>Metadata of the manifest blob that commits an imported archive.</summary>
    public IDictionary<string, string> CommitMetadata(bool share) =>
        share ? new Dictionary<string, string>() : new Dictionary<string, string> { [ImportedByKey] = environment.Value.EnvironmentName };

    /// <summary>The environment an archive is private to, or null for a shared one (and every snapshot made by a service).</summary>
    public async Task<string?> OwnerAsync(string identifier, CancellationToken cancellationToken)
    {
        try
        {
            var properties = await blobs.Manifest(identifier).GetPropertiesAsync(cancellationToken: cancellationToken);
            return properties.Value.Metadata.TryGetValue(ImportedByKey, out var owner) ? owner : null;
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    /// <summary>Whether this environment may restore the archive by identifier.</summary>
    public async Task<bool> VisibleHereAsync(string identifier, CancellationToken cancellationToken) =>
        await OwnerAsync(identifier, cancellationToken) is not { } owner || owner == environment.Value.EnvironmentName;

    /// <summary>After its restore ended for good: a private imported archive nobody else reads goes.</summary>
    public async Task ReleaseAsync(string identifier, CancellationToken cancellationToken)
    {
        if (identifier.StartsWith(Prefix + "-", StringComparison.Ordinal) && await OwnerAsync(identifier, cancellationToken) == environment.Value.EnvironmentName)
        {
            await DeleteUnlessReadAsync(identifier, cancellationToken);
        }
    }

    /// <summary>
    /// After a restore of an uploaded archive failed because the archive is invalid: it goes, shared or not (sharing
    /// something that cannot be restored helps nobody), unless a reader still marks it.
    /// </summary>
    public async Task DiscardInvalidUploadAsync(string identifier, CancellationToken cancellationToken)
    {
        if (identifier.StartsWith(Prefix + "-", StringComparison.Ordinal))
        {
            await DeleteUnlessReadAsync(identifier, cancellationToken);
        }
    }

    /// <summary>Deletes this environment's private imported archives older than the retention that no reader marks; how many.</summary>
    public async Task<int> ExpireAsync(CancellationToken cancellationToken)
    {
        var cutoff = clock.GetUtcNow() - limits.Value.ImportedArchiveRetention;
        var expired = new List<string>();
        await foreach (var blob in blobs.Container.GetBlobsAsync(new GetBlobsOptions { Prefix = Prefix + "-", Traits = BlobTraits.Metadata }, cancellationToken))
        {
            if (blob.Name.EndsWith("/manifest.json", StringComparison.Ordinal)
                && blob.Metadata.TryGetValue(ImportedByKey, out var owner) && owner == environment.Value.EnvironmentName
                && blob.Properties.CreatedOn is { } created && created < cutoff)
            {
                expired.Add(blob.Name[..blob.Name.IndexOf('/', StringComparison.Ordinal)]);
            }
        }

        var deleted = 0;
        foreach (var identifier in expired)
        {
            deleted += await DeleteUnlessReadAsync(identifier, cancellationToken) ? 1 : 0;
        }

        return deleted;
    }

    /// <summary>Deletes the archive unless a reader (a restore, from any environment) still marks it; whether it did.</summary>
    private async Task<bool> DeleteUnlessReadAsync(string identifier, CancellationToken cancellationToken)
    {
        if ((await blobs.ActiveReadersAsync(identifier, clock.GetUtcNow(), cancellationToken)).Count > 0)
        {
            return false;
        }

        await blobs.DeleteAllAsync(identifier, cancellationToken);
        return true;
    }
}
