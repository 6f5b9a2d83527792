using System.IO.Compression;
using System.Text.Json.Nodes;
using Snapshots.Imports;

namespace Snapshots.Tests.Support;

/// <summary>Builds zip uploads from the Konfuzio fixture (whole or a subset) with optional changes.</summary>
public static class ExportArchives
{
    public static byte[] FromFolder(string folder, Func<string, bool>? include = null, IReadOnlyDictionary<string, string?>? replace = null)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
            {
                var path = Path.GetRelativePath(folder, file).Replace('\\', '/');
                if (include is not null && !include(path))
                {
                    continue;
                }

                if (replace is not null && replace.TryGetValue(path, out var content))
                {
                    if (content is not null)
                    {
                        Write(zip, path, content);
                    }

                    continue;
                }

                zip.CreateEntryFromFile(file, path, CompressionLevel.Fastest);
            }

            foreach (var (path, content) in replace ?? new Dictionary<string, string?>())
            {
                if (content is not null && !File.Exists(Path.Combine(folder, path)))
                {
                    Write(zip, path, content);
                }
            }
        }

        return buffer.ToArray();
    }

    /// <summary>The fixture's schema and two documents: small enough for fast tests of rules and errors.</summary>
    public static byte[] SmallFixture(IReadOnlyDictionary<string, string?>? replace = null) =>
        FromFolder(RepositoryPaths.KonfuzioProject46, path =>
            !path.StartsWith("documents/", StringComparison.Ordinal)
            || path.StartsWith("documents/44823/", StringComparison.Ordinal)
            || path.StartsWith("documents/44834/", StringComparison.Ordinal), replace);

    /// <summary>The small fixture with one label's description edited and another label renamed: a merge target with a conflict and a label to create.</summary>
    public static byte[] SmallFixtureWithEditedLabels(string editedLabel, string renamedLabel)
    {
        var path = Path.Combine(RepositoryPaths.KonfuzioProject46, "labels.json5");
        var labels = JsonNode.Parse(File.ReadAllText(path))!.AsArray();
        foreach (var label in labels.OfType<JsonObject>())
        {
            if (label["text"]!.GetValue<string>() == editedLabel)
            {
                label["description"] = "Edited in the target.";
            }
            else if (label["text"]!.GetValue<string>() == renamedLabel)
            {
                foreach (var property in new[] { "text", "text_clean", "api_name" })
                {
                    label[property] = "Renamed in the target";
                }
            }
        }

        return ExportArchives.SmallFixture(new Dictionary<string, string?> { ["labels.json5"] = labels.ToJsonString() });
    }

    /// <summary>
    /// The fixture's schema and <paramref name="copies"/> copies of each of its documents (ids offset by 10 000 000 per
    /// copy; page images and bbox archives left out): a Konfuzio export large enough for an import to take a while.
    /// </summary>
    public static byte[] Replicated(int copies)
    {
        var folder = RepositoryPaths.KonfuzioProject46;
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var file in new[] { KonfuzioExport.Labels, KonfuzioExport.LabelSets })
            {
                zip.CreateEntryFromFile(Path.Combine(folder, file), file, CompressionLevel.Fastest);
            }

            using var metaFile = File.OpenRead(Path.Combine(folder, KonfuzioExport.DocumentsMeta));
            var documents = Json5.ParseArray(metaFile, KonfuzioExport.DocumentsMeta);
            var meta = new JsonArray();
            for (var copy = 0; copy < copies; copy++)
            {
                foreach (var document in documents)
                {
                    var id = document!["id"]!.GetValue<long>();
                    var copied = document.DeepClone();
                    copied["id"] = id + (copy * 10_000_000L);
                    meta.Add(copied);
                    var documentFolder = Path.Combine(folder, "documents", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    var files = Directory.Exists(documentFolder) ? Directory.EnumerateFiles(documentFolder) : [];
                    foreach (var file in files.Where(f => !f.EndsWith(".png", StringComparison.Ordinal) && !f.EndsWith(".zip", StringComparison.Ordinal)))
                    {
                        zip.CreateEntryFromFile(file, $"documents/{copied["id"]}/{Path.GetFileName(file)}", CompressionLevel.Fastest);
                    }
                }
            }

            Write(zip, KonfuzioExport.DocumentsMeta, meta.ToJsonString());
        }

        return buffer.ToArray();
    }

    public static byte[] Zip(IReadOnlyDictionary<string, string> files)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (path, content) in files)
            {
                Write(zip, path, content);
            }
        }

        return buffer.ToArray();
    }

    private static void Write(ZipArchive zip, string path, string content)
    {
        using var writer = new StreamWriter(zip.CreateEntry(path).Open());
        writer.Write(content);
    }
}
