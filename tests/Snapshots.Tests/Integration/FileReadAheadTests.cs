using Microsoft.Extensions.DependencyInjection;
using Snapshots.Archive;
using Snapshots.Create;
using Snapshots.Projects;
using Snapshots.Tests.Support;

namespace Snapshots.Tests.Integration;

[Collection(ServiceTestGroup.Name)]
public sealed class FileReadAheadTests(ServiceFixture service)
{
    private ProjectFiles Files => service.Services.GetRequiredService<ProjectFiles>();

    [Fact]
    public async Task Files_come_back_in_the_given_order_with_their_content_whether_prefetched_or_streamed()
    {
        var owner = Guid.NewGuid().ToString("N");
        var sizes = new long[] { 10, FileReadAhead.SmallFileBytes + 1, 20, 30 }
            .Concat(Enumerable.Range(0, FileReadAhead.Window * 2).Select(i => (long)i + 1)).ToList();
        var refs = new List<FileRef>();
        for (var i = 0; i < sizes.Count; i++)
        {
            refs.Add(await StoreAsync(owner, $"f{i}", Content(i, sizes[i])));
        }

        var read = new List<(string Path, byte[] Content)>();
        await foreach (var (file, content) in Reader().OpenInOrderAsync(Stream(refs), default))
        {
            await using (content)
            {
                using var copy = new MemoryStream();
                await content.CopyToAsync(copy);
                read.Add((file.ArchivePath, copy.ToArray()));
            }
        }

        Assert.Equal(refs.Select(r => r.ArchivePath), read.Select(r => r.Path));
        Assert.All(read.Select((r, i) => (r, i)), x => Assert.Equal(Content(x.i, sizes[x.i]), x.r.Content));
    }

    [Fact]
    public async Task A_file_changed_since_the_export_recorded_it_fails_with_its_archive_path()
    {
        var owner = Guid.NewGuid().ToString("N");
        var recorded = await StoreAsync(owner, "changed.pdf", Content(1, 100));
        await Files.UploadDocumentFileAsync(owner, "d1", "changed.pdf", new MemoryStream(Content(2, 100)), default);

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (var _ in Reader().OpenInOrderAsync(Stream([recorded]), default))
            {
            }
        });

        Assert.Equal($"{recorded.ArchivePath} changed or disappeared while the snapshot was being made; create the snapshot again.", failure.Message);
    }

    private FileReadAhead Reader() => new(file => Files.Documents.GetBlobClient(file.Blob));

    private async Task<FileRef> StoreAsync(string owner, string name, byte[] content)
    {
        var stored = await Files.UploadDocumentFileAsync(owner, "d1", name, new MemoryStream(content), default);
        var blob = Files.Resolve(stored);
        var properties = (await blob.GetPropertiesAsync()).Value;
        return new FileRef($"files/documents/d1/{name}", blob.BlobContainerName, blob.Name, properties.ETag.ToString(), properties.ContentLength);
    }

    private static async IAsyncEnumerable<FileRef> Stream(IEnumerable<FileRef> files)
    {
        foreach (var file in files)
        {
            await Task.Yield();
            yield return file;
        }
    }

    private static byte[] Content(int seed, long bytes)
    {
        var content = new byte[bytes];
        new Random(seed).NextBytes(content);
        return content;
    }
}
