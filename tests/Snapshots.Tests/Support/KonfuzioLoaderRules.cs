using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Snapshots.Tests.Support;

/// <summary>
/// The rules the Konfuzio SDK's offline loader (<c>Project(id_=None, project_folder=...)</c>, konfuzio_sdk 0.3.x
/// data.py) enforces on a project folder in the current layout, checked on a zip of one: what it requires, rejects
/// or silently drops. Each violation names the file and the rule.
/// </summary>
public static class KonfuzioLoaderRules
{
    public static List<string> Violations(byte[] zipBytes)
    {
        var problems = new List<string>();
        using var zip = new ZipArchive(new MemoryStream(zipBytes), ZipArchiveMode.Read);
        var roots = zip.Entries.Select(e => e.FullName.Split('/')[0]).Distinct().ToList();
        if (roots.Count != 1 || !roots[0].StartsWith("data_", StringComparison.Ordinal))
        {
            return [$"one folder data_<id>/ expected at the root, found {string.Join(", ", roots)}"];
        }

        var root = roots[0] + "/";
        var files = zip.Entries.Where(e => !e.FullName.EndsWith('/')).ToDictionary(e => e.FullName[root.Length..], StringComparer.Ordinal);
        JsonNode? Json(string path)
        {
            if (!files.TryGetValue(path, out var entry))
            {
                return null;
            }

            try
            {
                // The SDK reads its .json5 files with Python's json module: strict JSON, no comments, no trailing commas.
                using var stream = entry.Open();
                return JsonNode.Parse(stream, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
            }
            catch (JsonException ex)
            {
                problems.Add($"{path}: not strict JSON ({ex.Message})");
                return null;
            }
        }

        foreach (var legacy in new[] { "labels.json5", "label_sets.json5" }.Where(files.ContainsKey))
        {
            problems.Add($"{legacy}: present, so the loader would read the legacy layout instead");
        }

        var schema = CheckSchema(Json("categories_and_label_data.json5"), problems);
        if (Json("documents_meta.json5") is not JsonArray documents)
        {
            problems.Add("documents_meta.json5: missing or not a list");
            return problems;
        }

        var documentIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var document in documents.OfType<JsonObject>())
        {
            var id = document["id"]?.ToString();
            if (id is null || !documentIds.Add(id))
            {
                problems.Add($"documents_meta.json5: a document without an id or listed twice ({id})");
                continue;
            }

            CheckDocument(id, document, schema, files, Json, problems);
        }

        return problems;
    }

