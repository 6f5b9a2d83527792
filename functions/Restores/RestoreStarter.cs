using Microsoft.AspNetCore.Mvc;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Snapshots.Access;
using Snapshots.Functions.Access;
using Snapshots.Restore;

namespace Snapshots.Functions.Restores;

/// <summary>Starts a restore of an archive in the snapshot storage, whichever way it was asked for.</summary>
public sealed class RestoreStarter(RestoreService restores, RestorePreviewer previewer, Selection.ArchiveSelections selections, RequestAccess access)
{
    /// <summary>
    /// Checks the caller may write to the target (a merge needs 'change project' and 'add snapshotrestore' there),
    /// then starts the restore; the caller becomes the owner of a new project. A dry run answers the restore's plan
    /// instead, with the same checks, and writes nothing.
    /// </summary>
    public async Task<IActionResult> StartAsync(
        DurableTaskClient client, Microsoft.AspNetCore.Http.HttpRequest request, Caller caller, string identifier, string? snapshotId, string? sourceEnvironment, StartRestoreBody body, CancellationToken cancellationToken,
        UploadedArchive? upload = null)
    {
        if (body.TargetProjectId is not null)
        {
            // The call's audit entry goes to the target's log too: its owners see who wrote into it.
            await access.RequireAsync(request, caller, body.TargetProjectId, $"No project with id '{body.TargetProjectId}' to merge into.",
                Permission.WriteProject, Permission.AddSnapshotRestore);
        }

        // An uploaded zip is not in the snapshot storage yet: its restore takes all of it.
        var selection = upload is null ? await selections.ResolveAsync(identifier, body.Select, cancellationToken) : null;
        if (body.DryRun && upload is null)
        {
            return new OkObjectResult(await previewer.PreviewAsync(identifier, snapshotId, body.TargetProjectId, cancellationToken, selection));
        }

        var (record, start) = await restores.StartAsync(
            identifier, snapshotId, sourceEnvironment, body.TargetProjectId, body.ProjectName, caller, cancellationToken, upload, selection);
        try
        {
            await client.ScheduleNewOrchestrationInstanceAsync(
                nameof(RestoreOrchestrations.RestoreSnapshotOrchestrator), start, new StartOrchestrationOptions(record.Id), cancellationToken);
        }
        catch
        {
            // Not started: the target must not stay held by a restore that will never run.
            await restores.AbandonAsync(start, CancellationToken.None);
            throw;
        }

        var view = RestoreView.From(record, null);
        return new AcceptedResult(view.StatusUri, view);
    }
}
