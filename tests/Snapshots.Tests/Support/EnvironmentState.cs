using Azure.Storage.Blobs;
using Microsoft.Azure.Cosmos;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Snapshots.Archive;
using Snapshots.Configuration;
using Snapshots.Storage;

namespace Snapshots.Tests.Support;

/// <summary>
/// Every blob of the data and snapshot storage (name, size, hash) and every Cosmos item (container, partition, id,
/// ETag) of an environment, one per line: equal before and after means nothing anywhere was written.
/// </summary>
public static class EnvironmentState
{
    /// <summary>
    /// The state once no orchestration of the environment is running: what earlier tests started (a created snapshot's
    /// part cleanup, a restore's last batches) would otherwise change it between two reads.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ReadSettledAsync(IServiceProvider services)
    {
        var client = services.GetRequiredService<DurableTaskClient>();
        var query = new OrchestrationQuery { Statuses = [OrchestrationRuntimeStatus.Running, OrchestrationRuntimeStatus.Pending] };
        await Eventually.ReturnsAsync(
            async () => string.Join(", ", (await client.GetAllInstancesAsync(query).CollectAsync()).Select(i => $"{i.Name} {i.InstanceId}")),
            running => running.Length == 0,
            TimeSpan.FromMinutes(2));
        return await ReadAsync(services);
    }

    public static async Task<IReadOnlyList<string>> ReadAsync(IServiceProvider services)
    {
        var lines = new List<string>();
        var accounts = services.GetRequiredService<BlobAccounts>();
        foreach (var container in new[]
        {
            accounts.Data.GetBlobContainerClient(BlobContainerNames.Documents),
            accounts.Data.GetBlobContainerClient(BlobContainerNames.Models),
            accounts.Data.GetBlobContainerClient(BlobContainerNames.Imports),
            accounts.Data.GetBlobContainerClient(BlobContainerNames.Ledgers),
            services.GetRequiredService<SnapshotBlobs>().Container,
        })
        {
            await AddBlobsAsync(container, lines);
        }

        var cosmos = services.GetRequiredService<CosmosClient>();
        var database = services.GetRequiredService<IOptions<CosmosOptions>>().Value.DatabaseName;
        foreach (var name in new[] { CosmosContainerNames.Projects, CosmosContainerNames.Annotations })
        {
            using var query = cosmos.GetContainer(database, name).GetItemQueryIterator<Dictionary<string, object?>>((string?)null);
            while (query.HasMoreResults)
            {
                // The audit log records every call, the calls under test included; what it holds is AuditLogTests' business.
                foreach (var item in (await query.ReadNextAsync()).Where(item => !IsAuditItem(item)))
                {
                    lines.Add($"cosmos {name} {item.GetValueOrDefault("projectId") ?? item.GetValueOrDefault("documentKey")} {item["id"]} {item.GetValueOrDefault("_etag")}");
                }
            }
        }

        return [.. lines.Order(StringComparer.Ordinal)];
    }

    private static bool IsAuditItem(Dictionary<string, object?> item) =>
        item.GetValueOrDefault("projectId")?.ToString() is { } partition && partition.StartsWith("_audit", StringComparison.Ordinal);

    private static async Task AddBlobsAsync(BlobContainerClient container, List<string> lines)
    {
        if (!await container.ExistsAsync())
        {
            return;
        }

        await foreach (var blob in container.GetBlobsAsync())
        {
            lines.Add($"blob {container.Name}/{blob.Name} {blob.Properties.ContentLength} {Convert.ToHexString(blob.Properties.ContentHash ?? [])}");
        }
    }
}
