using System.Text;
using Azure;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Snapshots.Archive;
using Snapshots.Configuration;
using Snapshots.Imports;
using Snapshots.Storage;

namespace Snapshots.Restore;

/// <summary>
/// Working blobs of a restore in the data account (<c>imports/restore-{id}/</c>): the schema id map and the
/// archive's documents split into batches. Also opens the archive itself.
/// </summary>
public sealed partial class RestoreStaging(
    BlobAccounts accounts,
    SnapshotBlobs snapshots,
    IOptions<ImportOptions> limits,
    IOptions<SnapshotStorageOptions> storage,
    TimeProvider clock,
    ILogger<RestoreStaging> logger)
{
    public const string Documents = "documents";
    public const string AnnotationSets = "annotation_sets";
    public const string Annotations = "annotations";

    private BlobContainerClient Container => accounts.Data.GetBlobContainerClient(BlobContainerNames.Imports);

    /// <summary>
    /// Opens a restore's archive over a seekable blob stream (entry names and manifest are checked on open), first
    /// marking (or renewing the mark) that this restore reads it, so no environment deletes it meanwhile.
    /// </summary>
    public async Task<SnapshotArchiveReader> OpenArchiveAsync(RestoreRequest request, CancellationToken cancellationToken)
    {
        await MarkReaderAsync(request, cancellationToken);
        return await OpenArchiveAsync(request.Identifier, cancellationToken);
    }

    /// <summary>
    /// The archive as batch <paramref name="batchIndex"/> reads it: through the partial directory the plan kept for
    /// it (the manifest and that batch's documents' files), so the zip reader holds a batch's entries, not the
    /// archive's. A restore planned before partial directories were kept has none: it reads the whole archive.
    /// </summary>
    public async Task<SnapshotArchiveReader> OpenArchiveForBatchAsync(RestoreRequest request, int batchIndex, CancellationToken cancellationToken)
    {
        byte[] directory;
        try
        {
            directory = (await Container.GetBlobClient(DirectoryPath(request.RestoreId, batchIndex)).DownloadContentAsync(cancellationToken)).Value.Content.ToArray();
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return await OpenArchiveAsync(request, cancellationToken);
        }

        await MarkReaderAsync(request, cancellationToken);
        var stream = await OpenArchiveStreamAsync(request.Identifier, cancellationToken);
        try
        {
            return SnapshotArchiveReader.Open(new AppendedStream(stream, directory), limits.Value);
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
    }

    /// <summary>The archive's central directory as records, for the plan to cut into the batches' partial directories.</summary>
    internal async Task<ZipDirectoryRecords> ReadArchiveDirectoryAsync(string identifier, CancellationToken cancellationToken)
    {
        await using var stream = await OpenArchiveStreamAsync(identifier, cancellationToken);
        return await ZipDirectoryRecords.ReadAsync(stream, reason => new ArchiveValidationException($"The archive's {reason}."), cancellationToken);
    }

    /// <summary>Keeps the partial directory batch <paramref name="batchIndex"/> opens the archive with.</summary>
    public Task WriteDirectoryAsync(string restoreId, int batchIndex, byte[] directory, CancellationToken cancellationToken) =>
        Container.GetBlobClient(DirectoryPath(restoreId, batchIndex)).UploadAsync(BinaryData.FromBytes(directory), overwrite: true, cancellationToken);

    private async Task MarkReaderAsync(RestoreRequest request, CancellationToken cancellationToken)
    {
        try
        {
            await snapshots.MarkReaderAsync(request.Identifier, request.RestoreId, clock.GetUtcNow() + SnapshotBlobs.ReaderMarkLifetime, cancellationToken);
        }
        catch (Exception ex) when (PrimaryDown(ex, cancellationToken))
        {
            // The mark needs the primary, reading does not (the secondary serves reads), and while the primary is
            // down nobody can delete the archive either. The next step writes the mark again.
            LogMarkUnwritten(logger, ex, request.RestoreId, request.Identifier);
        }
    }

    /// <summary>The restore no longer reads its archive.</summary>
    public async Task ReleaseArchiveAsync(RestoreRequest request, CancellationToken cancellationToken)
    {
        try
        {
            await snapshots.UnmarkReaderAsync(request.Identifier, request.RestoreId, cancellationToken);
        }
        catch (Exception ex) when (PrimaryDown(ex, cancellationToken))
        {
            // A mark left behind expires on its own (ReaderMarkLifetime).
            LogMarkUnwritten(logger, ex, request.RestoreId, request.Identifier);
        }
    }

    /// <summary>
    /// The snapshot storage's primary did not answer and a readable secondary is configured: only then may a
    /// restore go on without its reader mark. Without a secondary nothing changes.
    /// </summary>
    private bool PrimaryDown(Exception exception, CancellationToken cancellationToken) =>
        !string.IsNullOrWhiteSpace(storage.Value.SecondaryServiceUri)
        && !cancellationToken.IsCancellationRequested
        && SnapshotStorageClientOptions.NoAnswer(exception);

    [LoggerMessage(EventId = 2020, Level = LogLevel.Warning, Message = "Restore {RestoreId}: the snapshot storage's primary did not answer; the reader mark of archive {Identifier} was not written or removed, the archive is read from the secondary")]
    private static partial void LogMarkUnwritten(ILogger logger, Exception exception, string restoreId, string identifier);

    /// <summary>
    /// Opens an archive to read it without marking it read (a dry run writes nothing): deleting the archive meanwhile
    /// fails the read, which a dry run may simply ask again.
    /// </summary>
    public Task<SnapshotArchiveReader> OpenArchiveUnmarkedAsync(string identifier, CancellationToken cancellationToken) =>
        OpenArchiveAsync(identifier, cancellationToken);

    private async Task<SnapshotArchiveReader> OpenArchiveAsync(string identifier, CancellationToken cancellationToken)
    {
        return SnapshotArchiveReader.Open(await OpenArchiveStreamAsync(identifier, cancellationToken), limits.Value);
    }

    private async Task<Stream> OpenArchiveStreamAsync(string identifier, CancellationToken cancellationToken)
    {
        var blob = snapshots.Archive(identifier);
        if (!await snapshots.Manifest(identifier).ExistsAsync(cancellationToken) || !await blob.ExistsAsync(cancellationToken))
        {
            // Not the archive's fault: it may come back (a replica catching up, a blob restored), so a retry may succeed.
            throw new PermanentFailureException($"No completed snapshot archive with identifier '{identifier}' in the snapshot storage.");
        }

        return await blob.OpenReadAsync(new BlobOpenReadOptions(allowModifications: false) { BufferSize = 4 * 1024 * 1024 }, cancellationToken);
    }

    public Task WriteJsonAsync<T>(string restoreId, string name, T value, CancellationToken cancellationToken) =>
        Container.GetBlobClient(Path(restoreId, name)).UploadAsync(BinaryData.FromObjectAsJson(value, SnapshotsJson.Options), overwrite: true, cancellationToken);

    public async Task<bool> ExistsAsync(string restoreId, string name, CancellationToken cancellationToken) =>
        await Container.GetBlobClient(Path(restoreId, name)).ExistsAsync(cancellationToken);

    /// <summary>The archive ids of the documents the plan split into batches (none before planning or after cleanup).</summary>
    public async IAsyncEnumerable<string> ReadPlannedDocumentIdsAsync(string restoreId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var blob in Container.GetBlobsAsync(new GetBlobsOptions { Prefix = $"restore-{restoreId}/{Documents}/" }, cancellationToken))
        {
            await foreach (var document in NdjsonPart.ReadAsync<JsonElement>(Container.GetBlobClient(blob.Name), cancellationToken))
            {
                yield return document.GetProperty("id").GetString()!;
            }
        }
    }

    public async Task<T> ReadJsonAsync<T>(string restoreId, string name, CancellationToken cancellationToken)
    {
        var content = await Container.GetBlobClient(Path(restoreId, name)).DownloadContentAsync(cancellationToken);
        return content.Value.Content.ToObjectFromJson<T>(SnapshotsJson.Options)!;
    }

    /// <summary>A writer that routes NDJSON lines to per-batch append blobs, flushing each buffer at 1 MiB.</summary>
    public BatchRouter Router(string restoreId, string kind) => new(Container, $"restore-{restoreId}/{kind}/");

    public async IAsyncEnumerable<T> ReadBatchAsync<T>(string restoreId, string kind, int batch, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var blob = Container.GetBlobClient(BatchRouter.BlobName($"restore-{restoreId}/{kind}/", batch));
        if (!await blob.ExistsAsync(cancellationToken))
        {
            yield break;
        }

        await foreach (var item in NdjsonPart.ReadAsync<T>(blob, cancellationToken))
        {
            yield return item;
        }
    }

    public Task DeleteAsync(string restoreId, CancellationToken cancellationToken) =>
        Container.DeleteByPrefixAsync($"restore-{restoreId}/", cancellationToken);

    private static string Path(string restoreId, string name) => $"restore-{restoreId}/{name}";

    private static string DirectoryPath(string restoreId, int batchIndex) => Path(restoreId, $"directories/{batchIndex:D6}.zipdir");
}

