namespace Snapshots.Projects;

/// <summary>
/// The Cosmos document around an entity of the <c>projects</c> container. The entity sits under <c>data</c> so
/// Cosmos system fields never mix with its fields, and ids of different kinds never collide.
/// </summary>
/// <remarks>
/// <c>stagedBy</c> marks an item a restore wrote (invisible until that restore is published); once published,
/// the fold-in replaces it with <c>visibleFrom</c>, the publication generation from which it is seen.
/// </remarks>
internal sealed record ProjectItem<T>(string Id, string ProjectId, string Kind, T Data, string? StagedBy = null, long? VisibleFrom = null)
{
    public static string CosmosId(string kind, string entityId) => $"{kind}:{entityId}";
}

/// <summary>The Cosmos document around an annotation set or annotation, partitioned by document.</summary>
internal sealed record DocumentItem<T>(string Id, string DocumentKey, string ProjectId, string Kind, T Data)
{
    public static string Key(string projectId, string documentId) => $"{projectId}:{documentId}";
}
