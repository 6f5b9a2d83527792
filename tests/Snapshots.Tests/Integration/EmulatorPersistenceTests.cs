using System.Diagnostics;
using System.Net;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Logging.Abstractions;
using Snapshots.Configuration;
using Snapshots.Local.Emulators;
using Snapshots.Storage;
using Snapshots.Tests.Support;

namespace Snapshots.Tests.Integration;

/// <summary>
/// The Cosmos emulator keeps what it answered across a clean stop and a SIGKILL (its launcher's journal): creates,
/// upserts, replaces, patches and deletes come back exactly, ETags included, and new writes after a restart do not
/// collide with replayed items.
/// </summary>
public sealed class EmulatorPersistenceTests : IAsyncLifetime
{
    private readonly string data = Path.Combine(Path.GetTempPath(), "snapshots-tests", "persist-" + Guid.NewGuid().ToString("N"));

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(data, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }

        return Task.CompletedTask;
    }

    private sealed record Item(string id, string pk, int version, string? note = null);

    [Fact]
    public async Task Every_answered_write_survives_a_stop_and_a_kill_of_the_emulator()
    {
        string etagOfA;
        await using (var first = await EmulatorSet.StartAsync(new EmulatorOptions { DataDirectory = data }, NullLogger.Instance))
        {
            using var client = Client(first);
            var container = await ContainerAsync(client);
            await container.CreateItemAsync(new Item("a", "p1", 1), new PartitionKey("p1"));
            await container.UpsertItemAsync(new Item("b", "p1", 1), new PartitionKey("p1"));
            await container.UpsertItemAsync(new Item("b", "p1", 2), new PartitionKey("p1"));
            await container.PatchItemAsync<Item>("b", new PartitionKey("p1"), [PatchOperation.Set("/note", "patched")]);
            await container.CreateItemAsync(new Item("c", "p2", 1), new PartitionKey("p2"));
            await container.DeleteItemAsync<Item>("c", new PartitionKey("p2"));
            etagOfA = (await container.ReplaceItemAsync(new Item("a", "p1", 3), "a", new PartitionKey("p1"))).ETag;
        }

        await using (var second = await EmulatorSet.StartAsync(new EmulatorOptions { DataDirectory = data }, NullLogger.Instance))
        {
            using var client = Client(second);
            var container = client.GetContainer("persist", "items");

            var a = await container.ReadItemAsync<Item>("a", new PartitionKey("p1"));
            Assert.Equal((3, etagOfA), (a.Resource.version, a.ETag));
            Assert.Equal(new Item("b", "p1", 2, "patched"), (await container.ReadItemAsync<Item>("b", new PartitionKey("p1"))).Resource);
            var gone = await Assert.ThrowsAsync<CosmosException>(() => container.ReadItemAsync<Item>("c", new PartitionKey("p2")));
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);

            await container.CreateItemAsync(new Item("d", "p1", 1), new PartitionKey("p1"));
            Assert.Equal(["a", "b", "d"], await IdsAsync(container, "p1"));

            await KillNodeAsync(second);
        }

        await using (var third = await EmulatorSet.StartAsync(new EmulatorOptions { DataDirectory = data }, NullLogger.Instance))
        {
            using var client = Client(third);
            var container = client.GetContainer("persist", "items");

            Assert.Equal(["a", "b", "d"], await IdsAsync(container, "p1"));
            Assert.Equal(3, (await container.ReadItemAsync<Item>("a", new PartitionKey("p1"))).Resource.version);
        }
    }

    [Fact]
    public async Task An_emulator_that_dies_is_started_again_on_its_port_with_its_data()
    {
        await using var emulators = await EmulatorSet.StartAsync(new EmulatorOptions { DataDirectory = data }, NullLogger.Instance);
        using var client = Client(emulators);
        var container = await ContainerAsync(client);
        await container.CreateItemAsync(new Item("kept", "p1", 1), new PartitionKey("p1"));

        await KillNodeAsync(emulators);
        await Eventually.TrueAsync(() => emulators.Restarts == 1, TimeSpan.FromSeconds(60));

        Assert.Equal(["kept"], await IdsAsync(container, "p1"));
    }

    private static CosmosClient Client(EmulatorSet emulators) =>
        CosmosClientFactory.Create(new CosmosOptions { ConnectionString = emulators.Endpoints.CosmosConnectionString, UseLocalEmulator = true }, new CosmosClientOptions());

    private static async Task<Container> ContainerAsync(CosmosClient client)
    {
        var database = (await client.CreateDatabaseIfNotExistsAsync("persist")).Database;
        return (await database.CreateContainerIfNotExistsAsync("items", "/pk")).Container;
    }

    private static async Task<List<string>> IdsAsync(Container container, string partition)
    {
        var ids = new List<string>();
        using var iterator = container.GetItemQueryIterator<Item>(
            new QueryDefinition("SELECT * FROM c WHERE c.pk = @pk").WithParameter("@pk", partition),
            requestOptions: new QueryRequestOptions { PartitionKey = new PartitionKey(partition) });
        while (iterator.HasMoreResults)
        {
            ids.AddRange((await iterator.ReadNextAsync()).Select(i => i.id));
        }

        return [.. ids.Order(StringComparer.Ordinal)];
    }

    /// <summary>SIGKILL to the Cosmos emulator's node process (the child of its watchdog shell): no chance to save anything.</summary>
    private static async Task KillNodeAsync(EmulatorSet emulators)
    {
        var watchdog = emulators.ProcessIds[1];
        var children = File.ReadAllText($"/proc/{watchdog}/task/{watchdog}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToList();
        var node = Assert.Single(children, pid => File.ReadAllText($"/proc/{pid}/cmdline").StartsWith("node", StringComparison.Ordinal));
        Process.GetProcessById(node).Kill();
        await Eventually.TrueAsync(() => !File.Exists($"/proc/{node}/stat") || File.ReadAllText($"/proc/{node}/stat").Contains(") Z "), TimeSpan.FromSeconds(10));
    }
}
