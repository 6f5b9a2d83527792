using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json;
using Snapshots.Archive;
using Snapshots.Configuration;
using Snapshots.Create;
using Snapshots.Projects;
using Snapshots.Records;

namespace Snapshots.Compare;

/// <summary>One side of a comparison: the fingerprints of one kind, streamed.</summary>
public interface ICompareSide
{
    IAsyncEnumerable<Fingerprint> ReadAsync(string kind, CancellationToken cancellationToken);
}

internal static class Fingerprints
{
    /// <summary>The entity as this service stores and archives it, hashed: equal content, equal hash, on either side.</summary>
    public static Fingerprint Of<T>(string key, string name, T entity) =>
        new(key, name, Convert.ToHexString(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(entity, SnapshotsJson.Options)), 0, 16));

    public static string ItemKey(string documentId, string id) => $"{documentId}/{id}";

    /// <summary>A document's item, keyed (and named) by its document and its own id.</summary>
    public static Fingerprint OfItem<T>(string documentId, string id, T item)
    {
        var key = ItemKey(documentId, id);
        return Of(key, key, item);
    }
}

/// <summary>A snapshot's archive as one side.</summary>
public sealed class ArchiveSide(SnapshotArchiveReader archive) : ICompareSide
{
    public IAsyncEnumerable<Fingerprint> ReadAsync(string kind, CancellationToken cancellationToken) => kind switch
    {
        CompareKinds.Categories => Read<Category>(ArchiveEntries.Categories, c => Fingerprints.Of(c.Id, c.Name, c), cancellationToken),
        CompareKinds.LabelSets => Read<LabelSet>(ArchiveEntries.LabelSets, s => Fingerprints.Of(s.Id, s.Name, s), cancellationToken),
        CompareKinds.Labels => Read<Label>(ArchiveEntries.Labels, l => Fingerprints.Of(l.Id, l.Name, l), cancellationToken),
        CompareKinds.Documents => Read<Document>(ArchiveEntries.Documents, d => Fingerprints.Of(d.Id, d.Name, d), cancellationToken),
        CompareKinds.AnnotationSets => Read<AnnotationSet>(ArchiveEntries.AnnotationSets, s => ItemFingerprint(s.DocumentId, s.Id, s), cancellationToken),
        CompareKinds.Annotations => Read<Annotation>(ArchiveEntries.Annotations, a => ItemFingerprint(a.DocumentId, a.Id, a), cancellationToken),
        CompareKinds.Ais => Read<AiModel>(ArchiveEntries.Ais, a => Fingerprints.Of(a.Id, a.Name, a), cancellationToken),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    private static Fingerprint ItemFingerprint<T>(string documentId, string id, T item) => Fingerprints.OfItem(documentId, id, item);

    private IAsyncEnumerable<Fingerprint> Read<T>(string entry, Func<T, Fingerprint> fingerprint, CancellationToken cancellationToken) =>
        archive.Has(entry) ? archive.ReadNdjsonAsync<T>(entry, cancellationToken).Select(fingerprint) : AsyncEnumerable.Empty<Fingerprint>();
}

/// <summary>
/// A project as it shows now, through the rules a snapshot was taken with (its modes and selection): what a new
/// snapshot with the same request would hold. Documents' items are read a document at a time, as the export does.
/// </summary>
/// <param name="ignoreFileLocations">Compare files by name and size only (<see cref="FileLocations"/>), as a drill does.</param>
public sealed class ProjectSide(
    ProjectStore store, string projectId, Visibility visibility, SnapshotRecord taken, string categorizationAiMinVersion, bool ignoreFileLocations = false) : ICompareSide
{
    public IAsyncEnumerable<Fingerprint> ReadAsync(string kind, CancellationToken cancellationToken) => kind switch
    {
        CompareKinds.Categories => store.ListAsync<Category>(projectId, visibility, cancellationToken).Select(c => Fingerprints.Of(c.Id, c.Name, c)),
        CompareKinds.LabelSets => store.ListLabelSetsAsync(projectId, visibility, cancellationToken).Select(s => Fingerprints.Of(s.Id, s.Name, s)),
        CompareKinds.Labels => store.ListAsync<Label>(projectId, visibility, cancellationToken).Select(l => Fingerprints.Of(l.Id, l.Name, l)),
        CompareKinds.Documents => DocumentsAsync(cancellationToken).Select(d => Fingerprints.Of(d.Id, d.Name, ignoreFileLocations ? FileLocations.Ignored(d) : d)),
        CompareKinds.AnnotationSets => ItemsAsync<AnnotationSet>(s => (s.DocumentId, s.Id), cancellationToken),
        CompareKinds.Annotations => ItemsAsync<Annotation>(a => (a.DocumentId, a.Id), cancellationToken),
        CompareKinds.Ais => AisAsync(cancellationToken).Select(a => Fingerprints.Of(a.Id, a.Name, ignoreFileLocations ? FileLocations.Ignored(a) : a)),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    private async IAsyncEnumerable<Document> DocumentsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!SnapshotRules.IncludesDocuments(taken.Modes))
        {
            yield break;
        }

        await foreach (var document in store.ListAsync<Document>(projectId, visibility, cancellationToken))
        {
            if (SnapshotRules.IncludesDocument(document.DatasetStatus) && taken.Selection?.Includes(document) != false)
            {
                yield return document;
            }
        }
    }

    private async IAsyncEnumerable<Fingerprint> ItemsAsync<T>(Func<T, (string DocumentId, string Id)> keyOf, [EnumeratorCancellation] CancellationToken cancellationToken)
        where T : IProjectEntity
    {
        await foreach (var document in DocumentsAsync(cancellationToken))
        {
            await foreach (var item in store.ListDocumentItemsAsync<T>(projectId, document.Id, cancellationToken))
            {
                var (documentId, id) = keyOf(item);
                yield return Fingerprints.OfItem(documentId, id, item);
            }
        }
    }

    private IAsyncEnumerable<AiModel> AisAsync(CancellationToken cancellationToken) =>
        SnapshotRules.IncludesAis(taken.Modes)
            ? store.ListAsync<AiModel>(projectId, visibility, cancellationToken).Where(ai => SnapshotRules.Decide(ai, categorizationAiMinVersion).Include)
            : AsyncEnumerable.Empty<AiModel>();
}
