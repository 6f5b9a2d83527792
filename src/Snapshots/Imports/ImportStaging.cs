using System.IO.Compression;

using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Snapshots.Archive;
using Snapshots.Storage;

namespace Snapshots.Imports;

/// <summary>
/// The blobs of an import in progress, in the data account's <c>imports</c> container: the uploaded zip,
/// the batch plan, and the warnings. Deleted when the import ends either way.
/// </summary>
public sealed class ImportStaging(BlobAccounts accounts, Microsoft.Extensions.Options.IOptions<ImportOptions> limits)
{
    private BlobContainerClient Container => accounts.Data.GetBlobContainerClient(BlobContainerNames.Imports);

    /// <summary>Streams an upload into staging, stopping with <see cref="ImportTooLargeException"/> past the limit.</summary>
    public async Task<long> UploadAsync(string importId, Stream body, long maxBytes, CancellationToken cancellationToken)
    {
        var limited = new LimitedReadStream(body, maxBytes);
        await Container.GetBlobClient(UploadBlob(importId)).UploadAsync(limited, new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = "application/zip" },
            TransferOptions = new Azure.Storage.StorageTransferOptions { MaximumTransferSize = 4 * 1024 * 1024, MaximumConcurrency = 4 },
        }, cancellationToken);
        return limited.BytesRead;
    }

    /// <summary>Opens the uploaded zip over a seekable blob stream: entries are read on demand, never the whole archive.</summary>
    /// <param name="readAhead">Bytes per range read: large for reading entries, small for only the central directory.</param>
    public async Task<ZipArchive> OpenUploadAsync(string importId, CancellationToken cancellationToken, int readAhead = ReadAhead) =>
        await OpenZipAsync(await OpenUploadStreamAsync(importId, cancellationToken, readAhead));

    /// <summary>Reads the uploaded zip's directory once, sorted into what each import step will read.</summary>
    internal async Task<KonfuzioExportIndex> ReadExportIndexAsync(string importId, CancellationToken cancellationToken)
    {
        await using var stream = await OpenUploadStreamAsync(importId, cancellationToken);
        return await KonfuzioExportIndex.ReadAsync(stream, cancellationToken);
    }

    /// <summary>
    /// Refuses an upload whose directory reads one way to .NET's zip reader (<paramref name="zip"/>, which every
    /// check at staging went through) and another to the record reader the import steps' partial directories come
    /// from: a crafted end record could otherwise show each a different set of entries.
    /// </summary>
    internal async Task CheckOneDirectoryAsync(string importId, ZipArchive zip, CancellationToken cancellationToken)
    {
        await using var stream = await OpenUploadStreamAsync(importId, cancellationToken, DirectoryReadAhead);
        var records = await ZipDirectoryRecords.ReadAsync(stream, reason => new ImportValidationException("", $"the upload's {reason}."), cancellationToken);
        if (!records.ListSameEntriesAs(zip))
        {
            throw new ImportValidationException("", "the upload's zip directory is ambiguous: its end records point at different directories.");
        }
    }

    /// <summary>Keeps the partial directory a step will open the upload with (<see cref="OpenPartAsync"/>).</summary>
    internal Task WriteDirectoryAsync(string importId, ImportPart part, byte[] directory, CancellationToken cancellationToken) =>
        Container.GetBlobClient(DirectoryBlob(importId, part)).UploadAsync(BinaryData.FromBytes(directory), overwrite: true, cancellationToken);

    /// <summary>
    /// The uploaded zip with only the entries <paramref name="part"/> reads. An import planned before partial
    /// directories were kept has none: it gets the whole zip, as it did then.
    /// </summary>
    internal async Task<ZipArchive> OpenPartAsync(string importId, ImportPart part, CancellationToken cancellationToken)
    {
        byte[] directory;
        try
        {
            directory = (await Container.GetBlobClient(DirectoryBlob(importId, part)).DownloadContentAsync(cancellationToken)).Value.Content.ToArray();
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            return await OpenUploadAsync(importId, cancellationToken);
        }

        return await OpenWithDirectoryAsync(importId, directory, cancellationToken);
    }

    /// <summary>The uploaded zip read through <paramref name="directory"/> instead of its own (<see cref="ZipDirectoryRecords.DirectoryOf"/>).</summary>
    internal async Task<ZipArchive> OpenWithDirectoryAsync(string importId, byte[] directory, CancellationToken cancellationToken)
    {
        var zip = await OpenZipAsync(new AppendedStream(await OpenUploadStreamAsync(importId, cancellationToken), directory));
        try
        {
            // The limits staging checked over the whole directory hold for every part of it; checked again, cheaply.
            ArchiveLimits.Check(zip, limits.Value);
            return zip;
        }
        catch
        {
            zip.Dispose();
            throw;
        }
    }

    private static async Task<ZipArchive> OpenZipAsync(Stream stream)
    {
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: false);
        }
        catch (Exception ex) when (ex is InvalidDataException or ArgumentException or IOException)
        {
            // Not a zip: no central directory where one must be (short or foreign content).
            await stream.DisposeAsync();
            throw new ImportValidationException("", "the upload is not a zip archive.");
        }

        try
        {
            // The central directory is read on first use: read it here, where a damaged one is the upload's fault.
            _ = zip.Entries;
            return zip;
        }
        catch (InvalidDataException ex)
        {
            zip.Dispose();
            throw new ImportValidationException("", $"the upload's zip directory is damaged ({ex.Message.TrimEnd('.')}).");
        }
    }

    /// <summary>The uploaded zip as a seekable stream read in ranges of <paramref name="readAhead"/> bytes.</summary>
    public Task<Stream> OpenUploadStreamAsync(string importId, CancellationToken cancellationToken, int readAhead = ReadAhead) =>
        Container.GetBlobClient(UploadBlob(importId)).OpenReadAsync(
            new BlobOpenReadOptions(allowModifications: false) { BufferSize = readAhead }, cancellationToken);

    public async Task WriteBatchAsync(string importId, int index, IReadOnlyList<string> documentsJson, CancellationToken cancellationToken)
    {
        var ndjson = string.Join('\n', documentsJson);
        await Container.GetBlobClient(BatchBlob(importId, index)).UploadAsync(BinaryData.FromString(ndjson), overwrite: true, cancellationToken);
    }

    public async Task<IReadOnlyList<JsonObject>> ReadBatchAsync(string importId, int index, CancellationToken cancellationToken)
    {
        var content = await Container.GetBlobClient(BatchBlob(importId, index)).DownloadContentAsync(cancellationToken);
        return [.. Documents(content.Value.Content)];
    }

    private static IEnumerable<JsonObject> Documents(BinaryData batch) =>
        batch.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonNode.Parse(line)!.AsObject());

    /// <summary>The documents of every batch the plan staged (none before planning or after cleanup).</summary>
    public async IAsyncEnumerable<JsonObject> ReadStagedDocumentsAsync(string importId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var blob in Container.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = $"{importId}/batches/" }, cancellationToken))
        {
            if (!blob.Name.EndsWith(".ndjson", StringComparison.Ordinal))
            {
                continue;
            }

            var content = await Container.GetBlobClient(blob.Name).DownloadContentAsync(cancellationToken);
            foreach (var document in Documents(content.Value.Content))
            {
                yield return document;
            }
        }
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

    /// <summary>
    /// Deletes what uploads staged before <paramref name="cutoff"/> and no operation removed: a request that died
    /// between staging and starting its operation, or an operation that failed before its own cleanup; how many.
    /// </summary>
    public async Task<int> ExpireAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var expired = new List<string>();
        await foreach (var blob in Container.GetBlobsAsync(cancellationToken: cancellationToken))
        {
            if (blob.Name.EndsWith("/" + UploadFile, StringComparison.Ordinal) && blob.Properties.CreatedOn is { } created && created < cutoff)
            {
                expired.Add(blob.Name[..^UploadFile.Length]);
            }
        }

        foreach (var folder in expired)
        {
            await Container.DeleteByPrefixAsync(folder, cancellationToken);
        }

        return expired.Count;
    }

    /// <summary>Range reads of 4 MiB: entries are read through, so fewer, larger requests.</summary>
    public const int ReadAhead = 4 * 1024 * 1024;

    /// <summary>Range reads of 64 KiB: for the central directory and a manifest, near the end of the zip.</summary>
    public const int DirectoryReadAhead = 64 * 1024;

    private const string UploadFile = "upload.zip";

    private static string UploadBlob(string importId) => $"{importId}/{UploadFile}";

    private static string WarningsBlob(string importId) => $"{importId}/warnings.json";

    private static string BatchBlob(string importId, int index) => $"{importId}/batches/{index:D6}.ndjson";

    private static string DirectoryBlob(string importId, ImportPart part) =>
        part.BatchIndex is { } index ? $"{importId}/batches/{index:D6}.zipdir" : $"{importId}/schema.zipdir";

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

/// <summary>What an import step reads of the upload: the schema (<see cref="Schema"/>) or one batch of documents.</summary>
internal readonly record struct ImportPart(int? BatchIndex)
{
    public static ImportPart Schema => new(null);

    public static ImportPart Batch(int index) => new(index);
}
