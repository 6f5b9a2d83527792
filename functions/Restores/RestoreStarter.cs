using Microsoft.AspNetCore.Mvc;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Snapshots.Create;
using Snapshots.Functions.Http;
using Snapshots.Restore;

namespace Snapshots.Functions.Restores;

/// <summary>Starts a restore of an archive in the snapshot storage, whichever way it was asked for.</summary>
public sealed class RestoreStarter(RestoreService restores)
{
    public async Task<IActionResult> StartAsync(
        DurableTaskClient client, string identifier, string? snapshotId, string? sourceEnvironment, StartRestoreBody body, CancellationToken cancellationToken)
    {
        try
        {
            var (record, start) = await restores.StartAsync(identifier, snapshotId, sourceEnvironment, body.TargetProjectId, body.ProjectName, null, cancellationToken);
            await client.ScheduleNewOrchestrationInstanceAsync(
                nameof(RestoreOrchestrations.RestoreSnapshotOrchestrator), start, new StartOrchestrationOptions(record.Id), cancellationToken);
            var view = RestoreView.From(record, null);
            return new AcceptedResult(view.StatusUri, view);
        }
        catch (SnapshotRequestException ex)
        {
            return Problems.For(ex.Status, ex.Message);
        }
    }
}
