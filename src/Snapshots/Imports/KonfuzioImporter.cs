using System.Text.Json;
using System.Text.Json.Nodes;
using Snapshots.Projects;

namespace Snapshots.Imports;

/// <summary>
/// The work of the import activities. Each step re-opens the staged zip and writes with upserts and
/// deterministic blob names, so a retried step overwrites what a failed attempt wrote instead of duplicating it.
/// </summary>
public sealed class KonfuzioImporter(
    ImportStaging staging, ProjectStore store, DocumentItemWriter items, ProjectFiles files, Microsoft.Extensions.Options.IOptions<Configuration.CosmosOptions> cosmos)
{

    /// <summary>Labels, label sets, categories, AIs (from models/) and the project's own files.</summary>
    public async Task ImportSchemaAsync(ImportRequest request, CancellationToken cancellationToken)
    {
        using var zip = await staging.OpenPartAsync(request.ImportId, ImportPart.Schema, cancellationToken);
        var export = KonfuzioExport.Open(zip);

        var schema = KonfuzioSchema.Read(export);
        await WriteAllAsync(schema.Labels, label => store.UpsertAsync(request.ProjectId, label, cancellationToken), cancellationToken);
        await WriteAllAsync(schema.LabelSets, set => store.UpsertAsync(request.ProjectId, set, cancellationToken), cancellationToken);
        await WriteAllAsync(schema.Categories, category => store.UpsertAsync(request.ProjectId, category, cancellationToken), cancellationToken);

        foreach (var model in export.ModelFiles().Select(KonfuzioModels.Describe))
        {
            if (model.Ai is { } ai)
            {
                await using var content = export.Open(model.Path);
                var file = await files.UploadModelFileAsync(request.ProjectId, ai.Id, model.Path.Split('/')[2], content, cancellationToken);
                await store.UpsertAsync(request.ProjectId, ai with { Files = [file] }, cancellationToken);
            }
        }

        var projectFiles = new List<StoredFile>();
        foreach (var path in export.ProjectFiles())
        {
            await using var content = export.Open(path);
            projectFiles.Add(await files.UploadProjectFileAsync(request.ProjectId, path, content, cancellationToken));
        }

        _ = await store.UpdateProjectAsync(request.ProjectId, project => project with { Files = projectFiles }, cancellationToken)
            ?? throw new InvalidOperationException($"Project {request.ProjectId} of import {request.ImportId} is gone.");
    }

    /// <summary>Documents of a batch imported at once; their reads of the zip take turns (a zip reader is not thread-safe).</summary>
    public const int DocumentsInFlight = 4;

    /// <summary>
    /// A document's files are read into memory under the zip's turn and uploaded after it, up to this many bytes
    /// per document; the rest (and any file above <see cref="SmallFileBytes"/>) are streamed during a turn of their own.
    /// </summary>
    public const long BufferedBytesPerDocument = 8 * 1024 * 1024;

    public const long SmallFileBytes = 1024 * 1024;

    /// <summary>One batch of documents with their files, annotation sets and annotations.</summary>
    public async Task<ImportBatchResult> ImportBatchAsync(ImportBatch batch, CancellationToken cancellationToken)
    {
        using var zip = await staging.OpenPartAsync(batch.ImportId, ImportPart.Batch(batch.BatchIndex), cancellationToken);
        var export = KonfuzioExport.Open(zip);
        using var zipTurn = new SemaphoreSlim(1, 1);
        var result = ImportBatchResult.Empty;
        var adding = new Lock();
        var documents = await staging.ReadBatchAsync(batch.ImportId, batch.BatchIndex, cancellationToken);
        await Parallel.ForEachAsync(documents, new ParallelOptions { MaxDegreeOfParallelism = DocumentsInFlight, CancellationToken = cancellationToken }, async (source, ct) =>
        {
            var imported = await ImportDocumentAsync(export, zipTurn, batch.ProjectId, source, ct);
            lock (adding)
            {
                result = result.Add(imported);
            }
        });

        return result;
    }

    private async Task<ImportBatchResult> ImportDocumentAsync(KonfuzioExport export, SemaphoreSlim zipTurn, string projectId, JsonObject source, CancellationToken cancellationToken)
    {
        var document = KonfuzioMapper.ToDocument(source, KonfuzioExport.DocumentsMeta);
        var read = await ReadDocumentAsync(export, zipTurn, document.Id, cancellationToken);
        // The documents in flight share the batch's write bound (Cosmos:WriteConcurrency).
        var concurrency = Math.Max(1, cosmos.Value.WriteConcurrency / DocumentsInFlight);
        await items.WriteAsync(projectId, read.Sets.ToAsyncEnumerable(), _ => document.Id, cancellationToken, concurrency);
        await items.WriteAsync(projectId, read.Annotations.ToAsyncEnumerable(), _ => document.Id, cancellationToken, concurrency);

        var storedFiles = new List<StoredFile>();
        foreach (var (path, buffered) in read.Files)
        {
            storedFiles.Add(buffered is null
                ? await UploadStreamedAsync(export, zipTurn, projectId, document.Id, path, cancellationToken)
                : await UploadAsync(projectId, document.Id, path, buffered, cancellationToken));
        }

        // The document record goes last: it carries the counts, and its presence means the document is complete.
        await store.UpsertAsync(projectId, document with
        {
            Files = storedFiles,
            Pages = read.Pages,
            AnnotationSetCount = read.Sets.Count,
            AnnotationCount = read.Annotations.Count,
        }, cancellationToken);
        return new ImportBatchResult(1, read.Sets.Count, read.Annotations.Count, storedFiles.Count);
    }

    private async Task<StoredFile> UploadAsync(string projectId, string documentId, string path, Stream content, CancellationToken cancellationToken)
    {
        await using (content)
        {
            return await files.UploadDocumentFileAsync(projectId, documentId, path[KonfuzioExport.DocumentFolder(documentId).Length..], content, cancellationToken);
        }
    }

    /// <summary>A large file is uploaded while the zip is taken: it is read from the zip as it goes up.</summary>
    private async Task<StoredFile> UploadStreamedAsync(
        KonfuzioExport export, SemaphoreSlim zipTurn, string projectId, string documentId, string path, CancellationToken cancellationToken)
    {
        await zipTurn.WaitAsync(cancellationToken);
        try
        {
            return await UploadAsync(projectId, documentId, path, export.Open(path), cancellationToken);
        }
        finally
        {
            zipTurn.Release();
        }
    }

    /// <summary>What a document needs from the zip, read in one turn: its JSON parsed, its small files buffered (in order; null: a large file).</summary>
    private static async Task<DocumentRead> ReadDocumentAsync(KonfuzioExport export, SemaphoreSlim zipTurn, string documentId, CancellationToken cancellationToken)
    {
        var folder = KonfuzioExport.DocumentFolder(documentId);
        var documentFiles = new List<(string Path, Stream? Buffered)>();
        await zipTurn.WaitAsync(cancellationToken);
        try
        {
            var sets = ReadArray(export, folder + KonfuzioExport.AnnotationSetsFile)
                .Select(o => KonfuzioMapper.ToAnnotationSet(o, documentId, folder + KonfuzioExport.AnnotationSetsFile)).ToList();
            var annotations = ReadArray(export, folder + KonfuzioExport.AnnotationsFile)
                .Select(o => KonfuzioMapper.ToAnnotation(o, documentId, folder + KonfuzioExport.AnnotationsFile)).ToList();
            var pagesFile = folder + KonfuzioExport.PagesFile;
            JsonElement? pages = null;
            if (export.Exists(pagesFile))
            {
                using var pagesStream = export.Open(pagesFile);
                pages = JsonSerializer.SerializeToElement(Json5.Parse(pagesStream, pagesFile));
            }

            long buffered = 0;
            foreach (var path in export.DocumentFiles(documentId))
            {
                var length = export.Length(path);
                var buffer = length <= SmallFileBytes && buffered + length <= BufferedBytesPerDocument;
                buffered += buffer ? length : 0;
                documentFiles.Add((path, buffer ? await BufferAsync(export, path, cancellationToken) : null));
            }

            return new DocumentRead(sets, annotations, pages, documentFiles);
        }
        catch
        {
            documentFiles.ForEach(f => f.Buffered?.Dispose());
            throw;
        }
        finally
        {
            zipTurn.Release();
        }
    }

    private static async Task<Stream> BufferAsync(KonfuzioExport export, string path, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream((int)export.Length(path));
        await using (var content = export.Open(path))
        {
            await content.CopyToAsync(buffer, cancellationToken);
        }

        buffer.Position = 0;
        return buffer;
    }

    private sealed record DocumentRead(List<AnnotationSet> Sets, List<Annotation> Annotations, JsonElement? Pages, List<(string Path, Stream? Buffered)> Files);

    /// <summary>Makes the project ready and listed, and removes the staged upload.</summary>
    public async Task<IReadOnlyList<string>> CompleteAsync(ImportRequest request, CancellationToken cancellationToken)
    {
        var project = await store.GetAsync<Project>(request.ProjectId, request.ProjectId, cancellationToken)
            ?? throw new InvalidOperationException($"Project {request.ProjectId} of import {request.ImportId} is gone.");
        await store.SaveProjectAsync(project with { Status = ProjectStatus.Ready }, cancellationToken);
        var warnings = await staging.ReadWarningsAsync(request.ImportId, cancellationToken);
        await staging.DeleteAsync(request.ImportId, cancellationToken);
        return warnings;
    }

    /// <summary>Removes everything a failed import wrote, so no half-imported project remains.</summary>
    public async Task DiscardAsync(ImportRequest request, CancellationToken cancellationToken)
    {
        // A batch writes a document's annotation sets and annotations before its record, and the project's delete
        // finds them through the records: a batch that failed between the two leaves items only the plan names.
        await Parallel.ForEachAsync(staging.ReadStagedDocumentsAsync(request.ImportId, cancellationToken),
            new ParallelOptions { MaxDegreeOfParallelism = cosmos.Value.WriteConcurrency, CancellationToken = cancellationToken },
            async (source, ct) => await store.DeleteDocumentItemsAsync(request.ProjectId, KonfuzioMapper.ToDocument(source, KonfuzioExport.DocumentsMeta).Id, ct));
        await store.DeleteProjectAsync(request.ProjectId, cancellationToken);
        await files.DeleteProjectFilesAsync(request.ProjectId, cancellationToken);
        await staging.DeleteAsync(request.ImportId, cancellationToken);
    }

    /// <summary>The objects of a JSON5 array file of the export; none when the file is not there.</summary>
    internal static List<JsonObject> ReadArray(KonfuzioExport export, string path)
    {
        if (!export.Exists(path))
        {
            return [];
        }

        using var stream = export.Open(path);
        return [.. Json5.ParseArray(stream, path).Select(node => ImportPlanner.AsObject(node, path))];
    }

    private Task WriteAllAsync<T>(IEnumerable<T> items, Func<T, Task> write, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = cosmos.Value.WriteConcurrency, CancellationToken = cancellationToken },
            async (item, _) => await write(item));
}
