using System.Diagnostics;
using Azure.Storage.Blobs;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Options;
using Snapshots.Configuration;
using Snapshots.Storage;

namespace Snapshots.Health;

/// <summary>Checks that the data storage, the snapshot storage and Cosmos DB answer.</summary>
public sealed class HealthProbe(
    BlobAccounts accounts,
    CosmosClient cosmos,
    IOptions<SnapshotsOptions> options,
    IOptions<SnapshotStorageOptions> snapshotStorage)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task<HealthReport> CheckAsync(CancellationToken cancellationToken)
    {
        var checks = await Task.WhenAll(
            ProbeAsync("dataStorage", ct => accounts.Data
                .GetBlobContainerClient(BlobContainerNames.Documents).GetPropertiesAsync(cancellationToken: ct), cancellationToken),
            ProbeAsync("snapshotStorage", ct => accounts.Snapshots
                .GetBlobContainerClient(snapshotStorage.Value.ContainerName).GetPropertiesAsync(cancellationToken: ct), cancellationToken),
            ProbeAsync("cosmos", ct => cosmos.ReadAccountAsync(), cancellationToken));
        var healthy = checks.All(c => c.Reachable);
        return new HealthReport(healthy ? "healthy" : "unhealthy", options.Value.EnvironmentName, checks);
    }

    private static async Task<DependencyHealth> ProbeAsync(string name, Func<CancellationToken, Task> probe, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await probe(timeout.Token).WaitAsync(timeout.Token);
            return new DependencyHealth(name, true, stopwatch.ElapsedMilliseconds, null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new DependencyHealth(name, false, stopwatch.ElapsedMilliseconds, ex.GetType().Name + ": " + FirstLine(ex.Message));
        }
    }

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();
}
