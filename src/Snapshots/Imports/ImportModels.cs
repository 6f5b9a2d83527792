namespace Snapshots.Imports;

/// <summary>
/// The input of the import orchestration, as the upload request leaves it: the staged zip's id, the project to
/// create and its owner (none for the demo project). Planning happens in the orchestration's first activity.
/// </summary>
public sealed record ImportUpload(string ImportId, string ProjectId, string ProjectName, string? OwnerId, string? OwnerName);

/// <summary>What an import writes, once its staged export is planned: references only, never entity lists.</summary>
public sealed record ImportRequest(string ImportId, string ProjectId, string ProjectName, int DocumentCount, int BatchCount);

/// <summary>The input of one document batch activity.</summary>
public sealed record ImportBatch(string ImportId, string ProjectId, int BatchIndex);

/// <summary>What one batch wrote.</summary>
public sealed record ImportBatchResult(int Documents, int AnnotationSets, int Annotations, int Files)
{
    public static ImportBatchResult Empty { get; } = new(0, 0, 0, 0);

    public ImportBatchResult Add(ImportBatchResult other) =>
        new(Documents + other.Documents, AnnotationSets + other.AnnotationSets, Annotations + other.Annotations, Files + other.Files);
}

/// <summary>The import's progress, the custom status of its orchestration.</summary>
public sealed record ImportProgress(string Stage, int DocumentsDone, int DocumentsTotal);

/// <summary>The output of a finished import.</summary>
public sealed record ImportResult(string ProjectId, string ProjectName, ImportBatchResult Written, IReadOnlyList<string> Warnings);

/// <summary>What validating an upload found: its size in documents and batches, and what it warns about.</summary>
public sealed record ImportPlan(int Documents, int Batches, IReadOnlyList<string> Warnings);

public static class ImportStages
{
    public const string Validating = "validating";
    public const string Schema = "schema";
    public const string Documents = "documents";
    public const string Finishing = "finishing";
}

public enum UploadKind
{
    KonfuzioExport,
    SnapshotArchive,
}

/// <summary>
/// An upload in staging whose central directory (and, for a snapshot zip, its manifest) has been read: entry
/// names, sizes and ratios are checked; contents are checked later, by the operation it starts.
/// </summary>
public sealed record StagedUpload(string ImportId, UploadKind Kind, Archive.SnapshotManifest? Manifest);
