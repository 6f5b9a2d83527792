using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Snapshots.Access;
using Snapshots.Functions.Access;
using Snapshots.Functions.Http;
using Snapshots.Functions.Projects;
using Snapshots.Records;
using Snapshots.Restore;

namespace Snapshots.Functions.Restores;

/// <summary>Restore a snapshot into a new project or merge it into an existing one; follow, list and retry restores.</summary>
public sealed class RestoreFunctions(
    RestoreService restores, RestoreStarter starter, global::Snapshots.Restore.Revert.RestoreReverter reverter, SnapshotStore snapshots, RequestAccess access)
{
    [Function(nameof(StartRestore))]
    public async Task<IActionResult> StartRestore(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "snapshots/{snapshotId}/restores")] HttpRequest request,
        string snapshotId,
        [DurableClient] DurableTaskClient client)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        var (snapshot, caller, _) = await FindSnapshotAsync(request, snapshotId, Permission.ViewSnapshot, Permission.AddSnapshotRestore);

        var (body, error) = await RequestBodies.ReadOptionalJsonAsync(request, new StartRestoreBody(null, null));
        if (body is null)
        {
            return Problems.BadRequest(error + " Send {\"targetProjectId\": \"...\"} to merge, or {\"projectName\": \"...\"} or nothing for a new project.");
        }

        if (snapshot.Status != SnapshotStatus.Created)
        {
            return Problems.Conflict($"The snapshot is {snapshot.Status.ToString().ToLowerInvariant()}; only a created snapshot can be restored.");
        }

        if (ProjectNames.Validate(body.ProjectName) is { } nameError && body.ProjectName is not null)
        {
            return Problems.BadRequest(nameError);
        }

        return await starter.StartAsync(client, request, caller, snapshot.Identifier, snapshot.Id, null, body, cancellationToken);
    }

    [Function(nameof(GetRestore))]
    public async Task<IActionResult> GetRestore(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "restores/{restoreId}")] HttpRequest request,
        string restoreId,
        [DurableClient] DurableTaskClient client)
    {
        var record = await FindRestoreAsync(request, restoreId, Permission.ViewSnapshotRestore);
        return new OkObjectResult(RestoreView.From(
            record, await client.GetInstanceAsync(restoreId, getInputsAndOutputs: true, request.HttpContext.RequestAborted)));
    }

    [Function(nameof(ListSnapshotRestores))]
    public async Task<IActionResult> ListSnapshotRestores(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "snapshots/{snapshotId}/restores")] HttpRequest request,
        string snapshotId,
        [DurableClient] DurableTaskClient client)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        var caller = (await FindSnapshotAsync(request, snapshotId, Permission.ViewSnapshotRestore)).Caller;

        // Restores into projects the caller cannot see stay hidden, as GET /api/restores/{id} would hide them.
        var records = new List<RestoreRecord>();
        var visible = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var record in await restores.ListBySnapshotAsync(snapshotId, cancellationToken))
        {
            if (!visible.TryGetValue(record.ProjectId, out var seen))
            {
                seen = visible[record.ProjectId] = await access.AllowsAsync(caller, record.ProjectId, cancellationToken, Permission.ViewSnapshotRestore);
            }

            if (seen)
            {
                records.Add(record);
            }
        }

        return new OkObjectResult(new PageView<RestoreView>(await ViewsAsync(records, client, cancellationToken), null));
    }

    [Function(nameof(RetryRestore))]
    public async Task<IActionResult> RetryRestore(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "restores/{restoreId}/retry")] HttpRequest request,
        string restoreId,
        [DurableClient] DurableTaskClient client)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        var record = await FindRestoreAsync(request, restoreId, Permission.ChangeSnapshotRestore);

        var orchestration = await client.GetInstanceAsync(restoreId, getInputsAndOutputs: true, cancellationToken);
        if (RestoreView.StatusOf(record, orchestration) != RestoreStatus.ContactSupport || orchestration is null)
        {
            return Problems.Conflict("Only a restore that ended in 'Contact support.' can be retried.");
        }

        // A new run starts once the failed one has removed what it staged (moments after the status says so).
        orchestration = await WaitUntilEndedAsync(client, orchestration, cancellationToken);
        if (!orchestration.IsCompleted)
        {
            request.HttpContext.Response.Headers.RetryAfter = "5";
            return Problems.Conflict("The failed restore is still removing what it staged; retry in a few seconds.");
        }

        await restores.PrepareRetryAsync(record, cancellationToken);

        // Same instance id and input: every step uses deterministic ids and blob names, so nothing is duplicated.
        var input = orchestration.ReadInputAs<RestoreRequest>()! with { Retry = true };
        try
        {
            await client.ScheduleNewOrchestrationInstanceAsync(
                nameof(RestoreOrchestrations.RestoreSnapshotOrchestrator), input, new StartOrchestrationOptions(restoreId), CancellationToken.None);
        }
        catch
        {
            await restores.UndoRetryAsync(record, CancellationToken.None);
            throw;
        }

        return new AcceptedResult($"/api/restores/{restoreId}", RestoreView.From(record with { Error = null, CompletedAt = null }, null));
    }

    private static async Task<OrchestrationMetadata> WaitUntilEndedAsync(DurableTaskClient client, OrchestrationMetadata orchestration, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        while (!orchestration.IsCompleted && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
            orchestration = await client.GetInstanceAsync(orchestration.InstanceId, getInputsAndOutputs: true, cancellationToken) ?? orchestration;
        }

        return orchestration;
    }

    [Function(nameof(CancelRestore))]
    public async Task<IActionResult> CancelRestore(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "restores/{restoreId}/cancel")] HttpRequest request,
        string restoreId,
        [DurableClient] DurableTaskClient client)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        var restore = await FindRestoreAsync(request, restoreId, Permission.ChangeSnapshotRestore);
        var orchestration = await client.GetInstanceAsync(restoreId, getInputsAndOutputs: false, cancellationToken);
        if (RestoreView.StatusOf(restore, orchestration) is not (RestoreStatus.Queuing or RestoreStatus.InProgress))
        {
            return Problems.Conflict("Only a queuing or running restore can be cancelled; this one has ended.");
        }

        var record = await restores.RequestCancelAsync(restore, cancellationToken);
        // The orchestration stops before its next step (after the batches in flight) and discards what it staged.
        await client.RaiseEventAsync(restoreId, RestoreEvents.Cancel, record.CancelRequestedAt, cancellationToken);
        var view = RestoreView.From(record, orchestration);
        return new AcceptedResult(view.StatusUri, view);
    }

    /// <summary>Removes exactly what a restore added (409 naming what changed since); a restore's own new project goes with it.</summary>
    [Function(nameof(RevertRestore))]
    public async Task<IActionResult> RevertRestore(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "restores/{restoreId}/revert")] HttpRequest request,
        string restoreId,
        [DurableClient] DurableTaskClient client)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        var caller = await access.AuthenticateAsync(request);
        var record = await FindRestoreAsync(request, restoreId, Permission.ChangeSnapshotRestore);
        // It removes project data: a merge's revert needs write access to the target; deleting a restore's own
        // project needs what deleting the restore would.
        await access.RequireAsync(caller, record.ProjectId, cancellationToken, $"No restore with id '{restoreId}'.",
            record.Merge ? [Permission.WriteProject] : [Permission.WriteProject, Permission.DeleteSnapshotRestore]);
        var reverted = await reverter.RevertAsync(record, caller, cancellationToken);
        return new OkObjectResult(RestoreView.From(reverted, await client.GetInstanceAsync(restoreId, getInputsAndOutputs: true, cancellationToken)));
    }

    [Function(nameof(ListRestores))]
    public async Task<IActionResult> ListRestores(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "restores")] HttpRequest request,
        [DurableClient] DurableTaskClient client)
    {
        var caller = await access.AuthenticateAsync(request);

        string? projectId = request.Query["projectId"];
        if (string.IsNullOrWhiteSpace(projectId))
        {
            return Problems.BadRequest("Pass the project whose restores to list as ?projectId=...");
        }

        await access.RequireAsync(caller, projectId, request.HttpContext.RequestAborted, null, Permission.ViewSnapshotRestore);

        var records = await restores.ListByProjectAsync(projectId, request.HttpContext.RequestAborted);
        return new OkObjectResult(new PageView<RestoreView>(await ViewsAsync(records, client, request.HttpContext.RequestAborted), null));
    }

    private Task<Granted<SnapshotRecord>> FindSnapshotAsync(HttpRequest request, string snapshotId, params Permission[] permissions) =>
        access.ForResourceAsync(request, cancellationToken => snapshots.GetAsync(snapshotId, cancellationToken), s => s.ProjectId, $"No snapshot with id '{snapshotId}'.", permissions);

    /// <summary>A restore belongs to its target project: that project's permissions decide who sees and retries it.</summary>
    private async Task<RestoreRecord> FindRestoreAsync(HttpRequest request, string restoreId, Permission permission) =>
        (await access.ForResourceAsync(request, cancellationToken => restores.GetAsync(restoreId, cancellationToken), r => r.ProjectId, $"No restore with id '{restoreId}'.", permission)).Resource;

    internal static async Task<List<RestoreView>> ViewsAsync(List<RestoreRecord> records, DurableTaskClient client, CancellationToken cancellationToken)
    {
        var views = new List<RestoreView>();
        foreach (var record in records)
        {
            views.Add(RestoreView.From(record, await client.GetInstanceAsync(record.Id, getInputsAndOutputs: true, cancellationToken)));
        }

        return views;
    }
}
