using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Snapshots.Configuration;
using Snapshots.Imports;
using Snapshots.Projects;

namespace Snapshots.Archive;

/// <summary>
/// Writes a snapshot archive as a Konfuzio SDK project folder in the current layout (SDK 0.3.x), zipped:
/// <c>data_&lt;projectId&gt;/</c> with <c>categories_and_label_data.json5</c>, <c>documents_meta.json5</c>, <c>regex/</c>,
/// <c>models/&lt;type&gt;_ais/</c> and <c>documents/&lt;id&gt;/</c>, in the shapes the SDK's offline loader
/// (<c>Project(id_=None, project_folder=...)</c>) accepts. Streams: the schema is held whole (it is bounded), documents
/// are read one at a time together with their annotation sets and annotations, which an archive keeps in document order.
/// </summary>
public static class KonfuzioExportWriter
{
    /// <summary>Opens a reader of the snapshot's archive over a stream of its own.</summary>
    public delegate Task<SnapshotArchiveReader> OpenArchive(CancellationToken cancellationToken);

    /// <summary>Keys the SDK passes into its constructors, where they would clash with the ones it sets itself.</summary>
    private static readonly HashSet<string> ClashingLabelKeys = new(StringComparer.Ordinal) { "text", "project", "id_", "label_sets" };

    private static readonly HashSet<string> ClashingLabelSetKeys = new(StringComparer.Ordinal)
    {
        "project", "id_", "labels", "categories", "default_section_labels", "is_default", "has_multiple_sections",
    };

    /// <summary>Document keys the SDK's loader would read instead of the document's files.</summary>
    private static readonly HashSet<string> ClashingDocumentKeys = new(StringComparer.Ordinal)
    {
        "text", "bbox", "pages", "project", "category_template", "status", "annotation_sets",
    };

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The folder the export is written to, as <c>konfuzio_sdk export_project</c> names it.</summary>
    public static string Folder(string projectId) => $"data_{projectId}/";

    /// <summary>At most this many labels in the categories file: the layout repeats a label set's labels under each of its categories.</summary>
    public const int MaxSchemaLabels = 1_000_000;

