using System.IO.Compression;
using System.Text;
using Snapshots.Imports;
using Snapshots.Naming;

namespace Snapshots.Tests.Unit;

public sealed class NamePolicyTests
{
    [Theory]
    [InlineData("labels.ndjson")]
    [InlineData("files/documents/44823/page_1.png")]
    [InlineData("regex/Lohnabrechnung_Austellungsdatum.json5")]
    [InlineData("documents/44823/vermögenswirksame Leistungen.pdf")]
    [InlineData("a/.hidden/b..c")]
    public void Ordinary_relative_paths_pass(string path) => Assert.Null(NamePolicy.PathProblem(path));

    [Theory]
    [InlineData("", "empty")]
    [InlineData("../x", "'..' segment")]
    [InlineData("a/../../b", "'..' segment")]
    [InlineData("a/./b", "'.' segment")]
    [InlineData("/etc/passwd", "absolute")]
    [InlineData("C:/Windows", "drive")]
    [InlineData("c:x", "drive")]
    [InlineData("a:stream", "':'")]
    [InlineData("a\\..\\b", "backslash")]
    [InlineData("a//b", "empty segment")]
    [InlineData("a/", "empty segment")]
    [InlineData("a\0b", "control character")]
    [InlineData("a\u001bb", "control character")]
    [InlineData("a\u0085b", "control character")]
    public void Hostile_paths_are_refused_with_the_reason(string path, string reason) =>
        Assert.Contains(reason, NamePolicy.PathProblem(path));

    [Fact]
    public void Length_limits_hold_per_segment_and_in_total()
    {
        Assert.Null(NamePolicy.PathProblem(new string('a', NamePolicy.MaxSegmentLength)));
        Assert.Contains("segment longer", NamePolicy.PathProblem(new string('a', NamePolicy.MaxSegmentLength + 1)));
        var longest = string.Join('/', Enumerable.Repeat(new string('a', 99), 5)) + "/" + new string('b', NamePolicy.MaxPathLength - 500);
        Assert.Equal(NamePolicy.MaxPathLength, longest.Length);
        Assert.Null(NamePolicy.PathProblem(longest));
        Assert.Contains("longer than 512", NamePolicy.PathProblem(longest + "b"));
    }

    [Fact]
    public void A_lone_surrogate_is_a_broken_character() => Assert.Contains("broken character", NamePolicy.PathProblem("a" + (char)0xD800 + "b"));

    [Fact]
    public void Limits_hold_for_the_normalised_form_and_the_segment_count()
    {
        // U+FB2C normalises (NFC) to three characters.
        Assert.Contains("longer than 512", NamePolicy.PathProblem(new string('\uFB2C', 200)));
        Assert.Contains("more than 64 segments", NamePolicy.PathProblem(string.Join('/', Enumerable.Repeat("a", 65))));
        Assert.Null(NamePolicy.PathProblem(string.Join('/', Enumerable.Repeat("a", 64))));
    }

    [Fact]
    public void A_file_name_has_no_folders() => Assert.Contains("is a path", NamePolicy.FileNameProblem("models/model.pt"));

    [Theory]
    [InlineData("44823", true)]
    [InlineData("a-b_C9", true)]
    [InlineData("", false)]
    [InlineData("../x", false)]
    [InlineData("a/b", false)]
    [InlineData("a#b", false)]
    [InlineData("é", false)]
    [InlineData("_project", false)]
    [InlineData("a_b", true)]
    public void Ids_have_a_closed_alphabet(string id, bool valid) => Assert.Equal(valid, NamePolicy.IsValidId(id));

    [Fact]
    public void Ids_are_at_most_64_characters()
    {
        Assert.True(NamePolicy.IsValidId(new string('a', 64)));
        Assert.False(NamePolicy.IsValidId(new string('a', 65)));
    }

    [Fact]
    public void Two_spellings_of_one_name_normalise_to_one()
    {
        Assert.Equal(NamePolicy.Normalize("caf\u00e9"), NamePolicy.Normalize("cafe\u0301"));
        Assert.NotEqual("caf\u00e9", "cafe\u0301");
    }

    [Fact]
    public void A_symbolic_link_entry_is_refused()
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            zip.CreateEntry("link").ExternalAttributes = unchecked((int)(0xA1FFu << 16));
            zip.CreateEntry("file").ExternalAttributes = unchecked((int)(0x81A4u << 16));
        }

        using var read = new ZipArchive(buffer, ZipArchiveMode.Read);
        Assert.Contains("symbolic link", NamePolicy.EntryProblem(read.GetEntry("link")!));
        Assert.Null(NamePolicy.EntryProblem(read.GetEntry("file")!));
    }

    [Fact]
    public void Printing_a_name_shows_control_characters_escaped() => Assert.Equal("a\\u0000b", NamePolicy.Printable("a\0b"));

    [Fact]
    public void Counting_a_long_array_stops_past_the_limit()
    {
        var items = "[" + string.Join(",", Enumerable.Range(0, 10_000).Select(i => $"{{id:{i}, nested: {{a: [1, 2]}}}}")) + "]";

        Assert.Equal(10_000, Json5.CountArrayItems(new MemoryStream(Encoding.UTF8.GetBytes(items)), "m.json5", 1_000_000));
        Assert.Equal(101, Json5.CountArrayItems(new MemoryStream(Encoding.UTF8.GetBytes(items)), "m.json5", 100));
    }
}
