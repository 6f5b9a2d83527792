using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Options;
using Snapshots.Configuration;
using Snapshots.Storage;

namespace Snapshots.Archive;

/// <summary>
/// A snapshot's blobs in the snapshot storage, all under its identifier: <c>parts/</c> while it is being made,
/// then <c>snapshot.zip</c> and, written last, <c>manifest.json</c>, the commit marker readers look for.
/// </summary>
public sealed class SnapshotBlobs(BlobAccounts accounts, IOptions<SnapshotStorageOptions> options)
{
    public BlobContainerClient Container =>
        accounts.Snapshots.GetBlobContainerClient(options.Value.ContainerName);

    public BlockBlobClient Archive(string identifier) => Container.GetBlockBlobClient($"{identifier}/snapshot.zip");

    public BlobClient Manifest(string identifier) => Container.GetBlobClient($"{identifier}/manifest.json");

    public BlobClient Part(string identifier, string partName) => Container.GetBlobClient($"{identifier}/parts/{partName}");

    /// <summary>The committed manifest of a snapshot, or null when there is none (no such snapshot, or not completed).</summary>
    public async Task<SnapshotManifest?> ReadManifestAsync(string identifier, CancellationToken cancellationToken)
    {
        try
        {
            var content = await Manifest(identifier).DownloadContentAsync(cancellationToken);
            return content.Value.Content.ToObjectFromJson<SnapshotManifest>(SnapshotsJson.Options);
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    public string PartsPrefix(string identifier) => $"{identifier}/parts/";

    /// <summary>How long a reader's mark holds without being renewed (each step of a restore renews it).</summary>
    public static readonly TimeSpan ReaderMarkLifetime = TimeSpan.FromHours(6);

    private const string ExpiresKey = "expiresat";

    private static string ReadersPrefix(string identifier) => $"{identifier}/readers/";

    /// <summary>
    /// Marks the archive as read by <paramref name="readerId"/> (a restore, from whichever environment), in the snapshot
    /// storage itself, until <paramref name="expiresAt"/>: deletion and retention leave a marked archive alone.
    /// </summary>
    public Task MarkReaderAsync(string identifier, string readerId, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        Container.GetBlobClient(ReadersPrefix(identifier) + readerId).UploadAsync(BinaryData.Empty, new BlobUploadOptions
        {
            Metadata = new Dictionary<string, string> { [ExpiresKey] = expiresAt.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture) },
        }, cancellationToken);

    public Task UnmarkReaderAsync(string identifier, string readerId, CancellationToken cancellationToken) =>
        Container.GetBlobClient(ReadersPrefix(identifier) + readerId).DeleteIfExistsAsync(cancellationToken: cancellationToken);

    /// <summary>The readers whose marks have not expired at <paramref name="now"/>.</summary>
    public async Task<List<string>> ActiveReadersAsync(string identifier, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var readers = new List<string>();
        var prefix = ReadersPrefix(identifier);
        // From the primary only (a failure there fails the delete that asked): the secondary may not have a fresh mark yet.
        var primary = accounts.SnapshotsPrimary.GetBlobContainerClient(options.Value.ContainerName);
        await foreach (var blob in primary.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix, Traits = BlobTraits.Metadata }, cancellationToken))
        {
            if (blob.Metadata.TryGetValue(ExpiresKey, out var value) && long.TryParse(value, out var expires)
                && DateTimeOffset.FromUnixTimeSeconds(expires) > now)
            {
                readers.Add(blob.Name[prefix.Length..]);
            }
        }

        return readers;
    }

    /// <summary>Part blobs under a folder of the parts, in name order.</summary>
    public async IAsyncEnumerable<BlobItem> ListPartsAsync(string identifier, string folder, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var blob in Container.GetBlobsAsync(new GetBlobsOptions { Prefix = PartsPrefix(identifier) + folder }, cancellationToken))
        {
            yield return blob;
        }
    }

    public Task DeletePartsAsync(string identifier, CancellationToken cancellationToken) =>
        Container.DeleteByPrefixAsync(PartsPrefix(identifier), cancellationToken);

    /// <summary>Removes everything of a snapshot: manifest first, so readers stop seeing it before the archive goes.</summary>
    public async Task DeleteAllAsync(string identifier, CancellationToken cancellationToken)
    {
        await Manifest(identifier).DeleteIfExistsAsync(cancellationToken: cancellationToken);
        await Container.DeleteByPrefixAsync(identifier + "/", cancellationToken);
    }
}
