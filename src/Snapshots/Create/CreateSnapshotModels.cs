using Snapshots.Records;

namespace Snapshots.Create;

/// <summary>The input of the create orchestration and its activities: references only.</summary>
/// <param name="Generation">
/// The project's publication generation when the snapshot was asked for: every export step reads the project as it
/// was then, so a restore published while the snapshot runs is in none of it (see <see cref="Projects.Visibility"/>).
/// </param>
public sealed record CreateSnapshotRequest(string SnapshotId, string Identifier, string ProjectId, IReadOnlyList<SnapshotMode> Modes, long Generation = 0)
{
    /// <summary>The documents to take, when the request selected some; null for all that the modes take.</summary>
    public Selection.ResolvedSelection? Selection { get; init; }

    /// <summary>Raises the snapshot's webhook events; false for creates started before webhooks existed, which replay without them.</summary>
    public bool Notifies { get; init; }
}

public sealed record DocumentBatchRef(CreateSnapshotRequest Snapshot, int BatchIndex);

public sealed record DocumentPlan(int Documents, int Batches);

public sealed record DocumentBatchResult(int Documents, int AnnotationSets, int Annotations, int Files);

public sealed record AssembledArchive(SnapshotCounts Counts, long Bytes);

public sealed record CreateSnapshotProgress(string Stage, int DocumentsDone, int DocumentsTotal);

public sealed record FinishSnapshotRequest(CreateSnapshotRequest Snapshot, AssembledArchive Archive, IReadOnlyList<string> Warnings, DateTimeOffset CompletedAt);

/// <param name="Reason">The failure's first line, for the status text.</param>
/// <param name="Detail">The whole failure, kept on the record and in the log.</param>
public sealed record FailSnapshotRequest(CreateSnapshotRequest Snapshot, string Reason, DateTimeOffset FailedAt, string? Detail = null);

/// <summary>A file to put into the archive: where it goes, where it is, and the version that was snapshotted.</summary>
public sealed record FileRef(string ArchivePath, string Container, string Blob, string ETag, long Bytes);

public static class CreateStages
{
    public const string Schema = "schema";
    public const string Ais = "ais";
    public const string Documents = "documents";
    public const string Assembling = "assembling";
}

/// <summary>
/// What a schedule occurrence led to: the snapshot to start, or none because it was started before, or because the
/// project could not be backed up then (<paramref name="Skipped"/>: a failed record says why).
/// </summary>
public sealed record ScheduledStart(CreateSnapshotRequest? Request, bool Skipped, string SnapshotId);
