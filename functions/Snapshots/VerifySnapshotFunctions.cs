using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Snapshots.Functions.Orchestration;
using Snapshots.Functions.Restores;
using Snapshots.Functions.Webhooks;
using Snapshots.Webhooks;
using Snapshots.Restore;
using Snapshots.Verification;

namespace Snapshots.Functions.Snapshots;

/// <summary>
/// The verification orchestration: every entry of the stored archive checked against the manifest; for a drill,
/// then a restore into a hidden scratch project (its own orchestration, followed here), compared with the archive
/// and deleted whatever the outcome. The result is kept on the snapshot.
/// </summary>
public sealed class VerifySnapshotFunctions(SnapshotVerifier verifier)
{
    private static TaskOptions Retry => ActivityRetry.Options;

    /// <summary>The longest a drill's restore is waited for before the verification is failed.</summary>
    public static readonly TimeSpan DrillTimeout = TimeSpan.FromHours(6);

    /// <summary>The longest pause between two looks at the drill's restore.</summary>
    public static readonly TimeSpan MaxPollInterval = TimeSpan.FromSeconds(10);

    [Function(nameof(VerifySnapshotOrchestrator))]
    public static async Task<VerificationOutcome> VerifySnapshotOrchestrator([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var request = context.GetInput<VerifySnapshotRequest>() ?? throw new InvalidOperationException("The verification has no input.");
        VerificationOutcome outcome;
        try
        {
            context.SetCustomStatus(new VerificationProgress(VerificationStages.Checksums));
            outcome = await context.CallActivityAsync<VerificationOutcome>(nameof(CheckSnapshotChecksums), request, Retry);
            if (outcome.Ok && request.Mode == VerificationMode.Drill)
            {
                outcome = outcome.Then(await DrillAsync(context, request));
            }
        }
        catch (TaskFailedException failure)
        {
            outcome = VerificationOutcome.Failed($"The verification could not run: {failure.FailureDetails.ErrorMessage.Split('\n', 2)[0].Trim()}");
        }

        await context.CallActivityAsync(nameof(RecordVerification), new RecordVerificationRequest(request, outcome, context.CurrentUtcDateTime), Retry);
        if (!outcome.Ok)
        {
            await WebhookDeliveryFunctions.NotifyAsync(context, WebhookEvents.VerificationFailed, request.ProjectId, request.SnapshotId);
        }

        return outcome;
    }

    private static async Task<VerificationOutcome> DrillAsync(TaskOrchestrationContext context, VerifySnapshotRequest request)
    {
        context.SetCustomStatus(new VerificationProgress(VerificationStages.Restoring));
        try
        {
            // Inside the try: a start that wrote the scratch project and then failed is cleaned up too.
            await context.CallActivityAsync(nameof(StartVerificationDrill), request, Retry);
            var deadline = context.CurrentUtcDateTime + DrillTimeout;
            var pause = TimeSpan.FromSeconds(1);
            while (!await context.CallActivityAsync<bool>(nameof(HasVerificationDrillEnded), request.DrillRestoreId, Retry))
            {
                if (context.CurrentUtcDateTime >= deadline)
                {
                    return VerificationOutcome.Failed($"The drill's restore did not end within {DrillTimeout.TotalHours:0} hours.");
                }

                await context.CreateTimer(context.CurrentUtcDateTime + pause, CancellationToken.None);
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, MaxPollInterval.Ticks));
            }

            context.SetCustomStatus(new VerificationProgress(VerificationStages.Comparing));
            return await context.CallActivityAsync<VerificationOutcome>(nameof(CompareVerificationDrill), request, Retry);
        }
        finally
        {
            context.SetCustomStatus(new VerificationProgress(VerificationStages.CleaningUp));
            await context.CallActivityAsync(nameof(DeleteVerificationDrill), request, Retry);
        }
    }

    [Function(nameof(CheckSnapshotChecksums))]
    public Task<VerificationOutcome> CheckSnapshotChecksums([ActivityTrigger] VerifySnapshotRequest request) =>
        verifier.CheckChecksumsAsync(request, CancellationToken.None);

    /// <summary>Writes the drill's project and restore record, then starts its restore (once: the instance id is the restore's).</summary>
    [Function(nameof(StartVerificationDrill))]
    public async Task StartVerificationDrill([ActivityTrigger] VerifySnapshotRequest request, [DurableClient] DurableTaskClient client)
    {
        var restore = await verifier.StartDrillAsync(request, CancellationToken.None);
        if (await client.GetInstanceAsync(restore.RestoreId) is null)
        {
            await client.ScheduleNewOrchestrationInstanceAsync(
                nameof(RestoreOrchestrations.RestoreSnapshotOrchestrator), restore, new StartOrchestrationOptions(restore.RestoreId));
        }
    }

    /// <summary>Whether the drill's restore orchestration has ended, its after-publish steps included.</summary>
    [Function(nameof(HasVerificationDrillEnded))]
    public static async Task<bool> HasVerificationDrillEnded([ActivityTrigger] string restoreId, [DurableClient] DurableTaskClient client) =>
        await client.GetInstanceAsync(restoreId) is { IsCompleted: true };

    [Function(nameof(CompareVerificationDrill))]
    public Task<VerificationOutcome> CompareVerificationDrill([ActivityTrigger] VerifySnapshotRequest request) =>
        verifier.CompareDrillAsync(request, CancellationToken.None);

    /// <summary>
    /// Removes the drill's project. A restore still running (the drill timed out) is terminated first, and the
    /// activity fails until it has ended (the retry policy tries again), so nothing writes into the project after it goes.
    /// </summary>
    [Function(nameof(DeleteVerificationDrill))]
    public async Task DeleteVerificationDrill([ActivityTrigger] VerifySnapshotRequest request, [DurableClient] DurableTaskClient client)
    {
        if (await client.GetInstanceAsync(request.DrillRestoreId) is { IsCompleted: false })
        {
            await client.TerminateInstanceAsync(request.DrillRestoreId, "The verification drill timed out.");
            throw new InvalidOperationException($"The drill's restore {request.DrillRestoreId} is being terminated; its project goes once it has ended.");
        }

        await verifier.DeleteDrillAsync(request, CancellationToken.None);
    }

    [Function(nameof(RecordVerification))]
    public Task RecordVerification([ActivityTrigger] RecordVerificationRequest result) =>
        verifier.RecordAsync(result, CancellationToken.None);
}

public static class VerificationStages
{
    public const string Checksums = "checksums";
    public const string Restoring = "restoring";
    public const string Comparing = "comparing";
    public const string CleaningUp = "cleaning up";
}

/// <summary>The verification orchestration's custom status: the step it is at.</summary>
public sealed record VerificationProgress(string Stage);
