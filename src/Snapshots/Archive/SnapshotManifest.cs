using Snapshots.Records;

namespace Snapshots.Archive;

/// <summary>The environment and project a snapshot was taken from.</summary>
public sealed record ManifestSource(string Environment, string ProjectId, string ProjectName);

/// <summary>
/// One entry of the archive: its path, the SHA-256 of its bytes, its size, and its item count (NDJSON lines). Also a
/// line of a file index part (version 2), with no items.
/// </summary>
public sealed record ManifestPart(string Path, string Sha256, long Bytes, int Items);

/// <summary>
/// <c>manifest.json</c>, the last entry of every archive (docs/design.md, archive format). An archive without one
/// does not exist for readers; its <see cref="Counts"/> are exact. In version 1, <see cref="Parts"/> lists every other
/// entry; in version 2 it lists every entry but the files, which the file index parts it lists name instead.
/// </summary>
public sealed record SnapshotManifest
{
    public const string FormatName = "snapshot";
    public const int CurrentVersion = 2;

    /// <summary>Versions this service reads: 1 (files in the manifest) and 2 (files in index parts).</summary>
    public static bool IsReadable(int version) => version is 1 or CurrentVersion;

    public string Format { get; init; } = FormatName;

    public int Version { get; init; } = CurrentVersion;

    public required string SnapshotId { get; init; }

    public required string Identifier { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required ManifestSource Source { get; init; }

    public required IReadOnlyList<SnapshotMode> Modes { get; init; }

    /// <summary>The documents a selective snapshot took (absent: every document its modes take); counts are of what it holds.</summary>
    public Selection.ResolvedSelection? Selection { get; init; }

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
    public const string IndexFolder = "index/";

    /// <summary>The <paramref name="number"/>-th listing of files (version 2): NDJSON of path, sha256 and bytes.</summary>
    public static string FileIndex(int number) => $"index/files-{number:D6}.ndjson";

    public static string DocumentFile(string documentId, string name) => $"{DocumentFilesFolder}{documentId}/{name}";

    /// <summary>The id of the document whose file <paramref name="path"/> is, or null for any other entry.</summary>
    public static string? DocumentOfFile(string path) =>
        path.StartsWith(DocumentFilesFolder, StringComparison.Ordinal) && path.IndexOf('/', DocumentFilesFolder.Length) is var end and > 0
            ? path[DocumentFilesFolder.Length..end]
            : null;

    private const string DocumentFilesFolder = "files/documents/";

    public static string AiFile(string aiId, string name) => $"files/ais/{aiId}/{name}";

    /// <summary>Project-level files (e.g. a Konfuzio export's regex files).</summary>
    public static string ProjectFile(string name) => $"files/project/{name}";
}
