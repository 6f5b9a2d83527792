using Microsoft.Extensions.Options;
using Snapshots.Archive;
using Snapshots.Configuration;
using Snapshots.Projects;

namespace Snapshots.Create;

/// <summary>
/// The export activities of a snapshot: each streams one entity kind from Cosmos into an NDJSON part blob and
/// records the files to copy with the version (ETag) that was current, so the archive is one point in time.
/// Part names are deterministic: a retried activity overwrites its own parts.
/// </summary>
public sealed class SnapshotExporter(ProjectStore store, ProjectFiles files, SnapshotBlobs blobs, IOptions<SnapshotsOptions> options)
{
    public const int DocumentsPerBatch = 100;

    /// <summary>Documents of a batch whose annotation sets, annotations and file versions are fetched at once.</summary>
    public const int DocumentsInFlight = 4;

    public const string DocumentsFolder = "documents/";
    public const string AnnotationSetsFolder = "annotation_sets/";
    public const string AnnotationsFolder = "annotations/";
    public const string DocumentFilesFolder = "files-documents/";
    public const string AiFilesPart = "files-ais.ndjson";
    public const string ProjectFilesPart = "files-project.ndjson";
    public const string BatchesFolder = "batches/";

    public async Task ExportSchemaAsync(CreateSnapshotRequest request, CancellationToken cancellationToken)
    {
        var project = await ProjectAsync(request, cancellationToken);
        var visibility = Visibility.AsOf(project, request.Generation);
        await using (var part = await NdjsonPart.CreateAsync(blobs.Part(request.Identifier, ArchiveEntries.Project), cancellationToken))
        {
            // The publication state belongs to this project's storage, not to what it holds.
            await part.WriteAsync(project with { Publication = null }, cancellationToken);
        }

        await using (var fileRefs = await NdjsonPart.CreateAsync(blobs.Part(request.Identifier, ProjectFilesPart), cancellationToken))
        {
            foreach (var file in project.Files)
            {
                await fileRefs.WriteAsync(await FileRefAsync(ArchiveEntries.ProjectFile(file.Name), file, cancellationToken), cancellationToken);
            }
        }

        await WritePartAsync(request, ArchiveEntries.Categories, store.ListAsync<Category>(request.ProjectId, visibility, cancellationToken), cancellationToken);
        await WritePartAsync(request, ArchiveEntries.Labels, store.ListAsync<Label>(request.ProjectId, visibility, cancellationToken), cancellationToken);
        await WritePartAsync(request, ArchiveEntries.LabelSets, store.ListLabelSetsAsync(request.ProjectId, visibility, cancellationToken), cancellationToken);
    }

    /// <summary>The project as it was when the snapshot was asked for (<see cref="CreateSnapshotRequest.Generation"/>).</summary>
    private async Task<Project> ProjectAsync(CreateSnapshotRequest request, CancellationToken cancellationToken) =>
        await store.GetAsync<Project>(request.ProjectId, request.ProjectId, cancellationToken)
            ?? throw new InvalidOperationException($"Project {request.ProjectId} no longer exists.");

    private async Task<Visibility> VisibilityAsync(CreateSnapshotRequest request, CancellationToken cancellationToken) =>
        Visibility.AsOf(await ProjectAsync(request, cancellationToken), request.Generation);

    /// <summary>Writes the AIs the mode rules keep and returns the warnings about those it leaves out.</summary>
    public async Task<List<string>> ExportAisAsync(CreateSnapshotRequest request, CancellationToken cancellationToken)
    {
        var warnings = new List<string>();
        await using var part = await NdjsonPart.CreateAsync(blobs.Part(request.Identifier, ArchiveEntries.Ais), cancellationToken);
        await using var fileRefs = await NdjsonPart.CreateAsync(blobs.Part(request.Identifier, AiFilesPart), cancellationToken);
        if (!SnapshotRules.IncludesAis(request.Modes))
        {
            return warnings;
        }

        await foreach (var ai in store.ListAsync<AiModel>(request.ProjectId, await VisibilityAsync(request, cancellationToken), cancellationToken))
        {
            var decision = SnapshotRules.Decide(ai, options.Value.CategorizationAiMinVersion);
            if (decision.Warning is not null)
            {
                warnings.Add(decision.Warning);
            }

            if (!decision.Include)
            {
                continue;
            }

            await part.WriteAsync(ai, cancellationToken);
            foreach (var file in ai.Files)
            {
                await fileRefs.WriteAsync(await FileRefAsync(ArchiveEntries.AiFile(ai.Id, file.Name), file, cancellationToken), cancellationToken);
            }
        }

        return warnings;
    }

