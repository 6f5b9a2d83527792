using Snapshots.Archive;
using Snapshots.Projects;
using Snapshots.Restore;

namespace Snapshots.Compare;

/// <summary>
/// A snapshot's archive as a restore into a new project writes it: the restore's own schema plan and rewrite
/// (<see cref="RestoreMapping"/>) applied to every entity, so a verification drill can compare it with what the
/// restore actually wrote. Files are compared by name and size; their content is what the checksums prove.
/// </summary>
public sealed class RestoredArchiveSide(SnapshotArchiveReader archive, RestoreRequest restore, SchemaPlan plan) : ICompareSide
{
    private readonly RestoreMapping mapping = new(restore, plan.Map);

    public static async Task<RestoredArchiveSide> PlanAsync(SnapshotArchiveReader archive, RestoreRequest restore, CancellationToken cancellationToken) =>
        new(archive, restore, SchemaMergePlanner.Plan(restore.RestoreId, await SchemaSources.ReadAsync(archive, cancellationToken), ProjectSchema.Empty));

    public IAsyncEnumerable<Fingerprint> ReadAsync(string kind, CancellationToken cancellationToken) => kind switch
    {
        CompareKinds.Categories => plan.CreateCategories.ToAsyncEnumerable().Select(c => Fingerprints.Of(c.Id, c.Name, c)),
        CompareKinds.LabelSets => plan.CreateLabelSets.ToAsyncEnumerable().Select(s => Fingerprints.Of(s.Id, s.Name, s)),
        CompareKinds.Labels => plan.CreateLabels.ToAsyncEnumerable().Select(l => Fingerprints.Of(l.Id, l.Name, l)),
        CompareKinds.Documents => Read<Document>(ArchiveEntries.Documents, cancellationToken).Select(d =>
        {
            var restored = FileLocations.Ignored(mapping.Document(d, FilesIn(d.Files, name => ArchiveEntries.DocumentFile(d.Id, name))));
            return Fingerprints.Of(restored.Id, restored.Name, restored);
        }),
        CompareKinds.AnnotationSets => Read<AnnotationSet>(ArchiveEntries.AnnotationSets, cancellationToken)
            .Select(s => mapping.AnnotationSet(s, SetIdsOf(s.DocumentId))).Select(r => Fingerprints.OfItem(r.DocumentId, r.Id, r)),
        CompareKinds.Annotations => Read<Annotation>(ArchiveEntries.Annotations, cancellationToken)
            .Select(a => mapping.Annotation(a, SetIdsOf(a.DocumentId))).Select(r => Fingerprints.OfItem(r.DocumentId, r.Id, r)),
        CompareKinds.Ais => Read<AiModel>(ArchiveEntries.Ais, cancellationToken).Where(ai => RestoreRules.LeftOutReason(ai) is null).Select(ai =>
        {
            var restored = FileLocations.Ignored(mapping.Ai(ai, FilesIn(ai.Files, name => ArchiveEntries.AiFile(ai.Id, name))));
            return Fingerprints.Of(restored.Id, restored.Name, restored);
        }),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    private Func<string, string?> SetIdsOf(string documentId) => id => DocumentRestorer.NewAnnotationSetId(restore, documentId, id);

    /// <summary>The files a restore copies: those the archive holds.</summary>
    private List<StoredFile> FilesIn(IEnumerable<StoredFile> files, Func<string, string> entryOf) => [.. files.Where(f => archive.Has(entryOf(f.Name)))];

    private IAsyncEnumerable<T> Read<T>(string entry, CancellationToken cancellationToken) =>
        archive.Has(entry) ? archive.ReadNdjsonAsync<T>(entry, cancellationToken) : AsyncEnumerable.Empty<T>();
}

/// <summary>Files by name and size only: where a copy lives (its blob, in its project) differs from one project to the next.</summary>
public static class FileLocations
{
    public static Document Ignored(Document document) => document with { Files = Ignored(document.Files) };

    public static AiModel Ignored(AiModel ai) => ai with { Files = Ignored(ai.Files) };

    private static List<StoredFile> Ignored(IEnumerable<StoredFile> files) => [.. files.Select(f => new StoredFile(f.Name, "", f.Bytes))];
}
