using Azure.Storage.Blobs;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Snapshots.Configuration;

namespace Snapshots.Storage;

/// <summary>
/// Creates blob containers at start-up, and the Cosmos database and containers against the local emulator.
/// In Azure the Bicep creates the Cosmos resources: data-plane RBAC cannot, by design.
/// </summary>
internal sealed partial class StorageInitializer(
    BlobAccounts accounts,
    CosmosClient cosmos,
    IOptions<CosmosOptions> cosmosOptions,
    IOptions<SnapshotStorageOptions> snapshotStorage,
    ILogger<StorageInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var data = accounts.Data;
        foreach (var container in new[] { BlobContainerNames.Documents, BlobContainerNames.Models, BlobContainerNames.Imports, BlobContainerNames.Ledgers })
        {
            await data.GetBlobContainerClient(container).CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        }

        try
        {
            await accounts.Snapshots
                .GetBlobContainerClient(snapshotStorage.Value.ContainerName)
                .CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (!string.IsNullOrWhiteSpace(snapshotStorage.Value.SecondaryServiceUri)
            && !cancellationToken.IsCancellationRequested && SnapshotStorageClientOptions.NoAnswer(ex))
        {
            // With a readable secondary the app still restores while the primary is down: start without the check.
            LogSnapshotContainerUnchecked(logger, ex);
        }

        if (cosmosOptions.Value.UseLocalEmulator)
        {
            Database database = await cosmos.CreateDatabaseIfNotExistsAsync(cosmosOptions.Value.DatabaseName, cancellationToken: cancellationToken);
            await database.CreateContainerIfNotExistsAsync(CosmosContainerNames.Projects, CosmosContainerNames.ProjectsPartitionKey, cancellationToken: cancellationToken);
            await database.CreateContainerIfNotExistsAsync(CosmosContainerNames.Annotations, CosmosContainerNames.AnnotationsPartitionKey, cancellationToken: cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "The snapshot storage's primary did not answer at start-up; starting without creating the snapshot container (reads use the secondary)")]
    private static partial void LogSnapshotContainerUnchecked(ILogger logger, Exception exception);
}
