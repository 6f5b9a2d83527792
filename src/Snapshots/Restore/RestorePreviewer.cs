using Snapshots.Archive;
using Snapshots.Projects;

namespace Snapshots.Restore;

/// <summary>
/// The dry run of a restore: the same verification, merge planner and leave-out rules as the restore, read from the
/// archive and the target without writing anything (not even the archive's reader mark).
/// </summary>
public sealed class RestorePreviewer(
    ProjectStore store, RestoreStaging staging, RestoreService restores, Microsoft.Extensions.Options.IOptions<Imports.ImportOptions> limits)
{
    // The planner derives the ids of created entities from the restore id; a preview shows no ids of created entities.
    private const string PreviewRestoreId = "dry-run";

    /// <summary>The dry run of a restore of the archive <paramref name="identifier"/> in the snapshot storage.</summary>
    public async Task<RestorePreview> PreviewAsync(
        string identifier, string? snapshotId, string? targetProjectId, CancellationToken cancellationToken, Selection.ResolvedSelection? selection = null)
    {
        using var archive = await staging.OpenArchiveUnmarkedAsync(identifier, cancellationToken);
        var preview = new RestorePreview { Identifier = identifier, SnapshotId = snapshotId, TargetProjectId = targetProjectId, Selection = selection };
        // The restore's plan refuses an archive whose zip directory reads two ways; so does its dry run. (An upload
        // was checked for that when it was staged.)
        try
        {
            if (!archive.ListsSameEntriesAs(await staging.ReadArchiveDirectoryAsync(identifier, cancellationToken)))
            {
                return preview with { Refusals = [DocumentRestorer.AmbiguousDirectory] };
            }
        }
        catch (ArchiveValidationException invalid)
        {
            return preview with { Refusals = [invalid.Message] };
        }

        return await PreviewAsync(archive, preview, cancellationToken);
    }

    /// <summary>The dry run of a restore of an uploaded snapshot zip, read where the upload is staged.</summary>
    public async Task<RestorePreview> PreviewUploadAsync(Stream seekableArchive, string? targetProjectId, CancellationToken cancellationToken)
    {
        SnapshotArchiveReader archive;
        try
        {
            archive = SnapshotArchiveReader.Open(seekableArchive, limits.Value);
        }
        catch (ArchiveValidationException invalid)
        {
            return new RestorePreview { Identifier = "", TargetProjectId = targetProjectId, Refusals = [invalid.Message] };
        }

        using (archive)
        {
            return await PreviewAsync(archive, new RestorePreview { Identifier = archive.Manifest.Identifier, TargetProjectId = targetProjectId }, cancellationToken);
        }
    }

    private async Task<RestorePreview> PreviewAsync(SnapshotArchiveReader archive, RestorePreview preview, CancellationToken cancellationToken)
    {
        var targetProjectId = preview.TargetProjectId;
        if (targetProjectId is not null && await restores.MergeRefusalAsync(targetProjectId, cancellationToken) is { } busy)
        {
            preview.Refusals.Add(busy);
        }

        try
        {
            await archive.VerifyAsync(cancellationToken);
        }
        catch (ArchiveValidationException invalid)
        {
            preview.Refusals.Add(invalid.Message);
            return preview;
        }

        var target = targetProjectId is null ? ProjectSchema.Empty : await SchemaSources.ReadAsync(store, targetProjectId, cancellationToken);
        var schema = SchemaMergePlanner.Plan(PreviewRestoreId, await SchemaSources.ReadAsync(archive, cancellationToken), target);
        var tally = new FileTally(archive);

        var sourceProject = (await archive.ReadNdjsonAsync<Project>(ArchiveEntries.Project, cancellationToken).ToListAsync(cancellationToken)).SingleOrDefault();
        foreach (var file in RestoreRules.ProjectFilesIn(sourceProject, archive.Has))
        {
            var entry = ArchiveEntries.ProjectFile(file.Name);
            if (preview.Merge)
            {
                preview.LeftOut.Add(new LeftOutEntity("projectFile", file.Name, RestoreRules.ProjectFileLeftOutReason));
                tally.LeaveOut(entry);
            }
            else
            {
                tally.Restore(entry);
            }
        }

        // Ids of the selected documents, only for a selective restore (its plan holds as many).
        var selected = preview.Selection is null ? null : new HashSet<string>(StringComparer.Ordinal);
        var documents = 0;
        await foreach (var document in archive.ReadNdjsonAsync<Document>(ArchiveEntries.Documents, cancellationToken))
        {
            var files = document.Files.Select(f => ArchiveEntries.DocumentFile(document.Id, f.Name));
            if (preview.Selection?.Includes(document) == false)
            {
                tally.LeaveOutAll(files);
                continue;
            }

            selected?.Add(document.Id);
            documents++;
            tally.RestoreAll(files);
        }

        var ais = 0;
        var notes = new List<string>();
        await foreach (var ai in archive.ReadNdjsonAsync<AiModel>(ArchiveEntries.Ais, cancellationToken))
        {
            var entries = ai.Files.Select(f => ArchiveEntries.AiFile(ai.Id, f.Name));
            if (RestoreRules.LeftOutReason(ai) is { } reason)
            {
                notes.Add(reason);
                preview.LeftOut.Add(new LeftOutEntity(EntityKinds.Ai, ai.Name, reason));
                tally.LeaveOutAll(entries);
                continue;
            }

            ais++;
            tally.RestoreAll(entries);
        }

        var counts = archive.Manifest.Counts;
        var (annotationSets, annotations) = selected is null
            ? (counts.AnnotationSets, counts.Annotations)
            : (await CountOfDocumentsAsync(archive, ArchiveEntries.AnnotationSets, selected, cancellationToken),
                await CountOfDocumentsAsync(archive, ArchiveEntries.Annotations, selected, cancellationToken));
        return preview with
        {
            Report = new RestoreReport(schema.Categories, schema.LabelSets, schema.Labels, documents, annotationSets, annotations, ais, tally.Files)
            {
                Notes = notes,
            },
            Bytes = tally.Bytes,
            FilesLeftOut = tally.FilesLeftOut,
            BytesLeftOut = tally.BytesLeftOut,
        };
    }

    private static async Task<int> CountOfDocumentsAsync(SnapshotArchiveReader archive, string entry, HashSet<string> documents, CancellationToken cancellationToken)
    {
        var count = 0;
        await foreach (var item in archive.ReadNdjsonAsync<DocumentItemRef>(entry, cancellationToken))
        {
            count += documents.Contains(item.DocumentId) ? 1 : 0;
        }

        return count;
    }

    private sealed record DocumentItemRef(string DocumentId);

    /// <summary>Counts the files a restore uploads and leaves out: only those the archive holds, as the restore copies them.</summary>
    private sealed class FileTally(SnapshotArchiveReader archive)
    {
        public int Files { get; private set; }

        public long Bytes { get; private set; }

        public int FilesLeftOut { get; private set; }

        public long BytesLeftOut { get; private set; }

        public void Restore(string entry)
        {
            if (archive.Has(entry))
            {
                Files++;
                Bytes += archive.Length(entry);
            }
        }

        public void LeaveOut(string entry)
        {
            if (archive.Has(entry))
            {
                FilesLeftOut++;
                BytesLeftOut += archive.Length(entry);
            }
        }

        public void RestoreAll(IEnumerable<string> entries)
        {
            foreach (var entry in entries)
            {
                Restore(entry);
            }
        }

        public void LeaveOutAll(IEnumerable<string> entries)
        {
            foreach (var entry in entries)
            {
                LeaveOut(entry);
            }
        }
    }
}
