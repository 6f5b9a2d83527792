using Snapshots.Archive;
using Snapshots.Projects;

namespace Snapshots.Restore;

/// <summary>The two schemas a restore plans with: the archive's, and the target's as it shows it now.</summary>
public static class SchemaSources
{
    public static async Task<ProjectSchema> ReadAsync(SnapshotArchiveReader archive, CancellationToken cancellationToken) => new(
        await archive.ReadNdjsonAsync<Category>(ArchiveEntries.Categories, cancellationToken).ToListAsync(cancellationToken),
        await archive.ReadNdjsonAsync<LabelSet>(ArchiveEntries.LabelSets, cancellationToken).ToListAsync(cancellationToken),
        await archive.ReadNdjsonAsync<Label>(ArchiveEntries.Labels, cancellationToken).ToListAsync(cancellationToken));

    /// <summary>The target's schema as it shows it now (label sets with their visible extensions).</summary>
    public static async Task<ProjectSchema> ReadAsync(ProjectStore store, string projectId, CancellationToken cancellationToken)
    {
        var visibility = await store.VisibilityAsync(projectId, cancellationToken);
        return new ProjectSchema(
            await store.ListAsync<Category>(projectId, visibility, cancellationToken).ToListAsync(cancellationToken),
            await store.ListLabelSetsAsync(projectId, visibility, cancellationToken).ToListAsync(cancellationToken),
            await store.ListAsync<Label>(projectId, visibility, cancellationToken).ToListAsync(cancellationToken));
    }
}
