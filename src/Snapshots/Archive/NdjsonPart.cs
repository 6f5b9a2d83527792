using System.Text.Json;
using Azure.Storage.Blobs;
using Snapshots.Configuration;

namespace Snapshots.Archive;

/// <summary>Writes items to a blob as NDJSON, one JSON document a line, streamed in staged blocks.</summary>
public sealed class NdjsonPart : IAsyncDisposable
{
    private static readonly byte[] NewLine = "\n"u8.ToArray();
    private readonly Stream stream;

    private NdjsonPart(Stream stream) => this.stream = stream;

    public int Items { get; private set; }

    public static async Task<NdjsonPart> CreateAsync(BlobClient blob, CancellationToken cancellationToken) =>
        new(await blob.OpenWriteAsync(overwrite: true, new Azure.Storage.Blobs.Models.BlobOpenWriteOptions { BufferSize = 4 * 1024 * 1024 }, cancellationToken));

    public async Task WriteAsync<T>(T item, CancellationToken cancellationToken)
    {
        await JsonSerializer.SerializeAsync(stream, item, SnapshotsJson.Options, cancellationToken);
        await stream.WriteAsync(NewLine, cancellationToken);
        Items++;
    }

    public async Task WriteAllAsync<T>(IAsyncEnumerable<T> items, CancellationToken cancellationToken)
    {
        await foreach (var item in items.WithCancellation(cancellationToken))
        {
            await WriteAsync(item, cancellationToken);
        }
    }

    public ValueTask DisposeAsync() => stream.DisposeAsync();

    /// <summary>Reads an NDJSON blob back, one item a line, without holding the whole blob.</summary>
    public static async IAsyncEnumerable<T> ReadAsync<T>(BlobClient blob, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var content = await blob.OpenReadAsync(cancellationToken: cancellationToken);
        using var reader = new StreamReader(content);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length > 0)
            {
                yield return JsonSerializer.Deserialize<T>(line, SnapshotsJson.Options)!;
            }
        }
    }
}
