namespace Snapshots.Storage;

/// <summary>Cosmos containers and their partition keys (DESIGN.md, storage layout).</summary>
public static class CosmosContainerNames
{
    public const string Projects = "projects";
    public const string ProjectsPartitionKey = "/projectId";
    public const string Annotations = "annotations";
    public const string AnnotationsPartitionKey = "/documentKey";
}
