using System.Buffers.Binary;

namespace Snapshots.Archive;

/// <summary>A zip's end-of-central-directory record (and its zip64 form): where the directory is, read before anything loads it.</summary>
internal static class ZipEndRecord
{
    private const uint EndOfDirectory = 0x06054b50;
    private const uint Zip64Locator = 0x07064b50;
    private const uint Zip64EndOfDirectory = 0x06064b50;
    private const int EndRecordLength = 22;
    private const int LocatorLength = 20;

    /// <summary>
    /// Where the central directory is and what it claims, from the end record (zip64 when it says so); null for no end
    /// record. <paramref name="damaged"/> makes the error for a zip64 record that is not there from a reason such as
    /// "zip64 directory record is damaged".
    /// </summary>
    public static async Task<ZipDirectoryLocation?> LocateAsync(Stream zip, Func<string, Exception> damaged, CancellationToken cancellationToken)
    {
        // The record sits at the end, after at most a 64 KiB comment.
        var tailLength = (int)Math.Min(zip.Length, EndRecordLength + ushort.MaxValue + LocatorLength);
        var tail = new byte[tailLength];
        zip.Seek(-tailLength, SeekOrigin.End);
        await zip.ReadExactlyAsync(tail, cancellationToken);

        var end = LastIndexOf(tail, EndOfDirectory);
        if (end < 0)
        {
            return null;
        }

        var disk = BinaryPrimitives.ReadUInt16LittleEndian(tail.AsSpan(end + 4));
        long entries = BinaryPrimitives.ReadUInt16LittleEndian(tail.AsSpan(end + 10));
        long directoryBytes = BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(end + 12));
        long directoryOffset = BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(end + 16));
        if (disk != BinaryPrimitives.ReadUInt16LittleEndian(tail.AsSpan(end + 6)) || entries != BinaryPrimitives.ReadUInt16LittleEndian(tail.AsSpan(end + 8)))
        {
            // A split or spanned archive, which .NET's reader refuses too.
            throw damaged("zip directory spans several disks");
        }

        // Exactly the fields that make .NET's reader look for the zip64 record (never the size): both readers must
        // see the same directory, or what one validated is not what the other reads.
        if ((disk == ushort.MaxValue || directoryOffset == uint.MaxValue || entries == ushort.MaxValue) && end >= LocatorLength
            && BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(end - LocatorLength)) == Zip64Locator)
        {
            var recordOffset = BinaryPrimitives.ReadInt64LittleEndian(tail.AsSpan(end - LocatorLength + 8));
            if (recordOffset < 0 || recordOffset > zip.Length - 56)
            {
                throw damaged("zip64 directory record points past its end");
            }

            var record = new byte[56];
            zip.Seek(recordOffset, SeekOrigin.Begin);
            await zip.ReadExactlyAsync(record, cancellationToken);
            if (BinaryPrimitives.ReadUInt32LittleEndian(record) != Zip64EndOfDirectory)
            {
                throw damaged("zip64 directory record is damaged");
            }

            entries = BinaryPrimitives.ReadInt64LittleEndian(record.AsSpan(32));
            directoryBytes = BinaryPrimitives.ReadInt64LittleEndian(record.AsSpan(40));
            directoryOffset = BinaryPrimitives.ReadInt64LittleEndian(record.AsSpan(48));
        }

        return new ZipDirectoryLocation(directoryOffset, directoryBytes, entries);
    }

    private static int LastIndexOf(byte[] tail, uint signature)
    {
        for (var i = tail.Length - EndRecordLength; i >= 0; i--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(i)) == signature)
            {
                return i;
            }
        }

        return -1;
    }
}

/// <summary>A zip's central directory as its end record gives it: where it starts, how many bytes, how many entries.</summary>
internal sealed record ZipDirectoryLocation(long Offset, long Length, long Entries);
