using Snapshots.Archive;
using Snapshots.Projects;
using Snapshots.Storage;

namespace Snapshots.Restore;

/// <summary>
/// The end of a restore. <see cref="PublishAsync"/> makes everything it staged visible at once with one point write
/// on the target project's record; <see cref="FoldInAsync"/> afterwards turns the staged items into ordinary ones
/// so reads stay cheap; <see cref="DiscardAsync"/> removes what a failed or cancelled restore staged.
/// </summary>
public sealed class RestorePublisher(
    ProjectStore store, ProjectFiles files, RestoreStaging staging, RestoreService restores, ImportedArchives imported, TimeProvider clock,
    Microsoft.Extensions.Options.IOptions<Configuration.CosmosOptions> cosmos)
{
    private const int PageSize = 500;

    /// <summary>
    /// One conditional write of the project record, then the record says so (from then on the restore is restored,
    /// whatever happens after). A retried publish finds itself published and only completes what is left.
    /// </summary>
    public async Task<long> PublishAsync(CompleteRestoreRequest complete, CancellationToken cancellationToken)
    {
        var request = complete.Restore;
        var properties = request.NewProject && await staging.ExistsAsync(request.RestoreId, SchemaRestorer.ProjectPropertiesBlobName, cancellationToken)
            ? await staging.ReadJsonAsync<StagedProjectProperties>(request.RestoreId, SchemaRestorer.ProjectPropertiesBlobName, cancellationToken)
            : null;
        var published = await store.UpdateProjectAsync(request.ProjectId, project =>
        {
            var publication = project.Publication ?? new ProjectPublication();
            if (publication.Published.Any(p => p.RestoreId == request.RestoreId))
            {
                return publication.ActiveRestoreId == request.RestoreId ? project with { Publication = publication with { ActiveRestoreId = null } } : null;
            }

            if (publication.CancelledRestoreId == request.RestoreId)
            {
                throw new RestoreCancelRequestedException(request.RestoreId);
            }

            if (publication.ActiveRestoreId != request.RestoreId)
            {
                throw new PermanentFailureException($"Restore {request.RestoreId} no longer holds project {request.ProjectId}; it was not published.");
            }

            var generation = publication.Generation + 1;
            var next = project with
            {
                Publication = publication with
                {
                    Generation = generation,
                    Published = [.. publication.Published, new PublishedRestore(request.RestoreId, generation)],
                    ActiveRestoreId = null,
                    CancelledRestoreId = null,
                },
            };
            return request.NewProject
                ? next with
                {
                    Status = ProjectStatus.Ready,
                    Description = properties?.Description ?? project.Description,
                    Extra = properties?.Extra ?? project.Extra,
                    Files = properties?.Files ?? project.Files,
                }
                : next;
        }, cancellationToken) ?? throw new PermanentFailureException($"Project {request.ProjectId} no longer exists; restore {request.RestoreId} was not published.");
        await restores.CompleteAsync(complete, clock.GetUtcNow(), cancellationToken);
        return published.Publication!.Published.Single(p => p.RestoreId == request.RestoreId).Generation;
    }

    /// <summary>
    /// After a publish that failed for good: if its project write landed before the record's did, the restore is
    /// published, so the record is completed now and the generation returned; null when it was never published.
    /// </summary>
    public async Task<long?> SettleAsync(CompleteRestoreRequest complete, CancellationToken cancellationToken)
    {
        var request = complete.Restore;
        if (await store.GetAsync<Project>(request.ProjectId, request.ProjectId, cancellationToken) is not { Publication: { } publication }
            || publication.Published.FirstOrDefault(p => p.RestoreId == request.RestoreId) is not { } published)
        {
            return null;
        }

        await restores.CompleteAsync(complete, clock.GetUtcNow(), cancellationToken);
        return published.Generation;
    }

    /// <summary>Replaces the restore id on each of its items by the generation it became visible in, then forgets the restore.</summary>
    public async Task FoldInAsync(PublishedRestoreRef published, CancellationToken cancellationToken)
    {
        var request = published.Restore;
        await ForEachStagedAsync(request, (item, ct) => store.FoldInAsync(request.ProjectId, item, published.Generation, ct), cancellationToken);
        await store.UpdateProjectAsync(request.ProjectId, project => project.Publication is { } publication && publication.Published.Any(p => p.RestoreId == request.RestoreId)
            ? project with { Publication = publication with { Published = publication.Published.Where(p => p.RestoreId != request.RestoreId).ToList() } }
            : null, cancellationToken);
    }

    /// <summary>
    /// Removes what a restore that will never be published wrote: its staged items (documents with their annotation
    /// sets, annotations and files; AIs with their model files; schema entities), the files and items of documents
    /// it may have written before their document, a new project's uploaded project files, and its working blobs.
    /// </summary>
    public async Task DiscardAsync(DiscardRestoreRequest discard, CancellationToken cancellationToken)
    {
        var request = discard.Restore;
        if (await store.GetAsync<Project>(request.ProjectId, request.ProjectId, cancellationToken) is { Publication: { } publication }
            && publication.Published.Any(p => p.RestoreId == request.RestoreId))
        {
            throw new PermanentFailureException($"Restore {request.RestoreId} is published; its items are the project's now and are not discarded.");
        }

        await ForEachStagedAsync(request, async (item, ct) =>
        {
            if (item.EntityId is { } entityId && item.Kind == EntityKinds.Document)
            {
                await DiscardDocumentAsync(request.ProjectId, entityId, ct);
            }
            else if (item.EntityId is { } aiId && item.Kind == EntityKinds.Ai)
            {
                await files.DeleteOwnerFilesAsync(files.Models, request.ProjectId, aiId, ct);
            }

            await store.DeleteItemAsync(request.ProjectId, item.Id, ct);
        }, cancellationToken);

        await Parallel.ForEachAsync(staging.ReadPlannedDocumentIdsAsync(request.RestoreId, cancellationToken), Parallelism(cancellationToken),
            (documentId, ct) => new ValueTask(DiscardDocumentAsync(request.ProjectId, DocumentRestorer.NewDocumentId(request, documentId), ct)));

        if (request.NewProject && await store.GetAsync<Project>(request.ProjectId, request.ProjectId, cancellationToken) is { Files.Count: 0 })
        {
            await files.DeleteOwnerFilesAsync(files.Documents, request.ProjectId, ProjectFiles.ProjectFilesOwner, cancellationToken);
        }

        await staging.DeleteAsync(request.RestoreId, cancellationToken);
        await staging.ReleaseArchiveAsync(request, cancellationToken);
        if (discard.InvalidArchive && request.Upload is not null)
        {
            // A retry cannot mend an invalid archive: the one uploaded for this restore goes, even if it was shared.
            await imported.DiscardInvalidUploadAsync(request.Identifier, cancellationToken);
        }
        else if (discard.Cancelled || discard.InvalidArchive)
        {
            // Nothing retries a cancelled restore, and a retry cannot mend an invalid archive: a private upload goes.
            await imported.ReleaseAsync(request.Identifier, cancellationToken);
        }

        if ((discard.Cancelled || discard.InvalidArchive) && request.NewProject)
        {
            // Nothing can retry a cancelled restore or mend an invalid archive: the project it made for itself goes with it.
            await store.DeleteProjectAsync(request.ProjectId, cancellationToken);
            await files.DeleteProjectFilesAsync(request.ProjectId, cancellationToken);
        }
        else if (!discard.KeepHold)
        {
            await restores.ReleaseAsync(request, cancellationToken);
        }
    }

    /// <summary>After the publish: the working blobs go, the archive is no longer read, and an archive uploaded for this restore goes.</summary>
    public async Task CleanUpAsync(RestoreRequest request, CancellationToken cancellationToken)
    {
        await staging.DeleteAsync(request.RestoreId, cancellationToken);
        await staging.ReleaseArchiveAsync(request, cancellationToken);
        await imported.ReleaseAsync(request.Identifier, cancellationToken);
    }

    private async Task DiscardDocumentAsync(string projectId, string documentId, CancellationToken cancellationToken)
    {
        await store.DeleteDocumentItemsAsync(projectId, documentId, cancellationToken);
        await files.DeleteOwnerFilesAsync(files.Documents, projectId, documentId, cancellationToken);
    }

    /// <summary>
    /// Applies <paramref name="action"/> to the restore's staged items page by page, asking again from the start each
    /// time: the action takes an item out of the query's results, which would shift a continuation.
    /// </summary>
    private async Task ForEachStagedAsync(RestoreRequest request, Func<StagedItem, CancellationToken, Task> action, CancellationToken cancellationToken)
    {
        HashSet<string> previous = [];
        while (true)
        {
            var page = await store.ListStagedAsync(request.ProjectId, request.RestoreId, cancellationToken).Take(PageSize).ToListAsync(cancellationToken);
            if (page.Count == 0)
            {
                return;
            }

            // Each pass takes its items out of the query; one that stays would otherwise be met forever.
            if (page.All(item => previous.Contains(item.Id)))
            {
                throw new InvalidOperationException($"Restore {request.RestoreId}: {page.Count} staged items could not be changed (first: {page[0].Id}).");
            }

            previous = page.Select(item => item.Id).ToHashSet(StringComparer.Ordinal);

            await Parallel.ForEachAsync(page, Parallelism(cancellationToken), (item, ct) => new ValueTask(action(item, ct)));
        }
    }

    private ParallelOptions Parallelism(CancellationToken cancellationToken) =>
        new() { MaxDegreeOfParallelism = cosmos.Value.WriteConcurrency, CancellationToken = cancellationToken };
}

/// <summary>The publish found that a cancel was accepted first: the restore ends cancelled, not published.</summary>
public sealed class RestoreCancelRequestedException(string restoreId) : Exception($"Restore {restoreId} was cancelled before it was published.");
