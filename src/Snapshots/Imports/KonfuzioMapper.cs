using System.Text.Json.Nodes;
using Snapshots.Projects;

namespace Snapshots.Imports;

/// <summary>
/// Maps the objects of a Konfuzio SDK project export onto the domain model, in either layout (documents, annotation
/// sets and annotations are read by the key of each: v3's first, then the legacy one). Each modelled field is taken
/// out of the source object; whatever is left is kept as the entity's extra fields.
/// </summary>
internal static class KonfuzioMapper
{
    public static Label ToLabel(JsonObject source, string file) => new()
    {
        Id = source.TakeId("id", file)!,
        Name = source.TakeString("text") ?? throw new ImportValidationException(file, "a label has no 'text' (its name)."),
        Description = source.TakeString("description"),
        DataType = source.TakeString("get_data_type_display"),
        Threshold = source.TakeDouble("threshold"),
        Extra = source.Rest(),
    };

    /// <summary>A label of the current layout's category schema: <c>name</c> and <c>data_type</c> instead of <c>text</c>.</summary>
    public static Label ToCurrentLabel(JsonObject source, string file)
    {
        var id = source.TakeId("id", file)!;
        var name = source.TakeString("name") ?? throw new ImportValidationException(file, $"label {id} has no 'name'.");
        var dataType = source.TakeString("data_type");
        // The SDK's own spelling of the data type; taken when it says the same (or is all there is), else kept as it came.
        if (source["get_data_type_display"] is JsonValue display && display.TryGetValue<string>(out var shown) && (dataType is null || shown == dataType))
        {
            source.Remove("get_data_type_display");
            dataType ??= shown;
        }

        return new Label
        {
            Id = id,
            Name = name,
            Description = source.TakeString("description"),
            DataType = dataType,
            Threshold = source.TakeDouble("threshold"),
            Extra = source.Rest(),
        };
    }

    /// <summary>
    /// A label set in a category's <c>schema</c> (current layout): the category's default label set is the one with
    /// the category's id, as the SDK's loader decides it.
    /// </summary>
    public static LabelSet ToCurrentLabelSet(JsonObject source, string categoryId, List<string> labelIds, string file)
    {
        var id = source.TakeId("id", file)!;
        var isDefault = (source.TakeBool("is_default") ?? false) || id == categoryId;
        return new LabelSet
        {
            Id = id,
            Name = source.TakeString("name") ?? throw new ImportValidationException(file, $"label set {id} has no 'name'."),
            IsDefault = isDefault,
            HasMultipleSections = source.TakeBool("has_multiple_annotation_sets") ?? source.TakeBool("has_multiple_sections") ?? false,
            LabelIds = labelIds,
            CategoryIds = [categoryId],
            Extra = source.Rest(),
        };
    }

    /// <summary>A category of the current layout, without its <c>schema</c> (read by the caller).</summary>
    public static Category ToCurrentCategory(JsonObject source, string file)
    {
        var id = source.TakeId("id", file)!;
        return new Category
        {
            Id = id,
            Name = source.TakeString("name") ?? throw new ImportValidationException(file, $"category {id} has no 'name'."),
            Description = source.TakeString("description"),
            Extra = source.Rest(),
        };
    }

    /// <remarks>
    /// <c>default_section_labels</c> means two things: on a label set, the categories (default label sets) that use
    /// it; on a category's default label set, the label sets that category uses. A default label set belongs to its
    /// own category only, and keeps that list as it came (an extra field), so nothing is lost.
    /// </remarks>
    public static LabelSet ToLabelSet(JsonObject source, string file)
    {
        var id = source.TakeId("id", file)!;
        var isDefault = source.TakeBool("is_default") ?? false;
        return new LabelSet
        {
            Id = id,
            Name = source.TakeString("name") ?? throw new ImportValidationException(file, "a label set has no 'name'."),
            IsDefault = isDefault,
            HasMultipleSections = source.TakeBool("has_multiple_sections") ?? false,
            LabelIds = source.TakeIdList("labels"),
            CategoryIds = isDefault ? [id] : source.TakeIdList("default_section_labels"),
            Extra = source.Rest(),
        };
    }

