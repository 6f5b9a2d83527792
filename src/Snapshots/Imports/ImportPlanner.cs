using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace Snapshots.Imports;

/// <summary>
/// Reads a whole Konfuzio export once before anything is written: every JSON5 file must parse and every
/// reference must resolve. Along the way it writes the document batches the import activities will process.
/// </summary>
public sealed class ImportPlanner(ImportStaging staging, IOptions<ImportOptions> options)
{
    public const int MaxWarnings = 200;

    /// <summary>
    /// Plans the staged upload <paramref name="importId"/>: its directory is read once and sorted, then the schema
    /// and each batch of documents are checked through a zip of only their own entries, the same partial
    /// directories the import steps then open.
    /// </summary>
    internal async Task<ImportPlan> PlanAsync(string importId, CancellationToken cancellationToken)
    {
        var index = await staging.ReadExportIndexAsync(importId, cancellationToken);
        var schemaDirectory = index.SchemaDirectory();
        using var zip = await staging.OpenWithDirectoryAsync(importId, schemaDirectory, cancellationToken);
        var export = KonfuzioExport.Open(zip);
        CheckJsonFileSizes(export);

        var schema = KonfuzioSchema.Read(export);
        var schemaFile = export.Layout == KonfuzioLayout.Legacy ? KonfuzioExport.LabelSets : KonfuzioExport.CategoriesAndLabels;
        var labelIds = UniqueIds(schema.Labels.Select(l => l.Id), export.Layout == KonfuzioLayout.Legacy ? KonfuzioExport.Labels : schemaFile, "label");
        var labelSetIds = UniqueIds(schema.LabelSets.Select(s => s.Id), schemaFile, "label set");
        // The same references the snapshot reader checks: an import it accepts must give snapshots that restore.
        var categoryIds = UniqueIds(schema.Categories.Select(c => c.Id), schemaFile, "category");
        foreach (var set in schema.LabelSets)
        {
            var unknown = set.LabelIds.FirstOrDefault(id => !labelIds.Contains(id));
            if (unknown is not null)
            {
                throw new ImportValidationException(schemaFile, $"label set {set.Id} lists unknown label {unknown}.");
            }

            if (set.CategoryIds.FirstOrDefault(id => !categoryIds.Contains(id)) is { } category)
            {
                throw new ImportValidationException(schemaFile, $"label set {set.Id} belongs to unknown category {category}.");
            }
        }

        var listed = Json5.CountArrayItems(export.Open(KonfuzioExport.DocumentsMeta), KonfuzioExport.DocumentsMeta, options.Value.MaxDocuments);
        if (listed > options.Value.MaxDocuments)
        {
            throw new ImportTooLargeException(
                $"{KonfuzioExport.DocumentsMeta} lists more than {options.Value.MaxDocuments} documents (Snapshots:Imports:MaxDocuments).");
        }

        var warnings = new List<string>();
        var documentIds = new HashSet<string>();
        var batch = new List<PlannedDocument>();
        var batches = 0;
        var references = new SchemaReferences(labelIds, labelSetIds);
        foreach (var source in Json5.ReadArrayObjects(export.Open(KonfuzioExport.DocumentsMeta), KonfuzioExport.DocumentsMeta))
        {
            var original = source.ToJsonString();
            var document = KonfuzioMapper.ToDocument(source, KonfuzioExport.DocumentsMeta);
            if (!documentIds.Add(document.Id))
            {
                throw new ImportValidationException(KonfuzioExport.DocumentsMeta, $"document {document.Id} is listed twice.");
            }

            if (document.CategoryId is { } category && !categoryIds.Contains(category))
            {
                throw new ImportValidationException(KonfuzioExport.DocumentsMeta, $"document {document.Id} points to unknown category {category}.");
            }

            batch.Add(new PlannedDocument(document.Id, document.Name, original));
            if (batch.Count == options.Value.DocumentsPerBatch)
            {
                await PlanBatchAsync(importId, batches++, batch, index, references, warnings, cancellationToken);
                batch.Clear();
            }
        }

        if (batch.Count > 0)
        {
            await PlanBatchAsync(importId, batches++, batch, index, references, warnings, cancellationToken);
        }

        foreach (var model in export.ModelFiles().Select(KonfuzioModels.Describe))
        {
            if (warnings.Count < MaxWarnings)
            {
                warnings.Add(model.Warning);
            }
        }

        await staging.WriteDirectoryAsync(importId, ImportPart.Schema, schemaDirectory, cancellationToken);
        await staging.WriteWarningsAsync(importId, warnings, cancellationToken);
        return new ImportPlan(documentIds.Count, batches, warnings);
    }

