using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Snapshots.Access;
using Snapshots.Backups;
using Snapshots.Create;
using Snapshots.Functions.Access;
using Snapshots.Functions.Http;
using Snapshots.Functions.Snapshots;
using Snapshots.Records;
using Snapshots.Verification;
using Snapshots.Webhooks;
using Snapshots.Functions.Webhooks;

namespace Snapshots.Functions.Backups;

public sealed record BackupPolicyBody(IReadOnlyList<SnapshotMode>? Modes, string? Schedule, RetentionRules? Retention, bool? Enabled, VerifySchedule? Verify = null);

/// <summary>Scheduled backups: the per-project policy, and the timer that takes and prunes the snapshots.</summary>
public sealed class BackupFunctions(
    BackupPolicyService policies, BackupScheduler scheduler, SnapshotVerifier verifier, WebhookDispatcher dispatcher, RequestAccess access, TimeProvider clock)
{
    /// <summary>Every minute: the finest a five-field schedule can ask for.</summary>
    public const string TickSchedule = "0 * * * * *";

    [Function(nameof(RunScheduledBackups))]
    public async Task RunScheduledBackups([TimerTrigger(TickSchedule)] TimerInfo timer, [DurableClient] DurableTaskClient client)
    {
        _ = timer;
        await scheduler.TickAsync(clock.GetUtcNow(), new DurableScheduledStarts(client, verifier, dispatcher), CancellationToken.None);
    }

    /// <summary>A policy takes snapshots and its retention deletes them, so setting one needs both rights.</summary>
    private static readonly Permission[] ManagePolicy = [Permission.AddSnapshot, Permission.DeleteSnapshot];

    [Function(nameof(GetBackupPolicy))]
    public async Task<IActionResult> GetBackupPolicy(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "projects/{projectId}/backup-policy")] HttpRequest request,
        string projectId)
    {
        await access.ForProjectAsync(request, projectId, Permission.ViewSnapshot);

        var policy = await policies.GetAsync(projectId, request.HttpContext.RequestAborted);
        return policy is null ? Problems.NotFound($"Project '{projectId}' has no backup policy.") : new OkObjectResult(policy);
    }

    [Function(nameof(SetBackupPolicy))]
    public async Task<IActionResult> SetBackupPolicy(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "projects/{projectId}/backup-policy")] HttpRequest request,
        string projectId)
    {
        await access.ForProjectAsync(request, projectId, ManagePolicy);

        var (body, error) = await RequestBodies.ReadJsonAsync<BackupPolicyBody>(request);
        if (body is null)
        {
            return Problems.BadRequest(error + " Send {\"modes\": [\"dataset\"], \"schedule\": \"0 2 * * *\", \"retention\": {\"keepLast\": 7}}.");
        }

        return new OkObjectResult(await policies.SetAsync(projectId, body.Modes, body.Schedule, body.Retention, body.Enabled ?? true, request.HttpContext.RequestAborted, body.Verify));
    }

    [Function(nameof(DeleteBackupPolicy))]
    public async Task<IActionResult> DeleteBackupPolicy(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "projects/{projectId}/backup-policy")] HttpRequest request,
        string projectId)
    {
        await access.ForProjectAsync(request, projectId, ManagePolicy);

        return await policies.DeleteAsync(projectId, request.HttpContext.RequestAborted)
            ? new NoContentResult()
            : Problems.NotFound($"Project '{projectId}' has no backup policy.");
    }

    /// <summary>Starts the create orchestration under the snapshot id; a second start of the same id is a no-op.</summary>
    public static async Task StartAsync(DurableTaskClient client, CreateSnapshotRequest request)
    {
        if (await client.GetInstanceAsync(request.SnapshotId) is null)
        {
            await client.ScheduleNewOrchestrationInstanceAsync(
                nameof(CreateSnapshotFunctions.CreateSnapshotOrchestrator), request, new StartOrchestrationOptions(request.SnapshotId));
        }
    }
}

/// <summary>The scheduler's starts through the durable client (the timer's binding).</summary>
public sealed class DurableScheduledStarts(DurableTaskClient client, SnapshotVerifier verifier, WebhookDispatcher dispatcher) : IScheduledStarts
{
    public Task NotifyAsync(WebhookEvent raised) => WebhookDeliveryFunctions.StartDeliveriesAsync(client, dispatcher, raised);

    public Task StartSnapshotAsync(CreateSnapshotRequest request) => BackupFunctions.StartAsync(client, request);

    public Task StartVerificationAsync(VerifySnapshotRequest request) => VerificationFunctions.StartAsync(client, request, verifier);
}
