using System.Text.Json;
using Microsoft.Extensions.Logging;
using Snapshots.Configuration;
using Snapshots.Create;
using Snapshots.Projects;
using Snapshots.Records;
using Snapshots.Restore;

namespace Snapshots.Operations;

/// <summary>What one reconciler tick did.</summary>
public sealed record ReconcileResult(int Started, int Settled, int Forgotten);

/// <summary>
/// Keeps the pending-operation index (<see cref="PendingOperation"/>) and, on each tick, makes every record whose
/// start was interrupted whole again: an orchestration that never started is started (under its deterministic
/// instance id, so a second start is harmless), a record its ended orchestration left unsettled is failed with a
/// reason, and settled ones leave the index.
/// </summary>
public sealed partial class OperationReconciler(
    ProjectStore store, SnapshotStore snapshots, SnapshotService snapshotService, RestoreService restores, TimeProvider clock, ILogger<OperationReconciler> logger)
{
    public const string InterruptedReason = "The operation was interrupted (its orchestration ended without recording an outcome); start it again.";

    /// <param name="grace">How old an entry must be before it is acted on (<see cref="ReconcileRules.Grace"/>).</param>
    public async Task<ReconcileResult> TickAsync(
        TimeSpan grace, Func<string, Task<OrchestrationState>> orchestrationOf, Func<PendingOperation, Task> start, CancellationToken cancellationToken)
    {
        int started = 0, settled = 0, forgotten = 0;
        var now = clock.GetUtcNow();
        await foreach (var pending in store.ListPartitionAsync<PendingOperation>(PendingOperation.Partition, cancellationToken))
        {
            var (exists, done) = await RecordStateAsync(pending, cancellationToken);
            var action = ReconcileRules.Decide(pending.CreatedAt, now, grace, exists, done,
                exists && !done ? await orchestrationOf(pending.Id) : OrchestrationState.Missing);
            switch (action)
            {
                case ReconcileAction.Start:
                    LogStarting(logger, pending.Kind, pending.Id);
                    await start(pending);
                    started++;
                    break;
                case ReconcileAction.Settle:
                    LogSettling(logger, pending.Kind, pending.Id);
                    await SettleAsync(pending, now, cancellationToken);
                    await store.DeleteAsync<PendingOperation>(PendingOperation.Partition, pending.Id, cancellationToken);
                    settled++;
                    break;
                case ReconcileAction.Forget:
                    await store.DeleteAsync<PendingOperation>(PendingOperation.Partition, pending.Id, cancellationToken);
                    forgotten++;
                    break;
            }
        }

        return new ReconcileResult(started, settled, forgotten);
    }

    private async Task<(bool Exists, bool Settled)> RecordStateAsync(PendingOperation pending, CancellationToken cancellationToken)
    {
        if (pending.Kind == PendingKind.Snapshot)
        {
            var snapshot = await snapshots.GetAsync(pending.Id, cancellationToken);
            return (snapshot is not null, snapshot is not null && snapshot.Status != SnapshotStatus.Creating);
        }

        var restore = await restores.GetAsync(pending.Id, cancellationToken);
        return (restore is not null, restore is not null && (restore.PublishedAt is not null || restore.CompletedAt is not null));
    }

    private Task SettleAsync(PendingOperation pending, DateTimeOffset now, CancellationToken cancellationToken) =>
        pending.Kind == PendingKind.Snapshot
            ? snapshotService.FailAsync(new FailSnapshotRequest(pending.Request.Deserialize<CreateSnapshotRequest>(SnapshotsJson.Options)!, InterruptedReason, now), cancellationToken)
            : restores.FailAsync(new FailRestoreRequest(pending.Request.Deserialize<RestoreRequest>(SnapshotsJson.Options)!, InterruptedReason, InterruptedReason, now), cancellationToken);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Warning, Message = "Starting the {Kind} {Id}: its record waited for an orchestration that never started")]
    private static partial void LogStarting(ILogger logger, PendingKind kind, string id);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Warning, Message = "Settling the {Kind} {Id} as failed: its orchestration ended without settling it")]
    private static partial void LogSettling(ILogger logger, PendingKind kind, string id);
}
