using System.Text.Json;
using Snapshots.Projects;

namespace Snapshots.Restore;

/// <summary>Restore statuses as Konfuzio shows them, derived from the orchestration's runtime status.</summary>
public enum RestoreStatus
{
    Queuing,
    InProgress,
    Restored,
    ContactSupport,
    Cancelled,
}

public static class RestoreStatusTexts
{
    public static string For(RestoreStatus status) => status switch
    {
        RestoreStatus.Queuing => "Queuing for Snapshot Restoration ...",
        RestoreStatus.InProgress => "Snapshot Restoration in progress...",
        RestoreStatus.Restored => "Snapshot restored.",
        RestoreStatus.Cancelled => "Snapshot restoration cancelled.",
        _ => "Contact support.",
    };
}

/// <summary>A same-named entity of the target whose properties differ: kept as it is in the target.</summary>
public sealed record RestoreConflict(string Kind, string Name, string Reason)
{
    /// <summary>The properties that differ, with the archive's and the target's value (empty when the conflict is two matches of one entity).</summary>
    public List<PropertyDifference> Differences { get; init; } = [];
}

/// <summary>One property of a conflict: its value in the archive and in the target (null where it has none).</summary>
public sealed record PropertyDifference(string Property, JsonElement? Archive, JsonElement? Target);

/// <summary>What a restore did per kind: created, matched to existing entities, and conflicts.</summary>
public sealed record KindReport(int Created = 0, int Matched = 0)
{
    public List<RestoreConflict> Conflicts { get; init; } = [];
}

public sealed record RestoreReport(KindReport Categories, KindReport LabelSets, KindReport Labels, int Documents, int AnnotationSets, int Annotations, int Ais, int Files)
{
    public List<string> Notes { get; init; } = [];
}

/// <summary>
/// A restore of a snapshot into a project, stored by <see cref="RestoreStore"/> with its target project's restores
/// and found by id, by snapshot and by project (cross-environment restores have no snapshot record here).
/// </summary>
public sealed record RestoreRecord : IProjectEntity
{
    public required string Id { get; init; }

    public string? SnapshotId { get; init; }

    public required string Identifier { get; init; }

    public required string ProjectId { get; init; }

    public required string ProjectName { get; init; }

    public bool Merge { get; init; }

    public string? SourceEnvironment { get; init; }

    /// <summary>The documents of the snapshot a selective restore restores (categories as ids); null for all.</summary>
    public Selection.ResolvedSelection? Selection { get; init; }

    public string? RequestedBy { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>When the restore's items became visible, all at once.</summary>
    public DateTimeOffset? PublishedAt { get; init; }

    /// <summary>When a cancel was asked for; the restore then stops at its next step and removes what it staged.</summary>
    public DateTimeOffset? CancelRequestedAt { get; init; }

    public DateTimeOffset? CancelledAt { get; init; }

    /// <summary>The failure reason's first line, for the status text.</summary>
    public string? Error { get; init; }

    /// <summary>The whole failure reason.</summary>
    public string? ErrorDetail { get; init; }

    public RestoreReport? Report { get; init; }

    /// <summary>When the record of what it added (the revert's ledger) was written: from then on it can be reverted.</summary>
    public DateTimeOffset? RevertibleAt { get; init; }

    /// <summary>A revert of this restore is running since then (it holds the target meanwhile).</summary>
    public DateTimeOffset? RevertingSince { get; init; }

    public Revert.RestoreRevert? Reverted { get; init; }

    public Dictionary<string, JsonElement>? Extra { get; init; }
}

/// <summary>The input of the restore orchestration and its activities: references only.</summary>
/// <param name="Retry">A re-run after a failure: it first removes whatever the failed run may have left staged.</param>
/// <param name="Upload">The restore of an uploaded snapshot zip: its first step moves the upload into the snapshot storage.</param>
public sealed record RestoreRequest(string RestoreId, string Identifier, string ProjectId, bool Merge, bool NewProject, bool Retry = false, UploadedArchive? Upload = null)
{
    /// <summary>The documents to restore, when the request selected some; null for all of the archive's.</summary>
    public Selection.ResolvedSelection? Selection { get; init; }

