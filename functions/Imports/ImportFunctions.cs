using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;
using Snapshots.Access;
using Snapshots.Functions.Access;
using Snapshots.Functions.Http;
using Snapshots.Functions.Operations;
using Snapshots.Functions.Orchestration;
using Snapshots.Functions.Projects;
using Snapshots.Functions.Restores;
using Snapshots.Imports;

namespace Snapshots.Functions.Imports;

public sealed record ImportAccepted(string Id, string StatusUri, string ProjectId, int Documents, IReadOnlyList<string> Warnings);

/// <summary>Import of a Konfuzio SDK project export (a zip body) as a new project, run as a durable orchestration.</summary>
public sealed class ImportFunctions(ImportService imports, KonfuzioImporter importer, RestoreStarter restores, IOptions<ImportOptions> options, RequestAccess access)
{
    /// <summary>Batches in flight at once: bounds the fan-out and the load on Cosmos.</summary>
    public const int ParallelBatches = 8;

    private static TaskOptions Retry => ActivityRetry.Options;

    [Function(nameof(StartImport))]
    public async Task<IActionResult> StartImport(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "imports")] HttpRequest request,
        [DurableClient] DurableTaskClient client)
    {
        var caller = await access.AuthenticateAsync(request);
        if (caller.Denied is { } denied)
        {
            return denied;
        }

        // Checked before the upload is read: merging an archive needs the same rights as any other merge.
        string? into = request.Query["into"];
        if (!string.IsNullOrWhiteSpace(into) && await access.CheckAsync(caller.User, into, request.HttpContext.RequestAborted,
                $"No project with id '{into}' to merge into.", Permission.WriteProject, Permission.AddSnapshotRestore) is { } refused)
        {
            return refused;
        }

        string? name = request.Query["name"];
        if (ProjectNames.Validate(name) is { } nameError)
        {
            return Problems.BadRequest(nameError + " Pass it as ?name=...");
        }

        // Refused before reading the body, so a client that sent Expect: 100-continue does not upload it at all.
        if (request.ContentLength > options.Value.MaxUploadBytes)
        {
            return Problems.TooLarge(ImportTooLargeException.UploadMessage(options.Value.MaxUploadBytes));
        }

        // The upload is counted while it is staged (Snapshots:Imports:MaxUploadBytes), chunked or not.
        RequestLimits.AllowUpload(request, null);
        PreparedImport upload;
        try
        {
            // ?share=true leaves an uploaded snapshot zip restorable by identifier from environments sharing the storage.
            var share = bool.TryParse(request.Query["share"], out var shared) && shared;
            upload = await imports.PrepareAnyAsync(name!.Trim(), request.Body, caller.User, request.HttpContext.RequestAborted, share);
        }
        catch (ImportValidationException ex)
        {
            return Problems.BadRequest(ex.Message);
        }
        catch (ImportTooLargeException ex)
        {
            return Problems.TooLarge(ex.Message);
        }

        if (upload.SnapshotIdentifier is not null)
        {
            // A snapshot zip from another installation: restore it, into a new project or merged into ?into=.
            return await restores.StartAsync(client, caller.User, upload.SnapshotIdentifier, null, upload.Manifest!.Source.Environment,
                new StartRestoreBody(string.IsNullOrWhiteSpace(into) ? null : into, name!.Trim()), request.HttpContext.RequestAborted);
        }

        var (prepared, plan) = (upload.Request!, upload.Plan!);
        if (!string.IsNullOrWhiteSpace(into))
        {
            await importer.DiscardAsync(prepared, request.HttpContext.RequestAborted);
            return Problems.BadRequest("A Konfuzio export is imported as a new project; '?into=' applies to snapshot archives only.");
        }

        await client.ScheduleNewOrchestrationInstanceAsync(
            nameof(ImportProjectOrchestrator), prepared, new StartOrchestrationOptions(prepared.ImportId), request.HttpContext.RequestAborted);
        var statusUri = $"{request.Scheme}://{request.Host}{OperationResponses.StatusPath(prepared.ImportId)}";
        return OperationResponses.Accepted(request, prepared.ImportId,
            new ImportAccepted(prepared.ImportId, statusUri, prepared.ProjectId, plan.Documents, plan.Warnings));
    }

    [Function(nameof(ImportProjectOrchestrator))]
    public static async Task<ImportResult> ImportProjectOrchestrator([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var request = context.GetInput<ImportRequest>() ?? throw new InvalidOperationException("The import has no input.");
        try
        {
            context.SetCustomStatus(new ImportProgress(ImportStages.Schema, 0, request.DocumentCount));
            await context.CallActivityAsync(nameof(ImportSchema), request, Retry);

            var written = ImportBatchResult.Empty;
            await SlidingWindow.ForEachAsync(Enumerable.Range(0, request.BatchCount), ParallelBatches,
                index => context.CallActivityAsync<ImportBatchResult>(nameof(ImportDocumentBatch), new ImportBatch(request.ImportId, request.ProjectId, index), Retry),
                result =>
                {
                    written = written.Add(result);
                    context.SetCustomStatus(new ImportProgress(ImportStages.Documents, written.Documents, request.DocumentCount));
                });

            context.SetCustomStatus(new ImportProgress(ImportStages.Finishing, written.Documents, request.DocumentCount));
            var warnings = await context.CallActivityAsync<List<string>>(nameof(CompleteImport), request, Retry);
            return new ImportResult(request.ProjectId, request.ProjectName, written, warnings);
        }
        catch (TaskFailedException failure)
        {
            await context.CallActivityAsync(nameof(DiscardImport), request, Retry);
            throw new ImportFailedException($"The import failed and was rolled back: {failure.FailureDetails.ErrorMessage}");
        }
    }

    [Function(nameof(ImportSchema))]
    public Task ImportSchema([ActivityTrigger] ImportRequest request) => importer.ImportSchemaAsync(request, CancellationToken.None);

    [Function(nameof(ImportDocumentBatch))]
    public Task<ImportBatchResult> ImportDocumentBatch([ActivityTrigger] ImportBatch batch) => importer.ImportBatchAsync(batch, CancellationToken.None);

    [Function(nameof(CompleteImport))]
    public async Task<List<string>> CompleteImport([ActivityTrigger] ImportRequest request) =>
        [.. await importer.CompleteAsync(request, CancellationToken.None)];

    [Function(nameof(DiscardImport))]
    public Task DiscardImport([ActivityTrigger] ImportRequest request) => importer.DiscardAsync(request, CancellationToken.None);
}

public sealed class ImportFailedException(string message) : Exception(message);
