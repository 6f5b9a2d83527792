using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Snapshots.Archive;
using Snapshots.Configuration;
using Snapshots.Projects;
using Snapshots.Records;

namespace Snapshots.Tests.Support;

/// <summary>
/// Writes a version-2 snapshot archive of many tiny document files straight to a file, as the assembler lays it out
/// (file index parts of <see cref="ArchiveAssembler.FilesPerIndexPart"/> files), without a project behind it.
/// </summary>
public static class ManyFilesArchive
{
    public static void Write(string path, int documents, int filesPerDocument, string identifier = "snp-many-files")
    {
        var parts = new List<ManifestPart>();
        using (var zip = new ZipArchive(File.Create(path), ZipArchiveMode.Create))
        {
            parts.Add(Add(zip, ArchiveEntries.Project, [Json(new Project { Id = "many", Name = "Many files" })]));
            parts.Add(Add(zip, ArchiveEntries.Documents, Enumerable.Range(0, documents).Select(d => Json(new Document
            {
                Id = $"d{d}",
                Name = $"document {d}.pdf",
                Files = [.. Enumerable.Range(0, filesPerDocument).Select(f => new StoredFile($"page-{f}.txt", $"many/d{d}/page-{f}.txt", Content(d, f).Length))],
            }))));

            var index = new List<ManifestPart>();
            var files = 0;
            for (var d = 0; d < documents; d++)
            {
                for (var f = 0; f < filesPerDocument; f++)
                {
                    var name = ArchiveEntries.DocumentFile($"d{d}", $"page-{f}.txt");
                    var content = Content(d, f);
                    using (var entry = zip.CreateEntry(name, CompressionLevel.NoCompression).Open())
                    {
                        entry.Write(content);
                    }

                    index.Add(new ManifestPart(name, Convert.ToHexStringLower(SHA256.HashData(content)), content.Length, 0));
                    if (++files % ArchiveAssembler.FilesPerIndexPart == 0 || (d == documents - 1 && f == filesPerDocument - 1))
                    {
                        parts.Add(Add(zip, ArchiveEntries.FileIndex((files - 1) / ArchiveAssembler.FilesPerIndexPart), index.Select(Json)));
                        index.Clear();
                    }
                }
            }

            var manifest = new SnapshotManifest
            {
                SnapshotId = "many",
                Identifier = identifier,
                CreatedAt = DateTimeOffset.UnixEpoch,
                Source = new ManifestSource("generated", "many", "Many files"),
                Modes = [SnapshotMode.Dataset],
                Counts = new SnapshotCounts(Documents: documents, Files: files),
                Parts = parts,
            };
            using var stream = zip.CreateEntry(ArchiveEntries.Manifest).Open();
            JsonSerializer.Serialize(stream, manifest, ManifestJson.Options);
        }
    }

    public static byte[] Content(int document, int file) => Encoding.UTF8.GetBytes($"{document}:{file}");

    private static string Json<T>(T value) => JsonSerializer.Serialize(value, SnapshotsJson.Options);

    private static ManifestPart Add(ZipArchive zip, string name, IEnumerable<string> lines)
    {
        var bytes = Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n")));
        using (var entry = zip.CreateEntry(name, CompressionLevel.Fastest).Open())
        {
            entry.Write(bytes);
        }

        return new ManifestPart(name, Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes.Length, bytes.Count(b => b == (byte)'\n'));
    }
}
