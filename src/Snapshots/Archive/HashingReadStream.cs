using Snapshots.Storage;

namespace Snapshots.Archive;

/// <summary>A read-only stream that computes the SHA-256, size and line count of what is read through it.</summary>
internal sealed class HashingReadStream(Stream inner) : ReadOnlyWrapperStream(inner)
{
    private readonly ContentDigest digest = new();

    public long Bytes => digest.Bytes;

    public int Lines => digest.Lines;

    public override long Position { get => Bytes; set => throw new NotSupportedException(); }

    public override int Read(Span<byte> buffer)
    {
        var read = Inner.Read(buffer);
        digest.Add(buffer[..read]);
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await Inner.ReadAsync(buffer, cancellationToken);
        digest.Add(buffer.Span[..read]);
        return read;
    }

    /// <summary>Reads what is left, so the hash covers the whole entry.</summary>
    public Task DrainAsync(CancellationToken cancellationToken) => CopyToAsync(Null, cancellationToken);

    public string Sha256Hex() => digest.Sha256Hex();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            digest.Dispose();
        }

        base.Dispose(disposing);
    }
}
