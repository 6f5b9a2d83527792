using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;

namespace Snapshots.Tests.Support;

/// <summary>Rebuilds a zip with changed, added or removed entries: how the tests make hostile archives.</summary>
public sealed class ZipRewriter
{
    private readonly List<(string Name, byte[] Content)> entries = [];

    public ZipRewriter(byte[] zip)
    {
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        foreach (var entry in archive.Entries)
        {
            using var stream = entry.Open();
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            entries.Add((entry.FullName, buffer.ToArray()));
        }
    }

    public ZipRewriter Replace(string name, Func<string, string> change)
    {
        var index = entries.FindIndex(e => e.Name == name);
        entries[index] = (name, Encoding.UTF8.GetBytes(change(Encoding.UTF8.GetString(entries[index].Content))));
        return this;
    }

    public ZipRewriter EditManifest(Action<JsonObject> change) => Replace("manifest.json", text =>
    {
        var manifest = JsonNode.Parse(text)!.AsObject();
        change(manifest);
        return manifest.ToJsonString();
    });

    /// <summary>
    /// Changes the lines of an NDJSON entry and records the new SHA-256, size and line count in the manifest, so the
    /// archive is intact byte-wise and only its content is wrong.
    /// </summary>
    public ZipRewriter ReplaceLinesSealed(string name, Func<List<string>, List<string>> change)
    {
        var index = entries.FindIndex(e => e.Name == name);
        var lines = Encoding.UTF8.GetString(entries[index].Content).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        var content = Encoding.UTF8.GetBytes(string.Concat(change(lines).Select(l => l + "\n")));
        entries[index] = (name, content);
        return EditManifest(manifest =>
        {
            var part = manifest["parts"]!.AsArray().Single(p => (string?)p!["path"] == name)!;
            part["sha256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content));
            part["bytes"] = content.Length;
            part["items"] = content.Count(b => b == (byte)'\n');
        });
    }

    /// <summary>Changes one JSON line of an NDJSON entry (0-based), sealed as <see cref="ReplaceLinesSealed"/>.</summary>
    public ZipRewriter EditLineSealed(string name, int line, Action<JsonObject> change) => ReplaceLinesSealed(name, lines =>
    {
        var item = JsonNode.Parse(lines[line])!.AsObject();
        change(item);
        lines[line] = item.ToJsonString();
        return lines;
    });

    /// <summary>
    /// Renames the first entry <paramref name="which"/> accepts, in the zip and where it is listed: the manifest, or
    /// (a file of a version-2 archive) the file index part that lists it, sealed again.
    /// </summary>
    public ZipRewriter RenameSealed(Func<string, bool> which, Func<string, string> newName)
    {
        var index = entries.FindIndex(e => which(e.Name));
        var (name, content) = entries[index];
        entries[index] = (newName(name), content);
        if (Manifest()["parts"]!.AsArray().Any(p => (string?)p!["path"] == name))
        {
            return EditManifest(manifest => manifest["parts"]!.AsArray().Single(p => (string?)p!["path"] == name)!["path"] = newName(name));
        }

        var lister = IndexEntries.Single(e => Lines(e).Any(l => (string?)JsonNode.Parse(l)!["path"] == name));
        return ReplaceLinesSealed(lister, lines => [.. lines.Select(l =>
        {
            var file = JsonNode.Parse(l)!.AsObject();
            if ((string?)file["path"] == name)
            {
                file["path"] = newName(name);
            }

            return file.ToJsonString();
        })]);
    }

    /// <summary>The same archive in format version 1: every file listed in the manifest itself, no index parts.</summary>
    public ZipRewriter ToVersion1()
    {
        var indexes = IndexEntries.ToList();
        var files = indexes.SelectMany(Lines).Select(l => JsonNode.Parse(l)!).ToList();
        foreach (var index in indexes)
        {
            Remove(index);
        }

        return EditManifest(manifest =>
        {
            manifest["version"] = 1;
            var parts = manifest["parts"]!.AsArray();
            foreach (var listed in parts.Where(p => ((string?)p!["path"])!.StartsWith("index/", StringComparison.Ordinal)).ToList())
            {
                parts.Remove(listed);
            }

            foreach (var file in files)
            {
                parts.Add(file);
            }
        });
    }

    private IEnumerable<string> IndexEntries => entries.Select(e => e.Name).Where(n => n.StartsWith("index/", StringComparison.Ordinal));

    private IEnumerable<string> Lines(string name) =>
        Encoding.UTF8.GetString(entries.Single(e => e.Name == name).Content).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private JsonObject Manifest() => JsonNode.Parse(entries.Single(e => e.Name == "manifest.json").Content)!.AsObject();

    public IReadOnlyList<string> Names => [.. entries.Select(e => e.Name)];

    /// <summary>Renames an entry in the zip only (the manifest, if any, still names the old one).</summary>
    public ZipRewriter Rename(string name, string newName)
    {
        var index = entries.FindIndex(e => e.Name == name);
        entries[index] = (newName, entries[index].Content);
        return this;
    }

    public ZipRewriter Remove(string name)
    {
        entries.RemoveAll(e => e.Name == name);
        return this;
    }

    /// <summary>Adds an entry before the manifest.</summary>
    public ZipRewriter Add(string name, string content)
    {
        entries.Insert(entries.Count - 1, (name, Encoding.UTF8.GetBytes(content)));
        return this;
    }

    public byte[] ToBytes()
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                using var stream = archive.CreateEntry(name).Open();
                stream.Write(content);
            }
        }

        return buffer.ToArray();
    }
}
