using System.Net;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Options;
using Moq;
using Snapshots.Configuration;
using Snapshots.Projects;
using Snapshots.Storage;
using Snapshots.Tests.Support;

namespace Snapshots.Tests.Unit;

/// <summary>
/// Annotation writes as transactional batches per document (Cosmos:UseTransactionalBatch). The Cosmos emulator has no
/// transactional batch, so the container is a fake here; with the switch off (the emulator's setting) the
/// integration tests cover the per-item path.
/// </summary>
public sealed class TransactionalBatchWriteTests
{
    private readonly Mock<Container> annotations = new();
    private readonly List<(PartitionKey Key, List<string> Ids)> batches = [];
    private readonly List<string> singleUpserts = [];
    private HttpStatusCode batchStatus = HttpStatusCode.OK;

    public TransactionalBatchWriteTests()
    {
        annotations.Setup(c => c.CreateTransactionalBatch(It.IsAny<PartitionKey>())).Returns((PartitionKey key) =>
        {
            var ids = new List<string>();
            lock (batches)
            {
                batches.Add((key, ids));
            }

            var batch = new Mock<TransactionalBatch>();
            batch.Setup(b => b.UpsertItem(It.IsAny<It.IsAnyType>(), It.IsAny<TransactionalBatchItemRequestOptions>()))
                .Returns(new InvocationFunc(invocation =>
                {
                    ids.Add(IdOf(invocation.Arguments[0]));
                    return batch.Object;
                }));
            batch.Setup(b => b.ExecuteAsync(It.IsAny<CancellationToken>())).ReturnsAsync(() =>
            {
                var response = new Mock<TransactionalBatchResponse>();
                response.SetupGet(r => r.StatusCode).Returns(batchStatus);
                response.SetupGet(r => r.IsSuccessStatusCode).Returns(((int)batchStatus) is >= 200 and < 300);
                response.SetupGet(r => r.ErrorMessage).Returns(batchStatus.ToString());
                return response.Object;
            });
            return batch.Object;
        });
        annotations.Setup(c => c.UpsertItemAsync(It.IsAny<It.IsAnyType>(), It.IsAny<PartitionKey?>(), It.IsAny<ItemRequestOptions>(), It.IsAny<CancellationToken>()))
            .Returns(new InvocationFunc(invocation =>
            {
                lock (singleUpserts)
                {
                    singleUpserts.Add(IdOf(invocation.Arguments[0]));
                }

                // Task<ItemResponse<DocumentItem<T>>> for the T of this call: the writer ignores the (no-content) response.
                var response = invocation.Method.ReturnType.GetGenericArguments()[0];
                return typeof(Task).GetMethod(nameof(Task.FromResult))!.MakeGenericMethod(response).Invoke(null, [null])!;
            }));
    }

    [Fact]
    public async Task With_the_switch_on_each_documents_run_goes_in_batches_of_at_most_one_hundred_under_its_partition()
    {
        var written = await Writer(batch: true).WriteAsync("p1", Annotations(("doc-a", 150), ("doc-b", 100), ("doc-a", 1)), a => a.DocumentId, default);

        Assert.Equal(251, written);
        Assert.Empty(singleUpserts);
        var byKey = batches.Select(b => (Key: b.Key.ToString(), b.Ids.Count)).OrderBy(b => b.Key).ThenBy(b => b.Count).ToList();
        Assert.Equal(
            [(Key("p1:doc-a"), 1), (Key("p1:doc-a"), 50), (Key("p1:doc-a"), 100), (Key("p1:doc-b"), 100)],
            byKey);
        Assert.All(batches.Single(b => b.Ids.Count == 100 && b.Key.ToString() == Key("p1:doc-b")).Ids, id => Assert.StartsWith("annotation:doc-b-", id));
    }

    [Fact]
    public async Task The_store_cuts_one_documents_items_into_batches_the_account_takes()
    {
        var cosmos = new Mock<CosmosClient>();
        cosmos.Setup(c => c.GetContainer(It.IsAny<string>(), CosmosContainerNames.Annotations)).Returns(annotations.Object);
        var store = new ProjectStore(cosmos.Object, Options.Create(new CosmosOptions()));

        await store.UpsertDocumentItemsAsync("p1", "doc-a", await Annotations(("doc-a", 250)).CollectAsync(), default);

        Assert.Equal([100, 100, 50], batches.Select(b => b.Ids.Count));
    }

    [Fact]
    public async Task Runs_end_where_the_document_changes_or_the_run_is_full()
    {
        var runs = await DocumentItemWriter.RunsOfOneDocumentAsync(Annotations(("a", 5), ("b", 2), ("a", 1)), a => a.DocumentId, maxItems: 3, default).CollectAsync();

        Assert.Equal(["ax3", "ax2", "bx2", "ax1"], runs.Select(run => $"{run.DocumentId}x{run.Items.Count}"));
    }

    [Fact]
    public async Task With_the_switch_off_every_item_is_upserted_on_its_own()
    {
        var written = await Writer(batch: false).WriteAsync("p1", Annotations(("doc-a", 30), ("doc-b", 20)), a => a.DocumentId, default);

        Assert.Equal(50, written);
        Assert.Empty(batches);
        Assert.Equal(50, singleUpserts.Distinct().Count());
    }

    [Fact]
    public async Task A_refused_batch_fails_the_write_with_the_accounts_status()
    {
        batchStatus = HttpStatusCode.TooManyRequests;

        var refused = await Assert.ThrowsAsync<CosmosException>(() => Writer(batch: true).WriteAsync("p1", Annotations(("doc-a", 10)), a => a.DocumentId, default));

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Contains("doc-a", refused.Message);
    }

    [Fact]
    public async Task A_batch_too_large_for_the_account_is_written_item_by_item()
    {
        batchStatus = HttpStatusCode.RequestEntityTooLarge;

        var written = await Writer(batch: true).WriteAsync("p1", Annotations(("doc-a", 40)), a => a.DocumentId, default);

        Assert.Equal(40, written);
        Assert.Equal(40, singleUpserts.Count);
    }

    private DocumentItemWriter Writer(bool batch)
    {
        var cosmos = new Mock<CosmosClient>();
        cosmos.Setup(c => c.GetContainer(It.IsAny<string>(), CosmosContainerNames.Annotations)).Returns(annotations.Object);
        var options = Options.Create(new CosmosOptions { UseTransactionalBatch = batch, WriteConcurrency = 4 });
        return new DocumentItemWriter(new ProjectStore(cosmos.Object, options), options);
    }

    private static async IAsyncEnumerable<Annotation> Annotations(params (string Document, int Count)[] runs)
    {
        var n = 0;
        foreach (var (document, count) in runs)
        {
            for (var i = 0; i < count; i++)
            {
                yield return new Annotation { Id = $"{document}-{n++}", DocumentId = document, LabelId = "label" };
            }
        }

        await Task.CompletedTask;
    }

    private static string Key(string value) => new PartitionKey(value).ToString();

    private static string IdOf(object item) => (string)item.GetType().GetProperty("Id")!.GetValue(item)!;
}