    private static Schema CheckSchema(JsonNode? categoriesFile, List<string> problems)
    {
        var schema = new Schema();
        if (categoriesFile is not JsonArray categories)
        {
            problems.Add("categories_and_label_data.json5: missing or not a list (a wrapped {\"categories\": ...} is not loaded)");
            return schema;
        }

        var categoryNames = new HashSet<string>(StringComparer.Ordinal);
        var labelNames = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var category in categories.OfType<JsonObject>())
        {
            var categoryId = category["id"]?.ToString();
            if (categoryId is null || category["name"]?.GetValue<string>() is not { } name || !categoryNames.Add(name))
            {
                problems.Add($"categories_and_label_data.json5: category {categoryId}: no id, no name, or a name another category has");
                continue;
            }

            schema.Categories.Add(categoryId);
            foreach (var set in (category["schema"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var setId = set["id"]?.ToString();
                var where = $"categories_and_label_data.json5: label set {setId}";
                if (setId is null || set["name"] is null || set["labels"] is not JsonArray labels)
                {
                    problems.Add($"{where}: needs id, name and a labels list");
                    continue;
                }

                if (set.ContainsKey("project") || set.ContainsKey("id_") || (set["categories"] is { } linked && (linked is not JsonArray list || list.Any(c => c is not JsonObject))))
                {
                    problems.Add($"{where}: a key LabelSet(**dict) cannot take (project, id_, categories other than a list of objects)");
                }

                // A label set under several categories is one object in the SDK, linked to the first category only.
                schema.FirstCategoryOf.TryAdd(setId, categoryId);
                schema.MultipleSets[setId] = set["has_multiple_annotation_sets"]?.GetValue<bool>() ?? false;
                var setLabels = schema.LabelsOf.TryGetValue(setId, out var known) ? known : schema.LabelsOf[setId] = [];
                foreach (var label in labels.OfType<JsonObject>())
                {
                    var labelId = label["id"]?.ToString();
                    var labelName = label["name"]?.GetValue<string>();
                    if (labelId is null || labelName is null)
                    {
                        problems.Add($"{where}: a label without id or name");
                        continue;
                    }

                    foreach (var clash in new[] { "text", "project", "id_", "label_sets" }.Where(label.ContainsKey))
                    {
                        problems.Add($"{where}: label {labelId} has '{clash}', which Label(**dict) cannot take");
                    }

                    // Labels are de-duplicated by name and looked up by id: one name, one id.
                    if (labelNames.TryGetValue(labelName, out var other) && other != labelId)
                    {
                        problems.Add($"{where}: labels {other} and {labelId} share the name '{labelName}'");
                    }

                    labelNames[labelName] = labelId;
                    setLabels.Add(labelId);
                    schema.Labels.Add(labelId);
                }
            }
        }

        return schema;
    }

    private static void CheckDocument(string id, JsonObject document, Schema schema, Dictionary<string, ZipArchiveEntry> files, Func<string, JsonNode?> json, List<string> problems)
    {
        var where = $"documents_meta.json5: document {id}";
        foreach (var required in new[] { "updated_at", "status_data" }.Where(k => !document.ContainsKey(k)))
        {
            problems.Add($"{where}: no '{required}'");
        }

        if (document["updated_at"] is JsonValue updated && !DateTimeOffset.TryParse(updated.GetValue<string>(), CultureInfo.InvariantCulture, out _))
        {
            problems.Add($"{where}: updated_at is not ISO-8601");
        }

        foreach (var overriding in new[] { "text", "bbox", "pages" }.Where(document.ContainsKey))
        {
            problems.Add($"{where}: '{overriding}' would be read instead of the document's files");
        }

        var category = document["category"]?.ToString();
        if (category is not null && category != "0" && !schema.Categories.Contains(category))
        {
            problems.Add($"{where}: unknown category {category}");
        }

        var folder = $"documents/{id}/";
        var pages = json(folder + "pages.json5");
        if (pages is not null)
        {
            var text = files.TryGetValue(folder + "document.txt", out var entry) ? new StreamReader(entry.Open(), Encoding.UTF8).ReadToEnd() : null;
            if (text is null || pages is not JsonArray list || list.Count != text.Split('\f').Length)
            {
                problems.Add($"{folder}pages.json5: needs document.txt and one entry per form-feed-separated page");
            }
            else if (list.Any(p => p is not JsonObject page || new[] { "id", "number", "original_size", "size" }.Any(k => !page.ContainsKey(k))))
            {
                problems.Add($"{folder}pages.json5: a page without id, number, original_size or size");
            }
        }

        if (files.TryGetValue(folder + "bbox.zip", out var bbox))
        {
            using var inner = new ZipArchive(bbox.Open(), ZipArchiveMode.Read);
            if (inner.GetEntry("bbox.json5") is null)
            {
                problems.Add($"{folder}bbox.zip: no bbox.json5 inside");
            }
        }

        var setLabelSets = new Dictionary<string, string>(StringComparer.Ordinal);
        if (json(folder + "annotation_sets.json5") is { } setsFile)
        {
            if (setsFile is not JsonArray sets || sets.Count == 0)
            {
                problems.Add($"{folder}annotation_sets.json5: must be a non-empty list (the loader fails on [])");
            }
            else
            {
                foreach (var set in sets.OfType<JsonObject>())
                {
                    var labelSet = (set["label_set"] as JsonObject)?["id"]?.ToString();
                    if (set["id"] is null || labelSet is null || !schema.LabelsOf.ContainsKey(labelSet))
                    {
                        problems.Add($"{folder}annotation_sets.json5: {set["id"]}: needs an id and a label_set object of a known label set");
                        continue;
                    }

                    setLabelSets[set["id"]!.ToString()] = labelSet;
                }
            }
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var annotation in (json(folder + "annotations.json5") as JsonArray ?? []).OfType<JsonObject>())
        {
            CheckAnnotation(folder, category, annotation, schema, setLabelSets, seen, problems);
        }
    }

    private static void CheckAnnotation(
        string folder, string? category, JsonObject annotation, Schema schema, Dictionary<string, string> setLabelSets, HashSet<string> seen, List<string> problems)
    {
        var where = $"{folder}annotations.json5: annotation {annotation["id"]}";
        var label = annotation["label"] is JsonObject labelObject ? labelObject["id"]?.ToString() : annotation["label"]?.ToString();
        var labelSet = (annotation["label_set"] as JsonObject)?["id"]?.ToString();
        if (annotation["id"] is null || !annotation.ContainsKey("annotation_set") || label is null || labelSet is null)
        {
            problems.Add($"{where}: needs id, annotation_set, label and a label_set object");
            return;
        }

        if (annotation["span"] is not JsonArray spans || spans.Count == 0
            || spans.Any(s => s is not JsonObject span || span["start_offset"] is null || span["end_offset"] is null
                || span["start_offset"]!.GetValue<int>() < 0 || span["start_offset"]!.GetValue<int>() >= span["end_offset"]!.GetValue<int>()))
        {
            problems.Add($"{where}: needs spans with 0 <= start_offset < end_offset");
            return;
        }

        if (!schema.LabelsOf.TryGetValue(labelSet, out var labels) || !labels.Contains(label))
        {
            problems.Add($"{where}: label {label} is not a label of label set {labelSet}");
        }

        if (schema.MultipleSets.GetValueOrDefault(labelSet))
        {
            var set = annotation["annotation_set"]?.ToString();
            if (set is null || !setLabelSets.TryGetValue(set, out var setLabelSet) || setLabelSet != labelSet)
            {
                problems.Add($"{where}: label set {labelSet} allows several annotation sets, so annotation_set must be one of the document's, of that label set");
            }
        }

        if (category is not null && category != "0" && schema.FirstCategoryOf.GetValueOrDefault(labelSet) != category)
        {
            problems.Add($"{where}: label set {labelSet} is not (first) linked to the document's category {category}");
        }

        var key = label + " " + string.Join(",", spans.Select(s => $"{s!["start_offset"]}-{s["end_offset"]}"));
        if (!seen.Add(key))
        {
            problems.Add($"{where}: the same label on the same spans as another annotation");
        }
    }

    private sealed class Schema
    {
        public HashSet<string> Categories { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Labels { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, HashSet<string>> LabelsOf { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, string> FirstCategoryOf { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, bool> MultipleSets { get; } = new(StringComparer.Ordinal);
    }
}
