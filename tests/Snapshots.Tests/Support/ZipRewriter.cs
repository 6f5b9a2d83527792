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
