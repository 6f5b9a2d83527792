using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Snapshots.Projects;

namespace Snapshots.Restore;

/// <summary>
/// Restore records: each in a partition of its target project's restores (<c>_restores:{projectId}</c>, not the
/// project's own partition, so a record outlives the project its cancelled restore removed), found by id through
/// the restore index and by snapshot through the snapshot's restore index. Every read is a point read or one small
/// partition: nothing streams an environment's restores.
/// </summary>
public sealed class RestoreStore(ProjectStore store)
{
    /// <summary>Where every record lived before (one partition for the environment), read only to migrate.</summary>
    public const string LegacyPartition = "_restores";

    public static string Partition(string projectId) => $"_restores:{projectId}";

    public async Task SaveAsync(RestoreRecord record, CancellationToken cancellationToken)
    {
        // The indexes first: a record is never where no index finds it.
        await SaveIndexesAsync(record, cancellationToken);
        await store.UpsertAsync(Partition(record.ProjectId), record, cancellationToken);
    }

    public async Task<RestoreRecord?> GetAsync(string restoreId, CancellationToken cancellationToken)
    {
        if (await store.GetAsync<RestoreIndexEntry>(RestoreIndexEntry.Partition, restoreId, cancellationToken) is { } entry
            && await store.GetAsync<RestoreRecord>(Partition(entry.ProjectId), restoreId, cancellationToken) is { } record)
        {
            return record;
        }

        // Not migrated yet (the migration has not reached it, or stopped between the index and the copy): moved now.
        return await store.GetAsync<RestoreRecord>(LegacyPartition, restoreId, cancellationToken) is { } legacy
            ? await MigrateAsync(legacy, cancellationToken)
            : null;
    }

    /// <summary>Changes a record from its current version (ETag); null when there is no such record.</summary>
    public async Task<RestoreRecord?> UpdateAsync(string restoreId, Func<RestoreRecord, RestoreRecord?> change, CancellationToken cancellationToken) =>
        await GetAsync(restoreId, cancellationToken) is { } record
            ? await store.UpdateAsync(Partition(record.ProjectId), restoreId, change, cancellationToken)
            : null;

    public async Task DeleteAsync(RestoreRecord record, CancellationToken cancellationToken)
    {
        await store.DeleteAsync<RestoreRecord>(Partition(record.ProjectId), record.Id, cancellationToken);
        if (record.SnapshotId is { } snapshotId)
        {
            await store.DeleteAsync<SnapshotRestoreEntry>(SnapshotRestoreEntry.PartitionOf(snapshotId), record.Id, cancellationToken);
        }

        await store.DeleteAsync<RestoreIndexEntry>(RestoreIndexEntry.Partition, record.Id, cancellationToken);
    }

    /// <summary>The restores into a project (one partition).</summary>
    public IAsyncEnumerable<RestoreRecord> ListByProjectAsync(string projectId, CancellationToken cancellationToken) =>
        store.ListPartitionAsync<RestoreRecord>(Partition(projectId), cancellationToken);

    /// <summary>The restores of a snapshot, into whichever projects: its index partition, then a point read each.</summary>
    public async IAsyncEnumerable<RestoreRecord> ListBySnapshotAsync(string snapshotId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var entry in store.ListPartitionAsync<SnapshotRestoreEntry>(SnapshotRestoreEntry.PartitionOf(snapshotId), cancellationToken))
        {
            if (await store.GetAsync<RestoreRecord>(Partition(entry.ProjectId), entry.Id, cancellationToken) is { } record)
            {
                yield return record;
            }
        }
    }

    /// <summary>
    /// Moves every record of the legacy partition to its project's; returns how many it moved. Page by page from the
    /// start each time: each move takes its record out of the partition, which would shift a continuation.
    /// </summary>
    public async Task<int> MigrateLegacyAsync(CancellationToken cancellationToken)
    {
        const int PageSize = 100;
        var moved = 0;
        while (true)
        {
            var page = await store.ListPartitionAsync<RestoreRecord>(LegacyPartition, cancellationToken).Take(PageSize).ToListAsync(cancellationToken);
            if (page.Count == 0)
            {
                return moved;
            }

            foreach (var legacy in page)
            {
                await MigrateAsync(legacy, cancellationToken);
                moved++;
            }
        }
    }

    /// <summary>
    /// Indexes, then a create-only copy, then the old one goes: a migration stopped half-way is finished by the next,
    /// and a copy never overwrites a record that a concurrent migration moved and a writer has changed since.
    /// </summary>
    private async Task<RestoreRecord?> MigrateAsync(RestoreRecord legacy, CancellationToken cancellationToken)
    {
        await SaveIndexesAsync(legacy, cancellationToken);
        var current = await store.TryCreateAsync(Partition(legacy.ProjectId), legacy, cancellationToken)
            ? legacy
            : await store.GetAsync<RestoreRecord>(Partition(legacy.ProjectId), legacy.Id, cancellationToken);
        await store.DeleteAsync<RestoreRecord>(LegacyPartition, legacy.Id, cancellationToken);
        return current;
    }

    private async Task SaveIndexesAsync(RestoreRecord record, CancellationToken cancellationToken)
    {
        await store.UpsertAsync(RestoreIndexEntry.Partition, new RestoreIndexEntry { Id = record.Id, ProjectId = record.ProjectId }, cancellationToken);
        if (record.SnapshotId is { } snapshotId)
        {
            await store.UpsertAsync(SnapshotRestoreEntry.PartitionOf(snapshotId), new SnapshotRestoreEntry { Id = record.Id, ProjectId = record.ProjectId }, cancellationToken);
        }
    }
}

/// <summary>Finds a restore's target project (and so its record's partition) from the restore id alone.</summary>
public sealed record RestoreIndexEntry : IProjectEntity
{
    public const string Partition = "_restore-index";

    public required string Id { get; init; }

    public required string ProjectId { get; init; }

    public Dictionary<string, JsonElement>? Extra { get; init; }
}

/// <summary>One restore of a snapshot, in the snapshot's own small partition: how a snapshot lists its restores.</summary>
public sealed record SnapshotRestoreEntry : IProjectEntity
{
    public static string PartitionOf(string snapshotId) => $"_snapshot-restores:{snapshotId}";

    public required string Id { get; init; }

    public required string ProjectId { get; init; }

    public Dictionary<string, JsonElement>? Extra { get; init; }
}

/// <summary>
/// In the background from start-up, moves restore records of the one-partition layout to their projects'
/// partitions, trying again every minute until one pass finds none (meanwhile a record is moved when read by id).
/// </summary>
internal sealed partial class RestoreRecordMigration(RestoreStore restores, TimeProvider clock, ILogger<RestoreRecordMigration> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await restores.MigrateLegacyAsync(stoppingToken) is var moved and > 0)
                {
                    LogMigrated(logger, moved);
                }

                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogMigrationFailed(logger, ex);
            }

            await Task.Delay(TimeSpan.FromMinutes(1), clock, stoppingToken);
        }
    }

    [LoggerMessage(EventId = 2010, Level = LogLevel.Information, Message = "Moved {Count} restore records to their projects' partitions.")]
    private static partial void LogMigrated(ILogger logger, int count);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Warning, Message = "Restore records could not all be moved to their projects' partitions; trying again in a minute (a record read by id moves at once).")]
    private static partial void LogMigrationFailed(ILogger logger, Exception exception);
}
