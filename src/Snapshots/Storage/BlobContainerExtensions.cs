using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Snapshots.Storage;

public static class BlobContainerExtensions
{
    /// <summary>A large snapshot or restore leaves hundreds of working blobs; deleted one at a time they took seconds.</summary>
    private const int DeleteConcurrency = 16;

    /// <summary>Deletes every blob whose name starts with <paramref name="prefix"/>, a few at a time.</summary>
    public static Task DeleteByPrefixAsync(this BlobContainerClient container, string prefix, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(
            container.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }, cancellationToken),
            new ParallelOptions { MaxDegreeOfParallelism = DeleteConcurrency, CancellationToken = cancellationToken },
            async (blob, ct) => await container.DeleteBlobIfExistsAsync(blob.Name, cancellationToken: ct));
}
