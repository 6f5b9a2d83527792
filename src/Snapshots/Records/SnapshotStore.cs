using Snapshots.Projects;

namespace Snapshots.Records;

/// <summary>Snapshot records: in their project's partition, found by id through the snapshot index.</summary>
public sealed class SnapshotStore(ProjectStore store)
{
    public async Task SaveAsync(SnapshotRecord record, CancellationToken cancellationToken)
    {
        await store.UpsertAsync(SnapshotIndexEntry.Partition, new SnapshotIndexEntry { Id = record.Id, ProjectId = record.ProjectId }, cancellationToken);
        await store.UpsertAsync(record.ProjectId, record, cancellationToken);
    }

    /// <summary>Creates the record only if no record has its id (two schedulers ticking at once create one).</summary>
    public async Task<bool> TryCreateAsync(SnapshotRecord record, CancellationToken cancellationToken)
    {
        if (!await store.TryCreateAsync(record.ProjectId, record, cancellationToken))
        {
            return false;
        }

        await store.UpsertAsync(SnapshotIndexEntry.Partition, new SnapshotIndexEntry { Id = record.Id, ProjectId = record.ProjectId }, cancellationToken);
        return true;
    }

    /// <summary>Changes a record from its current version (ETag): a change never writes back a stale copy.</summary>
    public Task<SnapshotRecord?> UpdateAsync(SnapshotRecord record, Func<SnapshotRecord, SnapshotRecord?> change, CancellationToken cancellationToken) =>
        store.UpdateAsync(record.ProjectId, record.Id, change, cancellationToken);

    /// <summary>All of a project's snapshots (retention needs them all).</summary>
    public IAsyncEnumerable<SnapshotRecord> ListAllAsync(string projectId, CancellationToken cancellationToken) =>
        store.ListPartitionAsync<SnapshotRecord>(projectId, cancellationToken);

    public async Task<SnapshotRecord?> GetAsync(string snapshotId, CancellationToken cancellationToken)
    {
        var entry = await store.GetAsync<SnapshotIndexEntry>(SnapshotIndexEntry.Partition, snapshotId, cancellationToken);
        return entry is null ? null : await store.GetAsync<SnapshotRecord>(entry.ProjectId, snapshotId, cancellationToken);
    }

    /// <summary>
    /// A project's snapshots, newest first. Sorted here because the emulator has no ORDER BY; a project holds
    /// tens to hundreds of snapshots, so the page is cut from an in-memory list and the token is an offset.
    /// </summary>
    public async Task<Page<SnapshotRecord>> ListAsync(string projectId, int pageSize, string? continuationToken, CancellationToken cancellationToken)
    {
        var offset = int.TryParse(continuationToken, out var parsed) && parsed > 0 ? parsed : 0;
        var all = new List<SnapshotRecord>();
        await foreach (var record in store.ListPartitionAsync<SnapshotRecord>(projectId, cancellationToken))
        {
            all.Add(record);
        }

        var page = all.OrderByDescending(r => r.CreatedAt).ThenBy(r => r.Id, StringComparer.Ordinal).Skip(offset).Take(pageSize).ToList();
        var next = offset + page.Count < all.Count ? (offset + page.Count).ToString() : null;
        return new Page<SnapshotRecord>(page, next);
    }

    public async Task DeleteAsync(SnapshotRecord record, CancellationToken cancellationToken)
    {
        await store.DeleteAsync<SnapshotRecord>(record.ProjectId, record.Id, cancellationToken);
        await store.DeleteAsync<SnapshotIndexEntry>(SnapshotIndexEntry.Partition, record.Id, cancellationToken);
    }
}
