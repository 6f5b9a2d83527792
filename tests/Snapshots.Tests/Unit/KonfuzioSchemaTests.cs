using System.IO.Compression;
using System.Text.Json.Nodes;
using Snapshots.Imports;
using Snapshots.Projects;

namespace Snapshots.Tests.Unit;

/// <summary>How both Konfuzio layouts become labels, label sets and categories, and how v3 keys map.</summary>
public sealed class KonfuzioSchemaTests
{
    [Fact]
    public void A_current_layout_links_a_shared_label_set_to_each_category_and_makes_missing_default_label_sets()
    {
        var schema = Read(new()
        {
            ["categories_and_label_data.json5"] = """
                [{"id": 1, "name": "Invoice", "schema": [
                    {"id": 1, "name": "Invoice", "has_multiple_annotation_sets": false, "labels": [{"id": 10, "name": "Date", "data_type": "Date"}]},
                    {"id": 5, "name": "Item", "has_multiple_annotation_sets": true, "labels": [{"id": 11, "name": "Amount", "data_type": "Number", "threshold": 0.3}]}]},
                 {"id": 2, "name": "Receipt", "description": "till slips", "schema": [
                    {"id": 5, "name": "Item", "has_multiple_annotation_sets": true, "labels": [{"id": 11, "name": "Amount", "data_type": "Number", "threshold": 0.3}]}]}]
                """,
        });

        Assert.Equal(["1 Invoice", "2 Receipt"], schema.Categories.Select(c => $"{c.Id} {c.Name}"));
        Assert.Equal("till slips", schema.Categories[1].Description);
        Assert.Equal(["10 Date Date", "11 Amount Number"], schema.Labels.Select(l => $"{l.Id} {l.Name} {l.DataType}"));
        var sets = schema.LabelSets.ToDictionary(s => s.Id);
        Assert.Equal(["1", "5", "2"], sets.Keys);
        Assert.True(sets["1"].IsDefault && !sets["5"].IsDefault && sets["2"].IsDefault);
        Assert.Equal(["1", "2"], sets["5"].CategoryIds);
        Assert.True(sets["5"].HasMultipleSections);
        Assert.Equal(["2"], sets["2"].CategoryIds);
        Assert.Equal("Receipt", sets["2"].Name);
    }

    [Fact]
    public void A_legacy_link_given_only_by_the_category_is_kept()
    {
        var schema = Read(new()
        {
            ["labels.json5"] = """[{"id": 10, "text": "Date"}]""",
            ["label_sets.json5"] = """
                [{"id": 1, "name": "Invoice", "is_default": true, "labels": [10], "default_section_labels": [5]},
                 {"id": 5, "name": "Item", "is_default": false, "labels": [], "default_section_labels": []},
                 {"id": 6, "name": "Tax", "is_default": false, "labels": [], "default_section_labels": [1]}]
                """,
        });

        var sets = schema.LabelSets.ToDictionary(s => s.Id);
        Assert.Equal(["1"], sets["5"].CategoryIds);
        Assert.Equal(["1"], sets["6"].CategoryIds);
        Assert.Equal(["1"], sets["1"].CategoryIds);
        Assert.Equal("1", Assert.Single(schema.Categories).Id);
    }

    [Theory]
    [InlineData("""{"id": 3, "label": {"id": 10, "name": "Date"}, "label_set": {"id": 1, "name": "Invoice"}, "annotation_set": 7, "confidence": 0.5, "span": [{"start_offset": 4, "end_offset": 9}, {"start_offset": 12, "end_offset": 20}]}""")]
    [InlineData("""{"id": 3, "label": 10, "section_label_id": 1, "section": 7, "accuracy": 0.5, "start_offset": 4, "end_offset": 20, "bboxes": [{"start_offset": 4, "end_offset": 9}, {"start_offset": 12, "end_offset": 20}]}""")]
    public void An_annotation_maps_the_same_from_either_layout(string json)
    {
        var annotation = KonfuzioMapper.ToAnnotation(JsonNode.Parse(json)!.AsObject(), "d", "documents/d/annotations.json5");

        Assert.Equal(("10", "1", "7", 0.5, 4, 20), (annotation.LabelId, annotation.LabelSetId, annotation.AnnotationSetId, annotation.Confidence, annotation.StartOffset, annotation.EndOffset));
        Assert.Equal(2, annotation.Bboxes!.Value.GetArrayLength());
        Assert.Null(annotation.Extra);
    }

    [Theory]
    [InlineData("""{"id": 4, "category": 63}""", "63")]
    [InlineData("""{"id": 4, "category_template": 63}""", "63")]
    [InlineData("""{"id": 4, "category": 0}""", null)]
    [InlineData("""{"id": 4, "category": null, "category_template": 63}""", null)]
    public void A_document_takes_its_category_from_either_layout(string json, string? category) =>
        Assert.Equal(category, KonfuzioMapper.ToDocument(JsonNode.Parse(json)!.AsObject(), "documents_meta.json5").CategoryId);

    [Fact]
    public void An_export_with_neither_layout_names_both()
    {
        var error = Assert.Throws<ImportValidationException>(() => Read(new() { ["regex/x.json5"] = "[]" }));

        Assert.Contains("categories_and_label_data.json5", error.Message);
        Assert.Contains("labels.json5 and label_sets.json5", error.Message);
    }

    private static KonfuzioSchema Read(Dictionary<string, string> files)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (path, content) in files.Append(new("documents_meta.json5", "[]")))
            {
                using var writer = new StreamWriter(zip.CreateEntry(path).Open());
                writer.Write(content);
            }
        }

        using var archive = new ZipArchive(new MemoryStream(buffer.ToArray()), ZipArchiveMode.Read);
        return KonfuzioSchema.Read(KonfuzioExport.Open(archive));
    }
}
