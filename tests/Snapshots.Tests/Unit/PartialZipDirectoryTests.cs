using System.IO.Compression;
using System.Text;
using Snapshots.Archive;
using Snapshots.Imports;

namespace Snapshots.Tests.Unit;

/// <summary>A zip opened through a directory of some of its records reads those entries, and only those, byte for byte.</summary>
public sealed class PartialZipDirectoryTests
{
    [Fact]
    public async Task A_partial_directory_opens_exactly_the_picked_entries_with_their_content()
    {
        var names = new[] { "export/documents_meta.json5", "export/documents/7/annotations.json5", "export/documents/7/document.pdf", "export/documents/8/Ünïcödé.txt", "export/labels.json5" };
        var zip = Zip(names.Select((name, i) => (name, Content(i))), (name, _) => name.EndsWith(".pdf", StringComparison.Ordinal) ? CompressionLevel.NoCompression : CompressionLevel.Optimal);
        var records = await ZipDirectoryRecords.ReadAsync(new MemoryStream(zip), Damaged, CancellationToken.None);
        Assert.Equal(names, Enumerable.Range(0, records.Count).Select(records.NameOf));

        int[] picked = [1, 3, 4];
        using var partial = new ZipArchive(new AppendedStream(new MemoryStream(zip), records.DirectoryOf(picked)), ZipArchiveMode.Read);

        Assert.Equal(picked.Select(i => names[i]), partial.Entries.Select(e => e.FullName));
        foreach (var i in picked)
        {
            await using var entry = partial.GetEntry(names[i])!.Open();
            using var read = new MemoryStream();
            await entry.CopyToAsync(read);
            Assert.Equal(Content(i), read.ToArray());
        }
    }

    [Fact]
    public async Task A_zip64_directory_of_more_than_65535_entries_is_read_and_partial_directories_of_it_open()
    {
        const int count = 70_000;
        var zip = Zip(Enumerable.Range(0, count).Select(i => ($"f/{i:D6}", Encoding.UTF8.GetBytes(i.ToString("D6")))), (_, _) => CompressionLevel.NoCompression);
        var records = await ZipDirectoryRecords.ReadAsync(new MemoryStream(zip), Damaged, CancellationToken.None);
        Assert.Equal(count, records.Count);

        int[] picked = [0, 65_535, count - 1];
        using var partial = new ZipArchive(new AppendedStream(new MemoryStream(zip), records.DirectoryOf(picked)), ZipArchiveMode.Read);
        Assert.Equal(["f/000000", "f/065535", "f/069999"], partial.Entries.Select(e => e.FullName));
        using var reader = new StreamReader(partial.Entries[1].Open());
        Assert.Equal("065535", await reader.ReadToEndAsync());
    }

