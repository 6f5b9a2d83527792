using Snapshots.Archive;
using Snapshots.Compare;
using Snapshots.Errors;
using Snapshots.Projects;
using Snapshots.Records;
using Snapshots.Restore;

namespace Snapshots.Verification;

/// <summary>
/// Proves that a stored snapshot still restores: its archive re-read against the manifest, and in a drill restored
/// into a hidden scratch project and compared with the archive entity by entity. The result is kept on the snapshot.
/// </summary>
public sealed class SnapshotVerifier(
    SnapshotStore snapshots, RestoreStaging staging, RestoreService restores, RestoreStore restoreRecords, SnapshotComparer comparer,
    ProjectStore store, ProjectFiles files, TimeProvider clock)
{
    /// <summary>A verification still running after this long is taken for dead, and another may start.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromHours(6);

    /// <summary>How many names of missing or changed entities a drill reports per kind.</summary>
    public const int NamesPerKind = 5;

    /// <summary>
    /// Marks the snapshot as being verified and returns the orchestration's input. Refused (409) for a snapshot that
    /// is not created, or while another verification of it runs. With <paramref name="verificationId"/> (a schedule's
    /// occurrence) a second start of the same id returns the same request and changes nothing.
    /// </summary>
    public async Task<(SnapshotRecord Record, VerifySnapshotRequest Request)> StartAsync(
        SnapshotRecord snapshot, VerificationMode mode, CancellationToken cancellationToken, string? verificationId = null)
    {
        if (snapshot.Status != SnapshotStatus.Created)
        {
            throw new ConflictException($"The snapshot is {snapshot.Status.ToString().ToLowerInvariant()}; only a created snapshot can be verified.");
        }

        var now = clock.GetUtcNow();
        var request = new VerifySnapshotRequest(
            verificationId ?? $"verify-{snapshot.Id}-{Guid.NewGuid():N}", snapshot.Id, snapshot.ProjectId, snapshot.Identifier, mode, now, Scheduled: verificationId is not null);
        string? refusal = null;
        var updated = await snapshots.UpdateAsync(snapshot, current =>
        {
            refusal = null;
            if (current.Verification is { } latest && latest.Id == request.VerificationId)
            {
                request = request with { StartedAt = latest.StartedAt };
                return null;
            }

            if (current.Verification is { Status: VerificationStatus.Running } running && now - running.StartedAt < StaleAfter)
            {
                refusal = $"A verification of this snapshot is running (started {running.StartedAt:u}); wait for it to end.";
                return null;
            }

            return current with
            {
                Verification = new SnapshotVerification
                {
                    Id = request.VerificationId,
                    Mode = mode,
                    Status = VerificationStatus.Running,
                    Scheduled = request.Scheduled,
                    StartedAt = now,
                },
            };
        }, cancellationToken) ?? throw new NotFoundException($"No snapshot with id '{snapshot.Id}'.");
        return refusal is null ? (updated, request) : throw new ConflictException(refusal);
    }

    /// <summary>Takes back a start whose orchestration could not be scheduled, so the snapshot is not left "running".</summary>
    public Task AbandonAsync(VerifySnapshotRequest request, CancellationToken cancellationToken) =>
        ChangeAsync(request, current => current with { Verification = null }, cancellationToken);

    /// <summary>Every entry of the stored archive read and checked against the manifest (sizes, SHA-256, counts, content).</summary>
    public async Task<VerificationOutcome> CheckChecksumsAsync(VerifySnapshotRequest request, CancellationToken cancellationToken)
    {
        try
        {
            using var archive = await staging.OpenArchiveUnmarkedAsync(request.Identifier, cancellationToken);
            await archive.VerifyAsync(cancellationToken);
            return new VerificationOutcome(true, [], archive.VerifiedEntries);
        }
        catch (Exception ex) when (ex is ArchiveValidationException or ArchiveTooLargeException or PermanentFailureException)
        {
            return VerificationOutcome.Failed(ex.Message);
        }
    }

    public Task<RestoreRequest> StartDrillAsync(VerifySnapshotRequest request, CancellationToken cancellationToken) =>
        restores.StartDrillAsync(request.DrillRestore, cancellationToken);

    /// <summary>The drill's restore as it ended, compared with the archive through the snapshot's own modes and selection.</summary>
    public async Task<VerificationOutcome> CompareDrillAsync(VerifySnapshotRequest request, CancellationToken cancellationToken)
    {
        var restore = await restoreRecords.GetAsync(request.DrillRestoreId, cancellationToken);
        if (restore is not { PublishedAt: not null })
        {
            var why = restore?.Error ?? (restore?.CancelledAt is not null ? "it was cancelled" : "it ended without publishing");
            return VerificationOutcome.Failed($"The drill's restore did not restore the snapshot: {why}");
        }

        var snapshot = await snapshots.GetAsync(request.SnapshotId, cancellationToken)
            ?? throw new PermanentFailureException($"The snapshot '{request.SnapshotId}' was deleted while it was verified.");
        var comparison = await comparer.CompareDrillAsync(snapshot, request.DrillRestore, new NamePage(NamesPerKind, null), cancellationToken);
        return DrillFindings.From(comparison);
    }

    /// <summary>Removes the drill's scratch project, its files and its restore record; whatever is already gone is skipped.</summary>
    public async Task DeleteDrillAsync(VerifySnapshotRequest request, CancellationToken cancellationToken)
    {
        await store.DeleteProjectAsync(request.DrillProjectId, cancellationToken);
        await files.DeleteProjectFilesAsync(request.DrillProjectId, cancellationToken);
        if (await restoreRecords.GetAsync(request.DrillRestoreId, cancellationToken) is { } record)
        {
            await restoreRecords.DeleteAsync(record, cancellationToken);
        }
    }

    /// <summary>Keeps the result on the snapshot, unless a later verification has replaced this one.</summary>
    public Task<SnapshotRecord?> RecordAsync(RecordVerificationRequest result, CancellationToken cancellationToken)
    {
        var (request, outcome, completedAt) = result;
        return ChangeAsync(request, current => current with
        {
            Verification = current.Verification! with
            {
                Status = outcome.Ok ? VerificationStatus.Passed : VerificationStatus.Failed,
                CompletedAt = completedAt,
                DurationSeconds = Math.Round((completedAt - request.StartedAt).TotalSeconds, 1),
                Entries = outcome.Entries,
                Failures = outcome.Failures,
            },
        }, cancellationToken);
    }

    private async Task<SnapshotRecord?> ChangeAsync(VerifySnapshotRequest request, Func<SnapshotRecord, SnapshotRecord> change, CancellationToken cancellationToken) =>
        await snapshots.GetAsync(request.SnapshotId, cancellationToken) is { } snapshot
            ? await snapshots.UpdateAsync(snapshot, current => current.Verification?.Id == request.VerificationId ? change(current) : null, cancellationToken)
            : null;
}
