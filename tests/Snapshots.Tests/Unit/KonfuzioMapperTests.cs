using System.Text.Json.Nodes;
using Snapshots.Imports;
using Snapshots.Projects;

namespace Snapshots.Tests.Unit;

public sealed class KonfuzioMapperTests
{
    [Fact]
    public void A_field_of_an_unexpected_type_stays_among_the_extra_fields()
    {
        var source = JsonNode.Parse("""{"id": 5, "text": "Total", "threshold": "high", "colour": "#fff"}""")!.AsObject();

        var label = KonfuzioMapper.ToLabel(source, "labels.json5");

        Assert.Null(label.Threshold);
        Assert.Equal("high", label.Extra!["threshold"].GetString());
        Assert.Equal("#fff", label.Extra["colour"].GetString());
    }

    [Fact]
    public void Default_label_sets_are_the_categories()
    {
        var set = KonfuzioMapper.ToLabelSet(JsonNode.Parse("""{"id": 63, "name": "Lohnabrechnung", "is_default": true, "labels": [1, 2]}""")!.AsObject(), "label_sets.json5");

        var category = KonfuzioMapper.ToCategory(set);

        Assert.True(set.IsDefault);
        Assert.Equal(["1", "2"], set.LabelIds);
        Assert.Equal(("63", "Lohnabrechnung"), (category.Id, category.Name));
    }

    [Fact]
    public void An_annotation_without_a_label_is_rejected_with_the_file_name()
    {
        var error = Assert.Throws<ImportValidationException>(() =>
            KonfuzioMapper.ToAnnotation(JsonNode.Parse("""{"id": 1}""")!.AsObject(), "7", "documents/7/annotations.json5"));

        Assert.Equal("documents/7/annotations.json5", error.File);
        Assert.Contains("'label'", error.Message);
    }

    [Theory]
    [InlineData(0, DatasetStatus.None)]
    [InlineData(2, DatasetStatus.Training)]
    [InlineData(3, DatasetStatus.Test)]
    [InlineData(4, DatasetStatus.Excluded)]
    public void Dataset_status_codes_map_as_in_Konfuzio(int code, DatasetStatus expected)
    {
        var document = KonfuzioMapper.ToDocument(JsonNode.Parse($$"""{"id": 1, "dataset_status": {{code}}}""")!.AsObject(), "documents_meta.json5");

        Assert.Equal(expected, document.DatasetStatus);
    }
}