    /// <summary>
    /// What streaming the export needs, checked before its first byte: every annotation set and annotation comes in
    /// the order of its document (as this service writes archives; ids only are read), and the categories file stays
    /// within <see cref="MaxSchemaLabels"/>. Returns the first problem, or null.
    /// </summary>
    public static async Task<string?> CheckAsync(OpenArchive open, CancellationToken cancellationToken)
    {
        using var archive = await open(cancellationToken);
        var labelSets = await archive.ReadNdjsonAsync<LabelSet>(ArchiveEntries.LabelSets, cancellationToken).ToListAsync(cancellationToken);
        var categories = await archive.ReadNdjsonAsync<Category>(ArchiveEntries.Categories, cancellationToken).ToListAsync(cancellationToken);
        long schemaLabels = categories.Sum(c => (long)labelSets.Where(s => s.Id == c.Id || s.CategoryIds.Contains(c.Id)).Sum(s => s.LabelIds.Count));
        if (schemaLabels > MaxSchemaLabels)
        {
            return $"its categories would list {schemaLabels} labels (each label set's labels under each of its categories), more than {MaxSchemaLabels}.";
        }

        foreach (var path in new[] { ArchiveEntries.AnnotationSets, ArchiveEntries.Annotations })
        {
            // Two readers: one stream each, so neither seeks the other's read-ahead away.
            using var items = await open(cancellationToken);
            await using var documents = archive.ReadNdjsonAsync<IdOnly>(ArchiveEntries.Documents, cancellationToken).GetAsyncEnumerator(cancellationToken);
            string? current = null;
            await foreach (var item in items.ReadNdjsonAsync<DocumentItem>(path, cancellationToken))
            {
                if (item.DocumentId is null)
                {
                    return $"{path}: an item without a documentId.";
                }

                while (current != item.DocumentId)
                {
                    if (!await documents.MoveNextAsync())
                    {
                        return $"{path}: the items of document '{item.DocumentId}' do not come in the order of documents.ndjson.";
                    }

                    current = documents.Current.Id;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Writes the export. On a failure part-way the zip is left without its central directory, so no reader takes a
    /// truncated export for a whole one (the caller also aborts the response).
    /// </summary>
    public static async Task WriteAsync(OpenArchive open, Stream output, CancellationToken cancellationToken)
    {
        using var archive = await open(cancellationToken);
        var folder = Folder(archive.Manifest.Source.ProjectId);
        await using var sink = new DeferredSyncWriteStream(output);
        var zip = await ZipArchive.CreateAsync(sink, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, cancellationToken);
        await WriteAllAsync(archive, open, new ZipSink(zip, sink), folder, cancellationToken);
        await zip.DisposeAsync();
        await sink.FlushAsync(cancellationToken);
    }

    private static async Task WriteAllAsync(SnapshotArchiveReader archive, OpenArchive open, ZipSink zip, string folder, CancellationToken cancellationToken)
    {
        var labels = await archive.ReadNdjsonAsync<Label>(ArchiveEntries.Labels, cancellationToken).ToListAsync(cancellationToken);
        var labelSets = await archive.ReadNdjsonAsync<LabelSet>(ArchiveEntries.LabelSets, cancellationToken).ToListAsync(cancellationToken);
        var categories = await archive.ReadNdjsonAsync<Category>(ArchiveEntries.Categories, cancellationToken).ToListAsync(cancellationToken);
        var schema = Schema(categories, labelSets, labels);
        await WriteJsonAsync(zip, folder + KonfuzioExport.CategoriesAndLabels, schema.Json, cancellationToken);

        await zip.WriteAsync(folder + KonfuzioExport.DocumentsMeta, async meta =>
        {
            await using var writer = new Utf8JsonWriter(meta, new JsonWriterOptions { Indented = true });
            writer.WriteStartArray();
            await foreach (var document in archive.ReadNdjsonAsync<Document>(ArchiveEntries.Documents, cancellationToken))
            {
                DocumentMeta(document, schema.CategoryIds).WriteTo(writer);
                if (writer.BytesPending > 64 * 1024)
                {
                    await writer.FlushAsync(cancellationToken);
                }
            }

            writer.WriteEndArray();
            await writer.FlushAsync(cancellationToken);
        }, cancellationToken);

        await WriteDocumentFoldersAsync(archive, open, zip, folder, schema, cancellationToken);
        await WriteProjectAndModelFilesAsync(archive, zip, folder, cancellationToken);
    }

    private static async Task WriteDocumentFoldersAsync(SnapshotArchiveReader archive, OpenArchive open, ZipSink zip, string folder, ExportSchema schema, CancellationToken cancellationToken)
    {
        // A reader (a stream with its own read-ahead) per entry read in step with the documents.
        using var setsArchive = await open(cancellationToken);
        using var annotationsArchive = await open(cancellationToken);
        using var files = await open(cancellationToken);
        await using var sets = new Lookahead<AnnotationSet>(setsArchive.ReadNdjsonAsync<AnnotationSet>(ArchiveEntries.AnnotationSets, cancellationToken));
        await using var annotations = new Lookahead<Annotation>(annotationsArchive.ReadNdjsonAsync<Annotation>(ArchiveEntries.Annotations, cancellationToken));
        await foreach (var document in archive.ReadNdjsonAsync<Document>(ArchiveEntries.Documents, cancellationToken))
        {
            var documentFolder = folder + KonfuzioExport.DocumentFolder(document.Id);
            var documentSets = await sets.TakeWhileAsync(s => s.DocumentId == document.Id);
            var documentAnnotations = await annotations.TakeWhileAsync(a => a.DocumentId == document.Id);

            // The SDK's loader fails on an empty list here, and accepts a missing file.
            if (documentSets.Count > 0)
            {
                await WriteJsonAsync(zip, documentFolder + KonfuzioExport.AnnotationSetsFile,
                    new JsonArray([.. documentSets.Select(s => AnnotationSetJson(s, schema))]), cancellationToken);
            }

            await WriteJsonAsync(zip, documentFolder + KonfuzioExport.AnnotationsFile,
                new JsonArray([.. documentAnnotations.Select(a => AnnotationJson(a, schema))]), cancellationToken);

            var text = document.Files.FirstOrDefault(f => f.Name == "document.txt");
            if (document.Pages is { ValueKind: JsonValueKind.Array } pages && text is not null
                && pages.GetArrayLength() == await CountPagesAsync(files, ArchiveEntries.DocumentFile(document.Id, text.Name)))
            {
                await WriteJsonAsync(zip, documentFolder + KonfuzioExport.PagesFile, JsonNode.Parse(pages.GetRawText())!, cancellationToken);
            }

            foreach (var file in document.Files)
            {
                await CopyAsync(files, zip, ArchiveEntries.DocumentFile(document.Id, file.Name), documentFolder + file.Name, cancellationToken);
            }
        }
    }

    private static async Task WriteProjectAndModelFilesAsync(SnapshotArchiveReader archive, ZipSink zip, string folder, CancellationToken cancellationToken)
    {
        var project = await archive.ReadNdjsonAsync<Project>(ArchiveEntries.Project, cancellationToken).ToListAsync(cancellationToken);
        foreach (var file in project.SelectMany(p => p.Files))
        {
            await CopyAsync(archive, zip, ArchiveEntries.ProjectFile(file.Name), folder + file.Name, cancellationToken);
        }

        await foreach (var ai in archive.ReadNdjsonAsync<AiModel>(ArchiveEntries.Ais, cancellationToken))
        {
            foreach (var file in ai.Files)
            {
                await CopyAsync(archive, zip, ArchiveEntries.AiFile(ai.Id, file.Name),
                    $"{folder}{KonfuzioExport.ModelsFolder}{KonfuzioModels.FolderOf(ai.Type)}/{file.Name}", cancellationToken);
            }
        }
    }

    /// <summary>
    /// Categories with their label sets and labels. The SDK looks labels up by name, and categories and labels must
    /// have unique names: a repeated name gets its id appended. A label set is listed under each of its categories.
    /// </summary>
    private static ExportSchema Schema(List<Category> categories, List<LabelSet> labelSets, List<Label> labels)
    {
        var labelNames = UniqueNames(labels.Select(l => (l.Id, l.Name)));
        var categoryNames = UniqueNames(categories.Select(c => (c.Id, c.Name)));
        var labelsById = labels.ToDictionary(l => l.Id, StringComparer.Ordinal);
        var setsById = labelSets.ToDictionary(s => s.Id, StringComparer.Ordinal);
        var json = new JsonArray();
        foreach (var category in categories)
        {
            var schema = new JsonArray();
            foreach (var set in labelSets.Where(s => s.Id == category.Id || s.CategoryIds.Contains(category.Id)).OrderBy(s => s.Id != category.Id))
            {
                var setJson = Extra(set.Extra, ClashingLabelSetKeys);
                setJson["id"] = JsonId(set.Id);
                setJson["name"] = set.Name;
                setJson["has_multiple_annotation_sets"] = set.HasMultipleSections;
                setJson["labels"] = new JsonArray([.. set.LabelIds.Where(labelsById.ContainsKey).Select(id => LabelJson(labelsById[id], labelNames[id]))]);
                schema.Add(setJson);
            }

            var categoryJson = Extra(category.Extra, ClashingLabelSetKeys);
            categoryJson["id"] = JsonId(category.Id);
            categoryJson["name"] = categoryNames[category.Id];
            categoryJson["description"] = category.Description;
            categoryJson["schema"] = schema;
            json.Add(categoryJson);
        }

        return new ExportSchema(json, categories.Select(c => c.Id).ToHashSet(StringComparer.Ordinal), setsById, labelNames);
    }

    private static JsonObject LabelJson(Label label, string name)
    {
        var json = Extra(label.Extra, ClashingLabelKeys);
        json["id"] = JsonId(label.Id);
        json["name"] = name;
        json["description"] = label.Description;
        json["data_type"] = label.DataType;
        // The SDK takes a label's data type from this key only (the v3 'data_type' it ignores).
        json["get_data_type_display"] = label.DataType;
        if (label.Threshold is { } threshold)
        {
            json["threshold"] = threshold;
        }

        json["has_multiple_top_candidates"] ??= false;
        return json;
    }

    private static JsonObject DocumentMeta(Document document, HashSet<string> categoryIds)
    {
        var json = Extra(document.Extra, ClashingDocumentKeys);
        json["id"] = JsonId(document.Id);
        json["data_file_name"] = document.Name;
        json["dataset_status"] = (int)document.DatasetStatus;
        json["category"] = document.CategoryId is { } category && categoryIds.Contains(category) ? JsonId(category) : null;
        json["number_of_pages"] = document.NumberOfPages;
        // Both must be there for the loader; 2 is "done".
        json["status_data"] ??= 2;
        if (!json.ContainsKey("updated_at"))
        {
            json["updated_at"] = null;
        }

        return json;
    }

    private static JsonObject AnnotationSetJson(AnnotationSet set, ExportSchema schema)
    {
        var json = Extra(set.Extra, new HashSet<string>(StringComparer.Ordinal) { "labels", "section_label", "label_set", "parent", "position" });
        json["id"] = JsonId(set.Id);
        json["label_set"] = LabelSetRef(set.LabelSetId, schema);
        return json;
    }

    private static JsonObject AnnotationJson(Annotation annotation, ExportSchema schema)
    {
        var json = Extra(annotation.Extra, new HashSet<string>(StringComparer.Ordinal)
        {
            "label", "label_set", "annotation_set", "span", "section", "section_label_id", "bboxes", "accuracy", "document",
        });
        json["id"] = JsonId(annotation.Id);
        json["label"] = new JsonObject { ["id"] = JsonId(annotation.LabelId), ["name"] = schema.LabelNames.GetValueOrDefault(annotation.LabelId) };
        json["label_set"] = LabelSetRef(annotation.LabelSetId, schema);
        json["annotation_set"] = annotation.AnnotationSetId is null ? null : JsonId(annotation.AnnotationSetId);
        json["span"] = Spans(annotation);
        json["offset_string"] = annotation.OffsetString;
        json["is_correct"] = annotation.IsCorrect;
        json["revised"] = annotation.Revised;
        json["confidence"] = annotation.Confidence;
        return json;
    }

    /// <summary>The spans as they came (v3 'span', legacy 'bboxes'); each needs its offsets, which the annotation's bounds give where missing.</summary>
    private static JsonArray Spans(Annotation annotation)
    {
        var spans = annotation.Bboxes is { ValueKind: JsonValueKind.Array } list ? JsonNode.Parse(list.GetRawText())!.AsArray() : [];
        if (spans.Count == 0 && annotation.StartOffset is not null && annotation.EndOffset is not null)
        {
            spans.Add(new JsonObject());
        }

        foreach (var span in spans.OfType<JsonObject>())
        {
            span["start_offset"] ??= annotation.StartOffset;
            span["end_offset"] ??= annotation.EndOffset;
        }

        return spans;
    }

    private static JsonObject? LabelSetRef(string? labelSetId, ExportSchema schema) =>
        labelSetId is not null && schema.LabelSets.TryGetValue(labelSetId, out var set)
            ? new JsonObject { ["id"] = JsonId(set.Id), ["name"] = set.Name, ["has_multiple_annotation_sets"] = set.HasMultipleSections }
            : null;

    private static Dictionary<string, string> UniqueNames(IEnumerable<(string Id, string Name)> items)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var taken = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (id, name) in items)
        {
            names[id] = taken.Add(name) ? name : $"{name} ({id})";
        }

        return names;
    }

    /// <summary>Konfuzio's ids are numbers: ids that are numbers are written as numbers, others as strings.</summary>
    private static JsonNode JsonId(string id) => long.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)
        ? JsonValue.Create(number)
        : JsonValue.Create(id);

    private static JsonObject Extra(Dictionary<string, JsonElement>? extra, HashSet<string> leaveOut)
    {
        var json = new JsonObject();
        foreach (var (key, value) in extra ?? [])
        {
            if (!leaveOut.Contains(key))
            {
                json[key] = JsonNode.Parse(value.GetRawText());
            }
        }

        return json;
    }

    private static async Task<int> CountPagesAsync(SnapshotArchiveReader archive, string path)
    {
        if (!archive.Has(path))
        {
            return -1;
        }

        // The SDK pairs the n-th entry of pages.json5 with the n-th form-feed-separated part of document.txt.
        using var reader = new StreamReader(archive.OpenEntry(path), Encoding.UTF8);
        var pages = 1;
        var buffer = new char[64 * 1024];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            pages += buffer.AsSpan(0, read).Count('\f');
        }

        return pages;
    }

