using Azure;
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

    /// <summary>
    /// Whether a request failed because the storage did not answer at all, after the SDK's retries: no response
    /// (refused, timed out). A server error (500, 503 server busy) is an answer: the primary is up, and others may
    /// be deleting through it, so nothing that guards a delete may be skipped then.
    /// </summary>
    public static bool NoAnswer(Exception exception) => exception switch
    {
        RequestFailedException failed => failed.Status == 0,
        AggregateException aggregate => aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(NoAnswer),
        OperationCanceledException => true,
        _ => false,
    };

    /// <summary>Empty (no readable secondary), or an absolute http(s) address.</summary>
    public static bool IsValidSecondary(string? value) =>
        string.IsNullOrWhiteSpace(value)
        || (Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp));
}
