using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Snapshots.Functions.Orchestration;
using Snapshots.Functions.Webhooks;
using Snapshots.Webhooks;
using Snapshots.Restore;

namespace Snapshots.Functions.Restores;

/// <summary>
/// The restore orchestration: verify the whole archive, stage the schema, the documents (a sliding window of
/// batches) and the AIs, then publish everything with one write. Afterwards, off the critical path, the staged items
/// are folded in and the working blobs removed. A failure or a cancel before the publish discards what was staged,
/// so the target is as it was. Its runtime and custom status, with the record, are the restore's status.
/// Not sub-orchestrations: under the local runtime's gRPC sidecar, the Azure Storage backend cannot read back the
/// history event the sidecar writes for a sub-orchestration (see the issue notes), so the batches run here.
/// </summary>
public sealed partial class RestoreOrchestrations(
    DocumentRestorer documents, SchemaRestorer schema, RestoreService restores, RestorePublisher publisher, global::Snapshots.Imports.SnapshotArchiveImporter uploads,
    global::Snapshots.Restore.Revert.RestoreReverter reverts)
{
    private static TaskOptions Retry => ActivityRetry.Options;

    [Function(nameof(RestoreSnapshotOrchestrator))]
    public static async Task<RestoreOutcome> RestoreSnapshotOrchestrator([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var request = context.GetInput<RestoreRequest>() ?? throw new InvalidOperationException("The restore has no input.");
        var cancel = context.WaitForExternalEvent<string>(RestoreEvents.Cancel);
        var progress = new ProgressTracker(context);
        void StopIfCancelled()
        {
            if (cancel.IsCompleted)
            {
                throw new RestoreCancelledException();
            }
        }

        RestoredBatch restored;
        long generation;
        var batches = 0;
        try
        {
            if (request.Retry)
            {
                // What the failed run staged goes first (its discard may itself have failed), keeping the hold.
                await context.CallActivityAsync(nameof(DiscardRestore), new DiscardRestoreRequest(request, KeepHold: true), Retry);
            }

            if (request.Upload is not null)
            {
                // An uploaded zip was only staged by its request; here it becomes the archive the rest reads.
                progress.Report(RestoreStages.Receiving);
                await context.CallActivityAsync(nameof(AdmitUploadedArchive), request, Retry);
                StopIfCancelled();
            }

            progress.Report(RestoreStages.Verifying);
            var archive = await context.CallActivityAsync<VerifiedArchive>(nameof(VerifyRestoreArchive), request, Retry);
            progress.Totals(archive);
            StopIfCancelled();

            progress.Report(RestoreStages.Schema);
            var schemaResult = await context.CallActivityAsync<SchemaResult>(nameof(RestoreSchema), request, Retry);
            progress.Schema(schemaResult);
            StopIfCancelled();
            var plan = await context.CallActivityAsync<RestorePlan>(nameof(PlanRestoreDocuments), request, Retry);
            batches = plan.Batches;
            if (request.Selection is not null)
            {
                progress.Selected(plan);
            }

            StopIfCancelled();

            progress.Report(RestoreStages.Documents);
            var sum = RestoredBatch.Empty;
            await SlidingWindow.ForEachAsync(Batches(request, plan.Batches), SlidingWindow.BatchWidth,
                batch =>
                {
                    StopIfCancelled();
                    return context.CallActivityAsync<RestoredBatch>(nameof(RestoreDocumentBatch), batch, Retry);
                },
                result =>
                {
                    sum = sum.Add(result);
                    progress.Documents(sum);
                });
            restored = sum;
            StopIfCancelled();

            progress.Report(RestoreStages.Ais);
            var ais = await context.CallActivityAsync<AisResult>(nameof(RestoreAis), request, Retry);
            progress.Ais(ais);
            StopIfCancelled();

            progress.Report(RestoreStages.Publishing);
            generation = await PublishAsync(context, new CompleteRestoreRequest(request, schemaResult, restored, ais, plan.Batches, context.CurrentUtcDateTime));
        }
        catch (RestoreCancelledException)
        {
            return await CancelAsync(context, request, progress);
        }
        catch (TaskFailedException failure) when (ActivityRetry.IsCancelRequested(failure.FailureDetails))
        {
            // The cancel reached the project record before the publish did.
            return await CancelAsync(context, request, progress);
        }
        catch (TaskFailedException failure)
        {
            var detail = failure.FailureDetails.ErrorMessage.Trim();
            var reason = detail.Split('\n', 2)[0].Trim();
            progress.Report(RestoreStages.Discarding);
            await context.CallActivityAsync(nameof(FailRestore), new FailRestoreRequest(request, reason, detail, context.CurrentUtcDateTime), Retry);
            await context.CallActivityAsync(nameof(DiscardRestore),
                new DiscardRestoreRequest(request, InvalidArchive: ActivityRetry.IsInvalidArchive(failure.FailureDetails)), Retry);
            if (request.Notifies)
            {
                await WebhookDeliveryFunctions.NotifyAsync(context, WebhookEvents.RestoreFailed, request.ProjectId, request.RestoreId);
            }

            throw new RestoreFailedException(reason);
        }

        // Published: the restore is done for its users, and nothing from here on may fail or discard it.
        progress.Report(RestoreStages.Restored);
        if (request.Notifies)
        {
            await WebhookDeliveryFunctions.NotifyAsync(context, WebhookEvents.RestoreRestored, request.ProjectId, request.RestoreId);
        }

        await AfterPublishAsync(context, new PublishedRestoreRef(request, generation, batches));
        return new RestoreOutcome(Cancelled: false, restored);
    }

    /// <summary>
    /// The publish is two writes (the project, then the record). When its retries are spent, the project write may
    /// have landed all the same: then the restore is published and must not be failed or discarded.
    /// </summary>
    private static async Task<long> PublishAsync(TaskOrchestrationContext context, CompleteRestoreRequest complete)
    {
        try
        {
            return await context.CallActivityAsync<long>(nameof(PublishRestore), complete, Retry);
        }
        catch (TaskFailedException failure) when (!ActivityRetry.IsPermanent(failure.FailureDetails))
        {
            if (await context.CallActivityAsync<long?>(nameof(SettlePublishedRestore), complete, Retry) is { } generation)
            {
                return generation;
            }

            throw;
        }
    }

    private static async Task<RestoreOutcome> CancelAsync(TaskOrchestrationContext context, RestoreRequest request, ProgressTracker progress)
    {
        progress.Report(RestoreStages.Discarding);
        await context.CallActivityAsync(nameof(RecordRestoreCancelled), new CancelledRestoreRequest(request, context.CurrentUtcDateTime), Retry);
        await context.CallActivityAsync(nameof(DiscardRestore), new DiscardRestoreRequest(request, Cancelled: true), Retry);
        return new RestoreOutcome(Cancelled: true, RestoredBatch.Empty);
    }

    /// <summary>
    /// The fold-in and the clean-up, after the publish. A failure here is logged and changes nothing users see: the
    /// record already says published (with its report), and unfolded items stay visible through the publication list.
    /// </summary>
    private static async Task AfterPublishAsync(TaskOrchestrationContext context, PublishedRestoreRef published)
    {
        var logger = context.CreateReplaySafeLogger<RestoreOrchestrations>();
        var steps = new List<(string Step, object Input)> { (nameof(FoldInRestore), published) };
        if (published.Restore.RecordsLedger)
        {
            // Reads the working blobs: before they go.
            steps.Add((nameof(RecordRestoreLedger), published));
        }

        steps.Add((nameof(DeleteRestoreWorkingBlobs), published.Restore));
        foreach (var (step, input) in steps)
        {
            try
            {
                await context.CallActivityAsync(step, input, Retry);
            }
            catch (TaskFailedException failure)
            {
                LogAfterPublishFailed(logger, published.Restore.RestoreId, step, failure.FailureDetails.ErrorMessage);
            }
        }
    }

    private static IEnumerable<RestoreBatch> Batches(RestoreRequest request, int batches) =>
        Enumerable.Range(0, batches).Select(index => new RestoreBatch(request, index));

    [Function(nameof(AdmitUploadedArchive))]
    public Task AdmitUploadedArchive([ActivityTrigger] RestoreRequest request) =>
        uploads.AdmitAsync(request.Upload!.ImportId, request.Identifier, request.Upload.Share, CancellationToken.None);

    [Function(nameof(VerifyRestoreArchive))]
    public Task<VerifiedArchive> VerifyRestoreArchive([ActivityTrigger] RestoreRequest request) => documents.VerifyAsync(request, CancellationToken.None);

    [Function(nameof(RestoreSchema))]
    public Task<SchemaResult> RestoreSchema([ActivityTrigger] RestoreRequest request) => schema.RestoreAsync(request, CancellationToken.None);

    [Function(nameof(PlanRestoreDocuments))]
    public Task<RestorePlan> PlanRestoreDocuments([ActivityTrigger] RestoreRequest request) => documents.PlanAsync(request, CancellationToken.None);

    [Function(nameof(RestoreDocumentBatch))]
    public Task<RestoredBatch> RestoreDocumentBatch([ActivityTrigger] RestoreBatch batch) => documents.RestoreBatchAsync(batch, CancellationToken.None);

    [Function(nameof(RestoreAis))]
    public Task<AisResult> RestoreAis([ActivityTrigger] RestoreRequest request) => documents.RestoreAisAsync(request, CancellationToken.None);

    [Function(nameof(PublishRestore))]
    public Task<long> PublishRestore([ActivityTrigger] CompleteRestoreRequest request) => publisher.PublishAsync(request, CancellationToken.None);

    [Function(nameof(SettlePublishedRestore))]
    public Task<long?> SettlePublishedRestore([ActivityTrigger] CompleteRestoreRequest request) => publisher.SettleAsync(request, CancellationToken.None);

    [Function(nameof(FoldInRestore))]
    public Task FoldInRestore([ActivityTrigger] PublishedRestoreRef published) => publisher.FoldInAsync(published, CancellationToken.None);

    [Function(nameof(RecordRestoreLedger))]
    public Task RecordRestoreLedger([ActivityTrigger] PublishedRestoreRef published) => reverts.RecordAsync(published, CancellationToken.None);

    [Function(nameof(DeleteRestoreWorkingBlobs))]
    public Task DeleteRestoreWorkingBlobs([ActivityTrigger] RestoreRequest request) => publisher.CleanUpAsync(request, CancellationToken.None);

    [Function(nameof(FailRestore))]
    public Task FailRestore([ActivityTrigger] FailRestoreRequest request) => restores.FailAsync(request, CancellationToken.None);

    [Function(nameof(RecordRestoreCancelled))]
    public Task RecordRestoreCancelled([ActivityTrigger] CancelledRestoreRequest request) => restores.CancelledAsync(request, CancellationToken.None);

    [Function(nameof(DiscardRestore))]
    public Task DiscardRestore([ActivityTrigger] DiscardRestoreRequest request) => publisher.DiscardAsync(request, CancellationToken.None);

    [LoggerMessage(EventId = 2021, Level = LogLevel.Warning, Message = "Restore {RestoreId} is published, but {Step} failed: {Reason}")]
    private static partial void LogAfterPublishFailed(ILogger logger, string restoreId, string step, string reason);

    /// <summary>Keeps the counters of the custom status between steps.</summary>
    private sealed class ProgressTracker(TaskOrchestrationContext context)
    {
        private string stage = RestoreStages.Verifying;
        private VerifiedArchive totals = new(0, 0, 0, 0, 0, 0);
        private RestoredBatch documents = RestoredBatch.Empty;
        private AisResult ais = new(0, 0, 0, []);
        private SchemaResult? schema;

        public void Report(string newStage)
        {
            stage = newStage;
            Publish();
        }

        public void Totals(VerifiedArchive archive)
        {
            totals = archive;
            Publish();
        }

        /// <summary>A selective restore's totals are what it selected, not the whole archive.</summary>
        public void Selected(RestorePlan plan)
        {
            totals = totals with
            {
                Documents = plan.Documents, AnnotationSets = plan.AnnotationSets, Annotations = plan.Annotations,
                Files = totals.Files - plan.FilesLeftOut, Bytes = totals.Bytes - plan.BytesLeftOut,
            };
            Publish();
        }

        public void Schema(SchemaResult restored)
        {
            schema = restored;
            Publish();
        }

        public void Documents(RestoredBatch restored)
        {
            documents = restored;
            Publish();
        }

        public void Ais(AisResult restored)
        {
            ais = restored;
            Publish();
        }

        // A merge leaves the archive's project files out: they leave its totals too, in files and in bytes.
        private void Publish() => context.SetCustomStatus(new RestoreProgress(
            stage,
            new Counter(documents.Documents, totals.Documents),
            new Counter(documents.AnnotationSets, totals.AnnotationSets),
            new Counter(documents.Annotations, totals.Annotations),
            new Counter(ais.Ais, totals.Ais),
            new Counter((schema?.ProjectFiles ?? 0) + documents.Files + ais.Files, totals.Files - (schema?.ProjectFilesLeftOut ?? 0)),
            new Counter((schema?.ProjectFileBytes ?? 0) + documents.Bytes + ais.Bytes, totals.Bytes - (schema?.ProjectFileBytesLeftOut ?? 0))));
    }
}

public sealed class RestoreFailedException(string message) : Exception(message);

/// <summary>Thrown inside the orchestration when a cancel has arrived: it stops before its next step.</summary>
public sealed class RestoreCancelledException() : Exception("The restore was cancelled.");
