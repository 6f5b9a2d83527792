using Azure.Storage.Blobs;
using Microsoft.Extensions.Azure;

namespace Snapshots.Storage;

/// <summary>
/// The data and snapshot storage clients, resolved once. <see cref="IAzureClientFactory{TClient}.CreateClient"/>
/// hands back the same cached client but builds a default credential chain on every call first (reflection and
/// assembly loads): called per blob, it was a sixth of the service's CPU while assembling an archive.
/// </summary>
public sealed class BlobAccounts(IAzureClientFactory<BlobServiceClient> clients)
{
    private readonly Lazy<BlobServiceClient> data = new(() => clients.CreateClient(BlobClientNames.Data));
    private readonly Lazy<BlobServiceClient> snapshots = new(() => clients.CreateClient(BlobClientNames.Snapshots));
    private readonly Lazy<BlobServiceClient> snapshotsPrimary = new(() => clients.CreateClient(BlobClientNames.SnapshotsPrimary));

    /// <summary>Documents, models and working blobs of imports and restores.</summary>
    public BlobServiceClient Data => data.Value;

    /// <summary>Snapshot archives (possibly an account shared by several environments).</summary>
    public BlobServiceClient Snapshots => snapshots.Value;

    /// <summary>
    /// The snapshot storage read from its primary only. The secondary lags the primary by minutes, so a reader mark
    /// written a moment ago may be missing there: whether an archive may be deleted is never asked of it.
    /// </summary>
    public BlobServiceClient SnapshotsPrimary => snapshotsPrimary.Value;
}
