using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Snapshots.Access;
using Snapshots.Functions.Access;
using Snapshots.Functions.Http;
using Snapshots.Records;
using Snapshots.Verification;

namespace Snapshots.Functions.Snapshots;

/// <param name="Mode">"checksums" (the default) or "drill".</param>
public sealed record VerifySnapshotBody(VerificationMode? Mode);

/// <summary>Starts a verification of a stored snapshot; its result is the snapshot's <c>verification</c>.</summary>
public sealed class VerificationFunctions(SnapshotVerifier verifier, SnapshotStore store, RequestAccess access)
{
    [Function(nameof(VerifySnapshot))]
    public async Task<IActionResult> VerifySnapshot(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "snapshots/{snapshotId}/verify")] HttpRequest request,
        string snapshotId,
        [DurableClient] DurableTaskClient client)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        var snapshot = (await access.ForResourceAsync(request, token => store.GetAsync(snapshotId, token), s => s.ProjectId,
            $"No snapshot with id '{snapshotId}'.", Permission.ViewSnapshot)).Resource;
        var (body, error) = await RequestBodies.ReadOptionalJsonAsync(request, new VerifySnapshotBody(VerificationMode.Checksums));
        if (body is null)
        {
            return Problems.BadRequest(error + " Send {\"mode\": \"checksums\"} or {\"mode\": \"drill\"}, or no body.");
        }

        var (record, start) = await verifier.StartAsync(snapshot, body.Mode ?? VerificationMode.Checksums, cancellationToken);
        await StartAsync(client, start, verifier);
        var view = SnapshotView.From(record);
        return new AcceptedResult(view.StatusUri, view);
    }

    /// <summary>Starts the verification orchestration under the verification id (a second start is a no-op); a start that fails is taken back.</summary>
    public static async Task StartAsync(DurableTaskClient client, VerifySnapshotRequest request, SnapshotVerifier verifier)
    {
        try
        {
            if (await client.GetInstanceAsync(request.VerificationId) is null)
            {
                await client.ScheduleNewOrchestrationInstanceAsync(
                    nameof(VerifySnapshotFunctions.VerifySnapshotOrchestrator), request, new StartOrchestrationOptions(request.VerificationId));
            }
        }
        catch
        {
            await verifier.AbandonAsync(request, CancellationToken.None);
            throw;
        }
    }
}
