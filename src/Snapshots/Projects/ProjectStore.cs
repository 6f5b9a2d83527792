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

    private Container Projects => cosmos.GetContainer(options.Value.DatabaseName, CosmosContainerNames.Projects);

    private Container Annotations => cosmos.GetContainer(options.Value.DatabaseName, CosmosContainerNames.Annotations);

    /// <summary>Writes a project's own record and its line in the project list.</summary>
    public async Task SaveProjectAsync(Project project, CancellationToken cancellationToken)
    {
        await UpsertAsync(project.Id, project, cancellationToken);
        await UpsertAsync(ProjectIndexEntry.Partition, new ProjectIndexEntry { Id = project.Id, Name = project.Name, CreatedAt = project.CreatedAt }, cancellationToken);
    }

    public Task<Page<ProjectIndexEntry>> ListProjectsAsync(int pageSize, string? continuationToken, CancellationToken cancellationToken) =>
        PageAsync<ProjectIndexEntry>(ProjectIndexEntry.Partition, pageSize, continuationToken, cancellationToken);

    public Task UpsertAsync<T>(string projectId, T entity, CancellationToken cancellationToken)
        where T : IProjectEntity
    {
        var kind = EntityKindOf<T>.Name;
        var item = new ProjectItem<T>(ProjectItem<T>.CosmosId(kind, entity.Id), projectId, kind, entity);
        return Projects.UpsertItemAsync(item, new PartitionKey(projectId), NoContentResponse, cancellationToken);
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

    public Task<Page<T>> PageAsync<T>(string projectId, int pageSize, string? continuationToken, CancellationToken cancellationToken)
        where T : IProjectEntity =>
        ReadPageAsync<ProjectItem<T>, T>(Projects, KindQuery<T>(ProjectKey, projectId), projectId, pageSize, continuationToken, item => item.Data, cancellationToken);

    public IAsyncEnumerable<T> ListAsync<T>(string projectId, CancellationToken cancellationToken, bool includeStaged = false)
        where T : IProjectEntity =>
        StreamAsync<ProjectItem<T>, T>(Projects, KindQuery<T>(ProjectKey, projectId, includeStaged), projectId, item => item.Data, cancellationToken);

    public Task UpsertDocumentItemAsync<T>(string projectId, string documentId, T entity, CancellationToken cancellationToken)
        where T : IProjectEntity
    {
        var kind = EntityKindOf<T>.Name;
        var key = DocumentItem<T>.Key(projectId, documentId);
        var item = new DocumentItem<T>(ProjectItem<T>.CosmosId(kind, entity.Id), key, projectId, kind, entity);
        return Annotations.UpsertItemAsync(item, new PartitionKey(key), NoContentResponse, cancellationToken);
    }

    public IAsyncEnumerable<T> ListDocumentItemsAsync<T>(string projectId, string documentId, CancellationToken cancellationToken)
        where T : IProjectEntity =>
        StreamAsync<DocumentItem<T>, T>(Annotations, KindQuery<T>(DocumentKey, DocumentItem<T>.Key(projectId, documentId)), DocumentItem<T>.Key(projectId, documentId), item => item.Data, cancellationToken);

    /// <summary>Counts everything in one pass over the project's partition (documents carry their annotation counts).</summary>
    public async Task<ProjectCounts> CountAsync(string projectId, CancellationToken cancellationToken)
    {
        var byKind = new Dictionary<string, int>();
        var byStatus = Enum.GetValues<DatasetStatus>().ToDictionary(s => JsonNamingPolicy.CamelCase.ConvertName(s.ToString()), _ => 0);
        int annotationSets = 0, annotations = 0;
        var query = PartitionQuery("c.kind, c.data.datasetStatus, c.data.annotationSetCount, c.data.annotationCount", ProjectKey, projectId, NotStaged);
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

    /// <summary>Items written by a restore that has not completed yet stay invisible to listings and counts.</summary>
    private const string NotStaged = "NOT IS_DEFINED(c.data.stagedBy)";

    private static QueryDefinition KindQuery<T>(string partitionKeyProperty, string partition, bool includeStaged = false)
        where T : IProjectEntity =>
        PartitionQuery("*", partitionKeyProperty, partition, includeStaged ? "c.kind = @kind" : $"c.kind = @kind AND {NotStaged}")
            .WithParameter("@kind", EntityKindOf<T>.Name);

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
}
