using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Options;
using Snapshots.Configuration;
using Snapshots.Storage;

namespace Snapshots.Projects;

/// <summary>
/// Projects and their entities in Cosmos DB (DESIGN.md storage layout). Every query is single-partition and
/// paged with continuation tokens, so nothing loads a whole project at once.
/// </summary>
public sealed class ProjectStore(CosmosClient cosmos, IOptions<CosmosOptions> options)
{
    public const int DefaultPageSize = 100;

    /// <summary>The most operations Cosmos DB takes in one transactional batch.</summary>
    public const int MaxBatchOperations = 100;

    private static readonly TransactionalBatchItemRequestOptions NoContentBatchItem = new() { EnableContentResponseOnWrite = false };

    private Container Projects => cosmos.GetContainer(options.Value.DatabaseName, CosmosContainerNames.Projects);

    private Container Annotations => cosmos.GetContainer(options.Value.DatabaseName, CosmosContainerNames.Annotations);

    /// <summary>Writes a project's own record and its line in the project list.</summary>
    public async Task SaveProjectAsync(Project project, CancellationToken cancellationToken)
    {
        await UpsertAsync(project.Id, project, cancellationToken);
        await UpsertAsync(ProjectIndexEntry.Partition, new ProjectIndexEntry { Id = project.Id, Name = project.Name, CreatedAt = project.CreatedAt }, cancellationToken);
    }

    public Task<Page<ProjectIndexEntry>> ListProjectsAsync(int pageSize, string? continuationToken, CancellationToken cancellationToken) =>
        PagePartitionAsync<ProjectIndexEntry>(ProjectIndexEntry.Partition, pageSize, continuationToken, cancellationToken);

    /// <summary>Writes an entity; with <paramref name="stagedBy"/> it stays invisible until that restore is published.</summary>
    public Task UpsertAsync<T>(string projectId, T entity, CancellationToken cancellationToken, string? stagedBy = null)
        where T : IProjectEntity
    {
        var kind = EntityKindOf<T>.Name;
        var item = new ProjectItem<T>(ProjectItem<T>.CosmosId(kind, entity.Id), projectId, kind, entity, stagedBy);
        return Projects.UpsertItemAsync(item, new PartitionKey(projectId), NoContentResponse, cancellationToken);
    }

    /// <summary>Reads a project's record with its ETag, for a conditional write.</summary>
    public Task<(Project Entity, string ETag)?> ReadProjectAsync(string projectId, CancellationToken cancellationToken) =>
        ReadWithETagAsync<Project>(projectId, projectId, cancellationToken);

    /// <summary>Replaces a project's record if it is still at <paramref name="etag"/>; false when another writer changed it.</summary>
    public Task<bool> TryReplaceProjectAsync(Project project, string etag, CancellationToken cancellationToken) =>
        TryReplaceAsync(project.Id, project, etag, cancellationToken);

    /// <summary>Changes a project's record with optimistic concurrency (see <see cref="UpdateAsync{T}"/>).</summary>
    public Task<Project?> UpdateProjectAsync(string projectId, Func<Project, Project?> change, CancellationToken cancellationToken) =>
        UpdateAsync(projectId, projectId, change, cancellationToken);

