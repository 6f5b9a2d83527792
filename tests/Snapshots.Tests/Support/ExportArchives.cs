using System.IO.Compression;

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
