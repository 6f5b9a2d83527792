using System.Buffers.Binary;
using System.Text;

namespace Snapshots.Archive;

/// <summary>
/// A zip's central directory kept as its records (compact: no comments, no extra fields but zip64's), so that a
/// step can open the zip with only the entries it needs. The records it picks, followed by a new end record and appended after the archive's own bytes
/// (<see cref="AppendedStream"/>), make a directory of those entries alone that points into the original data:
/// the zip reader then holds and parses a batch's entries, not the whole archive's.
/// </summary>
internal sealed class ZipDirectoryRecords
{
    private const uint RecordSignature = 0x02014b50;
    private const int FixedLength = 46;

    private readonly byte[] directory;
    private readonly List<int> starts;
    private readonly Func<string, Exception> damaged;

    private ZipDirectoryRecords(byte[] directory, List<int> starts, long archiveLength, Func<string, Exception> damaged)
    {
        this.damaged = damaged;
        this.directory = directory;
        this.starts = starts;
        ArchiveLength = archiveLength;
    }

    /// <summary>The length of the archive the records point into: where an appended directory starts.</summary>
    public long ArchiveLength { get; }

    public int Count => starts.Count;

    /// <summary>
    /// Reads the central directory of <paramref name="zip"/> (a seekable stream) record by record, as .NET's zip
    /// reader does: from where the end record says, as many records as it counts. Each record is kept compact:
    /// its fixed part, its name, and of its extra fields only the zip64 sizes and offset; comments and other extra
    /// fields, which a zip reader in read mode drops too, are not kept. A directory that does not add up is refused
    /// with the error <paramref name="damaged"/> makes from the reason.
    /// </summary>
    public static async Task<ZipDirectoryRecords> ReadAsync(Stream zip, Func<string, Exception> damaged, CancellationToken cancellationToken)
    {
        var location = await ZipEndRecord.LocateAsync(zip, damaged, cancellationToken) ?? throw damaged("zip directory is damaged (it has no end record)");
        if (location.Offset < 0 || location.Offset > zip.Length || location.Entries < 0 || location.Entries > int.MaxValue)
        {
            throw damaged("zip directory is damaged (its end record points outside the archive)");
        }

        zip.Seek(location.Offset, SeekOrigin.Begin);
        var compact = new MemoryStream();
        var starts = new List<int>((int)Math.Min(location.Entries, 1 << 20));
        var header = new byte[FixedLength];
        var variable = new byte[3 * ushort.MaxValue];
        for (var record = 0; record < location.Entries; record++)
        {
            await ReadExactlyAsync(zip, header, damaged, cancellationToken);
            if (BinaryPrimitives.ReadUInt32LittleEndian(header) != RecordSignature)
            {
                throw damaged($"zip directory is damaged (record {record} of {location.Entries} is not a directory record)");
            }

            var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(28));
            var extraLength = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(30));
            var commentLength = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(32));
            var rest = variable.AsMemory(0, nameLength + extraLength + commentLength);
            await ReadExactlyAsync(zip, rest, damaged, cancellationToken);
            var zip64 = Zip64Field(variable.AsSpan(nameLength, extraLength));

            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(30), (ushort)zip64.Length);
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(32), 0);
            starts.Add(checked((int)compact.Length));
            compact.Write(header);
            compact.Write(variable, 0, nameLength);
            compact.Write(zip64);
        }

        return new ZipDirectoryRecords(compact.ToArray(), starts, zip.Length, damaged);
    }

    /// <summary>The entry name of record <paramref name="record"/>, decoded as .NET's zip reader decodes it: UTF-8, flagged or not.</summary>
    public string NameOf(int record)
    {
        var start = starts[record];
        var length = BinaryPrimitives.ReadUInt16LittleEndian(directory.AsSpan(start + 28));
        return Encoding.UTF8.GetString(directory, start + FixedLength, length);
    }

    /// <summary>
    /// Whether <paramref name="zip"/> (.NET's reader over the same archive) lists the same entries in the same order:
    /// what was validated through it is then what partial directories built from these records read.
    /// </summary>
    public bool ListSameEntriesAs(System.IO.Compression.ZipArchive zip) =>
        zip.Entries.Count == Count && zip.Entries.Select(e => e.FullName).SequenceEqual(Enumerable.Range(0, Count).Select(NameOf), StringComparer.Ordinal);

    /// <summary>
    /// What to append after the archive so that a zip reader sees only <paramref name="records"/> (indexes, kept in
    /// the given order): their raw records, then a zip64 end record, its locator and an end record pointing at them.
    /// </summary>
    public byte[] DirectoryOf(IReadOnlyCollection<int> records)
    {
        const int Zip64EndLength = 56, LocatorLength = 20, EndLength = 22;
        var recordBytes = records.Sum(r => (long)RecordLength(directory, starts[r], damaged));
        var tail = new byte[recordBytes + Zip64EndLength + LocatorLength + EndLength];
        var position = 0;
        foreach (var record in records)
        {
            var length = RecordLength(directory, starts[record], damaged);
            directory.AsSpan(starts[record], length).CopyTo(tail.AsSpan(position));
            position += length;
        }

        var zip64End = tail.AsSpan(position, Zip64EndLength);
        BinaryPrimitives.WriteUInt32LittleEndian(zip64End, 0x06064b50);
        BinaryPrimitives.WriteInt64LittleEndian(zip64End[4..], Zip64EndLength - 12);
        BinaryPrimitives.WriteUInt16LittleEndian(zip64End[12..], 45);
        BinaryPrimitives.WriteUInt16LittleEndian(zip64End[14..], 45);
        BinaryPrimitives.WriteInt64LittleEndian(zip64End[24..], records.Count);
        BinaryPrimitives.WriteInt64LittleEndian(zip64End[32..], records.Count);
        BinaryPrimitives.WriteInt64LittleEndian(zip64End[40..], recordBytes);
        BinaryPrimitives.WriteInt64LittleEndian(zip64End[48..], ArchiveLength);

        var locator = tail.AsSpan(position + Zip64EndLength, LocatorLength);
        BinaryPrimitives.WriteUInt32LittleEndian(locator, 0x07064b50);
        BinaryPrimitives.WriteInt64LittleEndian(locator[8..], ArchiveLength + recordBytes);
        BinaryPrimitives.WriteUInt32LittleEndian(locator[16..], 1);

        // The end record defers every count and offset to the zip64 record, so any size of archive reads the same way.
        var end = tail.AsSpan(position + Zip64EndLength + LocatorLength, EndLength);
        BinaryPrimitives.WriteUInt32LittleEndian(end, 0x06054b50);
        BinaryPrimitives.WriteUInt16LittleEndian(end[8..], ushort.MaxValue);
        BinaryPrimitives.WriteUInt16LittleEndian(end[10..], ushort.MaxValue);
        BinaryPrimitives.WriteUInt32LittleEndian(end[12..], uint.MaxValue);
        BinaryPrimitives.WriteUInt32LittleEndian(end[16..], uint.MaxValue);
        return tail;
    }

    /// <summary>The zip64 extended information field (id 1) of an extra-field block, whole; empty when there is none.</summary>
    private static ReadOnlySpan<byte> Zip64Field(ReadOnlySpan<byte> extra)
    {
        while (extra.Length >= 4)
        {
            var size = BinaryPrimitives.ReadUInt16LittleEndian(extra[2..]);
            if (4 + size > extra.Length)
            {
                break;
            }

            if (BinaryPrimitives.ReadUInt16LittleEndian(extra) == 1)
            {
                return extra[..(4 + size)];
            }

            extra = extra[(4 + size)..];
        }

        return [];
    }

    private static async Task ReadExactlyAsync(Stream zip, Memory<byte> buffer, Func<string, Exception> damaged, CancellationToken cancellationToken)
    {
        try
        {
            await zip.ReadExactlyAsync(buffer, cancellationToken);
        }
        catch (EndOfStreamException)
        {
            throw damaged("zip directory is damaged (it runs past the end of the archive)");
        }
    }

    private static int RecordLength(byte[] directory, int start, Func<string, Exception> damaged)
    {
        if (directory.Length - start < FixedLength || BinaryPrimitives.ReadUInt32LittleEndian(directory.AsSpan(start)) != RecordSignature)
        {
            throw damaged($"zip directory is damaged (no record where byte {start} of it should start one)");
        }

        var length = FixedLength
            + BinaryPrimitives.ReadUInt16LittleEndian(directory.AsSpan(start + 28))
            + BinaryPrimitives.ReadUInt16LittleEndian(directory.AsSpan(start + 30))
            + BinaryPrimitives.ReadUInt16LittleEndian(directory.AsSpan(start + 32));
        return length <= directory.Length - start ? length : throw damaged($"zip directory is damaged (the record at byte {start} runs past its end)");
    }
}
