using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;
using Snapshots.Access;
using Snapshots.Archive;
using Snapshots.Configuration;
using Snapshots.Functions.Access;
using Snapshots.Functions.Http;
using Snapshots.Functions.Projects;

namespace Snapshots.Functions.Restores;

public sealed record IdentifierRestoreBody(
    string? Identifier, string? TargetProjectId, string? ProjectName, bool DryRun = false, global::Snapshots.Selection.DocumentSelection? Select = null);

/// <summary>
/// Restores a snapshot made by another environment that shares the snapshot storage, by its identifier. The
/// endpoint exists only with <c>Snapshots:RestoreAcrossEnvironments=true</c> (404 otherwise).
/// </summary>
public sealed class CrossEnvironmentRestoreFunctions(RestoreStarter starter, SnapshotBlobs blobs, ImportedArchives imported, IOptions<SnapshotsOptions> options, RequestAccess access)
{
    [Function(nameof(RestoreByIdentifier))]
    public async Task<IActionResult> RestoreByIdentifier(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "restores")] HttpRequest request,
        [DurableClient] DurableTaskClient client)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        var caller = await access.AuthenticateAsync(request);

        if (!options.Value.RestoreAcrossEnvironments)
        {
            return Problems.NotFound("Restore by identifier is not enabled in this environment (Snapshots:RestoreAcrossEnvironments).");
        }

        var (body, error) = await RequestBodies.ReadJsonAsync<IdentifierRestoreBody>(request);
        if (body is null)
        {
            return Problems.BadRequest(error + " Send {\"identifier\": \"...\", \"targetProjectId\"?: \"...\", \"projectName\"?: \"...\"}.");
        }

        // A merge also needs write access to its target (checked by the starter).
        RequestAccess.RequireRestoreFromOutside(caller);

        if (!SnapshotIdentifiers.IsWellFormed(body.Identifier))
        {
            return Problems.BadRequest("'identifier' must be a snapshot identifier (letters, digits, '-' and '_').");
        }

        if (body.ProjectName is not null && ProjectNames.Validate(body.ProjectName) is { } nameError)
        {
            return Problems.BadRequest(nameError);
        }

        var notFound = $"No snapshot with identifier '{body.Identifier}' in the snapshot storage.";
        var manifest = await blobs.ReadManifestAsync(body.Identifier!, cancellationToken);
        // A snapshot zip uploaded to another environment is that environment's (unless uploaded with ?share=true).
        if (manifest is null || !await imported.VisibleHereAsync(body.Identifier!, cancellationToken))
        {
            return Problems.NotFound(notFound);
        }

        // A snapshot of this environment stays behind its project's permissions.
        if (manifest.Source.Environment == options.Value.EnvironmentName)
        {
            await access.RequireAsync(request, caller, manifest.Source.ProjectId, notFound, Permission.ViewSnapshot);
        }

        return await starter.StartAsync(client, request, caller, body.Identifier!, null, manifest.Source.Environment,
            new StartRestoreBody(body.TargetProjectId, body.ProjectName, body.DryRun, body.Select), cancellationToken);
    }
}
