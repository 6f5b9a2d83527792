namespace Snapshots.Imports;

/// <summary>The input of the import orchestration: references only, never entity lists.</summary>
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
    public const string Schema = "schema";
    public const string Documents = "documents";
    public const string Finishing = "finishing";
}
