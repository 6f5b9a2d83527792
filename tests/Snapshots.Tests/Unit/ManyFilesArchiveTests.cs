using Snapshots.Archive;
using Snapshots.Imports;
using Snapshots.Tests.Support;

namespace Snapshots.Tests.Unit;

/// <summary>An archive of 300 000 files: its manifest stays small and the one verification pass reads it within bounds.</summary>
public sealed class ManyFilesArchiveTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("snapshots-many-files-").FullName;

    [Fact]
    public async Task Three_hundred_thousand_files_keep_the_manifest_small_and_verify()
    {
        var path = Path.Combine(folder, "many.zip");
        ManyFilesArchive.Write(path, documents: 3_000, filesPerDocument: 100);

        using var reader = SnapshotArchiveReader.Open(File.OpenRead(path), new ImportOptions());
        var manifestEntry = new System.IO.Compression.ZipArchive(File.OpenRead(path)).GetEntry(ArchiveEntries.Manifest)!;
        await reader.VerifyAsync(default);

        Assert.Equal(300_000, reader.Manifest.Counts.Files);
        Assert.Equal(2 + 30, reader.Manifest.Parts.Count);
        Assert.True(manifestEntry.Length < 16 * 1024, $"manifest.json is {manifestEntry.Length} bytes");
        Assert.Equal(300_000 + 2 + 30, reader.VerifiedEntries);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
