using System.IO.Compression;
using System.Net;
using System.Text;
using Snapshots.Tests.Support;

namespace Snapshots.Tests.EndToEnd;

/// <summary>
/// Konfuzio exports built to escape or exhaust: each is refused naming what is wrong, and every blob and every Cosmos
/// item of the environment (every other project's included) is exactly as before. What the zip's central directory
/// shows (entry names, sizes, ratios) the upload request refuses with a 4xx; what only reading the contents shows,
/// the import operation the request started (202) fails with.
/// </summary>
[Collection(RestoreSafetyTestGroup.Name)]
public sealed class HostileKonfuzioExportTests(ServiceFixture service)
{
    private const string Victim = "victim-project";

    /// <summary>Accepted, then refused by the import operation.</summary>
    private const HttpStatusCode ImportFails = HttpStatusCode.Accepted;

    public static TheoryData<string, HttpStatusCode, string> Attacks() => new()
    {
        { "entry climbing with slashes", HttpStatusCode.BadRequest, "has a '..' segment" },
        { "entry climbing with backslashes", HttpStatusCode.BadRequest, "contains a backslash" },
        { "absolute entry", HttpStatusCode.BadRequest, "is absolute" },
        { "entry on a drive", HttpStatusCode.BadRequest, "names a drive" },
        { "entry with a NUL", HttpStatusCode.BadRequest, "control character" },
        { "entry with an empty segment", HttpStatusCode.BadRequest, "empty segment" },
        { "entry with a 300-character segment", HttpStatusCode.BadRequest, "longer than 255" },
        { "document id that climbs", ImportFails, "is not a valid id" },
        { "document id with a slash", ImportFails, "is not a valid id" },
        { "label id with a hash", ImportFails, "is not a valid id" },
        { "duplicate entries", HttpStatusCode.BadRequest, "twice" },
        { "duplicate entries after NFC", HttpStatusCode.BadRequest, "twice" },
        { "symbolic link entry", HttpStatusCode.BadRequest, "symbolic link" },
        { "entry over the size limit", HttpStatusCode.RequestEntityTooLarge, "MaxEntryBytes" },
        { "zip bomb by ratio", HttpStatusCode.RequestEntityTooLarge, "compression ratio" },
        { "JSON5 nested 10 000 levels deep", ImportFails, "labels.json5" },
        { "meta listing 10 million documents", HttpStatusCode.RequestEntityTooLarge, "documents_meta.json5" },
        { "labels that are not JSON5", ImportFails, "malformed JSON5" },
        { "labels as an object", ImportFails, "expected a JSON5 array" },
        { "label id of the wrong type", ImportFails, "must be a number or a string" },
        { "annotations as a number", ImportFails, "annotations.json5" },
        { "document of an unknown category", ImportFails, "unknown category 999999" },
        { "annotations file over the JSON5 limit", ImportFails, "MaxJsonFileBytes" },
    };

