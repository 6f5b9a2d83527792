using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Snapshots.Create;

namespace Snapshots.Archive;

/// <summary>
/// Opens the files of an archive in order at the version (ETag) the export recorded, downloading the next few small
/// ones while the current one is written: one blob round trip per file, one after the other, was most of an
/// archive's assembly time. Files above <see cref="SmallFileBytes"/> are streamed when their turn comes, so
/// prefetched content never exceeds <see cref="Window"/> x <see cref="SmallFileBytes"/>.
/// </summary>
internal sealed class FileReadAhead(Func<FileRef, BlobClient> resolve)
{
    public const int Window = 16;
    public const long SmallFileBytes = 1024 * 1024;

    public async IAsyncEnumerable<(FileRef File, Stream Content)> OpenInOrderAsync(
        IAsyncEnumerable<FileRef> files, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var ahead = new Queue<(FileRef File, Task<Stream>? Prefetched)>();
        try
        {
            await foreach (var file in files.WithCancellation(cancellationToken))
            {
                if (ahead.Count == Window)
                {
                    yield return await NextAsync(ahead, cancellationToken);
                }

                ahead.Enqueue((file, file.Bytes <= SmallFileBytes ? DownloadAsync(file, cancellationToken) : null));
            }

            while (ahead.Count > 0)
            {
                yield return await NextAsync(ahead, cancellationToken);
            }
        }
        finally
        {
            // Abandoned downloads (the consumer failed or stopped) are observed so their failures are not unobserved.
            foreach (var (_, prefetched) in ahead)
            {
                prefetched?.ContinueWith(t => t.Exception, TaskScheduler.Default);
            }
        }
    }

    private async Task<(FileRef File, Stream Content)> NextAsync(Queue<(FileRef File, Task<Stream>? Prefetched)> ahead, CancellationToken cancellationToken)
    {
        var (file, prefetched) = ahead.Dequeue();
        return (file, await (prefetched ?? OpenStreamAsync(file, cancellationToken)));
    }

    private Task<Stream> DownloadAsync(FileRef file, CancellationToken cancellationToken) =>
        AtRecordedVersionAsync(file, async conditions =>
            (await resolve(file).DownloadContentAsync(new BlobDownloadOptions { Conditions = conditions }, cancellationToken)).Value.Content.ToStream());

    private Task<Stream> OpenStreamAsync(FileRef file, CancellationToken cancellationToken) =>
        AtRecordedVersionAsync(file, conditions =>
            resolve(file).OpenReadAsync(new BlobOpenReadOptions(allowModifications: false) { Conditions = conditions }, cancellationToken));

    private static async Task<Stream> AtRecordedVersionAsync(FileRef file, Func<BlobRequestConditions, Task<Stream>> open)
    {
        try
        {
            return await open(new BlobRequestConditions { IfMatch = new ETag(file.ETag) });
        }
        catch (RequestFailedException ex) when (IsChanged(ex))
        {
            throw Changed(file);
        }
    }

    /// <summary>The blob no longer has the recorded version (If-Match failed) or is gone.</summary>
    public static bool IsChanged(RequestFailedException exception) => exception.Status is 412 or 404;

    public static InvalidOperationException Changed(FileRef file) =>
        new($"{file.ArchivePath} changed or disappeared while the snapshot was being made; create the snapshot again.");
}
