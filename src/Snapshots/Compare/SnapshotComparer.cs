using Microsoft.Extensions.Options;
using Snapshots.Configuration;
using Snapshots.Errors;
using Snapshots.Projects;
using Snapshots.Records;
using Snapshots.Restore;

namespace Snapshots.Compare;

/// <summary>
/// Compares a snapshot with another snapshot, or with its project as it is now: per kind what was added, removed
/// and changed (by id and content), streaming both sides kind by kind with memory bounded by a bucket.
/// </summary>
public sealed class SnapshotComparer(ProjectStore store, RestoreStaging staging, IOptions<SnapshotsOptions> options)
{
    public const string Project = "project";

    public async Task<SnapshotComparison> CompareWithSnapshotAsync(SnapshotRecord first, SnapshotRecord second, NamePage page, CancellationToken cancellationToken)
    {
        using var before = await staging.OpenArchiveUnmarkedAsync(first.Identifier, cancellationToken);
        using var after = await staging.OpenArchiveUnmarkedAsync(second.Identifier, cancellationToken);
        return await CompareAsync(first.Id, second.Id, new ArchiveSide(before), new ArchiveSide(after), page, cancellationToken);
    }

    public async Task<SnapshotComparison> CompareWithProjectAsync(SnapshotRecord snapshot, NamePage page, CancellationToken cancellationToken)
    {
        var project = await store.GetAsync<Project>(snapshot.ProjectId, snapshot.ProjectId, cancellationToken)
            ?? throw new NotFoundException($"The snapshot's project '{snapshot.ProjectId}' no longer exists; compare it with another snapshot.");
        using var archive = await staging.OpenArchiveUnmarkedAsync(snapshot.Identifier, cancellationToken);
        var now = new ProjectSide(store, project.Id, Visibility.Of(project), snapshot, options.Value.CategorizationAiMinVersion);
        return await CompareAsync(snapshot.Id, Project, new ArchiveSide(archive), now, page, cancellationToken);
    }

    /// <summary>
    /// A verification drill's check: the archive as its restore into <paramref name="drill"/>'s new project would
    /// write it, against that project as it shows now. The whole archive counts: no modes or selection filter the project.
    /// </summary>
    public async Task<SnapshotComparison> CompareDrillAsync(SnapshotRecord snapshot, RestoreRequest drill, NamePage page, CancellationToken cancellationToken)
    {
        var project = await store.GetAsync<Project>(drill.ProjectId, drill.ProjectId, cancellationToken)
            ?? throw new NotFoundException($"The drill's project '{drill.ProjectId}' is gone.");
        using var archive = await staging.OpenArchiveUnmarkedAsync(snapshot.Identifier, cancellationToken);
        var expected = await RestoredArchiveSide.PlanAsync(archive, drill, cancellationToken);
        var restored = new ProjectSide(store, project.Id, Visibility.Of(project), snapshot with { Selection = null }, options.Value.CategorizationAiMinVersion, ignoreFileLocations: true);
        return await CompareAsync(snapshot.Id, drill.ProjectId, expected, restored, page, cancellationToken);
    }

    private static async Task<SnapshotComparison> CompareAsync(
        string snapshotId, string with, ICompareSide first, ICompareSide second, NamePage page, CancellationToken cancellationToken)
    {
        var kinds = new Dictionary<string, KindComparison>(StringComparer.Ordinal);
        foreach (var kind in CompareKinds.All)
        {
            using var diff = new BucketedDiff();
            await diff.SpillFirstAsync(first.ReadAsync(kind, cancellationToken), cancellationToken);
            await diff.SpillSecondAsync(second.ReadAsync(kind, cancellationToken), cancellationToken);
            kinds[kind] = await diff.CompareAsync(page, cancellationToken);
        }

        return new SnapshotComparison(snapshotId, with, kinds);
    }
}
