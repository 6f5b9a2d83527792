using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Snapshots.Access;
using Snapshots.Archive;
using Snapshots.Create;
using Snapshots.Errors;
using Snapshots.Functions.Access;
using Snapshots.Functions.Http;
using Snapshots.Functions.Projects;
using Snapshots.Projects;
using Snapshots.Records;

namespace Snapshots.Functions.Snapshots;

/// <summary>Create, list, describe, download and delete snapshots.</summary>
public sealed class SnapshotFunctions(
    SnapshotService service, SnapshotStore store, SnapshotBlobs blobs, RequestAccess access, Microsoft.Extensions.Options.IOptions<global::Snapshots.Imports.ImportOptions> limits)
{
    public const int MaxDescriptionLength = 2000;

    [Function(nameof(CreateSnapshot))]
    public async Task<IActionResult> CreateSnapshot(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "projects/{projectId}/snapshots")] HttpRequest request,
        string projectId,
        [DurableClient] DurableTaskClient client)
    {
        await access.ForProjectAsync(request, projectId, Permission.ReadProject, Permission.AddSnapshot);

        var (body, error) = await RequestBodies.ReadJsonAsync<CreateSnapshotBody>(request);
        if (body is null)
        {
            return Problems.BadRequest(error + " Send {\"modes\": [\"dataset\", \"ai\"], \"description\": \"...\"}.");
        }

        if (body.Description?.Length > MaxDescriptionLength)
        {
            return Problems.BadRequest($"A description has at most {MaxDescriptionLength} characters.");
        }

        var (record, start) = await service.StartAsync(projectId, body.Modes, body.Description, request.HttpContext.RequestAborted, body.Select);
        await client.ScheduleNewOrchestrationInstanceAsync(
            nameof(CreateSnapshotFunctions.CreateSnapshotOrchestrator), start, new StartOrchestrationOptions(record.Id), request.HttpContext.RequestAborted);
        var view = SnapshotView.From(record);
        return new AcceptedResult(view.StatusUri, view);
    }

    [Function(nameof(ListSnapshots))]
    public async Task<IActionResult> ListSnapshots(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "projects/{projectId}/snapshots")] HttpRequest request,
        string projectId)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        await access.ForExistingProjectAsync(request, projectId, Permission.ViewSnapshot);

        if (!RequestBodies.TryReadPageSize(request, out var pageSize))
        {
            return Problems.BadRequest("'pageSize' must be a whole number from 1 to 1000.");
        }

        var page = await store.ListAsync(projectId, pageSize, request.Query["continuationToken"], cancellationToken);
        return new OkObjectResult(new PageView<SnapshotView>(page.Items.Select(SnapshotView.From).ToList(), page.ContinuationToken));
    }

    [Function(nameof(GetSnapshot))]
    public async Task<IActionResult> GetSnapshot(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "snapshots/{snapshotId}")] HttpRequest request,
        string snapshotId)
    {
        var snapshot = await FindAsync(request, snapshotId, Permission.ViewSnapshot);
        return new OkObjectResult(SnapshotView.From(snapshot));
    }

    [Function(nameof(DownloadSnapshot))]
    public async Task<IActionResult> DownloadSnapshot(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "snapshots/{snapshotId}/download")] HttpRequest request,
        string snapshotId)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        var record = await FindAsync(request, snapshotId, Permission.ViewSnapshot);
        if (record.Status != SnapshotStatus.Created)
        {
            return Problems.Conflict($"The snapshot is {record.Status.ToString().ToLowerInvariant()}; only a created snapshot can be downloaded.");
        }

        string? format = request.Query["format"];
        if (format is not (null or "" or "snapshot" or "konfuzio"))
        {
            return Problems.BadRequest($"Unknown format '{format}': use 'snapshot' (the default) or 'konfuzio' (a Konfuzio SDK project folder).");
        }

        if (format == "konfuzio")
        {
            return await KonfuzioDownloadAsync(record, cancellationToken);
        }

        var archive = await OpenArchiveStreamAsync(record, cancellationToken);
        return new FileStreamResult(archive, "application/zip")
        {
            FileDownloadName = DownloadName(record),
            EnableRangeProcessing = true,
        };
    }

    [Function(nameof(UpdateSnapshot))]
    public async Task<IActionResult> UpdateSnapshot(
        [HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "snapshots/{snapshotId}")] HttpRequest request,
        string snapshotId)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        var record = await FindAsync(request, snapshotId, Permission.ChangeSnapshot);
        var (body, error) = await RequestBodies.ReadJsonAsync<JsonObject>(request);
        if (body is null)
        {
            return Problems.BadRequest(error!);
        }

        var others = body.Select(p => p.Key).Where(k => !string.Equals(k, "description", StringComparison.OrdinalIgnoreCase)).ToList();
        if (others.Count > 0)
        {
            return Problems.Conflict($"A snapshot is immutable: only 'description' can change, not {string.Join(", ", others.Select(k => $"'{k}'"))}.");
        }

        var description = body.FirstOrDefault(p => string.Equals(p.Key, "description", StringComparison.OrdinalIgnoreCase)).Value;
        if (description is not null && (description.GetValueKind() != JsonValueKind.String || description.GetValue<string>().Length > MaxDescriptionLength))
        {
            return Problems.BadRequest($"'description' must be a string of at most {MaxDescriptionLength} characters, or null.");
        }

        var updated = await service.DescribeAsync(record, description?.GetValue<string>(), cancellationToken);
        return new OkObjectResult(SnapshotView.From(updated));
    }

    [Function(nameof(DeleteSnapshot))]
    public async Task<IActionResult> DeleteSnapshot(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "snapshots/{snapshotId}")] HttpRequest request,
        string snapshotId)
    {
        var snapshot = await FindAsync(request, snapshotId, Permission.DeleteSnapshot);
        await service.DeleteAsync(snapshot, request.HttpContext.RequestAborted);
        return new NoContentResult();
    }

    private async Task<SnapshotRecord> FindAsync(HttpRequest request, string snapshotId, Permission permission) =>
        (await access.ForResourceAsync(request, cancellationToken => store.GetAsync(snapshotId, cancellationToken), r => r.ProjectId, $"No snapshot with id '{snapshotId}'.", permission)).Resource;

    private Task<Stream> OpenArchiveStreamAsync(SnapshotRecord record, CancellationToken cancellationToken) =>
        blobs.Archive(record.Identifier).OpenReadAsync(new Azure.Storage.Blobs.Models.BlobOpenReadOptions(allowModifications: false)
        {
            BufferSize = 4 * 1024 * 1024,
        }, cancellationToken);

    /// <summary>The snapshot as a Konfuzio SDK project folder (current layout), zipped while it streams.</summary>
    private async Task<IActionResult> KonfuzioDownloadAsync(SnapshotRecord record, CancellationToken cancellationToken)
    {
        async Task<SnapshotArchiveReader> OpenAsync(CancellationToken token) =>
            SnapshotArchiveReader.Open(await OpenArchiveStreamAsync(record, token), limits.Value);
        try
        {
            if (await KonfuzioExportWriter.CheckAsync(OpenAsync, cancellationToken) is { } problem)
            {
                return Problems.Conflict($"The snapshot cannot be streamed in Konfuzio's layout: {problem}");
            }
        }
        catch (Exception ex) when (ex is ArchiveValidationException or ArchiveTooLargeException)
        {
            // The snapshot's own archive, not the request, is at fault: a conflict with its state, not an invalid request.
            throw new ConflictException($"The snapshot's archive cannot be read in Konfuzio's layout: {ex.Message}", ex);
        }

        return new KonfuzioDownloadResult(OpenAsync, Path.ChangeExtension(DownloadName(record), null) + "-konfuzio.zip");
    }

    private static string DownloadName(SnapshotRecord record)
    {
        var safeName = new string(record.ProjectName.Select(c => char.IsLetterOrDigit(c) ? c : '-').ToArray()).Trim('-');
        return $"snapshot-{(safeName.Length > 0 ? safeName : record.ProjectId)}-{record.CreatedAt.UtcDateTime:yyyyMMdd-HHmmss}.zip";
    }
}

/// <summary>Writes the Konfuzio layout straight into the response (a zip is written front to back, so nothing is staged).</summary>
internal sealed class KonfuzioDownloadResult(KonfuzioExportWriter.OpenArchive open, string fileName) : IActionResult
{
    public async Task ExecuteResultAsync(ActionContext context)
    {
        var response = context.HttpContext.Response;
        response.ContentType = "application/zip";
        response.Headers.ContentDisposition = new System.Net.Mime.ContentDisposition { FileName = fileName }.ToString();
        try
        {
            await KonfuzioExportWriter.WriteAsync(open, response.Body, context.HttpContext.RequestAborted);
        }
        catch
        {
            // The status is sent: cutting the connection is how the client learns the zip is not whole.
            context.HttpContext.Abort();
            throw;
        }
    }
}