    /// <summary>Lists the documents dataset mode keeps into batches of ids; a dataset snapshot needs at least one.</summary>
    public async Task<DocumentPlan> PlanDocumentsAsync(CreateSnapshotRequest request, CancellationToken cancellationToken)
    {
        if (!SnapshotRules.IncludesDocuments(request.Modes))
        {
            return new DocumentPlan(0, 0);
        }

        int documents = 0, batches = 0;
        var batch = new List<Document>();
        await foreach (var document in store.ListAsync<Document>(request.ProjectId, await VisibilityAsync(request, cancellationToken), cancellationToken))
        {
            if (!SnapshotRules.IncludesDocument(document.DatasetStatus) || request.Selection?.Includes(document) == false)
            {
                continue;
            }

            batch.Add(document);
            documents++;
            if (batch.Count == DocumentsPerBatch)
            {
                await WriteBatchAsync(request, batches++, batch, cancellationToken);
                batch.Clear();
            }
        }

        if (batch.Count > 0)
        {
            await WriteBatchAsync(request, batches++, batch, cancellationToken);
        }

        return documents == 0
            ? throw (request.Selection is null ? new NoDatasetDocumentsException() : new NoSelectedDocumentsException())
            : new DocumentPlan(documents, batches);
    }

    public async Task<DocumentBatchResult> ExportDocumentBatchAsync(DocumentBatchRef batch, CancellationToken cancellationToken)
    {
        var request = batch.Snapshot;
        var name = $"{batch.BatchIndex:D6}.ndjson";
        await using var documents = await NdjsonPart.CreateAsync(blobs.Part(request.Identifier, DocumentsFolder + name), cancellationToken);
        await using var sets = await NdjsonPart.CreateAsync(blobs.Part(request.Identifier, AnnotationSetsFolder + name), cancellationToken);
        await using var annotations = await NdjsonPart.CreateAsync(blobs.Part(request.Identifier, AnnotationsFolder + name), cancellationToken);
        await using var fileRefs = await NdjsonPart.CreateAsync(blobs.Part(request.Identifier, DocumentFilesFolder + name), cancellationToken);

        // The plan holds the documents as read when it was made; their items are fetched a few documents at a
        // time (bounded memory) and written in plan order.
        var planned = NdjsonPart.ReadAsync<Document>(blobs.Part(request.Identifier, BatchesFolder + name), cancellationToken);
        await foreach (var group in planned.Chunk(DocumentsInFlight).WithCancellation(cancellationToken))
        {
            var fetched = await Task.WhenAll(group.Select(document => FetchDocumentAsync(request, document, cancellationToken)));
            foreach (var (document, documentSets, documentAnnotations, documentFiles) in fetched)
            {
                await documents.WriteAsync(document, cancellationToken);
                await sets.WriteAllAsync(documentSets.ToAsyncEnumerable(), cancellationToken);
                await annotations.WriteAllAsync(documentAnnotations.ToAsyncEnumerable(), cancellationToken);
                await fileRefs.WriteAllAsync(documentFiles.ToAsyncEnumerable(), cancellationToken);
            }
        }

        return new DocumentBatchResult(documents.Items, sets.Items, annotations.Items, fileRefs.Items);
    }

    private async Task WritePartAsync<T>(CreateSnapshotRequest request, string entry, IAsyncEnumerable<T> items, CancellationToken cancellationToken)
    {
        await using var part = await NdjsonPart.CreateAsync(blobs.Part(request.Identifier, entry), cancellationToken);
        await part.WriteAllAsync(items, cancellationToken);
    }

    private async Task<(Document Document, List<AnnotationSet> Sets, List<Annotation> Annotations, FileRef[] Files)> FetchDocumentAsync(
        CreateSnapshotRequest request, Document document, CancellationToken cancellationToken)
    {
        var sets = store.ListDocumentItemsAsync<AnnotationSet>(request.ProjectId, document.Id, cancellationToken).ToListAsync(cancellationToken).AsTask();
        var annotations = store.ListDocumentItemsAsync<Annotation>(request.ProjectId, document.Id, cancellationToken).ToListAsync(cancellationToken).AsTask();
        var files = Task.WhenAll(document.Files.Select(file => FileRefAsync(ArchiveEntries.DocumentFile(document.Id, file.Name), file, cancellationToken)));
        return (document, await sets, await annotations, await files);
    }

    private async Task WriteBatchAsync(CreateSnapshotRequest request, int index, List<Document> documents, CancellationToken cancellationToken)
    {
        await using var part = await NdjsonPart.CreateAsync(blobs.Part(request.Identifier, $"{BatchesFolder}{index:D6}.ndjson"), cancellationToken);
        foreach (var document in documents)
        {
            await part.WriteAsync(document, cancellationToken);
        }
    }

    private async Task<FileRef> FileRefAsync(string archivePath, StoredFile file, CancellationToken cancellationToken)
    {
        var blob = files.Resolve(file);
        try
        {
            var properties = await blob.GetPropertiesAsync(cancellationToken: cancellationToken);
            return new FileRef(archivePath, blob.BlobContainerName, blob.Name, properties.Value.ETag.ToString(), properties.Value.ContentLength);
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            throw new InvalidOperationException($"{archivePath}: the file is missing from storage (blob {file.Blob}).");
        }
    }
}

/// <summary>Dataset mode on a project without Training or Test documents: a conflict, never an empty archive.</summary>
public sealed class NoSelectedDocumentsException()
    : Errors.ConflictException("The selection matches no documents with dataset status Training or Test, so the snapshot would be empty.");

public sealed class NoDatasetDocumentsException()
    : Errors.ConflictException("The project has no documents with dataset status Training or Test, so a dataset snapshot would be empty.");
