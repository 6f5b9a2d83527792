using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using Snapshots.Access;
using Snapshots.Configuration;
using Snapshots.Errors;
using Snapshots.Projects;
using Snapshots.Storage;

namespace Snapshots.Restore.Revert;

/// <summary>
/// Reverts a published restore: removes exactly what it added to its target (the items of its ledger, and the
/// files of the documents and AIs it created), after checking that none of them was changed since; a restore into a
/// new project then deletes that project once nothing else is in it.
/// </summary>
public sealed class RestoreReverter(
    ProjectStore store, ProjectFiles files, RestoreLedger ledger, RestoreStaging staging, RestoreStore records, RestoreService restores, TimeProvider clock,
    IOptions<CosmosOptions> cosmos)
{
    /// <summary>Most changed items a refusal names.</summary>
    public const int NamedChanges = 20;

    /// <summary>After the fold-in: the ledger of what the restore added, with each item's version, and the record says it can be reverted.</summary>
    public async Task RecordAsync(PublishedRestoreRef published, CancellationToken cancellationToken)
    {
        var request = published.Restore;
        await ledger.WriteAsync(request.RestoreId, AddedAsync(published, cancellationToken), cancellationToken);
        await records.UpdateAsync(request.RestoreId, r => r with { RevertibleAt = r.RevertibleAt ?? clock.GetUtcNow() }, cancellationToken);
    }

    /// <summary>
    /// Only what the restore itself wrote, as it still is: its documents batch by batch as it planned them (from its
    /// working blobs), each followed by the annotation sets and annotations it wrote there (by their deterministic
    /// ids, so items someone added since are not taken for its own), then its other items (schema, extensions, AIs).
    /// An item already rewritten by someone else has lost the restore's mark and is left out: a revert keeps it.
    /// </summary>
    private async IAsyncEnumerable<ItemVersion> AddedAsync(PublishedRestoreRef published, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (request, projectId) = (published.Restore, published.Restore.ProjectId);
        for (var batch = 0; batch < published.Batches; batch++)
        {
            var written = new HashSet<string>(StringComparer.Ordinal);
            await foreach (var set in staging.ReadBatchAsync<AnnotationSet>(request.RestoreId, RestoreStaging.AnnotationSets, batch, cancellationToken))
            {
                written.Add(DocumentItemId(EntityKinds.AnnotationSet, DocumentRestorer.NewAnnotationSetId(request, set.DocumentId, set.Id)));
            }

            await foreach (var annotation in staging.ReadBatchAsync<Annotation>(request.RestoreId, RestoreStaging.Annotations, batch, cancellationToken))
            {
                written.Add(DocumentItemId(EntityKinds.Annotation, DocumentRestorer.NewAnnotationId(request, annotation.DocumentId, annotation.Id)));
            }

            var documentIds = await staging.ReadBatchAsync<Document>(request.RestoreId, RestoreStaging.Documents, batch, cancellationToken)
                .Select(source => DocumentItemId(EntityKinds.Document, DocumentRestorer.NewDocumentId(request, source.Id))).ToListAsync(cancellationToken);
            await foreach (var document in store.ListRestoredVersionsAsync(projectId, documentIds, request.RestoreId, published.Generation, cancellationToken))
            {
                yield return document;
                await foreach (var item in store.ListDocumentItemVersionsAsync(projectId, document.EntityId!, cancellationToken))
                {
                    if (written.Contains(item.Id))
                    {
                        yield return item;
                    }
                }
            }
        }

        await foreach (var item in store.ListRestoredItemsAsync(projectId, request.RestoreId, published.Generation, cancellationToken))
        {
            if (item.Kind != EntityKinds.Document)
            {
                yield return item;
            }
        }
    }

    private static string DocumentItemId(string kind, string entityId) => $"{kind}:{entityId}";

    public async Task<RestoreRecord> RevertAsync(RestoreRecord record, Caller caller, CancellationToken cancellationToken)
    {
        if (record.Reverted is { } done)
        {
            throw new ConflictException($"Restore '{record.Id}' was reverted at {done.At:u}.");
        }

        if (record.PublishedAt is null)
        {
            throw new ConflictException("Only a restored restore can be reverted; a failed or cancelled one left nothing behind.");
        }

        if (record.RevertibleAt is null)
        {
            throw new ConflictException("The restore is still finishing (folding in and recording what it added); revert it in a moment.");
        }

        // From here until it ends, no restore writes into the target and no other revert of this one runs.
        await restores.ClaimRevertAsync(record, cancellationToken);
        try
        {
            var changed = await ChangedSinceAsync(record, cancellationToken);
            if (changed.Count > 0)
            {
                throw new ConflictException($"Not reverted: {changed.Count} of what restore '{record.Id}' added changed since, so removing it would lose that change: " +
                    string.Join("; ", changed.Named) + (changed.Count > changed.Named.Count ? "; …" : "") + ".");
            }

            // Once removing has begun, it goes on even if the caller hangs up: half a revert helps nobody.
            var removed = await RemoveAsync(record, CancellationToken.None);
            var projectDeleted = !record.Merge && await DeleteIfEmptyAsync(record.ProjectId, CancellationToken.None);
            var revert = new RestoreRevert(clock.GetUtcNow(), caller.UserId, removed, projectDeleted);
            var updated = await records.UpdateAsync(record.Id, r => r with { Reverted = revert, RevertingSince = null }, CancellationToken.None)
                ?? record with { Reverted = revert };
            await ledger.DeleteAsync(record.Id, CancellationToken.None);
            return updated;
        }
        finally
        {
            await restores.EndRevertAsync(record, CancellationToken.None);
        }
    }

    /// <summary>
    /// Each added item whose version is not the one the restore left, and each added document that holds items the
    /// restore did not add; items removed since are fine (nothing to remove).
    /// </summary>
    private async Task<Changes> ChangedSinceAsync(RestoreRecord record, CancellationToken cancellationToken)
    {
        var changed = new Changes();
        ItemVersion? document = null;
        var ledgered = new Dictionary<string, string>(StringComparer.Ordinal);

        async Task CheckDocumentItemsAsync()
        {
            if (document?.EntityId is not { } documentId)
            {
                return;
            }

            await foreach (var now in store.ListDocumentItemVersionsAsync(record.ProjectId, documentId, cancellationToken))
            {
                if (!ledgered.TryGetValue(now.Id, out var etag))
                {
                    changed.Add($"document '{document.Name}' has {now.Kind} '{now.EntityId}', which the restore did not add");
                }
                else if (etag != now.ETag)
                {
                    changed.Add($"{now.Kind} '{now.Name}' of document '{document.Name}' was changed");
                }
            }

            ledgered.Clear();
        }

        await foreach (var item in ledger.ReadAsync(record.Id, cancellationToken))
        {
            if (item.Container == CosmosContainerNames.Annotations)
            {
                ledgered[item.Id] = item.ETag;
                continue;
            }

            await CheckDocumentItemsAsync();
            document = item.Kind == EntityKinds.Document ? item : null;
            if (await store.ReadETagAsync(item, cancellationToken) is { } etag && etag != item.ETag)
            {
                changed.Add($"{item.Kind} '{item.Name ?? item.EntityId}' (id {item.EntityId}) was changed");
            }
        }

        await CheckDocumentItemsAsync();
        return changed;
    }

    /// <summary>Counts every change and keeps the first few to name: memory bounded however much changed.</summary>
    private sealed class Changes
    {
        public int Count { get; private set; }

        public List<string> Named { get; } = [];

        public void Add(string change)
        {
            if (Count++ < NamedChanges)
            {
                Named.Add(change);
            }
        }
    }

    /// <summary>Documents' items and files first, then the project's items; each only while it is the version the restore left.</summary>
    private async Task<Dictionary<string, int>> RemoveAsync(RestoreRecord record, CancellationToken cancellationToken)
    {
        var removed = new Dictionary<string, int>(StringComparer.Ordinal);
        var parallelism = new ParallelOptions { MaxDegreeOfParallelism = cosmos.Value.WriteConcurrency, CancellationToken = cancellationToken };
        foreach (var container in new[] { CosmosContainerNames.Annotations, CosmosContainerNames.Projects })
        {
            await Parallel.ForEachAsync(ledger.ReadAsync(record.Id, cancellationToken).Where(item => item.Container == container), parallelism, async (item, ct) =>
            {
                if (!await store.DeleteIfUnchangedAsync(item, ct))
                {
                    // Kept with its files; what was removed before stays removed (the record says so nowhere: reverting again reports this item).
                    throw new ConflictException($"{item.Kind} '{item.Name ?? item.EntityId}' (id {item.EntityId}) changed during the revert and was kept; the rest of the revert stopped.");
                }

                // Files go after their owner's item, so an owner kept for a change keeps its files.
                if (item.Kind == EntityKinds.Document && item.EntityId is { } documentId)
                {
                    await files.DeleteOwnerFilesAsync(files.Documents, record.ProjectId, documentId, ct);
                }
                else if (item.Kind == EntityKinds.Ai && item.EntityId is { } aiId)
                {
                    await files.DeleteOwnerFilesAsync(files.Models, record.ProjectId, aiId, ct);
                }

                lock (removed)
                {
                    removed[item.Kind] = removed.GetValueOrDefault(item.Kind) + 1;
                }
            });
        }

        return removed;
    }

    /// <summary>A restore's own new project goes once nothing is left in it (anything added since keeps it).</summary>
    private async Task<bool> DeleteIfEmptyAsync(string projectId, CancellationToken cancellationToken)
    {
        if (await store.GetAsync<Project>(projectId, projectId, cancellationToken) is not { } project)
        {
            return true;
        }

        var counts = await store.CountAsync(projectId, Visibility.Of(project), cancellationToken);
        if (counts.Documents + counts.Ais + counts.Categories + counts.Labels + counts.LabelSets > 0)
        {
            return false;
        }

        await store.DeleteProjectAsync(projectId, cancellationToken);
        await files.DeleteProjectFilesAsync(projectId, cancellationToken);
        return true;
    }
}

/// <summary>A restore's revert: when, by whom, how many items of each kind it removed, and whether the restore's new project went too.</summary>
public sealed record RestoreRevert(DateTimeOffset At, string? By, Dictionary<string, int> Removed, bool ProjectDeleted);
