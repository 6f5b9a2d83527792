using Snapshots.Records;

namespace Snapshots.Functions.Snapshots;

/// <param name="Select">Only these documents (dataset mode): categories by id or name, dataset statuses, document ids.</param>
public sealed record CreateSnapshotBody(IReadOnlyList<SnapshotMode>? Modes, string? Description, global::Snapshots.Selection.DocumentSelection? Select = null);

/// <summary>A snapshot as the API shows it, with where to follow it and fetch it.</summary>
public sealed record SnapshotView(
    string Id,
    string Identifier,
    string ProjectId,
    string ProjectName,
    IReadOnlyList<SnapshotMode> Modes,
    global::Snapshots.Selection.ResolvedSelection? Selection,
    SnapshotStatus Status,
    string StatusText,
    string? FailureReason,
    string? Description,
    bool Scheduled,
    DateTimeOffset? ScheduledFor,
    DateTimeOffset CreatedAt,
    DateTimeOffset? CompletedAt,
    SnapshotCounts? Counts,
    long? Bytes,
    IReadOnlyList<string> Warnings,
    global::Snapshots.Verification.SnapshotVerification? Verification,
    string StatusUri,
    string? DownloadUri)
{
    public static SnapshotView From(SnapshotRecord r) => new(
        r.Id, r.Identifier, r.ProjectId, r.ProjectName, r.Modes, r.Selection, r.Status, r.StatusText, r.FailureReason, r.Description, r.Scheduled, r.ScheduledFor,
        r.CreatedAt, r.CompletedAt, r.Counts, r.Bytes, r.Warnings, r.Verification,
        $"/api/snapshots/{r.Id}",
        r.Status == SnapshotStatus.Created ? $"/api/snapshots/{r.Id}/download" : null);
}
