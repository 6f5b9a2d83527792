using System.Buffers.Binary;

namespace Snapshots.Imports;

/// <summary>
/// Reads only a zip's end-of-central-directory record (and its zip64 form) to learn how many entries the central
/// directory holds and how large it is, before anything loads that directory into memory: a zip that claims more
/// entries than <see cref="ImportOptions.MaxEntries"/>, or a directory larger than those entries can need, is refused
/// with two small range reads.
/// </summary>
internal static class ZipDirectoryLimits
{
    /// <summary>The most one directory record can take: 46 bytes, a name of up to 512 characters in UTF-8, and room for extra fields.</summary>
    private const long MaxBytesPerEntry = 46 + (512 * 4) + 1024;

    private const uint EndOfDirectory = 0x06054b50;
    private const uint Zip64Locator = 0x07064b50;
    private const uint Zip64EndOfDirectory = 0x06064b50;
    private const int EndRecordLength = 22;
    private const int LocatorLength = 20;

    public static async Task CheckAsync(Stream zip, ImportOptions limits, CancellationToken cancellationToken)
    {
        if (await LocateAsync(zip, cancellationToken) is not { } directory)
        {
            // Not a zip at all: the zip reader says so in its own words.
            return;
        }

        var (entries, directoryBytes) = (directory.Entries, directory.Length);
        if (entries > limits.MaxEntries || entries < 0)
        {
            throw ArchiveLimits.TooManyEntries(entries, limits);
        }

        if (directoryBytes > Math.Max(entries, 1) * MaxBytesPerEntry || directoryBytes < 0)
        {
            throw new ImportTooLargeException($"The archive's central directory is {directoryBytes} bytes for {entries} entries: more than its entries can need.");
        }
    }

    /// <summary>Where the central directory is and what it claims, from the end record (zip64 when it says so); null for no end record.</summary>
    public static async Task<ZipDirectoryLocation?> LocateAsync(Stream zip, CancellationToken cancellationToken)
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

        long entries = BinaryPrimitives.ReadUInt16LittleEndian(tail.AsSpan(end + 10));
        long directoryBytes = BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(end + 12));
        long directoryOffset = BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(end + 16));
        if ((entries == ushort.MaxValue || directoryBytes == uint.MaxValue || directoryOffset == uint.MaxValue) && end >= LocatorLength
            && BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(end - LocatorLength)) == Zip64Locator)
        {
            var recordOffset = BinaryPrimitives.ReadInt64LittleEndian(tail.AsSpan(end - LocatorLength + 8));
            if (recordOffset < 0 || recordOffset > zip.Length - 56)
            {
                throw new ImportValidationException("", "the upload's zip64 directory record points outside the upload.");
            }

            var record = new byte[56];
            zip.Seek(recordOffset, SeekOrigin.Begin);
            await zip.ReadExactlyAsync(record, cancellationToken);
            if (BinaryPrimitives.ReadUInt32LittleEndian(record) != Zip64EndOfDirectory)
            {
                throw new ImportValidationException("", "the upload's zip64 directory record is damaged.");
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
