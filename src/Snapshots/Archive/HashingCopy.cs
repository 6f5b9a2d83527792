using System.Buffers;

namespace Snapshots.Archive;

/// <summary>Copies a stream while computing the SHA-256, the size and the number of lines of what passed.</summary>
internal sealed class HashingCopy : IDisposable
{
    private readonly ContentDigest digest = new();

    public long Bytes => digest.Bytes;

    public int Lines => digest.Lines;

    public async Task CopyAsync(Stream source, Stream destination, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
            {
                var chunk = buffer.AsMemory(0, read);
                digest.Add(chunk.Span);
                await destination.WriteAsync(chunk, cancellationToken);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public string Sha256Hex() => digest.Sha256Hex();

    public void Dispose() => digest.Dispose();
}
