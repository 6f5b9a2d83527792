using System.Security.Cryptography;
using Azure;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Snapshots.Storage;
using Snapshots.Tests.Support;

namespace Snapshots.Tests.Integration;

/// <summary>
/// The archive's upload (several blocks in flight while the zip is written on) against Azurite: what was written is
/// the blob, byte for byte, only once the writer completes it; a writer that stops leaves the blob as it was; a
/// refused block fails the writer instead of leaving it waiting.
/// </summary>
[Collection(ServiceTestGroup.Name)]
public sealed class ParallelBlockUploadTests(ServiceFixture service)
{
    [Fact]
    public async Task Content_of_several_blocks_written_in_odd_pieces_is_the_blob_after_completion_only()
    {
        var blob = (await service.NewDataContainerAsync("upload")).GetBlockBlobClient("archive.zip");
        var content = RandomNumberGenerator.GetBytes(ParallelBlockUpload.BlockBytes * 3 + 12345);

        await using (var upload = ParallelBlockUpload.Start(blob, new BlobHttpHeaders { ContentType = "application/zip" }, CancellationToken.None))
        {
            for (var offset = 0; offset < content.Length; offset += 100_003)
            {
                var piece = content.AsMemory(offset, Math.Min(100_003, content.Length - offset));
                if (offset % 3 == 0)
                {
                    upload.Stream.Write(piece.Span);
                }
                else
                {
                    await upload.Stream.WriteAsync(piece);
                }
            }

            Assert.False(await blob.ExistsAsync());
            await upload.CompleteAsync();
        }

        var stored = await blob.DownloadContentAsync();
        Assert.Equal("application/zip", stored.Value.Details.ContentType);
        Assert.Equal(SHA256.HashData(content), SHA256.HashData(stored.Value.Content.ToArray()));
        // Blocks of at most 8 MiB: at least four for three blocks and a bit.
        var blocks = (await blob.GetBlockListAsync()).Value.CommittedBlocks.ToList();
        Assert.InRange(blocks.Count, 4, 8);
        Assert.All(blocks, block => Assert.InRange(block.SizeLong, 1, ParallelBlockUpload.BlockBytes));
    }

    [Fact]
    public async Task A_writer_that_stops_before_completing_leaves_the_blob_as_it_was()
    {
        var blob = (await service.NewDataContainerAsync("upload")).GetBlockBlobClient("archive.zip");
        await blob.UploadAsync(BinaryData.FromString("the archive before").ToStream());

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await using var upload = ParallelBlockUpload.Start(blob, new BlobHttpHeaders(), CancellationToken.None);
            await upload.Stream.WriteAsync(RandomNumberGenerator.GetBytes(ParallelBlockUpload.BlockBytes * 2 + 1));
            throw new InvalidOperationException("the zip writer failed");
        });

        Assert.Equal("the zip writer failed", failure.Message);
        Assert.Equal("the archive before", (await blob.DownloadContentAsync()).Value.Content.ToString());
    }

    [Fact]
    public async Task A_refused_upload_fails_the_writer_instead_of_leaving_it_waiting()
    {
        var blob = service.UnusedDataContainer("missing").GetBlockBlobClient("archive.zip");
        var chunk = new byte[1024 * 1024];

        var refused = await Record.ExceptionAsync(() => WriteAndCompleteAsync(blob, chunk, ParallelBlockUpload.BlockBytes * 16)).WaitAsync(TimeSpan.FromMinutes(1));

        // The writer sees the upload's failure as its own I/O error (a 404 from the upload must not read as a 404 of
        // a blob the writer copies from), with the storage's answer inside.
        var failed = Assert.IsType<IOException>(refused);
        Assert.Equal(404, Assert.IsType<RequestFailedException>(failed.InnerException).Status);
    }

    private static async Task WriteAndCompleteAsync(BlockBlobClient blob, byte[] chunk, int bytes)
    {
        await using var upload = ParallelBlockUpload.Start(blob, new BlobHttpHeaders(), CancellationToken.None);
        for (var written = 0; written < bytes; written += chunk.Length)
        {
            await upload.Stream.WriteAsync(chunk);
        }

        await upload.CompleteAsync();
    }
}
