using System.Buffers;
using System.Security.Cryptography;

namespace Snapshots.Archive;

/// <summary>Copies a stream while computing the SHA-256, the size and the number of lines of what passed.</summary>
internal sealed class HashingCopy : IDisposable
{
    private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public long Bytes { get; private set; }

    public int Lines { get; private set; }

    public async Task CopyAsync(Stream source, Stream destination, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
            {
                var chunk = buffer.AsMemory(0, read);
                hash.AppendData(chunk.Span);
                Lines += chunk.Span.Count((byte)'\n');
                Bytes += read;
                await destination.WriteAsync(chunk, cancellationToken);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public string Sha256Hex() => Convert.ToHexStringLower(hash.GetHashAndReset());

    public void Dispose() => hash.Dispose();
}
