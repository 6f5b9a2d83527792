using Snapshots.Archive;
using Snapshots.Naming;

namespace Snapshots.Imports;

/// <summary>
/// A Konfuzio export's zip directory sorted by what reads it: the entries of each document folder, and the rest
/// (schema, documents_meta.json5, models, regex). The import's steps open the zip with a directory of only what
/// they read (<see cref="SchemaDirectory"/>, <see cref="BatchDirectory"/>), so a batch of documents costs that
/// batch's entries, not the whole export's, however large the export is.
/// </summary>
internal sealed class KonfuzioExportIndex
{
    private readonly ZipDirectoryRecords records;
    private readonly List<int> shared = [];
    private readonly List<int> topLevel = [];
    private readonly Dictionary<string, List<int>> documents = new(StringComparer.Ordinal);

    private KonfuzioExportIndex(ZipDirectoryRecords records)
    {
        this.records = records;
        var names = Enumerable.Range(0, records.Count).Select(records.NameOf).ToList();
        var root = KonfuzioExport.RootOf(names);
        for (var record = 0; record < names.Count; record++)
        {
            var name = names[record];
            var document = name.StartsWith(root, StringComparison.Ordinal) ? KonfuzioExport.DocumentOf(NamePolicy.Normalize(name[root.Length..])) : null;
            if (document is not null)
            {
                (documents.TryGetValue(document, out var entries) ? entries : documents[document] = []).Add(record);
                continue;
            }

            shared.Add(record);
            if (name.Count(c => c == '/') <= 1)
            {
                // What tells the export's root and layout apart: every partial directory carries it.
                topLevel.Add(record);
            }
        }
    }

    public static async Task<KonfuzioExportIndex> ReadAsync(Stream zip, CancellationToken cancellationToken) =>
        new(await ZipDirectoryRecords.ReadAsync(zip, reason => new ImportValidationException("", $"the upload's {reason}."), cancellationToken));

    /// <summary>Every entry outside the document folders: what the schema step reads.</summary>
    public byte[] SchemaDirectory() => records.DirectoryOf(shared);

    /// <summary>The top-level entries and the folders of <paramref name="documentIds"/>, in the zip's own order.</summary>
    public byte[] BatchDirectory(IEnumerable<string> documentIds)
    {
        var picked = new SortedSet<int>(topLevel);
        foreach (var id in documentIds)
        {
            if (documents.TryGetValue(id, out var entries))
            {
                picked.UnionWith(entries);
            }
        }

        return records.DirectoryOf(picked);
    }
}
