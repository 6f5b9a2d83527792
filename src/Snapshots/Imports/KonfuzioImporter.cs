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

    /// <summary>One batch of documents with their files, annotation sets and annotations.</summary>
    public async Task<ImportBatchResult> ImportBatchAsync(ImportBatch batch, CancellationToken cancellationToken)
    {
        using var zip = await staging.OpenPartAsync(batch.ImportId, ImportPart.Batch(batch.BatchIndex), cancellationToken);
        var export = KonfuzioExport.Open(zip);
        var result = ImportBatchResult.Empty;
        foreach (var source in await staging.ReadBatchAsync(batch.ImportId, batch.BatchIndex, cancellationToken))
        {
            result = result.Add(await ImportDocumentAsync(export, batch.ProjectId, source, cancellationToken));
        }

        return result;
    }

    private async Task<ImportBatchResult> ImportDocumentAsync(KonfuzioExport export, string projectId, JsonObject source, CancellationToken cancellationToken)
    {
        var document = KonfuzioMapper.ToDocument(source, KonfuzioExport.DocumentsMeta);
        var folder = KonfuzioExport.DocumentFolder(document.Id);

        var sets = ReadArray(export, folder + KonfuzioExport.AnnotationSetsFile)
            .Select(o => KonfuzioMapper.ToAnnotationSet(o, document.Id, folder + KonfuzioExport.AnnotationSetsFile)).ToList();
        var annotations = ReadArray(export, folder + KonfuzioExport.AnnotationsFile)
            .Select(o => KonfuzioMapper.ToAnnotation(o, document.Id, folder + KonfuzioExport.AnnotationsFile)).ToList();
        await items.WriteAsync(projectId, sets.ToAsyncEnumerable(), _ => document.Id, cancellationToken);
        await items.WriteAsync(projectId, annotations.ToAsyncEnumerable(), _ => document.Id, cancellationToken);

        var storedFiles = new List<StoredFile>();
        foreach (var path in export.DocumentFiles(document.Id))
        {
            await using var content = export.Open(path);
            storedFiles.Add(await files.UploadDocumentFileAsync(projectId, document.Id, path[folder.Length..], content, cancellationToken));
        }

        var pagesFile = folder + KonfuzioExport.PagesFile;
        JsonElement? pages = export.Exists(pagesFile) ? JsonSerializer.SerializeToElement(Json5.Parse(export.Open(pagesFile), pagesFile)) : null;

        // The document record goes last: it carries the counts, and its presence means the document is complete.
        await store.UpsertAsync(projectId, document with
        {
            Files = storedFiles,
            Pages = pages,
            AnnotationSetCount = sets.Count,
            AnnotationCount = annotations.Count,
        }, cancellationToken);
        return new ImportBatchResult(1, sets.Count, annotations.Count, storedFiles.Count);
    }

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