    /// <summary>
    /// Restores started since reverts exist record what they added after the fold-in; one started before has no
    /// such step in its history, and must replay without it.
    /// </summary>
    public bool RecordsLedger { get; init; }

    /// <summary>
    /// Raises the restore's webhook events. Versioning, as <see cref="RecordsLedger"/>: restores started before webhooks
    /// existed replay without the activity their history does not have.
    /// </summary>
    public bool Notifies { get; init; }
}

/// <summary>A snapshot zip staged by an upload request, to become the archive <see cref="RestoreRequest.Identifier"/>.</summary>
/// <param name="Share">Leave it restorable by identifier from other environments sharing the storage.</param>
public sealed record UploadedArchive(string ImportId, bool Share);

public sealed record RestoreBatch(RestoreRequest Restore, int BatchIndex);

public sealed record VerifiedArchive(int Documents, int AnnotationSets, int Annotations, int Ais, int Files, long Bytes);

/// <param name="FilesLeftOut">Document files of the archive a selective restore leaves out (with their bytes), for the progress totals.</param>
public sealed record RestorePlan(int Batches, int Documents, int AnnotationSets = 0, int Annotations = 0, int FilesLeftOut = 0, long BytesLeftOut = 0);

public sealed record RestoredBatch(int Documents, int AnnotationSets, int Annotations, int Files, long Bytes)
{
    public static RestoredBatch Empty { get; } = new(0, 0, 0, 0, 0);

    public RestoredBatch Add(RestoredBatch other) => new(
        Documents + other.Documents, AnnotationSets + other.AnnotationSets, Annotations + other.Annotations, Files + other.Files, Bytes + other.Bytes);
}

/// <param name="ProjectFiles">Project files restored (a new project takes the source's; a merge keeps the target's).</param>
/// <param name="ProjectFilesLeftOut">Project files in the archive that a merge does not restore.</param>
public sealed record SchemaResult(
    KindReport Categories, KindReport LabelSets, KindReport Labels, int ProjectFiles = 0, int ProjectFilesLeftOut = 0,
    long ProjectFileBytes = 0, long ProjectFileBytesLeftOut = 0);

public sealed record AisResult(int Ais, int Files, long Bytes, List<string> Notes);

public sealed record CompleteRestoreRequest(RestoreRequest Restore, SchemaResult Schema, RestoredBatch Documents, AisResult Ais, int Batches, DateTimeOffset CompletedAt);

public sealed record FailRestoreRequest(RestoreRequest Restore, string Reason, string Detail, DateTimeOffset FailedAt);

public sealed record CancelledRestoreRequest(RestoreRequest Restore, DateTimeOffset CancelledAt);

/// <param name="Cancelled">A cancelled restore into a new project removes that project too (nothing can retry it).</param>
/// <param name="KeepHold">A retry clears what the failed run left, and keeps holding the target for itself.</param>
/// <param name="InvalidArchive">The restore failed because its archive is invalid: no retry can change that.</param>
public sealed record DiscardRestoreRequest(RestoreRequest Restore, bool Cancelled = false, bool KeepHold = false, bool InvalidArchive = false);

/// <summary>A published restore and the publication generation it made visible.</summary>
/// <param name="Batches">How many document batches it planned (its revert ledger reads them).</param>
public sealed record PublishedRestoreRef(RestoreRequest Restore, long Generation, int Batches = 0);

/// <summary>How a restore orchestration ended.</summary>
public sealed record RestoreOutcome(bool Cancelled, RestoredBatch Documents);

/// <summary>External events a restore orchestration listens to.</summary>
public static class RestoreEvents
{
    public const string Cancel = "cancel";
}

/// <summary>Done and total of one kind, for progress counters.</summary>
public sealed record Counter(long Done, long Total);

/// <summary>The restore's progress: the custom status of its orchestration.</summary>
public sealed record RestoreProgress(string Stage, Counter Documents, Counter AnnotationSets, Counter Annotations, Counter Ais, Counter Files, Counter Bytes);

public static class RestoreStages
{
    public const string Receiving = "receiving";
    public const string Verifying = "verifying";
    public const string Schema = "schema";
    public const string Documents = "documents";
    public const string Ais = "ais";
    public const string Publishing = "publishing";
    public const string Restored = "restored";
    public const string Discarding = "discarding";
}
