using System.IO.Compression;

using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Snapshots.Storage;

namespace Snapshots.Imports;

/// <summary>
/// The blobs of an import in progress, in the data account's <c>imports</c> container: the uploaded zip,
/// the batch plan, and the warnings. Deleted when the import ends either way.
/// </summary>
public sealed class ImportStaging(BlobAccounts accounts)
{
    private BlobContainerClient Container => accounts.Data.GetBlobContainerClient(BlobContainerNames.Imports);

    /// <summary>Streams an upload into staging, stopping with <see cref="ImportTooLargeException"/> past the limit.</summary>
    public async Task<long> UploadAsync(string importId, Stream body, long maxBytes, CancellationToken cancellationToken)
    {
        var limited = new LimitedReadStream(body, maxBytes);
        await Container.GetBlobClient(UploadBlob(importId)).UploadAsync(limited, new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = "application/zip" },
            TransferOptions = new Azure.Storage.StorageTransferOptions { MaximumTransferSize = 8 * 1024 * 1024, MaximumConcurrency = 4 },
        }, cancellationToken);
        return limited.BytesRead;
    }

    /// <summary>Opens the uploaded zip over a seekable blob stream: entries are read on demand, never the whole archive.</summary>
    public async Task<ZipArchive> OpenUploadAsync(string importId, CancellationToken cancellationToken)
    {
        var stream = await Container.GetBlobClient(UploadBlob(importId)).OpenReadAsync(
            new BlobOpenReadOptions(allowModifications: false) { BufferSize = 4 * 1024 * 1024 }, cancellationToken);
        try
        {
            return new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: false);
        }
        catch (Exception ex) when (ex is InvalidDataException or ArgumentException or IOException)
        {
            // Not a zip: no central directory where one must be (short or foreign content).
            await stream.DisposeAsync();
            throw new ImportValidationException("", "the upload is not a zip archive.");
        }
    }

    public Task<Stream> OpenUploadStreamAsync(string importId, CancellationToken cancellationToken) =>
        Container.GetBlobClient(UploadBlob(importId)).OpenReadAsync(cancellationToken: cancellationToken);

    public async Task WriteBatchAsync(string importId, int index, IReadOnlyList<string> documentsJson, CancellationToken cancellationToken)
    {
        var ndjson = string.Join('\n', documentsJson);
        await Container.GetBlobClient(BatchBlob(importId, index)).UploadAsync(BinaryData.FromString(ndjson), overwrite: true, cancellationToken);
    }

    public async Task<IReadOnlyList<JsonObject>> ReadBatchAsync(string importId, int index, CancellationToken cancellationToken)
    {
        var content = await Container.GetBlobClient(BatchBlob(importId, index)).DownloadContentAsync(cancellationToken);
        return content.Value.Content.ToString()
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonNode.Parse(line)!.AsObject())
            .ToList();
    }

    public Task WriteWarningsAsync(string importId, IReadOnlyList<string> warnings, CancellationToken cancellationToken) =>
        Container.GetBlobClient(WarningsBlob(importId)).UploadAsync(BinaryData.FromObjectAsJson(warnings), overwrite: true, cancellationToken);

    public async Task<IReadOnlyList<string>> ReadWarningsAsync(string importId, CancellationToken cancellationToken)
    {
        var blob = Container.GetBlobClient(WarningsBlob(importId));
        return await blob.ExistsAsync(cancellationToken)
            ? JsonSerializer.Deserialize<List<string>>((await blob.DownloadContentAsync(cancellationToken)).Value.Content.ToString()) ?? []
            : [];
    }

    public Task DeleteAsync(string importId, CancellationToken cancellationToken) =>
        Container.DeleteByPrefixAsync(importId + "/", cancellationToken);

    private static string UploadBlob(string importId) => $"{importId}/upload.zip";

    private static string WarningsBlob(string importId) => $"{importId}/warnings.json";

    private static string BatchBlob(string importId, int index) => $"{importId}/batches/{index:D6}.ndjson";

    /// <summary>Counts what is read and refuses past the limit; the request body it reads stays the host's to dispose.</summary>
    private sealed class LimitedReadStream(Stream inner, long maxBytes) : ReadOnlyWrapperStream(inner, leaveOpen: true)
    {
        public long BytesRead { get; private set; }

        public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

        public override int Read(Span<byte> buffer) => Count(Inner.Read(buffer));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await Inner.ReadAsync(buffer, cancellationToken));

        private int Count(int read)
        {
            BytesRead += read;
            return BytesRead > maxBytes
                ? throw new ImportTooLargeException(ImportTooLargeException.UploadMessage(maxBytes))
                : read;
        }
    }
}
