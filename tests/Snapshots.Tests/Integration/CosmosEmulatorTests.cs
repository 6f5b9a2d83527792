using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Snapshots.Configuration;
using Snapshots.Storage;
using Snapshots.Tests.Support;

namespace Snapshots.Tests.Integration;

/// <summary>
/// The emulator launcher (emulators/cosmosdb-server.js) scopes a single-partition query to its partition and
/// builds query results in linear time, parses a query's text once, and answers a missing item's point read with 404; these tests pin the
/// behaviour it must keep.
/// </summary>
[Collection(ServiceTestGroup.Name)]
public sealed class CosmosEmulatorTests(ServiceFixture service)
{
    private Container Annotations => service.Services.GetRequiredService<CosmosClient>()
        .GetContainer(service.Services.GetRequiredService<IOptions<CosmosOptions>>().Value.DatabaseName, CosmosContainerNames.Annotations);

    [Fact]
    public async Task A_single_partition_query_returns_only_items_of_its_partition_as_real_Cosmos_does()
    {
        var (first, second) = (Partition(), Partition());
        await Annotations.UpsertItemAsync(new Item("a", first, 1), new PartitionKey(first));
        await Annotations.UpsertItemAsync(new Item("b", second, 1), new PartitionKey(second));
        var query = new QueryDefinition("SELECT * FROM c WHERE c.documentKey = @first OR c.documentKey = @second")
            .WithParameter("@first", first).WithParameter("@second", second);

        var found = await QueryAsync(query, first);

        Assert.Equal(["a"], found.Select(i => i.Id));
    }

    [Fact]
    public async Task Replaced_and_deleted_items_are_seen_by_partition_queries()
    {
        var partition = Partition();
        await Annotations.UpsertItemAsync(new Item("kept", partition, 1), new PartitionKey(partition));
        await Annotations.UpsertItemAsync(new Item("gone", partition, 1), new PartitionKey(partition));
        await Annotations.UpsertItemAsync(new Item("kept", partition, 2), new PartitionKey(partition));
        await Annotations.DeleteItemAsync<Item>("gone", new PartitionKey(partition));

        var found = await QueryAsync(new QueryDefinition("SELECT * FROM c WHERE c.documentKey = @p").WithParameter("@p", partition), partition);

        Assert.Equal([new Item("kept", partition, 2)], found);
    }

    [Fact]
    public async Task A_large_partition_pages_through_every_item_exactly_once()
    {
        var partition = Partition();
        var ids = Enumerable.Range(0, 1_200).Select(i => $"item-{i:D4}").ToList();
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (id, ct) =>
            await Annotations.CreateItemAsync(new Item(id, partition, 0), new PartitionKey(partition), cancellationToken: ct));

        var found = await QueryAsync(new QueryDefinition("SELECT * FROM c WHERE c.documentKey = @p").WithParameter("@p", partition), partition, pageSize: 500);

        Assert.Equal(ids.Order(), found.Select(i => i.Id).Order());
        Assert.Equal(ids.Count, found.Select(i => i.Id).Distinct().Count());
    }

    [Fact]
    public async Task Queries_parsed_once_answer_each_text_and_each_parameter_with_their_own_items()
    {
        var partition = Partition();
        foreach (var version in new[] { 1, 2, 3 })
        {
            await Annotations.UpsertItemAsync(new Item($"v{version}", partition, version), new PartitionKey(partition));
        }

        QueryDefinition AtLeast(int version) => new QueryDefinition("SELECT * FROM c WHERE c.documentKey = @p AND c.version >= @v")
            .WithParameter("@p", partition).WithParameter("@v", version);
        QueryDefinition Below(int version) => new QueryDefinition("SELECT * FROM c WHERE c.documentKey = @p AND c.version < @v")
            .WithParameter("@p", partition).WithParameter("@v", version);

        Assert.Equal(["v3"], (await QueryAsync(AtLeast(3), partition)).Select(i => i.Id));
        Assert.Equal(["v1", "v2", "v3"], (await QueryAsync(AtLeast(1), partition)).Select(i => i.Id).Order());
        Assert.Equal(["v1", "v2"], (await QueryAsync(Below(3), partition)).Select(i => i.Id).Order());
        Assert.Equal(["v2", "v3"], (await QueryAsync(AtLeast(2), partition)).Select(i => i.Id).Order());
        Assert.Empty(await QueryAsync(Below(1), partition));
    }

    [Fact]
    public async Task A_point_read_finds_an_item_in_its_partition_and_answers_404_for_a_missing_one()
    {
        var partition = Partition();
        await Annotations.UpsertItemAsync(new Item("present", partition, 3), new PartitionKey(partition));

        var found = await Annotations.ReadItemAsync<Item>("present", new PartitionKey(partition));
        var missing = await Assert.ThrowsAsync<CosmosException>(() => Annotations.ReadItemAsync<Item>("absent", new PartitionKey(partition)));
        var otherPartition = await Assert.ThrowsAsync<CosmosException>(() => Annotations.ReadItemAsync<Item>("present", new PartitionKey(Partition())));

        Assert.Equal(new Item("present", partition, 3), found.Resource);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, otherPartition.StatusCode);
    }

    private static string Partition() => $"emulator-test:{Guid.NewGuid():N}";

    private async Task<List<Item>> QueryAsync(QueryDefinition query, string partition, int pageSize = 100)
    {
        var items = new List<Item>();
        using var iterator = Annotations.GetItemQueryIterator<Item>(query, requestOptions: new QueryRequestOptions
        {
            PartitionKey = new PartitionKey(partition),
            MaxItemCount = pageSize,
        });
        while (iterator.HasMoreResults)
        {
            items.AddRange(await iterator.ReadNextAsync());
        }

        return items;
    }

    private sealed record Item(string Id, string DocumentKey, int Version);
}