    [Fact]
    public async Task A_directory_whose_records_do_not_add_up_is_refused_as_damaged()
    {
        var zip = Zip([("a", [1]), ("b", [2])], (_, _) => CompressionLevel.NoCompression);
        // The first record's name length, grown so that the record runs over the next one's signature.
        var directoryStart = BitConverter.ToInt32(zip, zip.Length - 22 + 16);
        zip[directoryStart + 28] = 40;

        var refused = await Assert.ThrowsAsync<ImportValidationException>(() => ZipDirectoryRecords.ReadAsync(new MemoryStream(zip), Damaged, CancellationToken.None));
        Assert.StartsWith("The upload's zip directory is damaged", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Comments_and_extra_fields_are_not_kept_and_the_partial_directory_still_reads_the_entries()
    {
        var comment = new string('c', 3000);
        var zip = Zip(Enumerable.Range(0, 3).Select(i => ($"f/{i}", Content(i))), (_, _) => CompressionLevel.Optimal, comment);
        var records = await ZipDirectoryRecords.ReadAsync(new MemoryStream(zip), Damaged, CancellationToken.None);

        var directory = records.DirectoryOf([0, 1, 2]);
        Assert.True(directory.Length < 3 * (46 + 3 + 32) + 98, $"{directory.Length} bytes: a comment was kept.");
        using var partial = new ZipArchive(new AppendedStream(new MemoryStream(zip), directory), ZipArchiveMode.Read);
        using var read = new MemoryStream();
        await using (var entry = partial.GetEntry("f/2")!.Open())
        {
            await entry.CopyToAsync(read);
        }

        Assert.Equal(Content(2), read.ToArray());
    }

    [Fact]
    public async Task The_zip64_record_is_looked_for_only_where_dotnets_reader_looks_for_it_so_both_read_one_directory()
    {
        // An end record whose size field alone says "see zip64", with a zip64 locator and record in front of it that
        // point elsewhere: .NET's reader ignores them (it never takes the size field as the sign), so must this one.
        var zip = Zip([("a", [1]), ("b", [2])], (_, _) => CompressionLevel.NoCompression);
        var end = zip.Length - 22;
        var crafted = new MemoryStream();
        crafted.Write(zip, 0, end);
        var zip64Offset = crafted.Length;
        var record = new byte[56];
        BitConverter.TryWriteBytes(record.AsSpan(0), 0x06064b50u);
        BitConverter.TryWriteBytes(record.AsSpan(4), 44L);
        BitConverter.TryWriteBytes(record.AsSpan(24), 1L);
        BitConverter.TryWriteBytes(record.AsSpan(32), 1L);
        BitConverter.TryWriteBytes(record.AsSpan(40), 46L);
        BitConverter.TryWriteBytes(record.AsSpan(48), 0L);
        crafted.Write(record);
        var locator = new byte[20];
        BitConverter.TryWriteBytes(locator.AsSpan(0), 0x07064b50u);
        BitConverter.TryWriteBytes(locator.AsSpan(8), zip64Offset);
        BitConverter.TryWriteBytes(locator.AsSpan(16), 1u);
        crafted.Write(locator);
        var endRecord = zip.AsSpan(end, 22).ToArray();
        BitConverter.TryWriteBytes(endRecord.AsSpan(12), uint.MaxValue);
        crafted.Write(endRecord);
        var bytes = crafted.ToArray();

        using var dotnet = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read);
        var records = await ZipDirectoryRecords.ReadAsync(new MemoryStream(bytes), Damaged, CancellationToken.None);
        Assert.Equal(["a", "b"], dotnet.Entries.Select(e => e.FullName));
        Assert.True(records.ListSameEntriesAs(dotnet));
    }

    [Fact]
    public async Task A_Konfuzio_batch_directory_holds_the_top_level_files_and_only_the_batch_documents_folders()
    {
        var zip = Zip(
            [("p/documents_meta.json5", [1]), ("p/labels.json5", [2]), ("p/models/extraction_ais/m.pkl", [3]), ("p/documents/1/a.json5", [4]),
             ("p/documents/2/a.json5", [5]), ("p/documents/2/b.pdf", [6]), ("p/documents/3/a.json5", [7])],
            (_, _) => CompressionLevel.NoCompression);
        var index = await KonfuzioExportIndex.ReadAsync(new MemoryStream(zip), CancellationToken.None);

        Assert.Equal(["p/documents_meta.json5", "p/labels.json5", "p/documents/2/a.json5", "p/documents/2/b.pdf", "p/documents/3/a.json5"],
            EntriesThrough(zip, index.BatchDirectory(["3", "2", "absent"])));
        Assert.Equal(["p/documents_meta.json5", "p/labels.json5", "p/models/extraction_ais/m.pkl"], EntriesThrough(zip, index.SchemaDirectory()));
    }

    private static ImportValidationException Damaged(string reason) => new("", $"the upload's {reason}.");

    private static List<string> EntriesThrough(byte[] zip, byte[] directory)
    {
        using var partial = new ZipArchive(new AppendedStream(new MemoryStream(zip), directory), ZipArchiveMode.Read);
        return [.. partial.Entries.Select(e => e.FullName)];
    }

    private static byte[] Content(int i) => Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat($"entry {i};", 200 * (i + 1))));

    private static byte[] Zip(IEnumerable<(string Name, byte[] Content)> entries, Func<string, byte[], CompressionLevel> level, string? comment = null)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                var created = zip.CreateEntry(name, level(name, content));
                if (comment is not null)
                {
                    created.Comment = comment;
                }

                using var entry = created.Open();
                entry.Write(content);
            }
        }

        return buffer.ToArray();
    }
}
