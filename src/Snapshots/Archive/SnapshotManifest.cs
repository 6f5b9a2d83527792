using Snapshots.Records;

namespace Snapshots.Archive;

/// <summary>The environment and project a snapshot was taken from.</summary>
public sealed record ManifestSource(string Environment, string ProjectId, string ProjectName);

/// <summary>One entry of the archive: its path, the SHA-256 of its bytes, its size, and its item count (NDJSON lines).</summary>
public sealed record ManifestPart(string Path, string Sha256, long Bytes, int Items);

/// <summary>
/// <c>manifest.json</c>, the last entry of every archive (DESIGN.md archive format). An archive without one does
/// not exist for readers; its <see cref="Counts"/> are exact and <see cref="Parts"/> covers every other entry.
/// </summary>
public sealed record SnapshotManifest
{
    public const string FormatName = "snapshot";
    public const int CurrentVersion = 1;

    public string Format { get; init; } = FormatName;

    public int Version { get; init; } = CurrentVersion;

    public required string SnapshotId { get; init; }

    public required string Identifier { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required ManifestSource Source { get; init; }

    public required IReadOnlyList<SnapshotMode> Modes { get; init; }

    public required SnapshotCounts Counts { get; init; }

    public required IReadOnlyList<ManifestPart> Parts { get; init; }

    public IReadOnlyList<string> Warnings { get; init; } = [];
}

/// <summary>Entry names of the archive format.</summary>
public static class ArchiveEntries
{
    public const string Manifest = "manifest.json";
    public const string Project = "project.json";
    public const string Categories = "categories.ndjson";
    public const string Labels = "labels.ndjson";
    public const string LabelSets = "label_sets.ndjson";
    public const string Ais = "ais.ndjson";
    public const string Documents = "documents.ndjson";
    public const string AnnotationSets = "annotation_sets.ndjson";
    public const string Annotations = "annotations.ndjson";
    public const string FilesFolder = "files/";

    public static string DocumentFile(string documentId, string name) => $"files/documents/{documentId}/{name}";

    public static string AiFile(string aiId, string name) => $"files/ais/{aiId}/{name}";

    /// <summary>Project-level files (e.g. a Konfuzio export's regex files).</summary>
    public static string ProjectFile(string name) => $"files/project/{name}";
}