    /// <summary>Reads one entity with its ETag, for a conditional write; null when it does not exist.</summary>
    public async Task<(T Entity, string ETag)?> ReadWithETagAsync<T>(string partition, string id, CancellationToken cancellationToken)
        where T : class, IProjectEntity
    {
        try
        {
            var response = await Projects.ReadItemAsync<ProjectItem<T>>(
                ProjectItem<T>.CosmosId(EntityKindOf<T>.Name, id), new PartitionKey(partition), cancellationToken: cancellationToken);
            return (response.Resource.Data, response.ETag);
        }
        catch (CosmosException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Replaces an entity if it is still at <paramref name="etag"/>; false when another writer changed or removed it.</summary>
    public async Task<bool> TryReplaceAsync<T>(string partition, T entity, string etag, CancellationToken cancellationToken)
        where T : IProjectEntity
    {
        var kind = EntityKindOf<T>.Name;
        var item = new ProjectItem<T>(ProjectItem<T>.CosmosId(kind, entity.Id), partition, kind, entity);
        try
        {
            await Projects.ReplaceItemAsync(item, item.Id, new PartitionKey(partition),
                new ItemRequestOptions { IfMatchEtag = etag, EnableContentResponseOnWrite = false }, cancellationToken);
            return true;
        }
        catch (CosmosException ex) when (ex.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>
    /// A read-modify-write with optimistic concurrency: reads the entity, applies <paramref name="change"/> (null:
    /// no write) and replaces it at the ETag it read, again from a fresh read when another writer came first, so a
    /// change never writes back a stale copy. Null when the entity does not exist.
    /// </summary>
    public async Task<T?> UpdateAsync<T>(string partition, string id, Func<T, T?> change, CancellationToken cancellationToken)
        where T : class, IProjectEntity
    {
        for (var attempt = 0; ; attempt++)
        {
            if (await ReadWithETagAsync<T>(partition, id, cancellationToken) is not var (entity, etag))
            {
                return null;
            }

            if (change(entity) is not { } changed)
            {
                return entity;
            }

            if (await TryReplaceAsync(partition, changed, etag, cancellationToken))
            {
                return changed;
            }

            if (attempt == 50)
            {
                throw new InvalidOperationException($"{EntityKindOf<T>.Name} {id} kept changing while it was being updated.");
            }
        }
    }

    /// <summary>Writes an entity only if it does not exist yet; false when another writer got there first.</summary>
    public async Task<bool> TryCreateAsync<T>(string projectId, T entity, CancellationToken cancellationToken)
        where T : IProjectEntity
    {
        var kind = EntityKindOf<T>.Name;
        try
        {
            await Projects.CreateItemAsync(new ProjectItem<T>(ProjectItem<T>.CosmosId(kind, entity.Id), projectId, kind, entity), new PartitionKey(projectId), NoContentResponse, cancellationToken);
            return true;
        }
        catch (CosmosException ex) when (ex.StatusCode == HttpStatusCode.Conflict)
        {
            return false;
        }
    }

    /// <summary>Reads one entity with a point read (staged or not); null when it does not exist.</summary>
    public async Task<T?> GetAsync<T>(string projectId, string id, CancellationToken cancellationToken)
        where T : class, IProjectEntity
    {
        try
        {
            var response = await Projects.ReadItemAsync<ProjectItem<T>>(
                ProjectItem<T>.CosmosId(EntityKindOf<T>.Name, id), new PartitionKey(projectId), cancellationToken: cancellationToken);
            return response.Resource.Data;
        }
        catch (CosmosException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Deletes an entity if it is still at <paramref name="etag"/>; false when it changed or is gone.</summary>
    public async Task<bool> TryDeleteAsync<T>(string partition, string id, string etag, CancellationToken cancellationToken)
        where T : IProjectEntity
    {
        try
        {
            await Projects.DeleteItemAsync<object>(ProjectItem<T>.CosmosId(EntityKindOf<T>.Name, id), new PartitionKey(partition),
                new ItemRequestOptions { IfMatchEtag = etag }, cancellationToken);
            return true;
        }
        catch (CosmosException ex) when (ex.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    public async Task<bool> DeleteAsync<T>(string projectId, string id, CancellationToken cancellationToken)
        where T : IProjectEntity
    {
        try
        {
            await Projects.DeleteItemAsync<object>(ProjectItem<T>.CosmosId(EntityKindOf<T>.Name, id), new PartitionKey(projectId), cancellationToken: cancellationToken);
            return true;
        }
        catch (CosmosException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    public Task<Page<T>> PageAsync<T>(string projectId, Visibility visibility, int pageSize, string? continuationToken, CancellationToken cancellationToken)
        where T : IProjectEntity =>
        ReadPageAsync<ProjectItem<T>, T>(Projects, KindQuery<T>(projectId, visibility), projectId, pageSize, continuationToken, item => item.Data, cancellationToken);

    /// <summary>What the project shows now (an empty view when the project does not exist).</summary>
    public async Task<Visibility> VisibilityAsync(string projectId, CancellationToken cancellationToken) =>
        await GetAsync<Project>(projectId, projectId, cancellationToken) is { } project ? Visibility.Of(project) : new Visibility(0, []);

    /// <summary>A project's entities of one kind as the project shows them now.</summary>
    public async IAsyncEnumerable<T> ListAsync<T>(string projectId, [EnumeratorCancellation] CancellationToken cancellationToken)
        where T : IProjectEntity
    {
        var visibility = await VisibilityAsync(projectId, cancellationToken);
        await foreach (var item in ListAsync<T>(projectId, visibility, cancellationToken))
        {
            yield return item;
        }
    }

    /// <summary>A project's entities of one kind as <paramref name="visibility"/> sees them.</summary>
    public IAsyncEnumerable<T> ListAsync<T>(string projectId, Visibility visibility, CancellationToken cancellationToken)
        where T : IProjectEntity =>
        StreamAsync<ProjectItem<T>, T>(Projects, KindQuery<T>(projectId, visibility), projectId, item => item.Data, cancellationToken);

    /// <summary>Items of a partition no restore writes into (indexes, records).</summary>
    public IAsyncEnumerable<T> ListPartitionAsync<T>(string partition, CancellationToken cancellationToken)
        where T : IProjectEntity =>
        StreamAsync<ProjectItem<T>, T>(Projects, KindQuery<T>(partition, null), partition, item => item.Data, cancellationToken);

    /// <summary>A page of a partition no restore writes into (indexes, records).</summary>
    public Task<Page<T>> PagePartitionAsync<T>(string partition, int pageSize, string? continuationToken, CancellationToken cancellationToken)
        where T : IProjectEntity =>
        ReadPageAsync<ProjectItem<T>, T>(Projects, KindQuery<T>(partition, null), partition, pageSize, continuationToken, item => item.Data, cancellationToken);

    /// <summary>Label sets with the labels and categories that visible merges added to them (schema-sized).</summary>
    public async IAsyncEnumerable<LabelSet> ListLabelSetsAsync(string projectId, Visibility visibility, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var extensions = new Dictionary<string, List<LabelSetExtension>>(StringComparer.Ordinal);
        await foreach (var extension in ListAsync<LabelSetExtension>(projectId, visibility, cancellationToken))
        {
            if (!extensions.TryGetValue(extension.LabelSetId, out var list))
            {
                extensions[extension.LabelSetId] = list = [];
            }

            list.Add(extension);
        }

        await foreach (var set in ListAsync<LabelSet>(projectId, visibility, cancellationToken))
        {
            yield return extensions.TryGetValue(set.Id, out var added)
                ? set with
                {
                    LabelIds = set.LabelIds.Concat(added.SelectMany(e => e.LabelIds)).Distinct(StringComparer.Ordinal).ToList(),
                    CategoryIds = set.CategoryIds.Concat(added.SelectMany(e => e.CategoryIds)).Distinct(StringComparer.Ordinal).ToList(),
                }
                : set;
        }
    }

    /// <summary>The items a restore staged in a project (any kind): what a discard removes and a fold-in publishes.</summary>
    public IAsyncEnumerable<StagedItem> ListStagedAsync(string projectId, string restoreId, CancellationToken cancellationToken) =>
        StreamAsync<StagedItem, StagedItem>(Projects,
            PartitionQuery("c.id, c.kind, c.data.id AS entityId", ProjectKey, projectId, "c.stagedBy = @restore").WithParameter("@restore", restoreId),
            projectId, row => row, cancellationToken);

    /// <summary>Makes a published restore's item an ordinary one, seen from <paramref name="generation"/> on (one patch).</summary>
    /// <remarks>A retried fold-in meets items already folded (the removed path is gone: 400) or deleted (404): both are done.</remarks>
    public async Task FoldInAsync(string projectId, StagedItem item, long generation, CancellationToken cancellationToken)
    {
        try
        {
            await Projects.PatchItemAsync<object>(item.Id, new PartitionKey(projectId),
                [PatchOperation.Set("/visibleFrom", generation), PatchOperation.Remove("/stagedBy")],
                new PatchItemRequestOptions { EnableContentResponseOnWrite = false }, cancellationToken);
        }
        catch (CosmosException ex) when (ex.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest)
        {
        }
    }

    /// <summary>What a published restore wrote into a project's partition: its items, staged still or folded in at its generation.</summary>
    public IAsyncEnumerable<ItemVersion> ListRestoredItemsAsync(string projectId, string restoreId, long generation, CancellationToken cancellationToken) =>
        StreamAsync<VersionRow, ItemVersion>(Projects,
            PartitionQuery("c.id, c.kind, c.data.id AS entityId, c.data.name AS name, c._etag AS etag", ProjectKey, projectId,
                "(c.stagedBy = @restore OR c.visibleFrom = @generation)").WithParameter("@restore", restoreId).WithParameter("@generation", generation),
            projectId, row => new ItemVersion(CosmosContainerNames.Projects, projectId, row.Id, row.Etag, row.Kind, row.EntityId, row.Name), cancellationToken);

    /// <summary>
    /// Versions of the items among <paramref name="cosmosIds"/> (one query for a batch of them) that are still as the
    /// restore wrote them: staged by it, or folded in at its generation. An item rewritten since is not among them.
    /// </summary>
    public IAsyncEnumerable<ItemVersion> ListRestoredVersionsAsync(
        string projectId, IReadOnlyCollection<string> cosmosIds, string restoreId, long generation, CancellationToken cancellationToken) =>
        StreamAsync<VersionRow, ItemVersion>(Projects,
            PartitionQuery("c.id, c.kind, c.data.id AS entityId, c.data.name AS name, c._etag AS etag", ProjectKey, projectId,
                    "ARRAY_CONTAINS(@ids, c.id) AND (c.stagedBy = @restore OR c.visibleFrom = @generation)")
                .WithParameter("@ids", cosmosIds).WithParameter("@restore", restoreId).WithParameter("@generation", generation),
            projectId, row => new ItemVersion(CosmosContainerNames.Projects, projectId, row.Id, row.Etag, row.Kind, row.EntityId, row.Name), cancellationToken);

    /// <summary>A document's annotation sets and annotations, as versions.</summary>
    public IAsyncEnumerable<ItemVersion> ListDocumentItemVersionsAsync(string projectId, string documentId, CancellationToken cancellationToken)
    {
        var key = DocumentItem<object>.Key(projectId, documentId);
        return StreamAsync<VersionRow, ItemVersion>(Annotations, PartitionQuery("c.id, c.kind, c.data.id AS entityId, c._etag AS etag", DocumentKey, key), key,
            row => new ItemVersion(CosmosContainerNames.Annotations, key, row.Id, row.Etag, row.Kind, row.EntityId, $"{documentId}/{row.EntityId}"), cancellationToken);
    }

    /// <summary>The item's ETag now, or null when it is gone.</summary>
    public async Task<string?> ReadETagAsync(ItemVersion item, CancellationToken cancellationToken)
    {
        using var response = await ContainerOf(item).ReadItemStreamAsync(item.Id, new PartitionKey(item.Partition), cancellationToken: cancellationToken);
        return response.StatusCode == HttpStatusCode.NotFound ? null : response.EnsureSuccessStatusCode().Headers.ETag;
    }

    /// <summary>Deletes the item if it is still the version given (or is gone already); false when it was changed.</summary>
    public async Task<bool> DeleteIfUnchangedAsync(ItemVersion item, CancellationToken cancellationToken)
    {
        using var response = await ContainerOf(item).DeleteItemStreamAsync(
            item.Id, new PartitionKey(item.Partition), new ItemRequestOptions { IfMatchEtag = item.ETag }, cancellationToken);
        return response.StatusCode switch
        {
            HttpStatusCode.PreconditionFailed => false,
            HttpStatusCode.NotFound => true,
            _ => response.EnsureSuccessStatusCode() is not null,
        };
    }

    private Container ContainerOf(ItemVersion item) => item.Container == CosmosContainerNames.Annotations ? Annotations : Projects;

    /// <summary>Deletes one item of a project by its Cosmos id; a missing one is fine.</summary>
    public Task DeleteItemAsync(string projectId, string cosmosId, CancellationToken cancellationToken) =>
        DeleteIgnoringMissingAsync(Projects, cosmosId, projectId, cancellationToken);

    /// <summary>Deletes a document's annotation sets and annotations.</summary>
    public Task DeleteDocumentItemsAsync(string projectId, string documentId, CancellationToken cancellationToken)
    {
        var documentKey = DocumentItem<object>.Key(projectId, documentId);
        return DrainPartitionAsync(Annotations, documentKey, PartitionQuery("c.id", DocumentKey, documentKey), _ => Task.CompletedTask, cancellationToken);
    }

    public Task UpsertDocumentItemAsync<T>(string projectId, string documentId, T entity, CancellationToken cancellationToken)
        where T : IProjectEntity
    {
        var kind = EntityKindOf<T>.Name;
        var key = DocumentItem<T>.Key(projectId, documentId);
        var item = new DocumentItem<T>(ProjectItem<T>.CosmosId(kind, entity.Id), key, projectId, kind, entity);
        return Annotations.UpsertItemAsync(item, new PartitionKey(key), NoContentResponse, cancellationToken);
    }

    /// <summary>
    /// Writes items of one document (one partition of the annotations container) as transactional batches of up to
    /// <see cref="MaxBatchOperations"/>: one round trip where per-item upserts take one each. A batch the account
    /// refuses for its size (413) is written item by item instead; any other refusal fails the call.
    /// </summary>
    public async Task UpsertDocumentItemsAsync<T>(string projectId, string documentId, IReadOnlyList<T> entities, CancellationToken cancellationToken)
        where T : IProjectEntity
    {
        var kind = EntityKindOf<T>.Name;
        var key = DocumentItem<T>.Key(projectId, documentId);
        foreach (var chunk in entities.Chunk(MaxBatchOperations))
        {
            var batch = Annotations.CreateTransactionalBatch(new PartitionKey(key));
            foreach (var entity in chunk)
            {
                batch.UpsertItem(new DocumentItem<T>(ProjectItem<T>.CosmosId(kind, entity.Id), key, projectId, kind, entity), NoContentBatchItem);
            }

            using var response = await batch.ExecuteAsync(cancellationToken);
            if (response.StatusCode == HttpStatusCode.RequestEntityTooLarge)
            {
                foreach (var entity in chunk)
                {
                    await UpsertDocumentItemAsync(projectId, documentId, entity, cancellationToken);
                }
            }
            else if (!response.IsSuccessStatusCode)
            {
                throw new CosmosException(
                    $"A transactional batch of {chunk.Length} {kind} items of document {documentId} was refused: {response.ErrorMessage}",
                    response.StatusCode, 0, response.ActivityId, response.RequestCharge);
            }
        }
    }

    public IAsyncEnumerable<T> ListDocumentItemsAsync<T>(string projectId, string documentId, CancellationToken cancellationToken)
        where T : IProjectEntity =>
        StreamAsync<DocumentItem<T>, T>(Annotations, DocumentItemsQuery<T>(DocumentItem<T>.Key(projectId, documentId)), DocumentItem<T>.Key(projectId, documentId), item => item.Data, cancellationToken);

    /// <summary>Counts everything in one pass over the project's partition (documents carry their annotation counts).</summary>
    public async Task<ProjectCounts> CountAsync(string projectId, Visibility visibility, CancellationToken cancellationToken)
    {
        var byKind = new Dictionary<string, int>();
        var byStatus = Enum.GetValues<DatasetStatus>().ToDictionary(s => JsonNamingPolicy.CamelCase.ConvertName(s.ToString()), _ => 0);
        int annotationSets = 0, annotations = 0;
        var query = VisibleTo(PartitionQuery("c.kind, c.data.datasetStatus, c.data.annotationSetCount, c.data.annotationCount", ProjectKey, projectId, VisibleFilter), visibility);
        await foreach (var row in StreamAsync<CountRow, CountRow>(Projects, query, projectId, row => row, cancellationToken))
        {
            byKind[row.Kind] = byKind.GetValueOrDefault(row.Kind) + 1;
            if (row.Kind == EntityKinds.Document)
            {
                var status = row.DatasetStatus ?? "none";
                byStatus[status] = byStatus.GetValueOrDefault(status) + 1;
                annotationSets += row.AnnotationSetCount ?? 0;
                annotations += row.AnnotationCount ?? 0;
            }
        }

        return new ProjectCounts(
            byKind.GetValueOrDefault(EntityKinds.Category),
            byKind.GetValueOrDefault(EntityKinds.Label),
            byKind.GetValueOrDefault(EntityKinds.LabelSet),
            byKind.GetValueOrDefault(EntityKinds.Document),
            byStatus,
            annotationSets,
            annotations,
            byKind.GetValueOrDefault(EntityKinds.Ai));
    }

    /// <summary>Deletes every item of a project: its documents' annotation partitions, then its own partition.</summary>
    public async Task DeleteProjectAsync(string projectId, CancellationToken cancellationToken)
    {
        await DrainPartitionAsync(Projects, projectId, PartitionQuery("c.id, c.kind, c.data.id AS entityId", ProjectKey, projectId), async row =>
        {
            if (row.Kind == EntityKinds.Document && row.EntityId is not null)
            {
                var documentKey = DocumentItem<object>.Key(projectId, row.EntityId);
                await DrainPartitionAsync(Annotations, documentKey, PartitionQuery("c.id", DocumentKey, documentKey), _ => Task.CompletedTask, cancellationToken);
            }
            else if (row.Kind == EntityKinds.Member && row.EntityId is not null)
            {
                await DeleteIgnoringMissingAsync(Projects, ProjectItem<object>.CosmosId(EntityKinds.ProjectIndexEntry, projectId), ProjectIndexEntry.MembershipPartition(row.EntityId), cancellationToken);
            }
        }, cancellationToken);
        await DeleteIgnoringMissingAsync(Projects, ProjectItem<object>.CosmosId(EntityKinds.ProjectIndexEntry, projectId), ProjectIndexEntry.Partition, cancellationToken);
    }

    private static readonly ItemRequestOptions NoContentResponse = new() { EnableContentResponseOnWrite = false };

    private const string ProjectKey = "projectId";
    private const string DocumentKey = "documentKey";

    /// <summary>
    /// A query of one partition. The partition key is also in the WHERE clause: real Cosmos routes by the request
    /// option alone, but the local emulator rejects a query whose text does not name the partition key.
    /// </summary>
    private static QueryDefinition PartitionQuery(string select, string partitionKeyProperty, string partition, string? filter = null) =>
        new QueryDefinition($"SELECT {select} FROM c WHERE c.{partitionKeyProperty} = @partition{(filter is null ? "" : " AND " + filter)}")
            .WithParameter("@partition", partition);

    /// <summary>
    /// Items of partitions no restore writes into. <c>c.data.stagedBy</c> is where restores before the atomic publish
    /// marked their documents and AIs: such an item is staged still (its restore never published it).
    /// </summary>
    private const string NotStaged = "NOT IS_DEFINED(c.stagedBy) AND NOT IS_DEFINED(c.data.stagedBy)";

    /// <summary>See <see cref="Visibility"/>: unstaged (or folded in by then), or staged by a published restore.</summary>
    private const string VisibleFilter =
        "((" + NotStaged + " AND (NOT IS_DEFINED(c.visibleFrom) OR c.visibleFrom <= @generation)) OR ARRAY_CONTAINS(@published, c.stagedBy))";

    private static QueryDefinition VisibleTo(QueryDefinition query, Visibility visibility) =>
        query.WithParameter("@generation", visibility.Generation).WithParameter("@published", visibility.Published);

    private static QueryDefinition KindQuery<T>(string partition, Visibility? visibility)
        where T : IProjectEntity
    {
        var query = PartitionQuery("*", ProjectKey, partition, $"c.kind = @kind AND {(visibility is null ? NotStaged : VisibleFilter)}")
            .WithParameter("@kind", EntityKindOf<T>.Name);
        return visibility is null ? query : VisibleTo(query, visibility);
    }

    private static QueryDefinition DocumentItemsQuery<T>(string documentKey)
        where T : IProjectEntity =>
        PartitionQuery("*", DocumentKey, documentKey, "c.kind = @kind").WithParameter("@kind", EntityKindOf<T>.Name);

    private static async Task<Page<TResult>> ReadPageAsync<TItem, TResult>(
        Container container, QueryDefinition query, string partition, int pageSize, string? continuationToken,
        Func<TItem, TResult> select, CancellationToken cancellationToken)
    {
        using var iterator = container.GetItemQueryIterator<TItem>(query, continuationToken, new QueryRequestOptions
        {
            PartitionKey = new PartitionKey(partition),
            MaxItemCount = pageSize,
        });
        if (!iterator.HasMoreResults)
        {
            return new Page<TResult>([], null);
        }

        var response = await iterator.ReadNextAsync(cancellationToken);
        return new Page<TResult>(response.Select(select).ToList(), response.ContinuationToken);
    }

    private static async IAsyncEnumerable<TResult> StreamAsync<TItem, TResult>(
        Container container, QueryDefinition query, string partition, Func<TItem, TResult> select,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var iterator = container.GetItemQueryIterator<TItem>(query, null, new QueryRequestOptions
        {
            PartitionKey = new PartitionKey(partition),
            MaxItemCount = 500,
        });
        while (iterator.HasMoreResults)
        {
            foreach (var item in await iterator.ReadNextAsync(cancellationToken))
            {
                yield return select(item);
            }
        }
    }

    /// <summary>Deletes a partition's items page by page (re-querying from the start, as deleting shifts continuation).</summary>
    private static async Task DrainPartitionAsync(
        Container container, string partition, QueryDefinition query, Func<IdRow, Task> beforeDelete, CancellationToken cancellationToken)
    {
        while (true)
        {
            var page = await ReadPageAsync<IdRow, IdRow>(container, query, partition, 500, null, row => row, cancellationToken);
            if (page.Items.Count == 0)
            {
                return;
            }

            foreach (var row in page.Items)
            {
                await beforeDelete(row);
                await DeleteIgnoringMissingAsync(container, row.Id, partition, cancellationToken);
            }
        }
    }

    private static async Task DeleteIgnoringMissingAsync(Container container, string id, string partition, CancellationToken cancellationToken)
    {
        try
        {
            await container.DeleteItemAsync<object>(id, new PartitionKey(partition), cancellationToken: cancellationToken);
        }
        catch (CosmosException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
        }
    }

    private sealed record CountRow(string Kind, string? DatasetStatus, int? AnnotationSetCount, int? AnnotationCount);

    private sealed record IdRow(string Id, string? Kind, string? EntityId);

    private sealed record VersionRow(string Id, string Kind, string? EntityId, string? Name, string Etag);
}

/// <summary>One stored item at one version: its container, partition and Cosmos id, its ETag, its kind, entity id and a name to show.</summary>
public sealed record ItemVersion(string Container, string Partition, string Id, string ETag, string Kind, string? EntityId, string? Name);

/// <summary>An item a restore staged: its Cosmos id, its kind and its entity's id.</summary>
public sealed record StagedItem(string Id, string Kind, string? EntityId);
