using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Snapshots.Functions.Orchestration;
using Snapshots.Restore;

namespace Snapshots.Functions.Restores;

/// <summary>
/// The restore orchestration: verify the archive, restore the schema, then the documents in waves of bounded
/// fan-out, then the AIs, then publish. Its runtime and custom status are the restore's status.
/// Not sub-orchestrations: under the local runtime's gRPC sidecar, the Azure Storage backend cannot read back the
/// history event the sidecar writes for a sub-orchestration (see the issue notes), so the waves run here.
/// </summary>
public sealed class RestoreOrchestrations(DocumentRestorer documents, SchemaRestorer schema, RestoreService restores)
{
    /// <summary>Batches in flight at once.</summary>
    public const int ParallelBatches = 8;

    private static readonly TaskOptions Retry = TaskOptions.FromRetryPolicy(new RetryPolicy(
        maxNumberOfAttempts: 3, firstRetryInterval: TimeSpan.FromSeconds(2), backoffCoefficient: 2));

    [Function(nameof(RestoreSnapshotOrchestrator))]
    public static async Task<RestoredBatch> RestoreSnapshotOrchestrator([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var request = context.GetInput<RestoreRequest>() ?? throw new InvalidOperationException("The restore has no input.");
        var progress = new ProgressTracker(context);
        try
        {
            progress.Report(RestoreStages.Verifying);
            var archive = await context.CallActivityAsync<VerifiedArchive>(nameof(VerifyRestoreArchive), request, Retry);
            progress.Totals(archive);

            progress.Report(RestoreStages.Schema);
            var schemaResult = await context.CallActivityAsync<SchemaResult>(nameof(RestoreSchema), request, Retry);
            progress.Schema(schemaResult);
            var plan = await context.CallActivityAsync<RestorePlan>(nameof(PlanRestoreDocuments), request, Retry);

            progress.Report(RestoreStages.Documents);
            var restored = RestoredBatch.Empty;
            await SlidingWindow.ForEachAsync(Batches(request, plan.Batches), ParallelBatches,
                batch => context.CallActivityAsync<RestoredBatch>(nameof(RestoreDocumentBatch), batch, Retry),
                result =>
                {
                    restored = restored.Add(result);
                    progress.Documents(restored);
                });

            progress.Report(RestoreStages.Ais);
            var ais = await context.CallActivityAsync<AisResult>(nameof(RestoreAis), request, Retry);
            progress.Ais(ais);

            progress.Report(RestoreStages.Publishing);
            await SlidingWindow.ForEachAsync(Batches(request, plan.Batches), ParallelBatches,
                batch => context.CallActivityAsync(nameof(PublishRestoredBatch), batch, Retry));

            await context.CallActivityAsync(nameof(PublishRestoredAis), request, Retry);
            await context.CallActivityAsync(nameof(CompleteRestore),
                new CompleteRestoreRequest(request, schemaResult, restored, ais, plan.Batches, context.CurrentUtcDateTime), Retry);
            return restored;
        }
        catch (TaskFailedException failure)
        {
            var reason = failure.FailureDetails.ErrorMessage.Split('\n', 2)[0].Trim();
            await context.CallActivityAsync(nameof(FailRestore), new FailRestoreRequest(request, reason, context.CurrentUtcDateTime), Retry);
            throw new RestoreFailedException(reason);
        }
    }

    private static IEnumerable<RestoreBatch> Batches(RestoreRequest request, int batches) =>
        Enumerable.Range(0, batches).Select(index => new RestoreBatch(request, index));

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

    [Function(nameof(PublishRestoredBatch))]
    public Task PublishRestoredBatch([ActivityTrigger] RestoreBatch batch) => documents.PublishBatchAsync(batch, CancellationToken.None);

    [Function(nameof(PublishRestoredAis))]
    public Task PublishRestoredAis([ActivityTrigger] RestoreRequest request) => documents.PublishAisAsync(request, CancellationToken.None);

    [Function(nameof(CompleteRestore))]
    public Task CompleteRestore([ActivityTrigger] CompleteRestoreRequest request) => restores.CompleteAsync(request, CancellationToken.None);

    [Function(nameof(FailRestore))]
    public Task FailRestore([ActivityTrigger] FailRestoreRequest request) => restores.FailAsync(request, CancellationToken.None);

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

        private void Publish() => context.SetCustomStatus(new RestoreProgress(
            stage,
            new Counter(documents.Documents, totals.Documents),
            new Counter(documents.AnnotationSets, totals.AnnotationSets),
            new Counter(documents.Annotations, totals.Annotations),
            new Counter(ais.Ais, totals.Ais),
            new Counter((schema?.ProjectFiles ?? 0) + documents.Files + ais.Files, totals.Files - (schema?.ProjectFilesLeftOut ?? 0)),
            new Counter(documents.Bytes + ais.Bytes, totals.Bytes)));
    }
}

public sealed class RestoreFailedException(string message) : Exception(message);
