using System.Text.Json;
using System.Text.Json.Serialization;

namespace Snapshots.Projects;

/// <summary>
/// Something stored in a project. Every entity keeps the fields it does not model in <see cref="Extra"/>,
/// so a round trip through import, snapshot and restore loses nothing.
/// </summary>
public interface IProjectEntity
{
    string Id { get; }

    Dictionary<string, JsonElement>? Extra { get; }
}

/// <summary>Kinds of stored entities, the <c>kind</c> of their Cosmos documents.</summary>
public static class EntityKinds
{
    public const string Project = "project";
    public const string Category = "category";
    public const string Label = "label";
    public const string LabelSet = "labelSet";
    public const string Document = "document";
    public const string Ai = "ai";
    public const string Member = "member";
    public const string AnnotationSet = "annotationSet";
    public const string Annotation = "annotation";
    public const string ProjectIndexEntry = "projectIndexEntry";
    public const string Snapshot = "snapshot";
    public const string SnapshotIndexEntry = "snapshotIndexEntry";
    public const string Restore = "restore";
    public const string LabelSetExtension = "labelSetExtension";
}

public enum ProjectStatus
{
    Ready,
    Importing,
    Restoring,
}

public enum DatasetStatus
{
    None = 0,
    Preparation = 1,
    Training = 2,
    Test = 3,
    Excluded = 4,
}

public enum AiType
{
    Extraction,
    Splitting,
    Categorization,
}

public enum CategorizationKind
{
    Model,
    NameBased,
}

public enum AiTrainingStatus
{
    Queued,
    Training,
    Done,
    Failed,
}

/// <summary>A file kept in blob storage: its name within its owner and the blob that holds it.</summary>
public sealed record StoredFile(string Name, string Blob, long Bytes, string? ContentType = null);

public sealed record Project : IProjectEntity
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public string? Description { get; init; }

    public ProjectStatus Status { get; init; } = ProjectStatus.Ready;

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Project-level files, e.g. the regex files of a Konfuzio export.</summary>
    public List<StoredFile> Files { get; init; } = [];

    /// <summary>Which restores' items are visible, and the restore that holds the project (storage state, never exported).</summary>
    public ProjectPublication? Publication { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; init; }
}

public sealed record Category : IProjectEntity
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public string? Description { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; init; }
}

public sealed record Label : IProjectEntity
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public string? Description { get; init; }

    public string? DataType { get; init; }

    public double? Threshold { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; init; }
}

public sealed record LabelSet : IProjectEntity
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    /// <summary>A default label set is a category's own label set (Konfuzio: <c>is_default</c>).</summary>
    public bool IsDefault { get; init; }

    public bool HasMultipleSections { get; init; }

    public List<string> LabelIds { get; init; } = [];

    public List<string> CategoryIds { get; init; } = [];

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; init; }
}

public sealed record Document : IProjectEntity
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public DatasetStatus DatasetStatus { get; init; }

    public string? CategoryId { get; init; }

    public int? NumberOfPages { get; init; }

    public List<StoredFile> Files { get; init; } = [];

    /// <summary>Page descriptions as the source gave them (sizes, numbers, image references).</summary>
    public JsonElement? Pages { get; init; }

    /// <summary>Kept on the document so project counts need no cross-partition query.</summary>
    public int AnnotationSetCount { get; init; }

    public int AnnotationCount { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; init; }
}

public sealed record AiModel : IProjectEntity
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public AiType Type { get; init; }

    public CategorizationKind? CategorizationKind { get; init; }

    public AiTrainingStatus TrainingStatus { get; init; }

    public bool Active { get; init; }

    public string? ModelVersion { get; init; }

    public DateTimeOffset? TrainedAt { get; init; }

    public string? CategoryId { get; init; }

    public List<StoredFile> Files { get; init; } = [];

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; init; }
}

/// <summary>
/// Labels and categories a merge adds to a label set the target already had. The label set itself is never
/// rewritten: reads add the visible extensions to it, so a merge changes no existing entity in place.
/// </summary>
public sealed record LabelSetExtension : IProjectEntity
{
    public required string Id { get; init; }

    public required string LabelSetId { get; init; }

    public List<string> LabelIds { get; init; } = [];

    public List<string> CategoryIds { get; init; } = [];

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; init; }
}

public sealed record Member : IProjectEntity
{
    /// <summary>The user's id (the token's <c>oid</c> or <c>sub</c>).</summary>
    public required string Id { get; init; }

    public required string Role { get; init; }

    public string? Name { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; init; }
}

public sealed record AnnotationSet : IProjectEntity
{
    public required string Id { get; init; }

    public required string DocumentId { get; init; }

    public string? LabelSetId { get; init; }

    public string? ParentId { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; init; }
}

public sealed record Annotation : IProjectEntity
{
    public required string Id { get; init; }

    public required string DocumentId { get; init; }

    public string? AnnotationSetId { get; init; }

    public required string LabelId { get; init; }

    public string? LabelSetId { get; init; }

    public string? OffsetString { get; init; }

    public int? StartOffset { get; init; }

    public int? EndOffset { get; init; }

    /// <summary>Character boxes as the source gave them.</summary>
    public JsonElement? Bboxes { get; init; }

    public bool? IsCorrect { get; init; }

    public bool? Revised { get; init; }

    public double? Confidence { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; init; }
}
