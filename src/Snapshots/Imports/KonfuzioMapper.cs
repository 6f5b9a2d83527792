using System.Text.Json.Nodes;
using Snapshots.Projects;

namespace Snapshots.Imports;

/// <summary>
/// Maps the objects of a Konfuzio SDK project export onto the domain model. Each modelled field is taken out
/// of the source object; whatever is left is kept as the entity's extra fields.
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
            CategoryId = source.TakeId("category_template", file, required: false),
            NumberOfPages = source.TakeInt("number_of_pages"),
            Extra = source.Rest(),
        };
    }

    public static AnnotationSet ToAnnotationSet(JsonObject source, string documentId, string file) => new()
    {
        Id = source.TakeId("id", file)!,
        DocumentId = documentId,
        LabelSetId = source.TakeId("section_label", file, required: false),
        ParentId = source.TakeId("parent", file, required: false),
        Extra = source.Rest(),
    };

    public static Annotation ToAnnotation(JsonObject source, string documentId, string file) => new()
    {
        Id = source.TakeId("id", file)!,
        DocumentId = documentId,
        LabelId = source.TakeId("label", file)!,
        AnnotationSetId = source.TakeId("section", file, required: false),
        LabelSetId = source.TakeId("section_label_id", file, required: false),
        OffsetString = source.TakeString("offset_string"),
        StartOffset = source.TakeInt("start_offset"),
        EndOffset = source.TakeInt("end_offset"),
        Bboxes = source.TakeElement("bboxes"),
        IsCorrect = source.TakeBool("is_correct"),
        Revised = source.TakeBool("revised"),
        Confidence = source.TakeDouble("accuracy"),
        Extra = source.Rest(),
    };
}