    /// <summary>Checks a batch's document folders through a zip of only their entries, then stages the batch and that directory.</summary>
    private async Task PlanBatchAsync(
        string importId, int batchIndex, List<PlannedDocument> batch, KonfuzioExportIndex index, SchemaReferences references, List<string> warnings,
        CancellationToken cancellationToken)
    {
        var directory = index.BatchDirectory(batch.Select(d => d.Id));
        using (var zip = await staging.OpenWithDirectoryAsync(importId, directory, cancellationToken))
        {
            var export = KonfuzioExport.Open(zip);
            CheckJsonFileSizes(export);
            foreach (var document in batch)
            {
                if (export.HasDocumentFolder(document.Id))
                {
                    ValidateDocumentFolder(export, document.Id, references.LabelIds, references.LabelSetIds);
                }
                else if (warnings.Count < MaxWarnings)
                {
                    warnings.Add($"Document {document.Id} ({document.Name}) has no folder in the export: imported as metadata only.");
                }
            }
        }

        await staging.WriteBatchAsync(importId, batchIndex, batch.Select(d => d.Json).ToList(), cancellationToken);
        await staging.WriteDirectoryAsync(importId, ImportPart.Batch(batchIndex), directory, cancellationToken);
    }

    /// <summary>Files parsed whole are bounded, so one entry cannot take the memory of the step that reads it.</summary>
    private void CheckJsonFileSizes(KonfuzioExport export)
    {
        var tooLarge = export.Paths.FirstOrDefault(p => p.EndsWith(".json5", StringComparison.Ordinal) && p != KonfuzioExport.DocumentsMeta
            && export.Length(p) > options.Value.MaxJsonFileBytes);
        if (tooLarge is not null)
        {
            throw new ImportTooLargeException(
                $"{tooLarge}: {export.Length(tooLarge)} bytes; the limit for a JSON5 file read whole is {options.Value.MaxJsonFileBytes} (Snapshots:Imports:MaxJsonFileBytes).");
        }
    }

    private sealed record PlannedDocument(string Id, string Name, string Json);

    private sealed record SchemaReferences(HashSet<string> LabelIds, HashSet<string> LabelSetIds);

    private static void ValidateDocumentFolder(KonfuzioExport export, string documentId, HashSet<string> labelIds, HashSet<string> labelSetIds)
    {
        var folder = KonfuzioExport.DocumentFolder(documentId);
        var setsFile = folder + KonfuzioExport.AnnotationSetsFile;
        var annotationsFile = folder + KonfuzioExport.AnnotationsFile;

        var setIds = new HashSet<string>();
        if (export.Exists(setsFile))
        {
            foreach (var node in Json5.ParseArray(export.Open(setsFile), setsFile))
            {
                var set = KonfuzioMapper.ToAnnotationSet(AsObject(node, setsFile), documentId, setsFile);
                if (set.LabelSetId is not null && !labelSetIds.Contains(set.LabelSetId))
                {
                    throw new ImportValidationException(setsFile, $"annotation set {set.Id} points to unknown label set {set.LabelSetId}.");
                }

                setIds.Add(set.Id);
            }
        }

        if (export.Exists(annotationsFile))
        {
            foreach (var node in Json5.ParseArray(export.Open(annotationsFile), annotationsFile))
            {
                var annotation = KonfuzioMapper.ToAnnotation(AsObject(node, annotationsFile), documentId, annotationsFile);
                if (!labelIds.Contains(annotation.LabelId))
                {
                    throw new ImportValidationException(annotationsFile, $"annotation {annotation.Id} points to unknown label {annotation.LabelId}.");
                }

                if (annotation.LabelSetId is not null && !labelSetIds.Contains(annotation.LabelSetId))
                {
                    throw new ImportValidationException(annotationsFile, $"annotation {annotation.Id} points to unknown label set {annotation.LabelSetId}.");
                }

                if (annotation.AnnotationSetId is not null && !setIds.Contains(annotation.AnnotationSetId))
                {
                    throw new ImportValidationException(annotationsFile, $"annotation {annotation.Id} points to unknown annotation set {annotation.AnnotationSetId}.");
                }
            }
        }

        var pagesFile = folder + KonfuzioExport.PagesFile;
        if (export.Exists(pagesFile))
        {
            Json5.Parse(export.Open(pagesFile), pagesFile);
        }
    }

    internal static JsonObject AsObject(JsonNode? node, string file) =>
        node as JsonObject ?? throw new ImportValidationException(file, $"expected an object, found {node?.ToJsonString() ?? "null"}.");

    private static HashSet<string> UniqueIds(IEnumerable<string> ids, string file, string what)
    {
        var set = new HashSet<string>();
        foreach (var id in ids)
        {
            if (!set.Add(id))
            {
                throw new ImportValidationException(file, $"{what} {id} is listed twice.");
            }
        }

        return set;
    }
}
