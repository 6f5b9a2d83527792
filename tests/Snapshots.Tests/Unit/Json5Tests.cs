using System.Text;
using Snapshots.Imports;

namespace Snapshots.Tests.Unit;

public sealed class Json5Tests
{
    [Fact]
    public void Reads_comments_trailing_commas_single_quotes_unquoted_keys_and_hex()
    {
        var node = Json5.Parse(Stream("""
            // a comment
            { name: 'Invoice', /* inline */ "count": 0x1F, list: [1, 2,], nested: {a: .5,}, }
            """), "x.json5")!.AsObject();

        Assert.Equal("Invoice", node["name"]!.GetValue<string>());
        Assert.Equal(31, node["count"]!.GetValue<int>());
        Assert.Equal(2, node["list"]!.AsArray().Count);
        Assert.Equal(0.5, node["nested"]!["a"]!.GetValue<double>());
    }

    [Fact]
    public void Keeps_date_like_strings_as_written()
    {
        var node = Json5.Parse(Stream("{updated_at: '2022-06-17T19:39:05.537090+02:00'}"), "x.json5")!;

        Assert.Equal("2022-06-17T19:39:05.537090+02:00", node["updated_at"]!.GetValue<string>());
    }

    [Fact]
    public void Malformed_input_names_the_file_line_and_column()
    {
        var error = Assert.Throws<ImportValidationException>(() => Json5.Parse(Stream("[\n  {id: 1,\n  name: }\n]"), "labels.json5"));

        Assert.Equal("labels.json5", error.File);
        Assert.Contains("line 3", error.Message);
        Assert.Contains("malformed JSON5", error.Message);
    }

    [Fact]
    public void Content_after_the_document_is_rejected()
    {
        var error = Assert.Throws<ImportValidationException>(() => Json5.Parse(Stream("[] []"), "a.json5"));

        Assert.Equal("a.json5", error.File);
        Assert.Contains("line 1", error.Message);
    }

    [Fact]
    public void Streams_the_objects_of_a_top_level_array_one_by_one()
    {
        var items = Json5.ReadArrayObjects(Stream("[{id: 1}, // one\n {id: 2},]"), "meta.json5").ToList();

        Assert.Equal(["1", "2"], items.Select(i => i["id"]!.ToString()));
    }

    [Fact]
    public void A_non_array_where_an_array_is_expected_is_rejected()
    {
        var error = Assert.Throws<ImportValidationException>(() => Json5.ReadArrayObjects(Stream("{id: 1}"), "meta.json5").ToList());

        Assert.Contains("array", error.Message);
    }

    private static MemoryStream Stream(string text) => new(Encoding.UTF8.GetBytes(text));
}