    private static async Task CopyAsync(SnapshotArchiveReader archive, ZipSink zip, string from, string to, CancellationToken cancellationToken)
    {
        if (!archive.Has(from))
        {
            return;
        }

        await using var source = archive.OpenEntry(from);
        await zip.WriteAsync(to, target => source.CopyToAsync(target, cancellationToken), cancellationToken);
    }

    private static Task WriteJsonAsync(ZipSink zip, string path, JsonNode json, CancellationToken cancellationToken) =>
        zip.WriteAsync(path, async entry =>
        {
            await using var writer = new Utf8JsonWriter(entry, new JsonWriterOptions { Indented = true });
            json.WriteTo(writer, Indented);
            await writer.FlushAsync(cancellationToken);
        }, cancellationToken);

    /// <summary>Entries written one after the other, each sent on before the next begins.</summary>
    private sealed class ZipSink(ZipArchive zip, DeferredSyncWriteStream output)
    {
        private readonly HashSet<string> written = new(StringComparer.Ordinal);

        public async Task WriteAsync(string path, Func<Stream, Task> write, CancellationToken cancellationToken)
        {
            // Two files of one name (two AIs' model files, a file named like one this writer makes): the later gets a number.
            var name = path;
            for (var n = 2; !written.Add(name); n++)
            {
                name = $"{path[..^Path.GetExtension(path).Length]} ({n}){Path.GetExtension(path)}";
            }

            await using (var entry = await zip.CreateEntry(name, CompressionLevel.Fastest).OpenAsync(cancellationToken))
            {
                await write(entry);
            }

            await output.DrainAsync(cancellationToken);
        }
    }

    private sealed record ExportSchema(JsonArray Json, HashSet<string> CategoryIds, Dictionary<string, LabelSet> LabelSets, Dictionary<string, string> LabelNames);

    private sealed record IdOnly(string Id);

    private sealed record DocumentItem(string? DocumentId);

    /// <summary>An ordered stream read in runs: the items that match, stopping before the first that does not.</summary>
    private sealed class Lookahead<T>(IAsyncEnumerable<T> source) : IAsyncDisposable
        where T : class
    {
        private readonly IAsyncEnumerator<T> items = source.GetAsyncEnumerator();
        private T? next;
        private bool started;

        public async Task<List<T>> TakeWhileAsync(Func<T, bool> belongs)
        {
            if (!started)
            {
                started = true;
                next = await items.MoveNextAsync() ? items.Current : null;
            }

            var run = new List<T>();
            while (next is not null && belongs(next))
            {
                run.Add(next);
                next = await items.MoveNextAsync() ? items.Current : null;
            }

            return run;
        }

        public ValueTask DisposeAsync() => items.DisposeAsync();
    }
}
