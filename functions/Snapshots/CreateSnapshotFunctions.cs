using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Snapshots.Archive;
using Snapshots.Create;
using Snapshots.Functions.Orchestration;
using Snapshots.Functions.Webhooks;
using Snapshots.Webhooks;

namespace Snapshots.Functions.Snapshots;

/// <summary>
/// The create orchestration: export the schema and the AIs and plan the documents (side by side), fan out the document batches
/// (bounded), assemble the archive, commit. Any failure ends the snapshot <c>failed</c> with no archive left. The part
/// blobs go after the snapshot is <c>created</c>, in an activity of their own, so removing them neither delays the
/// snapshot nor can fail it.
/// </summary>
public sealed partial class CreateSnapshotFunctions(SnapshotExporter exporter, ArchiveAssembler assembler, SnapshotService snapshots)
{
    private static TaskOptions Retry => ActivityRetry.Options;

    [Function(nameof(CreateSnapshotOrchestrator))]
    public static async Task<AssembledArchive> CreateSnapshotOrchestrator([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var request = context.GetInput<CreateSnapshotRequest>() ?? throw new InvalidOperationException("The snapshot has no input.");
        AssembledArchive archive;
        try
        {
            context.SetCustomStatus(new CreateSnapshotProgress(CreateStages.Schema, 0, 0));
            // The three read the same point in time and write parts of their own, so they run side by side; WhenAll
            // waits for all of them, so none is still writing when a failure is recorded.
            var schema = context.CallActivityAsync(nameof(ExportSnapshotSchema), request, Retry);
            var exportedAis = context.CallActivityAsync<List<string>>(nameof(ExportSnapshotAis), request, Retry);
            var planned = context.CallActivityAsync<DocumentPlan>(nameof(PlanSnapshotDocuments), request, Retry);
            await Task.WhenAll(schema, exportedAis, planned);
            var (warnings, plan) = (await exportedAis, await planned);

            var done = 0;
            context.SetCustomStatus(new CreateSnapshotProgress(CreateStages.Documents, done, plan.Documents));
            await SlidingWindow.ForEachAsync(Enumerable.Range(0, plan.Batches), SlidingWindow.BatchWidth,
                index => context.CallActivityAsync<DocumentBatchResult>(nameof(ExportSnapshotDocumentBatch), new DocumentBatchRef(request, index), Retry),
                result =>
                {
                    done += result.Documents;
                    context.SetCustomStatus(new CreateSnapshotProgress(CreateStages.Documents, done, plan.Documents));
                });

            context.SetCustomStatus(new CreateSnapshotProgress(CreateStages.Assembling, done, plan.Documents));
            archive = await context.CallActivityAsync<AssembledArchive>(nameof(AssembleSnapshotArchive), new AssembleRequest(request, warnings), Retry);
            await context.CallActivityAsync(nameof(FinishSnapshot), new FinishSnapshotRequest(request, archive, warnings, context.CurrentUtcDateTime), Retry);
        }
        catch (TaskFailedException failure)
        {
            var detail = failure.FailureDetails.ErrorMessage.Trim();
            var reason = detail.Split('\n', 2)[0].Trim();
            await context.CallActivityAsync(nameof(FailSnapshot), new FailSnapshotRequest(request, reason, context.CurrentUtcDateTime, detail), Retry);
            if (request.Notifies)
            {
                await WebhookDeliveryFunctions.NotifyAsync(context, WebhookEvents.SnapshotFailed, request.ProjectId, request.SnapshotId);
            }

            throw new SnapshotFailedException(reason);
        }

        if (request.Notifies)
        {
            await WebhookDeliveryFunctions.NotifyAsync(context, WebhookEvents.SnapshotCreated, request.ProjectId, request.SnapshotId);
        }

        try
        {
            await context.CallActivityAsync(nameof(DeleteSnapshotParts), request, Retry);
        }
        catch (TaskFailedException failure)
        {
            // The snapshot is created and stays so; parts left behind cost storage only.
            LogPartsLeft(context.CreateReplaySafeLogger<CreateSnapshotFunctions>(), request.SnapshotId, failure.FailureDetails.ErrorMessage);
        }

        return archive;
    }

    [Function(nameof(ExportSnapshotSchema))]
    public Task ExportSnapshotSchema([ActivityTrigger] CreateSnapshotRequest request) => exporter.ExportSchemaAsync(request, CancellationToken.None);

    [Function(nameof(ExportSnapshotAis))]
    public Task<List<string>> ExportSnapshotAis([ActivityTrigger] CreateSnapshotRequest request) => exporter.ExportAisAsync(request, CancellationToken.None);

    [Function(nameof(PlanSnapshotDocuments))]
    public Task<DocumentPlan> PlanSnapshotDocuments([ActivityTrigger] CreateSnapshotRequest request) => exporter.PlanDocumentsAsync(request, CancellationToken.None);

    [Function(nameof(ExportSnapshotDocumentBatch))]
    public Task<DocumentBatchResult> ExportSnapshotDocumentBatch([ActivityTrigger] DocumentBatchRef batch) =>
        exporter.ExportDocumentBatchAsync(batch, CancellationToken.None);

    [Function(nameof(AssembleSnapshotArchive))]
    public async Task<AssembledArchive> AssembleSnapshotArchive([ActivityTrigger] AssembleRequest request) =>
        await assembler.AssembleAsync(await snapshots.ManifestHeaderAsync(request.Snapshot, request.Warnings, CancellationToken.None), CancellationToken.None);

    [Function(nameof(FinishSnapshot))]
    public Task FinishSnapshot([ActivityTrigger] FinishSnapshotRequest request) => snapshots.FinishAsync(request, CancellationToken.None);

    [Function(nameof(DeleteSnapshotParts))]
    public Task DeleteSnapshotParts([ActivityTrigger] CreateSnapshotRequest request) => snapshots.DeletePartsAsync(request, CancellationToken.None);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Warning, Message = "Snapshot {SnapshotId} is created, but its part blobs were not all removed: {Reason}")]
    private static partial void LogPartsLeft(ILogger logger, string snapshotId, string reason);

    [Function(nameof(FailSnapshot))]
    public Task FailSnapshot([ActivityTrigger] FailSnapshotRequest request) => snapshots.FailAsync(request, CancellationToken.None);
}

public sealed record AssembleRequest(CreateSnapshotRequest Snapshot, IReadOnlyList<string> Warnings);

public sealed class SnapshotFailedException(string message) : Exception(message);
