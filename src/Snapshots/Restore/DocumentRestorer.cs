using System.Text.Json;
using Snapshots.Archive;
using Snapshots.Configuration;
using Snapshots.Projects;

namespace Snapshots.Restore;

/// <summary>
/// Restores documents with their files, annotation sets and annotations, batch by batch, and the AIs with their
/// model files. Everything is written under deterministic ids, staged (invisible) until the restore is published:
/// documents and AIs carry the restore id; annotation sets, annotations and files hang off those new ids, which
/// nothing visible points to.
/// </summary>
public sealed class DocumentRestorer(
    ProjectStore store, DocumentItemWriter items, ProjectFiles files, RestoreStaging staging, Microsoft.Extensions.Options.IOptions<Configuration.CosmosOptions> cosmos)
{
    public const int DocumentsPerBatch = 100;

    public const string AmbiguousDirectory = "The archive's zip directory is ambiguous: its end records point at different directories.";

    /// <summary>Verifies the whole archive (bytes and content) before anything is written, and returns its totals for progress.</summary>
    public async Task<VerifiedArchive> VerifyAsync(RestoreRequest request, CancellationToken cancellationToken)
    {
        using var archive = await staging.OpenArchiveAsync(request, cancellationToken);
        try
        {
            await archive.VerifyAsync(cancellationToken);
        }
        catch (ArchiveValidationException)
        {
            Diagnostics.SnapshotsTelemetry.VerificationFailures.Add(1);
            throw;
        }

        var counts = archive.Manifest.Counts;
        return new VerifiedArchive(counts.Documents, counts.AnnotationSets, counts.Annotations, counts.Ais, counts.Files, archive.FileBytes);
    }

    /// <summary>
    /// Splits the archive's documents (those the restore selects), their annotation sets and annotations into batches
    /// of documents (one pass each).
    /// </summary>
    public async Task<RestorePlan> PlanAsync(RestoreRequest request, CancellationToken cancellationToken)
    {
        using var archive = await staging.OpenArchiveAsync(request, cancellationToken);
        var batchOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var documents = staging.Router(request.RestoreId, RestoreStaging.Documents);
        var (filesLeftOut, bytesLeftOut) = (0, 0L);
        await foreach (var line in archive.ReadNdjsonAsync<JsonElement>(ArchiveEntries.Documents, cancellationToken))
        {
            if (request.Selection is { } selection && line.Deserialize<Document>(SnapshotsJson.Options)! is var document && !selection.Includes(document))
            {
                var files = document.Files.Select(f => ArchiveEntries.DocumentFile(document.Id, f.Name)).Where(archive.Has).ToList();
                filesLeftOut += files.Count;
                bytesLeftOut += files.Sum(archive.Length);
                continue;
            }

            var batch = batchOf.Count / DocumentsPerBatch;
            batchOf[line.GetProperty("id").GetString()!] = batch;
            await documents.WriteLineAsync(batch, line.GetRawText(), cancellationToken);
        }

        await documents.CompleteAsync(cancellationToken);
        var sets = await RouteByDocumentAsync(archive, ArchiveEntries.AnnotationSets, staging.Router(request.RestoreId, RestoreStaging.AnnotationSets), batchOf, cancellationToken);
        var annotations = await RouteByDocumentAsync(archive, ArchiveEntries.Annotations, staging.Router(request.RestoreId, RestoreStaging.Annotations), batchOf, cancellationToken);
        var batches = (batchOf.Count + DocumentsPerBatch - 1) / DocumentsPerBatch;
        await WriteBatchDirectoriesAsync(request, archive, batchOf, batches, cancellationToken);
        return new RestorePlan(batches, batchOf.Count, sets, annotations, filesLeftOut, bytesLeftOut);
    }

    /// <summary>
    /// Cuts the archive's directory into one partial directory per batch (the manifest and the batch's documents'
    /// files), refusing an archive whose directory reads differently to the reader that verified it.
    /// </summary>
    private async Task WriteBatchDirectoriesAsync(
        RestoreRequest request, SnapshotArchiveReader archive, Dictionary<string, int> batchOf, int batches, CancellationToken cancellationToken)
    {
        var records = await staging.ReadArchiveDirectoryAsync(request.Identifier, cancellationToken);
        if (!archive.ListsSameEntriesAs(records))
        {
            throw new ArchiveValidationException(AmbiguousDirectory);
        }

        var perBatch = Enumerable.Range(0, batches).Select(_ => new List<int>()).ToArray();
        for (var record = 0; record < records.Count; record++)
        {
            var name = records.NameOf(record);
            if (name == ArchiveEntries.Manifest)
            {
                Array.ForEach(perBatch, picked => picked.Add(record));
            }
            else if (ArchiveEntries.DocumentOfFile(name) is { } document && batchOf.TryGetValue(document, out var batch))
            {
                perBatch[batch].Add(record);
            }
        }

        await Parallel.ForEachAsync(Enumerable.Range(0, batches), Parallelism(cancellationToken), async (batch, ct) =>
            await staging.WriteDirectoryAsync(request.RestoreId, batch, records.DirectoryOf(perBatch[batch]), ct));
    }

    public async Task<RestoredBatch> RestoreBatchAsync(RestoreBatch batch, CancellationToken cancellationToken)
    {
        var request = batch.Restore;
        var map = await staging.ReadJsonAsync<SchemaMap>(request.RestoreId, SchemaMap.BlobName, cancellationToken);
        var batchDocuments = await staging.ReadBatchAsync<Document>(request.RestoreId, RestoreStaging.Documents, batch.BatchIndex, cancellationToken).ToListAsync(cancellationToken);
        using var archive = await staging.OpenArchiveForBatchAsync(request, batch.BatchIndex, cancellationToken);

        var mapping = new RestoreMapping(request, map);
        var setIds = new Dictionary<string, string>(StringComparer.Ordinal);
        var sets = await staging.ReadBatchAsync<AnnotationSet>(request.RestoreId, RestoreStaging.AnnotationSets, batch.BatchIndex, cancellationToken).ToListAsync(cancellationToken);
        foreach (var set in sets)
        {
            setIds[$"{set.DocumentId}/{set.Id}"] = NewAnnotationSetId(request, set.DocumentId, set.Id);
        }

        Func<string, string?> SetIdsOf(string documentId) => id => setIds.GetValueOrDefault($"{documentId}/{id}");
        await items.WriteAsync(request.ProjectId, sets.ToAsyncEnumerable().Select(set => mapping.AnnotationSet(set, SetIdsOf(set.DocumentId))),
            set => set.DocumentId, cancellationToken);

        var annotations = await items.WriteAsync(
            request.ProjectId,
            staging.ReadBatchAsync<Annotation>(request.RestoreId, RestoreStaging.Annotations, batch.BatchIndex, cancellationToken)
                .Select(annotation => mapping.Annotation(annotation, SetIdsOf(annotation.DocumentId))),
            annotation => annotation.DocumentId,
            cancellationToken);

        int documents = 0, fileCount = 0;
        long bytes = 0;
        using var entries = new SharedArchiveEntries(archive);
        await Parallel.ForEachAsync(
            batchDocuments,
            Parallelism(cancellationToken),
            async (document, ct) =>
            {
                var newId = NewDocumentId(request, document.Id);
                var (restoredFiles, copied) = await CopyFilesAsync(entries, document.Files, name => ArchiveEntries.DocumentFile(document.Id, name),
                    (name, content) => files.UploadDocumentFileAsync(request.ProjectId, newId, name, content, ct), ct);
                await store.UpsertAsync(request.ProjectId, mapping.Document(document, restoredFiles), ct, stagedBy: request.RestoreId);
                Interlocked.Increment(ref documents);
                Interlocked.Add(ref fileCount, restoredFiles.Count);
                Interlocked.Add(ref bytes, copied);
            });

        return new RestoredBatch(documents, sets.Count, annotations, fileCount, bytes);
    }

    /// <summary>AIs with their model files; name-based categorization AIs are never restored.</summary>
    public async Task<AisResult> RestoreAisAsync(RestoreRequest request, CancellationToken cancellationToken)
    {
        var map = await staging.ReadJsonAsync<SchemaMap>(request.RestoreId, SchemaMap.BlobName, cancellationToken);
        using var archive = await staging.OpenArchiveAsync(request, cancellationToken);
        using var entries = new SharedArchiveEntries(archive);
        var notes = new List<string>();
        int ais = 0, fileCount = 0;
        long bytes = 0;
        await foreach (var ai in archive.ReadNdjsonAsync<AiModel>(ArchiveEntries.Ais, cancellationToken))
        {
            if (RestoreRules.LeftOutReason(ai) is { } leftOut)
            {
                notes.Add(leftOut);
                continue;
            }

            var staged = new RestoreMapping(request, map).Ai(ai, []);
            var newId = staged.Id;
            // Staged before its files go up: a discard finds the AI and removes its model files with it.
            await store.UpsertAsync(request.ProjectId, staged, cancellationToken, stagedBy: request.RestoreId);
            var (restoredFiles, copied) = await CopyFilesAsync(entries, ai.Files, name => ArchiveEntries.AiFile(ai.Id, name),
                (name, content) => files.UploadModelFileAsync(request.ProjectId, newId, name, content, cancellationToken), cancellationToken);
            await store.UpsertAsync(request.ProjectId, staged with { Files = restoredFiles }, cancellationToken, stagedBy: request.RestoreId);
            ais++;
            fileCount += restoredFiles.Count;
            bytes += copied;
        }

        return new AisResult(ais, fileCount, bytes, notes);
    }

    public static string NewDocumentId(RestoreRequest request, string oldId) => DeterministicIds.For(request.RestoreId, "document", oldId);

    public static string NewAiId(RestoreRequest request, string oldId) => DeterministicIds.For(request.RestoreId, "ai", oldId);

    public static string NewAnnotationSetId(RestoreRequest request, string oldDocumentId, string oldId) =>
        DeterministicIds.For(request.RestoreId, "annotationSet", $"{oldDocumentId}/{oldId}");

    public static string NewAnnotationId(RestoreRequest request, string oldDocumentId, string oldId) =>
        DeterministicIds.For(request.RestoreId, "annotation", $"{oldDocumentId}/{oldId}");

    private ParallelOptions Parallelism(CancellationToken cancellationToken) =>
        new() { MaxDegreeOfParallelism = cosmos.Value.WriteConcurrency, CancellationToken = cancellationToken };

    private static async Task<(List<StoredFile> Files, long Bytes)> CopyFilesAsync(
        SharedArchiveEntries archive, IEnumerable<StoredFile> sources, Func<string, string> entryOf, Func<string, Stream, Task<StoredFile>> upload,
        CancellationToken cancellationToken)
    {
        var restored = new List<StoredFile>();
        long bytes = 0;
        foreach (var file in sources)
        {
            var entry = entryOf(file.Name);
            if (!archive.Has(entry))
            {
                continue;
            }

            var stored = await archive.UseAsync(entry, content => upload(file.Name, content), cancellationToken);
            restored.Add(stored);
            bytes += stored.Bytes;
        }

        return (restored, bytes);
    }

    /// <summary>Routes each item to its document's batch; items of documents the restore does not select stay out. Returns how many were routed.</summary>
    private static async Task<int> RouteByDocumentAsync(
        SnapshotArchiveReader archive, string entry, BatchRouter router, Dictionary<string, int> batchOf, CancellationToken cancellationToken)
    {
        var routed = 0;
        await foreach (var item in archive.ReadNdjsonAsync<JsonElement>(entry, cancellationToken))
        {
            // Verification has resolved every item's document; only a selection leaves documents out.
            if (batchOf.TryGetValue(item.GetProperty("documentId").GetString()!, out var batch))
            {
                await router.WriteLineAsync(batch, item.GetRawText(), cancellationToken);
                routed++;
            }
        }

        await router.CompleteAsync(cancellationToken);
        return routed;
    }
}
