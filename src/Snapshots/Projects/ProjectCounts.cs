namespace Snapshots.Projects;

/// <summary>Exact counts of what a project holds.</summary>
public sealed record ProjectCounts(
    int Categories,
    int Labels,
    int LabelSets,
    int Documents,
    IReadOnlyDictionary<string, int> DocumentsByDatasetStatus,
    int AnnotationSets,
    int Annotations,
    int Ais);
