using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using Snapshots.Configuration;
using Snapshots.Access;
using Snapshots.Functions.Access;
using Snapshots.Functions.Http;
using Snapshots.Imports;
using Snapshots.Naming;
using Snapshots.Projects;

namespace Snapshots.Functions.Projects;

/// <summary>
/// Registers a trained AI model with a project. Projects here do not train, so this is how AI-mode snapshots get
/// their models: multipart/form-data with a <c>metadata</c> JSON part and an optional <c>file</c> part.
/// </summary>
public sealed class AiFunctions(ProjectStore store, ProjectFiles files, RequestAccess access, IOptions<ImportOptions> limits)
{
    [Function(nameof(RegisterAi))]
    public async Task<IActionResult> RegisterAi(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "projects/{projectId}/ais")] HttpRequest request,
        string projectId)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        await access.ForExistingProjectAsync(request, projectId, Permission.WriteProject);

        if (!request.HasFormContentType)
        {
            return Problems.BadRequest("Send multipart/form-data with a 'metadata' part (JSON) and an optional 'file' part (the model file).");
        }

        // Model files are uploads: the same limit as an import, not the host's default.
        RequestLimits.AllowUpload(request, limits.Value.MaxUploadBytes + RequestLimits.MaxJsonBodyBytes);
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = limits.Value.MaxUploadBytes }, cancellationToken);
        }
        catch (Exception ex) when (ex is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }
            || (ex is InvalidDataException && ex.Message.Contains("limit", StringComparison.OrdinalIgnoreCase)))
        {
            return Problems.TooLarge(ImportTooLargeException.UploadMessage(limits.Value.MaxUploadBytes));
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            return Problems.BadRequest($"The multipart body cannot be read: {ex.Message.Split('\n')[0]}");
        }
        AiModel model;
        try
        {
            var metadata = JsonNode.Parse(form["metadata"].ToString() is { Length: > 0 } json ? json : "null") as JsonObject;
            if (metadata?["name"] is null || metadata["type"] is null)
            {
                return Problems.BadRequest("'metadata' needs at least a 'name' and a 'type' (extraction, splitting or categorization).");
            }

            metadata["id"] ??= Guid.NewGuid().ToString("N");
            if (!EntityIds.IsValid(metadata["id"]!.ToString()))
            {
                return Problems.BadRequest(EntityIds.Rule);
            }

            model = metadata.Deserialize<AiModel>(SnapshotsJson.Options)!;
        }
        catch (JsonException ex)
        {
            return Problems.BadRequest($"'metadata' is not a valid AI description: {ex.Message.Split(". ")[0]}.");
        }

        if (form.Files.Select(f => NamePolicy.FileNameProblem(f.FileName)).FirstOrDefault(p => p is not null) is { } badName)
        {
            return Problems.BadRequest($"A model file has an unsafe name: {badName}.");
        }

        var id = model.Id;
        // A registration creates: an id in use (visible, or staged by a running restore) is never overwritten.
        if (await store.GetAsync<AiModel>(projectId, id, cancellationToken) is not null)
        {
            return Problems.Conflict($"The project already has an AI with id '{id}'; leave 'id' out to get a new one.");
        }

        // Each registration uploads under a folder of its own, so two racing for one id never overwrite each other's files.
        var upload = $"{id}/{Guid.NewGuid():N}";
        var stored = new List<StoredFile>();
        foreach (var file in form.Files)
        {
            await using var content = file.OpenReadStream();
            stored.Add(await files.UploadModelFileAsync(projectId, upload, NamePolicy.Normalize(file.FileName), content, cancellationToken));
        }

        var registered = model with
        {
            CategorizationKind = model.Type == AiType.Categorization ? model.CategorizationKind ?? CategorizationKind.Model : null,
            Files = stored,
        };
        if (!await store.TryCreateAsync(projectId, registered, cancellationToken))
        {
            await files.DeleteOwnerFilesAsync(files.Models, projectId, upload, CancellationToken.None);
            return Problems.Conflict($"Another request registered an AI with id '{id}' at the same time.");
        }

        return new CreatedResult($"/api/projects/{projectId}/ais/{id}", registered);
    }

    [Function(nameof(ListAis))]
    public async Task<IActionResult> ListAis(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "projects/{projectId}/ais")] HttpRequest request,
        string projectId)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        await access.ForExistingProjectAsync(request, projectId, Permission.ReadProject);

        var ais = new List<AiModel>();
        await foreach (var ai in store.ListAsync<AiModel>(projectId, cancellationToken))
        {
            ais.Add(ai);
        }

        return new OkObjectResult(new PageView<AiModel>(ais, null));
    }
}
