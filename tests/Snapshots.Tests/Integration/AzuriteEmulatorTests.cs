using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Snapshots.Tests.Support;

namespace Snapshots.Tests.Integration;

/// <summary>
/// The emulator launcher (emulators/azurite.js) looks blobs and blocks up by their name's index first and deletes
/// a few of them without rebuilding every index; these tests pin that each lookup, delete and listing still answers
/// exactly what Blob Storage does: the same name in two containers, snapshots, and blocks with the same ids.
/// </summary>
[Collection(ServiceTestGroup.Name)]
public sealed class AzuriteEmulatorTests(ServiceFixture service)
{
    [Fact]
    public async Task The_same_name_in_two_containers_is_two_blobs_read_and_deleted_apart()
    {
        var (first, second) = (await service.NewDataContainerAsync("azurite"), await service.NewDataContainerAsync("azurite"));
        foreach (var name in Names)
        {
            await first.GetBlobClient(name).UploadAsync(BinaryData.FromString("first " + name));
            await second.GetBlobClient(name).UploadAsync(BinaryData.FromString("second " + name));
        }

        foreach (var name in Names.Where((_, index) => index % 2 == 0))
        {
            await first.DeleteBlobAsync(name);
        }

        Assert.Equal(Names.Where((_, index) => index % 2 == 1).Order(StringComparer.Ordinal), await NamesAsync(first));
        Assert.Equal(Names.Order(StringComparer.Ordinal), await NamesAsync(second));
        foreach (var name in Names)
        {
            Assert.Equal("second " + name, (await second.GetBlobClient(name).DownloadContentAsync()).Value.Content.ToString());
        }

        var gone = await Assert.ThrowsAsync<RequestFailedException>(() => first.GetBlobClient(Names[0]).DownloadContentAsync());
        Assert.Equal(404, gone.Status);
        Assert.Equal("first " + Names[1], (await first.GetBlobClient(Names[1]).DownloadContentAsync()).Value.Content.ToString());
    }

    [Fact]
    public async Task A_blob_with_a_snapshot_is_deleted_only_with_its_snapshots()
    {
        var container = await service.NewDataContainerAsync("azurite");
        var blob = container.GetBlobClient("with-snapshot");
        await blob.UploadAsync(BinaryData.FromString("v1"));
        var snapshot = (await blob.CreateSnapshotAsync()).Value.Snapshot;
        await blob.UploadAsync(BinaryData.FromString("v2"), overwrite: true);

        var refused = await Assert.ThrowsAsync<RequestFailedException>(() => blob.DeleteAsync());
        Assert.Equal(409, refused.Status);
        Assert.Equal("v1", (await blob.WithSnapshot(snapshot).DownloadContentAsync()).Value.Content.ToString());
        Assert.Equal("v2", (await blob.DownloadContentAsync()).Value.Content.ToString());

        await blob.DeleteAsync(DeleteSnapshotsOption.IncludeSnapshots);
        Assert.False(await blob.ExistsAsync());
        Assert.False(await blob.WithSnapshot(snapshot).ExistsAsync());
    }

    [Fact]
    public async Task Blocks_with_the_same_ids_in_two_blobs_commit_each_blob_its_own_content()
    {
        var container = await service.NewDataContainerAsync("azurite");
        var (left, right) = (container.GetBlockBlobClient("left"), container.GetBlockBlobClient("right"));
        var ids = Enumerable.Range(0, 3).Select(i => Convert.ToBase64String(BitConverter.GetBytes(i))).ToList();
        foreach (var (id, index) in ids.Select((id, index) => (id, index)))
        {
            await left.StageBlockAsync(id, BinaryData.FromString($"L{index}").ToStream());
            await right.StageBlockAsync(id, BinaryData.FromString($"R{index}").ToStream());
        }

        Assert.Equal(ids.Order(StringComparer.Ordinal), (await left.GetBlockListAsync(BlockListTypes.Uncommitted)).Value.UncommittedBlocks.Select(b => b.Name).Order(StringComparer.Ordinal));
        await left.CommitBlockListAsync([ids[2], ids[0]]);
        await right.CommitBlockListAsync(ids);

        Assert.Equal("L2L0", (await left.DownloadContentAsync()).Value.Content.ToString());
        Assert.Equal("R0R1R2", (await right.DownloadContentAsync()).Value.Content.ToString());
    }

    private static readonly List<string> Names = [.. Enumerable.Range(0, 40).Select(i => $"folder-{i % 4}/blob-{i:D2}.json")];


    private static async Task<List<string>> NamesAsync(BlobContainerClient container) =>
        [.. (await container.GetBlobsAsync().CollectAsync()).Select(blob => blob.Name)];
}
