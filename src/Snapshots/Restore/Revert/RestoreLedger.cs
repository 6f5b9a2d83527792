using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Snapshots.Configuration;
using Snapshots.Projects;
using Snapshots.Storage;

namespace Snapshots.Restore.Revert;

/// <summary>
/// What a published restore added, item by item with the version (ETag) it left: the project's items it wrote, each
/// document followed by its annotation sets and annotations. One NDJSON blob per restore in the data account
/// (<c>ledgers/restore-{id}.ndjson</c>), written once the restore is folded in, read by its revert, deleted with it.
/// </summary>
public sealed class RestoreLedger(BlobAccounts accounts)
{
    private BlobClient Blob(string restoreId) =>
        accounts.Data.GetBlobContainerClient(BlobContainerNames.Ledgers).GetBlobClient($"restore-{restoreId}.ndjson");

    public async Task WriteAsync(string restoreId, IAsyncEnumerable<ItemVersion> items, CancellationToken cancellationToken)
    {
        await using var stream = await Blob(restoreId).OpenWriteAsync(overwrite: true, cancellationToken: cancellationToken);
        await using var writer = new StreamWriter(stream, new UTF8Encoding(false));
        await foreach (var item in items.WithCancellation(cancellationToken))
        {
            await writer.WriteLineAsync(JsonSerializer.Serialize(item, SnapshotsJson.Options));
        }
    }

    public async IAsyncEnumerable<ItemVersion> ReadAsync(string restoreId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Stream stream;
        try
        {
            stream = await Blob(restoreId).OpenReadAsync(cancellationToken: cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw new Errors.ConflictException($"Restore '{restoreId}' has no record of what it added (it was restored before reverts were recorded, or its ledger is gone): it cannot be reverted.");
        }

        await using (stream)
        {
            using var reader = new StreamReader(stream, Encoding.UTF8);
            while (await reader.ReadLineAsync(cancellationToken) is { Length: > 0 } line)
            {
                yield return JsonSerializer.Deserialize<ItemVersion>(line, SnapshotsJson.Options)!;
            }
        }
    }

    public Task DeleteAsync(string restoreId, CancellationToken cancellationToken) =>
        Blob(restoreId).DeleteIfExistsAsync(cancellationToken: cancellationToken);
}
