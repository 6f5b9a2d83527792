using System.Text.Json;
using Snapshots.Configuration;
using Snapshots.Projects;

namespace Snapshots.Operations;

/// <summary>The index of operations asked for and not yet settled (see <see cref="PendingOperation"/>).</summary>
public sealed class PendingOperations(ProjectStore store, TimeProvider clock)
{
    /// <summary>Records an operation about to start; written before its record, so no crash leaves a record nobody finds.</summary>
    public Task AddAsync<TRequest>(PendingKind kind, string id, TRequest request, CancellationToken cancellationToken) =>
        store.UpsertAsync(PendingOperation.Partition, new PendingOperation
        {
            Id = id,
            Kind = kind,
            Request = JsonSerializer.SerializeToElement(request, SnapshotsJson.Options),
            CreatedAt = clock.GetUtcNow(),
        }, cancellationToken);
}