    /// <summary>In a Konfuzio export the categories are the label sets marked <c>is_default</c>.</summary>
    public static Category ToCategory(LabelSet defaultLabelSet) => new()
    {
        Id = defaultLabelSet.Id,
        Name = defaultLabelSet.Name,
    };

    public static Document ToDocument(JsonObject source, string file)
    {
        var id = source.TakeId("id", file)!;
        var status = source.TakeInt("dataset_status") ?? 0;
        if (!Enum.IsDefined((DatasetStatus)status))
        {
            throw new ImportValidationException(file, $"document {id} has an unknown dataset_status {status} (0-4 expected).");
        }

        return new Document
        {
            Id = id,
            Name = source.TakeString("data_file_name") ?? $"document-{id}",
            DatasetStatus = (DatasetStatus)status,
            // v3 says 'category', the legacy layout 'category_template'; 0 is the SDK's "no category".
            CategoryId = (source.ContainsKey("category") ? source.TakeId("category", file, required: false) : source.TakeId("category_template", file, required: false))
                is { } category && category != "0" ? category : null,
            NumberOfPages = source.TakeInt("number_of_pages"),
            Extra = source.Rest(),
        };
    }

    public static AnnotationSet ToAnnotationSet(JsonObject source, string documentId, string file) => new()
    {
        Id = source.TakeId("id", file)!,
        DocumentId = documentId,
        LabelSetId = source.ContainsKey("label_set") ? source.TakeRef("label_set", file) : source.TakeId("section_label", file, required: false),
        ParentId = source.TakeId("parent", file, required: false),
        Extra = source.Rest(),
    };

    public static Annotation ToAnnotation(JsonObject source, string documentId, string file)
    {
        var id = source.TakeId("id", file)!;
        var labelId = source.TakeRef("label", file, required: true)!;
        var annotationSetId = source.ContainsKey("annotation_set") ? source.TakeId("annotation_set", file, required: false) : source.TakeId("section", file, required: false);
        var labelSetId = source.ContainsKey("label_set") ? source.TakeRef("label_set", file) : source.TakeId("section_label_id", file, required: false);
        // v3 calls the boxes with their offsets 'span', the legacy layout 'bboxes'; both are kept as they came.
        var spans = source.ContainsKey("span") ? source.TakeElement("span") : source.TakeElement("bboxes");
        return new Annotation
        {
            Id = id,
            DocumentId = documentId,
            LabelId = labelId,
            AnnotationSetId = annotationSetId,
            LabelSetId = labelSetId,
            OffsetString = source.TakeString("offset_string"),
            StartOffset = source.TakeInt("start_offset") ?? SpanBound(spans, "start_offset", Math.Min),
            EndOffset = source.TakeInt("end_offset") ?? SpanBound(spans, "end_offset", Math.Max),
            Bboxes = spans,
            IsCorrect = source.TakeBool("is_correct"),
            Revised = source.TakeBool("revised"),
            Confidence = source.TakeDouble("confidence") ?? source.TakeDouble("accuracy"),
            Extra = source.Rest(),
        };
    }

    /// <summary>The first start or last end of an annotation's spans, where v3 keeps its offsets.</summary>
    private static int? SpanBound(System.Text.Json.JsonElement? spans, string name, Func<int, int, int> pick)
    {
        if (spans is not { ValueKind: System.Text.Json.JsonValueKind.Array } list)
        {
            return null;
        }

        int? bound = null;
        foreach (var span in list.EnumerateArray())
        {
            if (span.ValueKind == System.Text.Json.JsonValueKind.Object && span.TryGetProperty(name, out var value) && value.TryGetInt32(out var offset))
            {
                bound = bound is { } current ? pick(current, offset) : offset;
            }
        }

        return bound;
    }
}
