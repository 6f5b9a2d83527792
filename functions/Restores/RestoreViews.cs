using System.Text.Json;
using Microsoft.DurableTask.Client;
using Snapshots.Configuration;
using Snapshots.Restore;

namespace Snapshots.Functions.Restores;

/// <param name="DryRun">Answer what the restore would do (200, a <see cref="RestorePreview"/>) and write nothing.</param>
/// <param name="Select">Restore only these documents of the snapshot: categories by id or name, dataset statuses, document ids.</param>
public sealed record StartRestoreBody(string? TargetProjectId, string? ProjectName, bool DryRun = false, global::Snapshots.Selection.DocumentSelection? Select = null);

/// <summary>A restore as the API shows it: its status derived from its orchestration, with progress and report.</summary>
public sealed record RestoreView(
    string Id,
    string? SnapshotId,
    string Identifier,
    string ProjectId,
    string ProjectName,
    string ProjectUri,
    bool Merge,
    RestoreStatus Status,
    string StatusText,
    RestoreProgress? Progress,
    DateTimeOffset CreatedAt,
    DateTimeOffset? CompletedAt,
    string? Error,
    RestoreReport? Report,
    string StatusUri)
{
    /// <summary>The documents a selective restore restores (categories as ids); absent for all.</summary>
    public global::Snapshots.Selection.ResolvedSelection? Selection { get; init; }

    /// <summary>A restored restore whose record of what it added is written, not reverted yet.</summary>
    public bool Revertible { get; init; }

    public global::Snapshots.Restore.Revert.RestoreRevert? Reverted { get; init; }

    public static RestoreView From(RestoreRecord record, OrchestrationMetadata? orchestration)
    {
        var status = StatusOf(record, orchestration);
        return new RestoreView(
            record.Id, record.SnapshotId, record.Identifier, record.ProjectId, record.ProjectName, $"/api/projects/{record.ProjectId}", record.Merge,
            status, RestoreStatusTexts.For(status), ProgressOf(orchestration), record.CreatedAt,
            status is RestoreStatus.Restored or RestoreStatus.ContactSupport or RestoreStatus.Cancelled ? record.CompletedAt : null,
            status == RestoreStatus.ContactSupport ? record.Error ?? orchestration?.FailureDetails?.ErrorMessage.Split('\n', 2)[0] : null,
            status == RestoreStatus.Restored ? record.Report : null,
            $"/api/restores/{record.Id}")
        {
            Selection = record.Selection,
            Revertible = status == RestoreStatus.Restored && record.RevertibleAt is not null && record.Reverted is null,
            Reverted = record.Reverted,
        };
    }

    /// <summary>
    /// The record says what is settled (published: restored, even while the clean-up runs; cancelled), the
    /// orchestration state the rest.
    /// </summary>
    public static RestoreStatus StatusOf(RestoreRecord record, OrchestrationMetadata? orchestration) =>
        record.PublishedAt is not null ? RestoreStatus.Restored
        : record.CancelledAt is not null ? RestoreStatus.Cancelled
        : orchestration?.RuntimeStatus switch
        {
            null or OrchestrationRuntimeStatus.Pending => RestoreStatus.Queuing,
            OrchestrationRuntimeStatus.Completed => orchestration.ReadOutputAs<RestoreOutcome>() is { Cancelled: true } ? RestoreStatus.Cancelled : RestoreStatus.Restored,
            OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated => RestoreStatus.ContactSupport,
            _ => record.Error is not null && record.CompletedAt is not null ? RestoreStatus.ContactSupport : RestoreStatus.InProgress,
        };

    private static RestoreProgress? ProgressOf(OrchestrationMetadata? orchestration) =>
        string.IsNullOrEmpty(orchestration?.SerializedCustomStatus)
            ? null
            : JsonSerializer.Deserialize<RestoreProgress>(orchestration.SerializedCustomStatus, SnapshotsJson.Options);
}
