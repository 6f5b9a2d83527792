using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;
using Snapshots.Archive;
using Snapshots.Configuration;
using Snapshots.Create;
using Snapshots.Functions.Backups;
using Snapshots.Functions.Restores;
using Snapshots.Imports;
using Snapshots.Operations;
using Snapshots.Restore;

namespace Snapshots.Functions.Operations;

/// <summary>Every minute: no snapshot or restore stays "creating" or "queuing" because a process died at the wrong moment.</summary>
public sealed class ReconcileFunctions(
    OperationReconciler reconciler, ImportedArchives imported, ImportStaging staging, IOptions<ImportOptions> limits, TimeProvider clock,
    Microsoft.Extensions.Logging.ILogger<ReconcileFunctions> logger)
{
    /// <summary>Half a minute off the backup tick, so the two do not run at once.</summary>
    public const string TickSchedule = "30 * * * * *";

    [Function(nameof(ReconcileOperations))]
    public async Task ReconcileOperations([TimerTrigger(TickSchedule)] TimerInfo timer, [DurableClient] DurableTaskClient client)
    {
        _ = timer;
        await ReconcileAsync(reconciler, client, ReconcileRules.Grace, CancellationToken.None);
    }

    /// <summary>
    /// Hourly: uploaded snapshot zips whose restore never ended, and staged uploads no operation removed, go after
    /// their retention (Snapshots:Imports:ImportedArchiveRetention, longer than any import runs).
    /// </summary>
    [Function(nameof(ExpireImportedArchives))]
    public async Task<int> ExpireImportedArchives([TimerTrigger("0 45 * * * *")] TimerInfo timer)
    {
        _ = timer;
        var archives = await imported.ExpireAsync(CancellationToken.None);
        var expired = archives + await staging.ExpireAsync(clock.GetUtcNow() - limits.Value.ImportedArchiveRetention, CancellationToken.None);
        if (expired > 0)
        {
            ImportLog.Expired(logger, expired);
        }

        return expired;
    }

    public static Task<ReconcileResult> ReconcileAsync(OperationReconciler reconciler, DurableTaskClient client, TimeSpan grace, CancellationToken cancellationToken) =>
        reconciler.TickAsync(grace, id => StateAsync(client, id, cancellationToken), pending => StartAsync(client, pending, cancellationToken), cancellationToken);

    private static async Task<OrchestrationState> StateAsync(DurableTaskClient client, string instanceId, CancellationToken cancellationToken) =>
        await client.GetInstanceAsync(instanceId, getInputsAndOutputs: false, cancellationToken) switch
        {
            null => OrchestrationState.Missing,
            { IsCompleted: true } => OrchestrationState.Ended,
            _ => OrchestrationState.Running,
        };

    /// <summary>Starts the operation's orchestration under its record's id (a second start of that id does nothing).</summary>
    private static async Task StartAsync(DurableTaskClient client, PendingOperation pending, CancellationToken cancellationToken)
    {
        switch (pending.Kind)
        {
            case PendingKind.Snapshot:
                await BackupFunctions.StartAsync(client, System.Text.Json.JsonSerializer.Deserialize<CreateSnapshotRequest>(pending.Request, SnapshotsJson.Options)!);
                break;
            case PendingKind.Restore when await client.GetInstanceAsync(pending.Id, cancellationToken) is null:
                await client.ScheduleNewOrchestrationInstanceAsync(nameof(RestoreOrchestrations.RestoreSnapshotOrchestrator),
                    System.Text.Json.JsonSerializer.Deserialize<RestoreRequest>(pending.Request, SnapshotsJson.Options), new StartOrchestrationOptions(pending.Id), cancellationToken);
                break;
        }
    }
}
