using Azure.Storage.Blobs;
using Snapshots.Configuration;

namespace Snapshots.Storage;

/// <summary>
/// Client options of the snapshot storage only. With <see cref="SnapshotStorageOptions.SecondaryServiceUri"/> set
/// (an RA-GRS/RA-GZRS account), the SDK retries failed GET and HEAD requests, such as a restore's reads of the
/// manifest and archive, against the paired region's read-only endpoint; writes and deletes still need the primary.
/// </summary>
public static class SnapshotStorageClientOptions
{
    public static void Configure(BlobClientOptions options, SnapshotStorageOptions storage)
    {
        if (!string.IsNullOrWhiteSpace(storage.SecondaryServiceUri))
        {
            options.GeoRedundantSecondaryUri = new Uri(storage.SecondaryServiceUri, UriKind.Absolute);
        }
    }

    /// <summary>Empty (no readable secondary), or an absolute http(s) address.</summary>
    public static bool IsValidSecondary(string? value) =>
        string.IsNullOrWhiteSpace(value)
        || (Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp));
}
