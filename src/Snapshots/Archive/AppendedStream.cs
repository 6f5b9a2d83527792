namespace Snapshots.Archive;

/// <summary>
/// A seekable, read-only stream of an archive followed by a few bytes held in memory: how a zip is opened with a
/// directory of its own choosing (<see cref="ZipDirectoryRecords.DirectoryOf"/>) without copying the archive.
/// </summary>
internal sealed class AppendedStream(Stream archive, byte[] tail) : Stream
{
    private readonly long archiveLength = archive.Length;
    private long position;

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => archiveLength + tail.Length;

    public override long Position
    {
        get => position;
        set => position = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    public override int Read(Span<byte> buffer)
    {
        if (position < archiveLength)
        {
            archive.Position = position;
            return Advance(archive.Read(buffer[..(int)Math.Min(buffer.Length, archiveLength - position)]));
        }

        return Advance(ReadTail(buffer));
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (position < archiveLength)
        {
            archive.Position = position;
            return Advance(await archive.ReadAsync(buffer[..(int)Math.Min(buffer.Length, archiveLength - position)], cancellationToken));
        }

        return Advance(ReadTail(buffer.Span));
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => position + offset,
        _ => Length + offset,
    };

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            archive.Dispose();
        }

        base.Dispose(disposing);
    }

    private int ReadTail(Span<byte> buffer)
    {
        var start = position - archiveLength;
        if (start >= tail.Length)
        {
            return 0;
        }

        var count = (int)Math.Min(buffer.Length, tail.Length - start);
        tail.AsSpan((int)start, count).CopyTo(buffer);
        return count;
    }

    private int Advance(int read)
    {
        position += read;
        return read;
    }
}
