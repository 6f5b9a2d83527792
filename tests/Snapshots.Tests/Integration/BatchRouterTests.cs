using System.Globalization;
using System.Text;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Snapshots.Restore;
using Snapshots.Storage;
using Snapshots.Tests.Support;

namespace Snapshots.Tests.Integration;

[Collection(ServiceTestGroup.Name)]
public sealed class BatchRouterTests(ServiceFixture service)
{
    private BlobContainerClient Container =>
        service.Services.GetRequiredService<BlobAccounts>().Data.GetBlobContainerClient(BlobContainerNames.Imports);

    [Fact]
    public async Task Memory_stays_within_its_bound_however_many_batches_and_every_line_reaches_its_batch_in_order()
    {
        const int batches = 300;
        const int linesPerBatch = 40;
        var prefix = $"router-test-{Guid.NewGuid():N}/";
        var router = new BatchRouter(Container, prefix);
        var line = new string('x', 1000);
        long peak = 0;

        // Round robin: every batch has a buffer at once, the worst case for per-batch buffers (300 x 40 KB = 12 MB).
        for (var round = 0; round < linesPerBatch; round++)
        {
            for (var batch = 0; batch < batches; batch++)
            {
                await router.WriteLineAsync(batch, $"{batch}:{round}:{line}", default);
                peak = Math.Max(peak, router.BufferedBytes);
            }
        }

        await router.CompleteAsync(default);

        Assert.True(peak <= BatchRouter.MaxBufferedBytes + line.Length + 20, $"peak {peak} bytes");
        Assert.Equal(0, router.BufferedBytes);
        foreach (var batch in new[] { 0, 1, 150, batches - 1 })
        {
            var content = (await Container.GetBlobClient(BatchRouter.BlobName(prefix, batch)).DownloadContentAsync()).Value.Content.ToString();
            var expected = new StringBuilder();
            for (var round = 0; round < linesPerBatch; round++)
            {
                expected.Append(CultureInfo.InvariantCulture, $"{batch}:{round}:{line}\n");
            }

            Assert.Equal(expected.ToString(), content);
        }

        await Container.DeleteByPrefixAsync(prefix, default);
    }
}
