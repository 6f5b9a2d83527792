using System.IO.Compression;
using Snapshots.Storage;

namespace Snapshots.Imports;

/// <summary>
/// A zip entry's content stream whose decompression failures (a flipped byte: an unknown compression method, a
/// broken deflate block, a CRC mismatch) become the reader's own refusal naming the entry, instead of escaping as
/// an <see cref="InvalidDataException"/> that would answer 500.
/// </summary>
internal sealed class DamageReportingStream(Stream inner, Func<string, Exception> damaged) : ReadOnlyWrapperStream(inner)
{
    public static Stream Open(ZipArchiveEntry entry, Func<string, Exception> damaged)
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

    public override long Length => Inner.Length;

    public override int Read(Span<byte> buffer)
    {
        try
        {
            return Inner.Read(buffer);
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
            return await Inner.ReadAsync(buffer, cancellationToken);
        }
        catch (InvalidDataException ex)
        {
            throw damaged(ex.Message);
        }
    }
}
