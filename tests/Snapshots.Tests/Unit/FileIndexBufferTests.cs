using Snapshots.Archive;

namespace Snapshots.Tests.Unit;

public sealed class FileIndexBufferTests
{
    [Fact]
    public void A_part_is_full_at_ten_thousand_files_and_the_next_has_the_next_number()
    {
        var index = new FileIndexBuffer();
        var full = Enumerable.Range(0, FileIndexBuffer.MaxFiles + 1).Select(i => index.Add(File($"files/documents/d/{i}.txt"))).ToList();

        Assert.Equal(FileIndexBuffer.MaxFiles - 1, full.IndexOf(true));
        Assert.Single(full, f => f);
        index.Closed();
        Assert.Equal(1, index.Number);
        Assert.Empty(index.Files);
        Assert.Equal("index/files-000001.ndjson", ArchiveEntries.FileIndex(index.Number));
    }

    [Fact]
    public void Long_names_close_a_part_before_its_lines_could_pass_what_readers_take()
    {
        var index = new FileIndexBuffer();
        var name = "files/documents/d/" + new string('\u00e9', 500);
        var count = 1;
        while (!index.Add(File(name + count)))
        {
            count++;
        }

        // Every character escaped as \uXXXX (6 bytes) plus the rest of the line still fits a reader's limit.
        Assert.True(count < FileIndexBuffer.MaxFiles);
        Assert.True(count * ((name.Length * 6L) + 200) < SnapshotArchiveReader.MaxIndexPartBytes, $"{count} files");
    }

    private static ManifestPart File(string path) => new(path, new string('a', 64), 10, 0);
}
