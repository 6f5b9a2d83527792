using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;
using Snapshots.Access;
using Snapshots.Archive;
using Snapshots.Functions.Access;
using Snapshots.Functions.Http;
using Snapshots.Functions.Operations;
using Snapshots.Functions.Orchestration;
using Snapshots.Functions.Projects;
using Snapshots.Functions.Restores;
using Snapshots.Imports;
using Snapshots.Restore;

namespace Snapshots.Functions.Imports;

/// <summary>The answer to an accepted Konfuzio export: the operation that validates and imports it, and its project's id.</summary>
public sealed record ImportAccepted(string Id, string StatusUri, string ProjectId);

/// <summary>Import of a Konfuzio SDK project export (a zip body) as a new project, run as a durable orchestration.</summary>
public sealed class ImportFunctions(
    ImportService imports, ImportStaging staging, KonfuzioImporter importer, RestoreStarter restores, RestorePreviewer previewer, IOptions<ImportOptions> options,
    RequestAccess access)
{
    private static TaskOptions Retry => ActivityRetry.Options;

    [Function(nameof(StartImport))]
    public async Task<IActionResult> StartImport(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "imports")] HttpRequest request,
        [DurableClient] DurableTaskClient client)
    {
        var caller = await access.AuthenticateAsync(request);

        // Checked before the upload is read: merging an archive needs the same rights as any other merge.
        string? into = request.Query["into"];
        if (!string.IsNullOrWhiteSpace(into))
        {
            await access.RequireAsync(request, caller, into,
                $"No project with id '{into}' to merge into.", Permission.WriteProject, Permission.AddSnapshotRestore);
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

        // The upload is counted while it is staged (Snapshots:Imports:MaxUploadBytes), chunked or not. Only the zip's
        // central directory is read here; the contents are checked by the operation this starts, with progress.
        RequestLimits.AllowUpload(request, null);
        var staged = await imports.StageAsync(request.Body, request.HttpContext.RequestAborted);
        if (bool.TryParse(request.Query["dryRun"], out var dryRun) && dryRun)
        {
            return await DryRunAsync(staged, into, request.HttpContext.RequestAborted);
        }

        try
        {
            return staged.Kind == UploadKind.SnapshotArchive
                ? await StartRestoreAsync(client, request, caller, staged, name!.Trim(), into)
                : await StartImportAsync(client, request, caller, staged, name!.Trim(), into);
        }
        catch
        {
            await staging.DeleteAsync(staged.ImportId, CancellationToken.None);
            throw;
        }
    }

    /// <summary>
    /// ?dryRun=true: what restoring the uploaded snapshot zip would do, read where the upload is staged; the staged
    /// upload is deleted again whatever happens, so nothing stays written.
    /// </summary>
    private async Task<IActionResult> DryRunAsync(StagedUpload staged, string? into, CancellationToken cancellationToken)
    {
        try
        {
            if (staged.Kind != UploadKind.SnapshotArchive)
            {
                return Problems.BadRequest("A dry run applies to snapshot archives; a Konfuzio export is imported as a new project, and its import validates it first.");
            }

            await using var archive = await staging.OpenUploadStreamAsync(staged.ImportId, cancellationToken);
            return new OkObjectResult(await previewer.PreviewUploadAsync(archive, string.IsNullOrWhiteSpace(into) ? null : into, cancellationToken));
        }
        finally
        {
            await staging.DeleteAsync(staged.ImportId, CancellationToken.None);
        }
    }

    /// <summary>A snapshot zip from another installation: restored into a new project, or merged into ?into=.</summary>
    private async Task<IActionResult> StartRestoreAsync(DurableTaskClient client, HttpRequest request, Caller caller, StagedUpload staged, string name, string? into)
    {
        // ?share=true leaves the archive restorable by identifier from environments sharing the storage.
        var share = bool.TryParse(request.Query["share"], out var shared) && shared;
        // A refused start throws: the caller discards the staged upload.
        return await restores.StartAsync(client, request, caller, SnapshotIdentifiers.New(ImportedArchives.Prefix), null, staged.Manifest!.Source.Environment,
            new StartRestoreBody(string.IsNullOrWhiteSpace(into) ? null : into, name), CancellationToken.None,
            new UploadedArchive(staged.ImportId, share));
    }

    private async Task<IActionResult> StartImportAsync(DurableTaskClient client, HttpRequest request, Caller caller, StagedUpload staged, string name, string? into)
    {
        if (!string.IsNullOrWhiteSpace(into))
        {
            await staging.DeleteAsync(staged.ImportId, request.HttpContext.RequestAborted);
            return Problems.BadRequest("A Konfuzio export is imported as a new project; '?into=' applies to snapshot archives only.");
        }

        var upload = ImportService.Upload(staged, name, caller);
        // Once staged, the operation is started even if the client hangs up: it owns the staged upload from here on.
        await client.ScheduleNewOrchestrationInstanceAsync(
            nameof(ImportProjectOrchestrator), upload, new StartOrchestrationOptions(upload.ImportId), CancellationToken.None);
        var statusUri = $"{request.Scheme}://{request.Host}{OperationResponses.StatusPath(upload.ImportId)}";
        return OperationResponses.Accepted(request, upload.ImportId, new ImportAccepted(upload.ImportId, statusUri, upload.ProjectId));
    }

    [Function(nameof(ImportProjectOrchestrator))]
    public static async Task<ImportResult> ImportProjectOrchestrator([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var upload = context.GetInput<ImportUpload>() ?? throw new InvalidOperationException("The import has no input.");
        var request = new ImportRequest(upload.ImportId, upload.ProjectId, upload.ProjectName, 0, 0);
        var logger = context.CreateReplaySafeLogger<ImportFunctions>();
        var startedAt = context.CurrentUtcDateTime;
        try
        {
            context.SetCustomStatus(new ImportProgress(ImportStages.Validating, 0, 0));
            request = await context.CallActivityAsync<ImportRequest>(nameof(PlanImport), upload, Retry);

            context.SetCustomStatus(new ImportProgress(ImportStages.Schema, 0, request.DocumentCount));
            await context.CallActivityAsync(nameof(ImportSchema), request, Retry);

            var written = ImportBatchResult.Empty;
            await SlidingWindow.ForEachAsync(Enumerable.Range(0, request.BatchCount), SlidingWindow.BatchWidth,
                index => context.CallActivityAsync<ImportBatchResult>(nameof(ImportDocumentBatch), new ImportBatch(request.ImportId, request.ProjectId, index), Retry),
                result =>
                {
                    written = written.Add(result);
                    context.SetCustomStatus(new ImportProgress(ImportStages.Documents, written.Documents, request.DocumentCount));
                });

            context.SetCustomStatus(new ImportProgress(ImportStages.Finishing, written.Documents, request.DocumentCount));
            var warnings = await context.CallActivityAsync<List<string>>(nameof(CompleteImport), request, Retry);
            ImportLog.Completed(logger, request.ImportId, request.ProjectId, written.Documents, written.AnnotationSets, written.Annotations, written.Files,
                (context.CurrentUtcDateTime - startedAt).TotalSeconds);
            return new ImportResult(request.ProjectId, request.ProjectName, written, warnings);
        }
        catch (TaskFailedException failure)
        {
            await context.CallActivityAsync(nameof(DiscardImport), request, Retry);
            ImportLog.RolledBack(logger, request.ImportId, failure.FailureDetails.ErrorMessage);
            throw new ImportFailedException($"The import failed and was rolled back: {failure.FailureDetails.ErrorMessage}");
        }
    }

    [Function(nameof(PlanImport))]
    public Task<ImportRequest> PlanImport([ActivityTrigger] ImportUpload upload) => imports.PlanAsync(upload, CancellationToken.None);

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
