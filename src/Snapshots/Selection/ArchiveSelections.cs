using Snapshots.Archive;
using Snapshots.Projects;
using Snapshots.Restore;

namespace Snapshots.Selection;

/// <summary>Resolves a restore's selection against the categories of the archive it restores (read, never marked).</summary>
public sealed class ArchiveSelections(RestoreStaging staging)
{
    public async Task<ResolvedSelection?> ResolveAsync(string identifier, DocumentSelection? select, CancellationToken cancellationToken)
    {
        if (select is null || select.IsEmpty)
        {
            return null;
        }

        using var archive = await staging.OpenArchiveUnmarkedAsync(identifier, cancellationToken);
        var categories = await archive.ReadNdjsonAsync<Category>(ArchiveEntries.Categories, cancellationToken).ToListAsync(cancellationToken);
        return ResolvedSelection.Of(select, categories, $"snapshot '{identifier}'");
    }
}