/// <summary>
/// Routes lines to batch blobs; a re-run overwrites (each blob is recreated at its first flush). Memory is bounded by
/// <see cref="MaxBufferedBytes"/> in all, whatever the number of batches: past it, the largest buffer is flushed.
/// </summary>
public sealed class BatchRouter(BlobContainerClient container, string prefix)
{
    private const int FlushBytes = 1024 * 1024;
    public const int MaxBufferedBytes = 4 * FlushBytes;
    private const int MinFlushBytes = 64 * 1024;
    private readonly Dictionary<int, MemoryStream> buffers = [];
    private readonly HashSet<int> created = [];
    private long buffered;

    public static string BlobName(string prefix, int batch) => $"{prefix}{batch:D6}.ndjson";

    /// <summary>The bytes held in memory now (never more than <see cref="MaxBufferedBytes"/> plus one line).</summary>
    public long BufferedBytes => buffered;

    public async Task WriteLineAsync(int batch, string line, CancellationToken cancellationToken)
    {
        if (!buffers.TryGetValue(batch, out var buffer))
        {
            buffers[batch] = buffer = new MemoryStream();
        }

        var bytes = Encoding.UTF8.GetBytes(line + "\n");
        buffer.Write(bytes);
        buffered += bytes.Length;
        if (buffer.Length >= FlushBytes)
        {
            await FlushAsync(batch, cancellationToken);
        }

        if (buffered > MaxBufferedBytes)
        {
            // The largest buffer goes, unless all are small (lines spread over many batches): then all go, so no
            // line costs a block of its own and an append blob stays far from its 50 000-block limit.
            var largest = buffers.MaxBy(b => b.Value.Length);
            if (largest.Value.Length >= MinFlushBytes)
            {
                await FlushAsync(largest.Key, cancellationToken);
            }
            else
            {
                await CompleteAsync(cancellationToken);
            }
        }
    }

    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        foreach (var batch in buffers.Keys.ToList())
        {
            await FlushAsync(batch, cancellationToken);
        }
    }

    /// <summary>Appends a batch's buffer to its blob and lets the buffer go (a kept one would keep its capacity).</summary>
    private async Task FlushAsync(int batch, CancellationToken cancellationToken)
    {
        var buffer = buffers[batch];
        buffers.Remove(batch);
        buffered -= buffer.Length;
        using (buffer)
        {
            var blob = container.GetAppendBlobClient(BlobName(prefix, batch));
            if (created.Add(batch))
            {
                await blob.CreateAsync(new AppendBlobCreateOptions(), cancellationToken);
            }

            buffer.Position = 0;
            await blob.AppendBlockAsync(buffer, cancellationToken: cancellationToken);
        }
    }
}

internal static class JsonLines
{
    public static string Of<T>(T value) => JsonSerializer.Serialize(value, SnapshotsJson.Options);
}
