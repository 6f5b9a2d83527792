using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Snapshots.Create;
using Snapshots.Functions.Http;
using Snapshots.Functions.Projects;
using Snapshots.Records;
using Snapshots.Restore;

namespace Snapshots.Functions.Restores;

/// <summary>Restore a snapshot into a new project or merge it into an existing one; follow, list and retry restores.</summary>
public sealed class RestoreFunctions(RestoreService restores, RestoreStarter starter, SnapshotStore snapshots)
{
    [Function(nameof(StartRestore))]
    public async Task<IActionResult> StartRestore(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "snapshots/{snapshotId}/restores")] HttpRequest request,
        string snapshotId,
        [DurableClient] DurableTaskClient client)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        var (body, error) = await RequestBodies.ReadOptionalJsonAsync(request, new StartRestoreBody(null, null));
        if (body is null)
        {
            return Problems.BadRequest(error + " Send {\"targetProjectId\": \"...\"} to merge, or {\"projectName\": \"...\"} or nothing for a new project.");
        }
        var snapshot = await snapshots.GetAsync(snapshotId, cancellationToken);
        if (snapshot is null)
        {
            return Problems.NotFound($"No snapshot with id '{snapshotId}'.");
        }

        if (snapshot.Status != SnapshotStatus.Created)
        {
            return Problems.Conflict($"The snapshot is {snapshot.Status.ToString().ToLowerInvariant()}; only a created snapshot can be restored.");
        }

        if (ProjectNames.Validate(body.ProjectName) is { } nameError && body.ProjectName is not null)
        {
            return Problems.BadRequest(nameError);
        }

        return await starter.StartAsync(client, snapshot.Identifier, snapshot.Id, null, body, cancellationToken);
    }

    [Function(nameof(GetRestore))]
    public async Task<IActionResult> GetRestore(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "restores/{restoreId}")] HttpRequest request,
        string restoreId,
        [DurableClient] DurableTaskClient client)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        var record = await restores.GetAsync(restoreId, cancellationToken);
        return record is null
            ? Problems.NotFound($"No restore with id '{restoreId}'.")
            : new OkObjectResult(RestoreView.From(record, await client.GetInstanceAsync(restoreId, getInputsAndOutputs: true, cancellationToken)));
    }

    [Function(nameof(ListSnapshotRestores))]
    public async Task<IActionResult> ListSnapshotRestores(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "snapshots/{snapshotId}/restores")] HttpRequest request,
        string snapshotId,
        [DurableClient] DurableTaskClient client)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        if (await snapshots.GetAsync(snapshotId, cancellationToken) is null)
        {
            return Problems.NotFound($"No snapshot with id '{snapshotId}'.");
        }

        var records = await restores.ListAsync(r => r.SnapshotId == snapshotId, cancellationToken);
        return new OkObjectResult(new PageView<RestoreView>(await ViewsAsync(records, client, cancellationToken), null));
    }

    [Function(nameof(RetryRestore))]
    public async Task<IActionResult> RetryRestore(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "restores/{restoreId}/retry")] HttpRequest request,
        string restoreId,
        [DurableClient] DurableTaskClient client)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        var record = await restores.GetAsync(restoreId, cancellationToken);
        if (record is null)
        {
            return Problems.NotFound($"No restore with id '{restoreId}'.");
        }

        var orchestration = await client.GetInstanceAsync(restoreId, getInputsAndOutputs: true, cancellationToken);
        if (RestoreView.StatusOf(orchestration) != RestoreStatus.ContactSupport || orchestration is null)
        {
            return Problems.Conflict("Only a restore that ended in 'Contact support.' can be retried.");
        }

        // Same instance id and input: every step uses deterministic ids and blob names, so nothing is duplicated.
        var input = orchestration.ReadInputAs<RestoreRequest>()!;
        await client.ScheduleNewOrchestrationInstanceAsync(
            nameof(RestoreOrchestrations.RestoreSnapshotOrchestrator), input, new StartOrchestrationOptions(restoreId), cancellationToken);
        return new AcceptedResult($"/api/restores/{restoreId}", RestoreView.From(record with { Error = null }, null));
    }

    [Function(nameof(ListRestores))]
    public async Task<IActionResult> ListRestores(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "restores")] HttpRequest request,
        [DurableClient] DurableTaskClient client)
    {
        string? projectId = request.Query["projectId"];
        if (string.IsNullOrWhiteSpace(projectId))
        {
            return Problems.BadRequest("Pass the project whose restores to list as ?projectId=...");
        }

        var records = await restores.ListAsync(r => r.ProjectId == projectId, request.HttpContext.RequestAborted);
        return new OkObjectResult(new PageView<RestoreView>(await ViewsAsync(records, client, request.HttpContext.RequestAborted), null));
    }

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