    [Theory]
    [MemberData(nameof(Attacks))]
    public async Task A_hostile_export_is_refused_and_changes_nothing_anywhere(string attack, HttpStatusCode status, string expected)
    {
        var zip = Build(attack);
        var before = await EnvironmentState.ReadSettledAsync(service.Services);

        var refusal = await service.Http.UploadRefusedAsync("/api/imports?name=hostile", zip);

        Assert.True(status == refusal.Status, $"{attack}: {(int)refusal.Status} {refusal.Reason}");
        Assert.Contains(expected, refusal.Reason, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain('\n', refusal.Reason);
        Assert.Equal(before, await EnvironmentState.ReadSettledAsync(service.Services));
    }

    private static byte[] Build(string attack) => attack switch
    {
        "entry climbing with slashes" => WithEntry($"regex/../../{Victim}/_project/regex/evil.json5", "[]"),
        "entry climbing with backslashes" => WithEntry($"regex\\..\\..\\{Victim}\\evil.json5", "[]"),
        "absolute entry" => WithEntry("/etc/evil.json5", "[]"),
        "entry on a drive" => WithEntry("C:/evil.json5", "[]"),
        "entry with a NUL" => WithEntry("regex/evil\0.json5", "[]"),
        "entry with an empty segment" => WithEntry("regex//evil.json5", "[]"),
        "entry with a 300-character segment" => WithEntry("regex/" + new string('a', 300), "[]"),
        "document id that climbs" => ExportArchives.SmallFixture(new Dictionary<string, string?> { ["documents_meta.json5"] = """[{"id": "../../victim", "data_file_name": "x.pdf"}]""" }),
        "document id with a slash" => ExportArchives.SmallFixture(new Dictionary<string, string?> { ["documents_meta.json5"] = """[{"id": "a/b", "data_file_name": "x.pdf"}]""" }),
        "label id with a hash" => ExportArchives.SmallFixture(new Dictionary<string, string?> { ["labels.json5"] = """[{"id": "a#b", "text": "x"}]""" }),
        "duplicate entries" => Edit(zip => { Add(zip, "regex/twice.json5", "[]"); Add(zip, "regex/twice.json5", "[]"); }),
        "duplicate entries after NFC" => Edit(zip => { Add(zip, "regex/caf\u00e9.json5", "[]"); Add(zip, "regex/cafe\u0301.json5", "[]"); }),
        "symbolic link entry" => Edit(zip =>
        {
            var link = zip.CreateEntry("regex/link");
            link.ExternalAttributes = unchecked((int)(0xA1FFu << 16));
            using var target = new StreamWriter(link.Open());
            target.Write($"../../{Victim}");
        }),
        "entry over the size limit" => Edit(zip =>
        {
            var random = new byte[ServiceFixture.MaxEntryBytes + 1];
            new Random(7).NextBytes(random);
            using var entry = zip.CreateEntry("documents/44823/huge.bin", CompressionLevel.NoCompression).Open();
            entry.Write(random);
        }),
        "zip bomb by ratio" => ExportArchives.SmallFixture(new Dictionary<string, string?> { ["documents/44823/document.txt"] = new string('0', 4 * 1024 * 1024) }),
        "JSON5 nested 10 000 levels deep" => ExportArchives.SmallFixture(new Dictionary<string, string?> { ["labels.json5"] = new string('[', 10_000) + new string(']', 10_000) }),
        "meta listing 10 million documents" => Edit(zip =>
        {
            zip.GetEntry("documents_meta.json5")!.Delete();
            using var writer = new StreamWriter(zip.CreateEntry("documents_meta.json5", CompressionLevel.Optimal).Open(), Encoding.UTF8, 1 << 16);
            writer.Write('[');
            for (var i = 0; i < 10_000_000; i++)
            {
                writer.Write("{id:");
                writer.Write(i);
                writer.Write("},");
            }

            writer.Write(']');
        }),
        "labels that are not JSON5" => ExportArchives.SmallFixture(new Dictionary<string, string?> { ["labels.json5"] = "labels: a, b and c" }),
        "labels as an object" => ExportArchives.SmallFixture(new Dictionary<string, string?> { ["labels.json5"] = """{"id": 1}""" }),
        "label id of the wrong type" => ExportArchives.SmallFixture(new Dictionary<string, string?> { ["labels.json5"] = """[{"id": {"nested": true}, "text": "x"}]""" }),
        "document of an unknown category" => ExportArchives.SmallFixture(new Dictionary<string, string?> { ["documents_meta.json5"] = """[{"id": 44823, "data_file_name": "x.pdf", "category_template": 999999}]""" }),
        "annotations file over the JSON5 limit" => ExportArchives.SmallFixture(new Dictionary<string, string?>
        {
            ["documents/44823/annotations.json5"] = "[" + string.Join(",", Enumerable.Range(0, 200_000).Select(i => (i * 7919L % 1_000_003).ToString(System.Globalization.CultureInfo.InvariantCulture))) + "]",
        }),
        "annotations as a number" => ExportArchives.SmallFixture(new Dictionary<string, string?> { ["documents/44823/annotations.json5"] = "42" }),
        _ => throw new ArgumentOutOfRangeException(nameof(attack), attack, null),
    };

    private static byte[] WithEntry(string name, string content) => Edit(zip => Add(zip, name, content));

    /// <summary>The small fixture with entries added (or changed) directly in the zip, names exactly as given.</summary>
    private static byte[] Edit(Action<ZipArchive> change)
    {
        using var buffer = new MemoryStream();
        buffer.Write(ExportArchives.SmallFixture());
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Update, leaveOpen: true))
        {
            change(zip);
        }

        return buffer.ToArray();
    }

    private static void Add(ZipArchive zip, string name, string content)
    {
        using var writer = new StreamWriter(zip.CreateEntry(name).Open());
        writer.Write(content);
    }
}
