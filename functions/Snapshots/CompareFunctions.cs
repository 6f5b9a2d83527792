using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Snapshots.Access;
using Snapshots.Compare;
using Snapshots.Functions.Access;
using Snapshots.Functions.Http;
using Snapshots.Records;

namespace Snapshots.Functions.Snapshots;

/// <summary>What changed between a snapshot and another snapshot, or the project as it is now.</summary>
public sealed class CompareFunctions(SnapshotComparer comparer, SnapshotStore store, RequestAccess access)
{
    [Function(nameof(CompareSnapshot))]
    public async Task<IActionResult> CompareSnapshot(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "snapshots/{snapshotId}/compare")] HttpRequest request,
        string snapshotId)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        var snapshot = await FindAsync(request, snapshotId);
        string? with = request.Query["with"];
        if (string.IsNullOrWhiteSpace(with))
        {
            return Problems.BadRequest("Pass what to compare with: ?with=<snapshotId> or ?with=project (the snapshot's project as it is now).");
        }

        var names = NamePage.DefaultNames;
        if (request.Query.ContainsKey("names") && (!int.TryParse(request.Query["names"], out names) || names is < 0 or > NamePage.MaxNames))
        {
            return Problems.BadRequest($"'names' is how many names to list per change and kind: 0 to {NamePage.MaxNames}.");
        }

        var page = new NamePage(names, string.IsNullOrEmpty(request.Query["after"]) ? null : request.Query["after"].ToString());
        if (snapshot.Status != SnapshotStatus.Created)
        {
            return Problems.Conflict($"The snapshot is {snapshot.Status.ToString().ToLowerInvariant()}; only created snapshots can be compared.");
        }

        if (with == SnapshotComparer.Project)
        {
            // The project as it is now: the caller reads it, not only its snapshots.
            await access.ForExistingProjectAsync(request, snapshot.ProjectId, Permission.ReadProject);
            return new OkObjectResult(await comparer.CompareWithProjectAsync(snapshot, page, cancellationToken));
        }

        var other = await FindAsync(request, with);
        if (other.Status != SnapshotStatus.Created)
        {
            return Problems.Conflict($"Snapshot '{with}' is {other.Status.ToString().ToLowerInvariant()}; only created snapshots can be compared.");
        }

        return new OkObjectResult(await comparer.CompareWithSnapshotAsync(snapshot, other, page, cancellationToken));
    }

    private async Task<SnapshotRecord> FindAsync(HttpRequest request, string snapshotId) =>
        (await access.ForResourceAsync(request, cancellationToken => store.GetAsync(snapshotId, cancellationToken), r => r.ProjectId,
            $"No snapshot with id '{snapshotId}'.", Permission.ViewSnapshot)).Resource;
}
