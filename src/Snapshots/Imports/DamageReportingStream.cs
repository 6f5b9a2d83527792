namespace Snapshots.Imports;

/// <summary>
/// A zip entry's content stream whose decompression failures (a flipped byte: an unknown compression method, a
/// broken deflate block, a CRC mismatch) become the reader's own refusal naming the entry, instead of escaping as
/// an <see cref="InvalidDataException"/> that would answer 500.
/// </summary>
internal sealed class DamageReportingStream(Stream inner, Func<string, Exception> damaged) : Stream
{
    public static Stream Open(System.IO.Compression.ZipArchiveEntry entry, Func<string, Exception> damaged)
    {
        try
        {
            return new DamageReportingStream(entry.Open(), damaged);
        }
        catch (InvalidDataException ex)
        {
            throw damaged(ex.Message);
        }
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        try
        {
            return inner.Read(buffer, offset, count);
        }
        catch (InvalidDataException ex)
        {
            throw damaged(ex.Message);
        }
    }

    public override int Read(Span<byte> buffer)
    {
        try
        {
            return inner.Read(buffer);
        }
        catch (InvalidDataException ex)
        {
            throw damaged(ex.Message);
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return await inner.ReadAsync(buffer, cancellationToken);
        }
        catch (InvalidDataException ex)
        {
            throw damaged(ex.Message);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
