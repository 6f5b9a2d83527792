using Microsoft.Extensions.Logging;
using Snapshots.Access;
using Snapshots.Create;
using Snapshots.Errors;
using Snapshots.Projects;

namespace Snapshots.Restore;

/// <summary>
/// The record side of restores: start one (creating the new project at once, or holding the merge target), record
/// its publish, failure or cancel, find and list them. One restore at a time writes into a project.
/// </summary>
public sealed partial class RestoreService(
    ProjectStore projects, RestoreStore records, MembershipStore members, Operations.PendingOperations pending, TimeProvider clock, ILogger<RestoreService> logger)
{
    /// <summary>
    /// Checks the target and writes the restore record; a restore without a target project creates that project
    /// now (named after the snapshot), empty and restoring, and its items become visible when the restore is
    /// published. A merge holds its target: a second restore into it is refused (409) until the first has ended.
    /// The caller who asked becomes the new project's owner.
    /// </summary>
    public async Task<(RestoreRecord Record, RestoreRequest Request)> StartAsync(
        string identifier, string? snapshotId, string? sourceEnvironment, string? targetProjectId, string? projectName, Caller requestedBy,
        CancellationToken cancellationToken, UploadedArchive? upload = null, Selection.ResolvedSelection? selection = null)
    {
        var restoreId = Guid.NewGuid().ToString("N");
        var now = clock.GetUtcNow();
        Project target;
        if (targetProjectId is not null)
        {
            target = await projects.GetAsync<Project>(targetProjectId, targetProjectId, cancellationToken)
                ?? throw new NotFoundException($"No project with id '{targetProjectId}' to merge into.");
            if (NotReady(target) is { } notReady)
            {
                throw new ConflictException(notReady);
            }
        }
        else
        {
            target = new Project
            {
                Id = Guid.NewGuid().ToString("N"),
                Name = string.IsNullOrWhiteSpace(projectName) ? $"Restored Project from Snapshot {identifier} at {now.UtcDateTime:yyyy-MM-dd HH:mm:ss}" : projectName.Trim(),
                Status = ProjectStatus.Restoring,
                CreatedAt = now,
                Publication = new ProjectPublication { ActiveRestoreId = restoreId },
            };
        }

        var record = new RestoreRecord
        {
            Id = restoreId,
            SnapshotId = snapshotId,
            Identifier = identifier,
            ProjectId = target.Id,
            ProjectName = target.Name,
            Merge = targetProjectId is not null,
            SourceEnvironment = sourceEnvironment,
            Selection = selection,
            RequestedBy = requestedBy.UserId,
            CreatedAt = now,
        };
        var request = new RestoreRequest(restoreId, identifier, target.Id, record.Merge, NewProject: targetProjectId is null, Upload: upload)
        {
            Selection = selection,
            RecordsLedger = true,
            Notifies = true,
        };
        await pending.AddAsync(Operations.PendingKind.Restore, restoreId, request, cancellationToken);
        await records.SaveAsync(record, cancellationToken);
        if (targetProjectId is null)
        {
            await projects.SaveProjectAsync(target, cancellationToken);
            await members.GrantOwnerAsync(target, requestedBy, cancellationToken);
        }
        else if (await HoldAsync(target.Id, restoreId, cancellationToken) is { } running)
        {
            await records.DeleteAsync(record, cancellationToken);
            throw RunningRestoreConflict(target.Id, running);
        }

        return (record, request);
    }

    /// <summary>
    /// Starts a verification drill's restore into a new hidden project: not in the project list and without members,
    /// so only admins can reach it. Its ids come from the verification, so a retried start finds what the first wrote
    /// (the project is written before the record that a retry looks for). No ledger: a drill's project is deleted
    /// afterwards, never reverted.
    /// </summary>
    public async Task<RestoreRequest> StartDrillAsync(RestoreRequest request, CancellationToken cancellationToken)
    {
        var (restoreId, identifier, projectId) = (request.RestoreId, request.Identifier, request.ProjectId);
        if (await records.GetAsync(restoreId, cancellationToken) is not null)
        {
            return request;
        }

        var now = clock.GetUtcNow();
        var project = new Project
        {
            Id = projectId,
            Name = $"Verification drill of snapshot {identifier}",
            Status = ProjectStatus.Restoring,
            CreatedAt = now,
            Publication = new ProjectPublication { ActiveRestoreId = restoreId },
        };
        await projects.UpsertAsync(projectId, project, cancellationToken);
        await records.SaveAsync(new RestoreRecord
        {
            Id = restoreId,
            Identifier = identifier,
            ProjectId = projectId,
            ProjectName = project.Name,
            RequestedBy = DrillRequester,
            CreatedAt = now,
        }, cancellationToken);
        return request;
    }

    /// <summary>Who a drill's restore record names as its requester.</summary>
    public const string DrillRequester = "verification drill";

    /// <summary>Why a merge into <paramref name="targetProjectId"/> would be refused now (409), or null; 404 when there is no such project.</summary>
    public async Task<string?> MergeRefusalAsync(string targetProjectId, CancellationToken cancellationToken)
    {
        var target = await projects.GetAsync<Project>(targetProjectId, targetProjectId, cancellationToken)
            ?? throw new NotFoundException($"No project with id '{targetProjectId}' to merge into.");
        if (NotReady(target) is { } notReady)
        {
            return notReady;
        }

        return target.Publication?.ActiveRestoreId is { } holder && await GetAsync(holder, cancellationToken) is { } running && IsWriting(running)
            ? RunningRestoreConflict(targetProjectId, holder).Message
            : null;
    }

    /// <summary>How long a revert's claim holds: one that died keeps its target no longer than this.</summary>
    public static readonly TimeSpan RevertClaimLifetime = TimeSpan.FromHours(1);

    /// <summary>Still writing into its target: running, or being reverted (a revert's claim expires).</summary>
    private bool IsWriting(RestoreRecord record) =>
        record.CompletedAt is null || (record.Reverted is null && record.RevertingSince is { } since && clock.GetUtcNow() - since < RevertClaimLifetime);

    /// <summary>
    /// Claims the revert of a restored restore (409 while another revert of it runs) and holds its target, as a
    /// restore does, so no restore writes into it meanwhile (409 while one does).
    /// </summary>
    public async Task ClaimRevertAsync(RestoreRecord record, CancellationToken cancellationToken)
    {
        var claimed = false;
        await records.UpdateAsync(record.Id, r =>
        {
            claimed = r.Reverted is null && !(r.RevertingSince is { } since && clock.GetUtcNow() - since < RevertClaimLifetime);
            return claimed ? r with { RevertingSince = clock.GetUtcNow() } : null;
        }, cancellationToken);
        if (!claimed)
        {
            throw new ConflictException($"Restore '{record.Id}' is being reverted or was reverted.");
        }

        try
        {
            if (await HoldAsync(record.ProjectId, record.Id, cancellationToken) is { } running)
            {
                throw RunningRestoreConflict(record.ProjectId, running);
            }
        }
        catch
        {
            await EndRevertAsync(record, CancellationToken.None);
            throw;
        }
    }

    /// <summary>The revert ended (done or not): its claim and its hold on the target go.</summary>
    public async Task EndRevertAsync(RestoreRecord record, CancellationToken cancellationToken)
    {
        await records.UpdateAsync(record.Id, r => r.RevertingSince is null ? null : r with { RevertingSince = null }, cancellationToken);
        await ReleaseHoldAsync(record.ProjectId, record.Id, cancellationToken);
    }

    private static string? NotReady(Project target) => target.Status == ProjectStatus.Ready
        ? null
        : $"Project '{target.Id}' is {target.Status.ToString().ToLowerInvariant()}; merge into it once it is ready.";

    public Task<RestoreRecord?> GetAsync(string restoreId, CancellationToken cancellationToken) =>
        records.GetAsync(restoreId, cancellationToken);

    /// <summary>Restores into a project, newest first (its partition only).</summary>
    public Task<List<RestoreRecord>> ListByProjectAsync(string projectId, CancellationToken cancellationToken) =>
        NewestFirstAsync(records.ListByProjectAsync(projectId, cancellationToken), cancellationToken);

    /// <summary>Restores of a snapshot, newest first (its index, then a point read each).</summary>
    public Task<List<RestoreRecord>> ListBySnapshotAsync(string snapshotId, CancellationToken cancellationToken) =>
        NewestFirstAsync(records.ListBySnapshotAsync(snapshotId, cancellationToken), cancellationToken);

    private static async Task<List<RestoreRecord>> NewestFirstAsync(IAsyncEnumerable<RestoreRecord> source, CancellationToken cancellationToken) =>
        (await source.ToListAsync(cancellationToken)).OrderByDescending(r => r.CreatedAt).ToList();

    /// <summary>Records that a restore is published, with its report: from now on it is restored.</summary>
    public async Task CompleteAsync(CompleteRestoreRequest complete, DateTimeOffset publishedAt, CancellationToken cancellationToken)
    {
        var request = complete.Restore;
        var documents = complete.Documents;
        await UpdateRecordAsync(request.RestoreId, record => record with
        {
            CompletedAt = complete.CompletedAt,
            PublishedAt = record.PublishedAt ?? publishedAt,
            Error = null,
            ErrorDetail = null,
            Report = new RestoreReport(complete.Schema.Categories, complete.Schema.LabelSets, complete.Schema.Labels,
                documents.Documents, documents.AnnotationSets, documents.Annotations, complete.Ais.Ais, complete.Schema.ProjectFiles + documents.Files + complete.Ais.Files)
            {
                Notes = complete.Ais.Notes,
            },
        }, cancellationToken);
        var requestedAt = (await GetAsync(request.RestoreId, cancellationToken))?.CreatedAt ?? publishedAt;
        var seconds = (publishedAt - requestedAt).TotalSeconds;
        Diagnostics.SnapshotsTelemetry.RestoresRestored.Add(1);
        Diagnostics.SnapshotsTelemetry.DocumentsRestored.Add(documents.Documents);
        Diagnostics.SnapshotsTelemetry.RestoreDuration.Record(seconds);
        LogRestored(logger, request.RestoreId, request.ProjectId, documents.Documents, documents.Annotations, seconds);
    }

    /// <summary>Keeps the reason and frees the target; what was staged stays invisible until the discard removes it.</summary>
    public async Task FailAsync(FailRestoreRequest failure, CancellationToken cancellationToken)
    {
        await UpdateRecordAsync(failure.Restore.RestoreId,
            record => record with { Error = failure.Reason, ErrorDetail = failure.Detail, CompletedAt = failure.FailedAt }, cancellationToken);
        await ReleaseAsync(failure.Restore, cancellationToken);
        Diagnostics.SnapshotsTelemetry.RestoresFailed.Add(1);
        LogRestoreFailed(logger, failure.Restore.RestoreId, failure.Reason, failure.Detail);
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Restore {RestoreId} into project {ProjectId} published: {Documents} documents, {Annotations} annotations, {Seconds:F1} s after it was asked for.")]
    private static partial void LogRestored(ILogger logger, string restoreId, string projectId, int documents, int annotations, double seconds);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Restore {RestoreId} ended in Contact support: {Reason}\n{Detail}")]
    private static partial void LogRestoreFailed(ILogger logger, string restoreId, string reason, string detail);

    public async Task CancelledAsync(CancelledRestoreRequest cancelled, CancellationToken cancellationToken)
    {
        await UpdateRecordAsync(cancelled.Restore.RestoreId,
            record => record with { CancelledAt = cancelled.CancelledAt, CompletedAt = cancelled.CancelledAt }, cancellationToken);
        await ReleaseAsync(cancelled.Restore, cancellationToken);
        LogCancelled(logger, cancelled.Restore.RestoreId, cancelled.Restore.ProjectId);
    }

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Restore {RestoreId} into project {ProjectId}: cancel requested.")]
    private static partial void LogCancelRequested(ILogger logger, string restoreId, string projectId);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "Restore {RestoreId} into project {ProjectId} cancelled: what it staged is removed, the target is as it was.")]
    private static partial void LogCancelled(ILogger logger, string restoreId, string projectId);

    /// <summary>
    /// Marks a running restore for cancelling; 409 once it is published or has ended, and while it does not hold its
    /// target yet. The mark goes on the target project's record first: the publish writes that same record with its
    /// ETag, so whichever comes first decides, and an accepted cancel is never lost to a publish.
    /// </summary>
    public async Task<RestoreRecord> RequestCancelAsync(RestoreRecord record, CancellationToken cancellationToken)
    {
        static bool Ended(RestoreRecord r) => r.PublishedAt is not null || r.CompletedAt is not null;
        var ended = new ConflictException("Only a queuing or running restore can be cancelled; this one has ended or was published.");
        if (Ended(await GetAsync(record.Id, cancellationToken) ?? record))
        {
            throw ended;
        }

        var target = await projects.UpdateProjectAsync(record.ProjectId, project =>
            project.Publication is { } publication && publication.ActiveRestoreId == record.Id && publication.CancelledRestoreId != record.Id
                ? project with { Publication = publication with { CancelledRestoreId = record.Id } }
                : null, cancellationToken);
        if (target?.Publication?.Published.Any(p => p.RestoreId == record.Id) == true)
        {
            throw ended;
        }

        if (target?.Publication?.CancelledRestoreId != record.Id)
        {
            // Not holding its target (being started or retried this moment): a cancel now could be missed.
            throw new ConflictException("The restore is being started and cannot be cancelled yet; try again in a moment.");
        }

        var current = await UpdateRecordAsync(record.Id, r => Ended(r) ? r : r with { CancelRequestedAt = r.CancelRequestedAt ?? clock.GetUtcNow() }, cancellationToken) ?? record;
        if (Ended(current))
        {
            throw ended;
        }

        LogCancelRequested(logger, current.Id, current.ProjectId);
        return current;
    }

    /// <summary>Before a retry: holds the target again (409 when another restore writes into it) and clears the failure.</summary>
    public async Task PrepareRetryAsync(RestoreRecord record, CancellationToken cancellationToken)
    {
        if (await projects.GetAsync<Project>(record.ProjectId, record.ProjectId, cancellationToken) is null)
        {
            throw new ConflictException($"Restore '{record.Id}' failed for good and its new project was removed: start a new restore.");
        }

        // Running again first, so no other restore sees this one as ended and takes the target in between. The
        // ETag-conditional change is also the claim: of two retries at once, one finds the record running again.
        var claimed = false;
        await records.UpdateAsync(record.Id, r =>
        {
            // Still failed, not just ended: a concurrent retry may already have run to "restored" in between.
            claimed = r.CompletedAt is not null && r.Error is not null;
            return claimed ? r with { CompletedAt = null } : null;
        }, cancellationToken);
        if (!claimed)
        {
            throw new ConflictException("Another retry of this restore is already starting.");
        }

        // Claimed: from here on a half-done retry is undone, whatever stops it (the caller hanging up included).
        try
        {
            if (await HoldAsync(record.ProjectId, record.Id, CancellationToken.None) is { } running)
            {
                throw RunningRestoreConflict(record.ProjectId, running);
            }

            await UpdateRecordAsync(record.Id, r => r with { Error = null, ErrorDetail = null }, CancellationToken.None);
        }
        catch
        {
            await UndoRetryAsync(record, CancellationToken.None);
            throw;
        }
    }

    /// <summary>
    /// A retry that could not start (its orchestration not scheduled, a store failing): the record is as it was
    /// (ended, with its failure) and the target is no longer held by it, so it can be retried or deleted.
    /// </summary>
    public async Task UndoRetryAsync(RestoreRecord record, CancellationToken cancellationToken)
    {
        await UpdateRecordAsync(record.Id, r => r with { CompletedAt = record.CompletedAt, Error = record.Error, ErrorDetail = record.ErrorDetail }, cancellationToken);
        await ReleaseHoldAsync(record.ProjectId, record.Id, cancellationToken);
    }

    /// <summary>A restore whose orchestration could not be started: the target is freed and the record goes.</summary>
    public async Task AbandonAsync(RestoreRequest request, CancellationToken cancellationToken)
    {
        await ReleaseAsync(request, cancellationToken);
        if (await records.GetAsync(request.RestoreId, cancellationToken) is { } record)
        {
            await records.DeleteAsync(record, cancellationToken);
        }
    }

    /// <summary>Frees the target if this restore holds it.</summary>
    public Task ReleaseAsync(RestoreRequest request, CancellationToken cancellationToken) =>
        ReleaseHoldAsync(request.ProjectId, request.RestoreId, cancellationToken);

    private Task<Project?> ReleaseHoldAsync(string projectId, string restoreId, CancellationToken cancellationToken) =>
        projects.UpdateProjectAsync(projectId, project => project.Publication?.ActiveRestoreId == restoreId
            ? project with { Publication = project.Publication with { ActiveRestoreId = null, CancelledRestoreId = null } }
            : null, cancellationToken);

    /// <summary>
    /// Makes <paramref name="restoreId"/> the restore that writes into the project; returns the id of another one
    /// that still runs there instead (a holder whose record is gone or has ended no longer counts).
    /// </summary>
    private async Task<string?> HoldAsync(string projectId, string restoreId, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            if (await projects.ReadProjectAsync(projectId, cancellationToken) is not var (project, etag))
            {
                throw new NotFoundException($"No project with id '{projectId}' to restore into.");
            }

            var holder = project.Publication?.ActiveRestoreId;
            if (holder == restoreId)
            {
                return null;
            }

            if (holder is not null && await GetAsync(holder, cancellationToken) is { } running && IsWriting(running))
            {
                return holder;
            }

            var publication = project.Publication ?? new ProjectPublication();
            if (await projects.TryReplaceProjectAsync(project with { Publication = publication with { ActiveRestoreId = restoreId, CancelledRestoreId = null } }, etag, cancellationToken))
            {
                return null;
            }
        }

        throw new InvalidOperationException($"Project {projectId} kept changing while a restore tried to hold it.");
    }

    private static ConflictException RunningRestoreConflict(string projectId, string running) =>
        new($"Project '{projectId}' has a restore running (restore id '{running}'); start this one when it has ended, or cancel it.");

    private Task<RestoreRecord?> UpdateRecordAsync(string restoreId, Func<RestoreRecord, RestoreRecord> change, CancellationToken cancellationToken) =>
        records.UpdateAsync(restoreId, change, cancellationToken);
}
